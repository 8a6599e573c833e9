'use server';
/** The signed-in user's own account: change the password, sign out. */
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { recordAudit } from '@/lib/auth/audit';
import { changeOwnPassword } from '@/lib/auth/login';
import { SESSION_COOKIE, deleteSession } from '@/lib/auth/sessions';
import { currentCaller, requestAddress } from '@/lib/server/auth';
import { formObject, guarded, noted } from '@/lib/server/action';
import { serverContext } from '@/lib/server/context';

export async function changePasswordAction(_prev: unknown, form: FormData) {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const r = await guarded('account.password', async (ctx, caller) => noted(await changeOwnPassword(ctx.db, caller, formObject(form), token)));
  return r;
}

export async function logoutAction(): Promise<void> {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  const caller = await currentCaller();
  if (token) deleteSession(serverContext().db, token);
  jar.delete(SESSION_COOKIE);
  if (caller) recordAudit(serverContext().db, { username: caller.username, address: await requestAddress(), action: 'logout', outcome: 'ok' });
  redirect('/login');
}
