'use client';

/**
 * Sets, replaces or removes a remote cluster's member token. The token is typed into a password field and
 * sent to the server; the page only ever learns whether one is set.
 */
import { useActionState } from 'react';
import { setClusterTokenAction } from '@/app/settings/actions';
import { useCan } from '@/components/auth/permissions';
import { PendingButton } from '@/components/ui/pending-button';
import { FormStatus, TextField, type FormState } from './form-field';

export function ClusterTokenForm({ clusterId, name, hasToken }: { clusterId: number; name: string; hasToken: boolean }) {
  const canWrite = useCan('settings.write');
  const [state, action, pending] = useActionState<FormState, FormData>(async (prev, form) => {
    const r = await setClusterTokenAction(prev, form);
    if (!r.ok) return { ...r, values: {} };
    return { ok: true, message: r.hasToken ? `Token of ${name} saved.` : `Token of ${name} removed.` };
  }, null);
  if (!canWrite) return null;
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <details className="text-sm">
      <summary className="cursor-pointer text-xs font-medium text-teal-800 dark:text-teal-300">{hasToken ? 'Replace or remove the token' : 'Set a token'}</summary>
      <form action={action} aria-label={`Token of ${name}`} className="mt-2 space-y-2" noValidate>
        <input type="hidden" name="clusterId" value={clusterId} />
        <TextField
          label="New token"
          name="token"
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          errors={errors?.token}
          hint="Sent to this cluster's members only."
        />
        <div className="flex flex-wrap items-center gap-2">
          <PendingButton
            pending={pending}
            pendingLabel="Saving…"
            className="rounded-md bg-teal-700 px-2.5 py-1 text-xs font-medium text-white hover:bg-teal-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700 disabled:opacity-60"
          >
            Save token
          </PendingButton>
          {hasToken ? (
            <button
              type="submit"
              name="remove"
              value="true"
              disabled={pending}
              className="rounded-md border border-red-300 px-2.5 py-1 text-xs font-medium text-red-800 hover:bg-red-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700 disabled:opacity-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950"
            >
              Remove token
            </button>
          ) : null}
          <FormStatus state={state} pending={pending} />
        </div>
      </form>
    </details>
  );
}
