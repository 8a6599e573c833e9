'use client';
import { useActionState } from 'react';
import { loginAction, type LoginState } from '@/app/login/actions';
import { PendingButton } from '@/components/ui/pending-button';

const input =
  'mt-1 block w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-teal-600 focus:outline-none focus:ring-2 focus:ring-teal-600/30 dark:border-zinc-700 dark:bg-zinc-900';

export function LoginForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<LoginState, FormData>(loginAction, null);
  const fe = state?.fieldErrors ?? {};
  return (
    <form action={action} className="space-y-4" aria-describedby="login-error" noValidate>
      <input type="hidden" name="next" value={next} />
      <div>
        <label htmlFor="username" className="block text-sm font-medium">
          User name
        </label>
        <input id="username" name="username" autoComplete="username" required className={input} aria-describedby="username-error" autoFocus />
        <p id="username-error" aria-live="polite" className="mt-1 text-sm text-red-700 dark:text-red-400">
          {fe.username?.join('; ')}
        </p>
      </div>
      <div>
        <label htmlFor="password" className="block text-sm font-medium">
          Password
        </label>
        <input id="password" name="password" type="password" autoComplete="current-password" required className={input} aria-describedby="password-error" />
        <p id="password-error" aria-live="polite" className="mt-1 text-sm text-red-700 dark:text-red-400">
          {fe.password?.join('; ')}
        </p>
      </div>
      <p id="login-error" role="alert" aria-live="assertive" className="min-h-5 text-sm text-red-700 dark:text-red-400">
        {state && !state.ok ? state.error : ''}
      </p>
      <PendingButton
        pending={pending}
        pendingLabel="Signing in…"
        className="w-full rounded-md bg-teal-700 px-4 py-2 text-sm font-medium text-white hover:bg-teal-800 focus:outline-none focus:ring-2 focus:ring-teal-600/50 disabled:opacity-60"
      >
        Sign in
      </PendingButton>
    </form>
  );
}
