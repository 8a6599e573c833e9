'use client';
/** User administration widgets: create a user, and per user change the role, disable/enable, reset the password. */
import { useActionState } from 'react';
import { createUserAction, resetPasswordAction, setDisabledAction, setRoleAction } from '@/app/admin/users/actions';
import { PendingButton } from '@/components/ui/pending-button';

type Result = { ok: true; username?: string; password?: string } | { ok: false; error: string; fieldErrors?: Record<string, string[]> } | null;

const input = 'rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900';
const button = 'rounded-md border border-zinc-300 px-2.5 py-1 text-sm hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-700 dark:hover:bg-zinc-800';

function Message({ state, id }: { state: Result; id: string }) {
  return (
    <p id={id} role="status" aria-live="polite" className="text-sm">
      {state?.ok && state.password ? (
        <span className="text-teal-800 dark:text-teal-300">
          Password for <strong>{state.username}</strong>: <code data-testid="new-password" className="rounded bg-zinc-100 px-1 dark:bg-zinc-800">{state.password}</code> (shown once; they must change it at first login)
        </span>
      ) : state?.ok ? (
        <span className="text-teal-800 dark:text-teal-300">Done.</span>
      ) : state ? (
        <span className="text-red-700 dark:text-red-400">{state.error}</span>
      ) : null}
    </p>
  );
}

export function CreateUserForm() {
  const [state, action, pending] = useActionState<Result, FormData>(async (p, f) => (await createUserAction(p, f)) as Result, null);
  const fe = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  return (
    <form action={action} className="flex flex-wrap items-end gap-3" aria-label="Create a user">
      <div>
        <label htmlFor="new-username" className="block text-sm font-medium">
          User name
        </label>
        <input id="new-username" name="username" className={input} aria-describedby="new-username-error" required />
        <p id="new-username-error" aria-live="polite" className="text-xs text-red-700 dark:text-red-400">
          {fe.username?.join('; ')}
        </p>
      </div>
      <div>
        <label htmlFor="new-role" className="block text-sm font-medium">
          Role
        </label>
        <select id="new-role" name="role" className={input} defaultValue="viewer">
          <option value="viewer">viewer</option>
          <option value="operator">operator</option>
          <option value="admin">admin</option>
        </select>
        <p className="text-xs">&nbsp;</p>
      </div>
      <div>
        <label htmlFor="new-password" className="block text-sm font-medium">
          Initial password (empty: generate one)
        </label>
        <input id="new-password" name="password" type="password" autoComplete="new-password" className={input} aria-describedby="new-password-error" />
        <p id="new-password-error" aria-live="polite" className="text-xs text-red-700 dark:text-red-400">
          {fe.password?.join('; ')}
        </p>
      </div>
      <div>
        <PendingButton pending={pending} pendingLabel="Creating…" className="rounded-md bg-teal-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-teal-800 disabled:opacity-60">
          Create user
        </PendingButton>
        <p className="text-xs">&nbsp;</p>
      </div>
      <div className="basis-full">
        <Message state={state} id="create-user-status" />
      </div>
    </form>
  );
}

export function UserRowActions({ userId, username, role, disabled, self }: { userId: number; username: string; role: string; disabled: boolean; self: boolean }) {
  const [roleState, roleAction, rolePending] = useActionState<Result, FormData>(async (p, f) => (await setRoleAction(p, f)) as Result, null);
  const [disState, disAction, disPending] = useActionState<Result, FormData>(async (p, f) => (await setDisabledAction(p, f)) as Result, null);
  const [resetState, resetAction, resetPending] = useActionState<Result, FormData>(async (p, f) => (await resetPasswordAction(p, f)) as Result, null);
  return (
    <div className="flex flex-col gap-1">
      <div className="flex flex-wrap items-center gap-2">
        <form action={roleAction} className="flex items-center gap-1">
          <input type="hidden" name="userId" value={userId} />
          <label className="sr-only" htmlFor={`role-${userId}`}>
            Role of {username}
          </label>
          <select id={`role-${userId}`} name="role" defaultValue={role} className={input}>
            <option value="viewer">viewer</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
          <button type="submit" disabled={rolePending} className={button}>
            Set role
          </button>
        </form>
        <form
          action={disAction}
          onSubmit={(e) => {
            if (!disabled && !window.confirm(`Disable ${username}? Their sessions end now.`)) e.preventDefault();
          }}
        >
          <input type="hidden" name="userId" value={userId} />
          <input type="hidden" name="disabled" value={disabled ? 'false' : 'true'} />
          <button type="submit" disabled={disPending || (self && !disabled)} className={button}>
            {disabled ? 'Enable' : 'Disable'}
          </button>
        </form>
        <form
          action={resetAction}
          onSubmit={(e) => {
            if (!window.confirm(`Reset the password of ${username}? A new one is generated and shown once.`)) e.preventDefault();
          }}
        >
          <input type="hidden" name="userId" value={userId} />
          <button type="submit" disabled={resetPending} className={button}>
            Reset password
          </button>
        </form>
      </div>
      <Message state={roleState ?? disState ?? resetState} id={`user-${userId}-status`} />
    </div>
  );
}
