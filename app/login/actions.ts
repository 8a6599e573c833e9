'use server';
/** Signing in: checks the password (slowed down after repeated failures), starts a session, goes on. */
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { login } from '@/lib/auth/login';
import { safeRedirectPath } from '@/lib/auth/redirect';
import { SESSION_COOKIE, sessionCookieOptions } from '@/lib/auth/sessions';
import { overHttps, requestAddress } from '@/lib/server/auth';
import { formObject } from '@/lib/server/action';
import { serverContext } from '@/lib/server/context';

export type LoginState = { ok: false; error: string; fieldErrors?: Record<string, string[]> } | null;

export async function loginAction(_prev: LoginState, form: FormData): Promise<LoginState> {
  const input = formObject(form);
  const r = await login(serverContext().db, input, (await requestAddress()) ?? 'unknown');
  if (!r.ok) return { ok: false, error: r.error, fieldErrors: r.fieldErrors };
  (await cookies()).set(SESSION_COOKIE, r.token, sessionCookieOptions({ expiresAt: r.expiresAt, https: await overHttps() }));
  redirect(r.user.mustChangePassword ? '/account?required=1' : safeRedirectPath(input.next));
}
