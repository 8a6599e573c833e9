'use server';
/** User administration: create, re-role, disable or enable, reset a password. Admins only. */
import { revalidatePath } from 'next/cache';
import { adminCreateUser, adminResetPassword, adminSetDisabled, adminSetRole } from '@/lib/auth/login';
import { formObject, guarded } from '@/lib/server/action';

type Input = FormData | Record<string, unknown>;

export async function createUserAction(_prev: unknown, input: Input) {
  const r = await guarded('users.write', (ctx) => adminCreateUser(ctx.db, formObject(input)), formObject(input));
  revalidatePath('/admin/users');
  return r;
}

export async function setRoleAction(_prev: unknown, input: Input) {
  const r = await guarded('users.write', (ctx) => adminSetRole(ctx.db, formObject(input)), formObject(input));
  revalidatePath('/admin/users');
  return r;
}

export async function setDisabledAction(_prev: unknown, input: Input) {
  const r = await guarded('users.write', (ctx) => adminSetDisabled(ctx.db, formObject(input)), formObject(input));
  revalidatePath('/admin/users');
  return r;
}

export async function resetPasswordAction(_prev: unknown, input: Input) {
  const r = await guarded('users.write', (ctx) => adminResetPassword(ctx.db, formObject(input)), formObject(input));
  revalidatePath('/admin/users');
  return r;
}
