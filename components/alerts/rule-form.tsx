'use client';

/**
 * The thresholds of one condition for one database (or `*`, every database): its fields, an enabled switch,
 * Save, and "Use the defaults" when the database has its own row. Operators and admins edit; viewers read.
 */
import { useActionState } from 'react';
import { resetRuleAction, saveRuleAction } from '@/app/alerts/actions';
import { useCan } from '@/components/auth/permissions';
import { PendingButton } from '@/components/ui/pending-button';
import { FormStatus, PRIMARY_BUTTON, TextField, type FormState } from '@/components/settings/form-field';

export interface RuleField {
  name: string;
  label: string;
  hint: string;
  value: number | null;
  optional: boolean;
}

export function RuleForm({ database, condition, label, enabled, from, fields }: { database: string; condition: string; label: string; enabled: boolean; from: 'database' | 'all' | 'default'; fields: RuleField[] }) {
  const can = useCan('alert.rules');
  const names = fields.map((f) => f.name);
  const [state, action, pending] = useActionState<FormState, FormData>(async (prev, form) => {
    const r = form.get('intent') === 'reset' ? await resetRuleAction(prev, form) : await saveRuleAction(prev, form);
    if (!r.ok) return { ...r, values: Object.fromEntries(names.map((n) => [n, String(form.get(n) ?? '')])) };
    return { ok: true, message: form.get('intent') === 'reset' ? 'Back to the defaults.' : 'Saved.' };
  }, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  const values = state && !state.ok ? state.values : undefined;
  const headingId = `rule-${condition}-heading`;
  const source = from === 'database' ? `set for ${database}` : from === 'all' ? 'set for every database' : 'defaults';
  return (
    <form action={action} aria-labelledby={headingId} data-testid="rule-form" data-condition={condition} className="space-y-3 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900" noValidate>
      <input type="hidden" name="database" value={database} />
      <input type="hidden" name="condition" value={condition} />
      <div className="flex flex-wrap items-center gap-2">
        <h3 id={headingId} className="text-base font-semibold">
          {label}
        </h3>
        <span className="text-xs text-zinc-500 dark:text-zinc-400">({source})</span>
      </div>
      <fieldset disabled={!can || pending} className="space-y-3">
        <div className="grid gap-3 sm:grid-cols-3">
          {fields.map((f) => (
            <TextField
              key={f.name}
              label={f.label}
              name={f.name}
              inputMode="decimal"
              autoComplete="off"
              defaultValue={values?.[f.name] ?? (f.value === null ? '' : String(f.value))}
              placeholder={f.optional ? 'off' : undefined}
              errors={errors?.[f.name]}
              hint={f.hint}
            />
          ))}
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="enabled" value="true" defaultChecked={enabled} className="size-4" />
          Alert on this condition
        </label>
      </fieldset>
      {can ? (
        <div className="flex flex-wrap items-center gap-3">
          <PendingButton pending={pending} pendingLabel="Saving…" name="intent" value="save" className={PRIMARY_BUTTON}>
            Save
          </PendingButton>
          {from === 'database' || (from === 'all' && database === '*') ? (
            <button type="submit" name="intent" value="reset" disabled={pending} className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
              Use the defaults
            </button>
          ) : null}
          <FormStatus state={state} pending={pending} />
        </div>
      ) : null}
    </form>
  );
}
