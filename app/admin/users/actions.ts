'use server';
/**
 * User administration: create, re-role, disable or enable, reset a password. Admins only. Each is its own
 * guard action (users.create, users.role, users.disable, users.enable, users.reset-password), so the audit log
 * names what was done, to which user (`user=name`) and what changed.
 */
import { revalidatePath } from 'next/cache';
import { adminCreateUser, adminResetPassword, adminSetDisabled, adminSetRole } from '@/lib/auth/login';
import { getUser } from '@/lib/auth/users';
import { formObject, guarded, noted } from '@/lib/server/action';
import { serverContext } from '@/lib/server/context';

type Input = FormData | Record<string, unknown>;

/** The audit target of a change to an existing user, also when the change is refused. */
function userTarget(o: Record<string, unknown>): string {
  const id = Number(o.userId);
  const user = Number.isSafeInteger(id) && id > 0 ? getUser(serverContext().db, id) : undefined;
  return user ? `user=${user.username}` : `userId=${String(o.userId ?? '').slice(0, 20)}`;
}

export async function createUserAction(_prev: unknown, input: Input) {
  const o = formObject(input);
  const r = await guarded('users.create', async (ctx) => noted(await adminCreateUser(ctx.db, o)), o, { target: `user=${String(o.username ?? '').trim().toLowerCase().slice(0, 40)}` });
  revalidatePath('/admin/users');
  return r;
}

export async function setRoleAction(_prev: unknown, input: Input) {
  const o = formObject(input);
  const r = await guarded('users.role', (ctx) => noted(adminSetRole(ctx.db, o)), o, { target: userTarget(o) });
  revalidatePath('/admin/users');
  return r;
}

export async function setDisabledAction(_prev: unknown, input: Input) {
  const o = formObject(input);
  const r = await guarded(o.disabled === 'false' ? 'users.enable' : 'users.disable', (ctx) => noted(adminSetDisabled(ctx.db, o)), o, { target: userTarget(o) });
  revalidatePath('/admin/users');
  return r;
}

export async function resetPasswordAction(_prev: unknown, input: Input) {
  const o = formObject(input);
  const r = await guarded('users.reset-password', async (ctx) => noted(await adminResetPassword(ctx.db, o)), o, { target: userTarget(o) });
  revalidatePath('/admin/users');
  return r;
}
