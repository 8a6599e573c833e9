'use client';
import Link from 'next/link';
import { useActionState } from 'react';
import { changePasswordAction } from '@/app/account/actions';
import { PendingButton } from '@/components/ui/pending-button';

type State = { ok: true } | { ok: false; error: string; fieldErrors?: Record<string, string[]> } | null;

const input =
  'mt-1 block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/30 dark:border-zinc-700 dark:bg-zinc-900';

function Field({ name, label, autoComplete, errors }: { name: string; label: string; autoComplete: string; errors?: string[] }) {
  return (
    <div>
      <label htmlFor={name} className="block text-sm font-medium">
        {label}
      </label>
      <input id={name} name={name} type="password" autoComplete={autoComplete} required className={input} aria-describedby={`${name}-error`} aria-invalid={errors ? true : undefined} />
      <p id={`${name}-error`} aria-live="polite" className="mt-1 text-sm text-red-700 dark:text-red-400">
        {errors?.join('; ')}
      </p>
    </div>
  );
}

export function ChangePasswordForm() {
  const [state, action, pending] = useActionState<State, FormData>(async (prev, form) => (await changePasswordAction(prev, form)) as State, null);
  const fe = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  return (
    <form action={action} className="max-w-sm space-y-3" noValidate>
      <Field name="current" label="Current password" autoComplete="current-password" errors={fe.current} />
      <Field name="password" label="New password (at least 10 characters)" autoComplete="new-password" errors={fe.password} />
      <Field name="confirm" label="New password again" autoComplete="new-password" errors={fe.confirm} />
      <p role="status" aria-live="polite" className="min-h-5 text-sm">
        {state?.ok ? (
          <span className="text-teal-700 dark:text-teal-400">
            Your password was changed. <Link href="/" className="underline">Continue to the overview</Link>
          </span>
        ) : state ? (
          <span className="text-red-700 dark:text-red-400">{state.error}</span>
        ) : null}
      </p>
      <PendingButton pending={pending} pendingLabel="Changing…" className="rounded-md bg-teal-700 px-4 py-2 text-sm font-medium text-white hover:bg-teal-800 disabled:opacity-60">
        Change password
      </PendingButton>
    </form>
  );
}
