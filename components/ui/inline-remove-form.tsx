'use client';

/**
 * A one-button form that removes one row of a list (a schedule, a retention policy): the row's ID in a hidden
 * field, "Remove" saying "Removing…" while the action runs, and the action's error beside it in a polite live
 * region. Shown only to a role that may do `permission` (the server refuses the others anyway).
 */
import { useActionState } from 'react';
import { useCan } from '@/components/auth/permissions';
import { FormError } from '@/components/ui/field-errors';
import { PendingButton } from '@/components/ui/pending-button';
import type { Action } from '@/lib/auth/guard';

export function InlineRemoveForm<S>({
  action,
  permission,
  name,
  value,
  label,
}: {
  action: (prev: S | null, form: FormData) => Promise<S>;
  permission: Action;
  /** the hidden field that names the row, and its value */
  name: string;
  value: number;
  /** the button's accessible name ("Remove the schedule of *") */
  label: string;
}) {
  const [state, formAction, pending] = useActionState<S | null, FormData>(action, null);
  if (!useCan(permission)) return null;
  return (
    <form action={formAction} className="inline">
      <input type="hidden" name={name} value={value} />
      <PendingButton pending={pending} pendingLabel="Removing…" aria-label={label} className="text-sm text-red-700 hover:underline disabled:opacity-60 dark:text-red-400">
        Remove
      </PendingButton>
      <span aria-live="polite">
        <FormError state={state} />
      </span>
    </form>
  );
}
