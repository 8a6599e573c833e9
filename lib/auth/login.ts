/**
 * Signing in, changing one's password, and managing users: validated inputs, typed results, audit entries.
 * Pure of Next.js (the actions in app/login, app/account and app/admin call these).
 */
import { z } from 'zod';
import type { Catalog } from '../db';
import { ROLES, type UserRow } from '../db/schema';
import { recordAudit } from './audit';
import { generatePassword, passwordProblem, verifyPassword } from './password';
import { createSession, deleteUserSessions } from './sessions';
import { reserveAttempt, settleAttempt } from './throttle';
import { USERNAME, checkCredentials, createUser, findUser, getUser, listUsers, setDisabled, setPassword, setRole, wouldLeaveNoAdmin } from './users';

type Fail = { ok: false; error: string; fieldErrors?: Record<string, string[]>; waitMs?: number };

/** What a change did, for its audit entry: the user it concerned and what changed. */
export interface Change {
  target: string;
  detail: string;
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

const loginInput = z.object({
  username: z.string().trim().min(1, { error: 'enter your user name' }).max(64),
  password: z.string().min(1, { error: 'enter your password' }).max(256),
});

export async function login(db: Catalog, raw: unknown, address: string): Promise<({ ok: true; token: string; expiresAt: number; user: UserRow }) | Fail> {
  const p = loginInput.safeParse(raw);
  if (!p.success) return { ok: false, error: 'Enter your user name and password.', fieldErrors: fieldErrors(p.error) };
  const username = p.data.username.toLowerCase();
  // The attempt counts as a failure from before the password is hashed, so parallel guesses cannot all get
  // through the check while the first ones are still hashing.
  const reserved = reserveAttempt(db, { username, address });
  if (!reserved.ok) {
    const s = Math.ceil(reserved.waitMs / 1000);
    recordAudit(db, { username, address, action: 'login', outcome: 'denied', detail: `too many failed attempts; ${s} s to wait` });
    return { ok: false, error: `Too many failed attempts. Try again in ${s} s.`, waitMs: reserved.waitMs };
  }
  let user: UserRow | null;
  try {
    user = await checkCredentials(db, username, p.data.password);
  } catch (cause) {
    // The attempt stays a failure and is audited as one, whatever broke the check.
    settleAttempt(db, { attemptId: reserved.attemptId, ok: false });
    recordAudit(db, { username, address, action: 'login', outcome: 'failed', detail: `the password check failed: ${(cause as Error).message}` });
    throw cause;
  }
  settleAttempt(db, { attemptId: reserved.attemptId, ok: user !== null });
  if (!user) {
    recordAudit(db, { username, address, action: 'login', outcome: 'failed', detail: 'wrong user name or password, or a disabled user' });
    return { ok: false, error: 'Wrong user name or password.' };
  }
  const s = createSession(db, { userId: user.id, address });
  recordAudit(db, { username, address, action: 'login', outcome: 'ok' });
  return { ok: true, token: s.token, expiresAt: s.expiresAt, user };
}

const newPassword = z.string().max(256);

export async function changeOwnPassword(
  db: Catalog,
  caller: { userId: number; username: string; address: string | null },
  raw: unknown,
  keepToken: string | undefined,
): Promise<{ ok: true; audit: Change } | Fail> {
  const p = z.object({ current: z.string().min(1, { error: 'enter your current password' }), password: newPassword, confirm: z.string() }).safeParse(raw);
  if (!p.success) return { ok: false, error: 'Some fields need attention.', fieldErrors: fieldErrors(p.error) };
  const user = getUser(db, caller.userId);
  if (!user) return { ok: false, error: 'Your user no longer exists.' };
  // A wrong current password counts as a failed sign-in of this user (./throttle.ts): a session left open must
  // not be a way to guess the password around the sign-in's throttle. (The action audits every refusal.)
  const address = caller.address ?? `session of ${user.username}`;
  const reserved = reserveAttempt(db, { username: user.username, address });
  if (!reserved.ok) {
    return { ok: false, error: `Too many wrong passwords. Try again in ${Math.ceil(reserved.waitMs / 1000)} s.`, waitMs: reserved.waitMs };
  }
  let right = false;
  try {
    right = await verifyPassword(p.data.current, user.passwordHash);
  } finally {
    settleAttempt(db, { attemptId: reserved.attemptId, ok: right });
  }
  if (!right) return { ok: false, error: 'The current password is wrong.', fieldErrors: { current: ['is wrong'] } };
  const problem = passwordProblem(p.data.password, user.username);
  if (problem) return { ok: false, error: `The new password ${problem}.`, fieldErrors: { password: [problem] } };
  if (p.data.password !== p.data.confirm) return { ok: false, error: 'The two new passwords differ.', fieldErrors: { confirm: ['does not match the new password'] } };
  if (p.data.password === p.data.current) return { ok: false, error: 'Choose a password different from the current one.', fieldErrors: { password: ['is the current password'] } };
  await setPassword(db, { userId: user.id, password: p.data.password, mustChange: false });
  const ended = deleteUserSessions(db, { userId: user.id, keepToken });
  return { ok: true, audit: { target: `user=${user.username}`, detail: `changed their own password${user.mustChangePassword ? ' (as required)' : ''}; ${plural(ended, 'other session')} ended` } };
}

// ---- user management (admin) -----------------------------------------------------------------------------

const role = z.enum(ROLES, { error: 'choose viewer, operator or admin' });
const userId = z.coerce.number().int().positive();

export async function adminCreateUser(db: Catalog, raw: unknown): Promise<({ ok: true; username: string; password: string; audit: Change }) | Fail> {
  const p = z
    .object({
      username: z.string().trim().toLowerCase().regex(USERNAME, { error: '2-32 characters: lower-case letters, digits, dots, dashes, underscores; starting with a letter' }),
      role,
      password: z.string().optional(),
    })
    .safeParse(raw);
  if (!p.success) return { ok: false, error: 'Some fields need attention.', fieldErrors: fieldErrors(p.error) };
  if (findUser(db, p.data.username)) return { ok: false, error: `A user named ${p.data.username} exists.`, fieldErrors: { username: ['already taken'] } };
  const password = p.data.password ? p.data.password : generatePassword();
  const problem = passwordProblem(password, p.data.username);
  if (problem) return { ok: false, error: `The password ${problem}.`, fieldErrors: { password: [problem] } };
  await createUser(db, { username: p.data.username, password, role: p.data.role });
  const detail = `created with the role ${p.data.role} and ${p.data.password ? 'an initial password chosen by the admin' : 'a generated initial password'}, to be changed at first sign-in`;
  return { ok: true, username: p.data.username, password, audit: { target: `user=${p.data.username}`, detail } };
}

export function adminSetRole(db: Catalog, raw: unknown): { ok: true; audit: Change } | Fail {
  const p = z.object({ userId, role }).safeParse(raw);
  if (!p.success) return { ok: false, error: 'Some fields need attention.', fieldErrors: fieldErrors(p.error) };
  const user = getUser(db, p.data.userId);
  if (!user) return { ok: false, error: 'No such user.' };
  if (wouldLeaveNoAdmin(db, { userId: p.data.userId, role: p.data.role })) return { ok: false, error: 'Txline needs at least one enabled admin.' };
  setRole(db, p.data);
  const detail = user.role === p.data.role ? `role stays ${user.role}` : `role ${user.role} -> ${p.data.role}`;
  return { ok: true, audit: { target: `user=${user.username}`, detail } };
}

export function adminSetDisabled(db: Catalog, raw: unknown): { ok: true; audit: Change } | Fail {
  const p = z.object({ userId, disabled: z.enum(['true', 'false'], { error: 'is "true" or "false"' }).transform((v) => v === 'true') }).safeParse(raw);
  if (!p.success) return { ok: false, error: 'Some fields need attention.', fieldErrors: fieldErrors(p.error) };
  const user = getUser(db, p.data.userId);
  if (!user) return { ok: false, error: 'No such user.' };
  if (p.data.disabled && wouldLeaveNoAdmin(db, { userId: p.data.userId, disabled: true })) return { ok: false, error: 'Txline needs at least one enabled admin.' };
  const ended = setDisabled(db, p.data);
  const was = user.disabled === p.data.disabled ? ` (was already ${user.disabled ? 'disabled' : 'enabled'})` : '';
  const detail = p.data.disabled ? `disabled${was}; ${plural(ended, 'session')} ended` : `enabled${was}`;
  return { ok: true, audit: { target: `user=${user.username}`, detail } };
}

export async function adminResetPassword(db: Catalog, raw: unknown): Promise<({ ok: true; username: string; password: string; audit: Change }) | Fail> {
  const p = z.object({ userId }).safeParse(raw);
  if (!p.success) return { ok: false, error: 'No such user.' };
  const user = getUser(db, p.data.userId);
  if (!user) return { ok: false, error: 'No such user.' };
  const password = generatePassword();
  await setPassword(db, { userId: user.id, password, mustChange: true });
  const ended = deleteUserSessions(db, { userId: user.id });
  const detail = `password reset to a generated one, to be changed at next sign-in; ${plural(ended, 'session')} ended`;
  return { ok: true, username: user.username, password, audit: { target: `user=${user.username}`, detail } };
}

export { listUsers };

function fieldErrors(e: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const i of e.issues) (out[i.path.map(String).join('.') || 'form'] ??= []).push(i.message);
  return out;
}
