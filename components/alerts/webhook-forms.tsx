'use client';

/**
 * The webhook targets' forms (admins): add a target (name, URL, optional signing secret, never shown again),
 * and per target "Send test" (one POST now, its outcome shown and logged) and Remove.
 */
import { useActionState } from 'react';
import { addWebhookAction, removeWebhookAction, testWebhookAction } from '@/app/alerts/actions';
import { PendingButton } from '@/components/ui/pending-button';
import { FormStatus, formValues, PRIMARY_BUTTON, TextField, type FormState } from '@/components/settings/form-field';

const FIELDS = ['name', 'url'];

export function AddWebhookForm() {
  const [state, action, pending] = useActionState<FormState, FormData>(async (prev, form) => {
    const r = await addWebhookAction(prev, form);
    // the secret is not kept in the form's state: typed again after an error
    if (!r.ok) return { ...r, values: formValues(form, FIELDS) };
    return { ok: true, message: `Webhook target ${String(form.get('name')).trim()} added.` };
  }, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  const values = state && !state.ok ? state.values : undefined;
  return (
    <form action={action} aria-labelledby="add-webhook-heading" className="space-y-3" noValidate>
      <h3 id="add-webhook-heading" className="text-base font-semibold">
        Add a webhook target
      </h3>
      <div className="grid gap-3 sm:grid-cols-3">
        <TextField label="Name" name="name" required autoComplete="off" defaultValue={values?.name} errors={errors?.name} />
        <TextField label="URL" name="url" required autoComplete="off" spellCheck={false} placeholder="https://hooks.example.com/txline" defaultValue={values?.url} errors={errors?.url} hint="http:// or https://; link-local and cloud metadata addresses are refused." />
        <TextField label="Secret (optional)" name="secret" type="password" autoComplete="new-password" errors={errors?.secret} hint="Signs each request: X-Txline-Signature (the body) and X-Txline-Signature-256 (timestamp, delivery ID and body). Never shown again." />
      </div>
      <div className="flex items-center gap-3">
        <PendingButton pending={pending} pendingLabel="Adding…" className={PRIMARY_BUTTON}>
          Add target
        </PendingButton>
        <FormStatus state={state} pending={pending} />
      </div>
    </form>
  );
}

type Outcome = { ok: true; message: string } | { ok: false; error: string } | null;

export function TargetActions({ targetId, name }: { targetId: number; name: string }) {
  const [test, sendTest, testing] = useActionState(async (): Promise<Outcome> => {
    const r = await testWebhookAction(null, { targetId });
    return r.ok ? { ok: true, message: r.message } : { ok: false, error: r.error };
  }, null);
  const [removed, remove, removing] = useActionState(async (): Promise<Outcome> => {
    const r = await removeWebhookAction(null, { targetId });
    return r.ok ? { ok: true, message: 'Removed.' } : { ok: false, error: r.error };
  }, null);
  const button = 'rounded-md border px-2.5 py-1 text-sm font-medium disabled:opacity-50';
  const shown = testing || removing ? null : (removed ?? test);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <form action={sendTest}>
        <PendingButton pending={testing} pendingLabel="Sending…" aria-label={`Send test to ${name}`} className={`${button} border-zinc-300 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800`}>
          Send test
        </PendingButton>
      </form>
      <form action={remove}>
        <button type="submit" disabled={removing} aria-label={`Remove ${name}`} className={`${button} border-red-300 text-red-800 hover:bg-red-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950`}>
          Remove
        </button>
      </form>
      <span role="status" aria-live="polite" data-testid="webhook-status" className={`text-sm ${shown && !shown.ok ? 'text-red-700 dark:text-red-400' : 'text-emerald-700 dark:text-emerald-400'}`}>
        {shown ? (shown.ok ? shown.message : shown.error) : ''}
      </span>
    </div>
  );
}
