/**
 * Sessions: a random 256-bit token in an httpOnly, SameSite=Lax cookie (Secure over HTTPS); the catalog keeps
 * only its SHA-256, so a leaked catalog does not leak sessions. Sessions expire after 12 idle hours (renewed on
 * use after half of that) and at the latest 7 days after sign-in however much they are used; logout deletes the
 * row, so the cookie is worthless afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Catalog } from '../db';
import { sessions, users, type UserRow } from '../db/schema';

export const SESSION_COOKIE = 'txline_session';
export const SESSION_TTL_MS = 12 * 3_600_000;
/** The absolute maximum: a session ends this long after sign-in, renewed or not. */
export const SESSION_MAX_MS = 7 * 24 * 3_600_000;

/** The session cookie's attributes: never readable by scripts, not sent on cross-site subrequests, Secure over HTTPS. */
export function sessionCookieOptions({ expiresAt, https }: { expiresAt: number; https: boolean }): { httpOnly: true; sameSite: 'lax'; secure: boolean; path: '/'; expires: Date } {
  return { httpOnly: true, sameSite: 'lax', secure: https, path: '/', expires: new Date(expiresAt) };
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function createSession(db: Catalog, { userId, address, now = Date.now() }: { userId: number; address: string | null; now?: number }): { token: string; expiresAt: number } {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = now + SESSION_TTL_MS;
  db.insert(sessions).values({ id: tokenHash(token), userId, expiresAt, address, createdAt: now }).run();
  // housekeeping: drop expired sessions
  db.delete(sessions).where(lt(sessions.expiresAt, now)).run();
  return { token, expiresAt };
}

export interface ActiveSession {
  user: UserRow;
  expiresAt: number;
  /** set when the session was renewed: the cookie should be sent again with this expiry */
  renewedUntil: number | null;
}

/** The session a token stands for, if it exists, has not expired, and its user is enabled. */
export function readSession(db: Catalog, token: string | undefined | null, now = Date.now()): ActiveSession | null {
  if (!token || token.length > 200) return null;
  const id = tokenHash(token);
  const row = db
    .select({ s: sessions, u: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, id), gt(sessions.expiresAt, now)))
    .get();
  if (!row || row.u.disabled) return null;
  const cap = row.s.createdAt + SESSION_MAX_MS;
  if (now >= cap) {
    db.delete(sessions).where(eq(sessions.id, id)).run();
    return null;
  }
  let renewedUntil: number | null = null;
  const renewal = Math.min(now + SESSION_TTL_MS, cap);
  if (row.s.expiresAt - now < SESSION_TTL_MS / 2 && renewal > row.s.expiresAt) {
    renewedUntil = renewal;
    db.update(sessions).set({ expiresAt: renewedUntil }).where(eq(sessions.id, id)).run();
  }
  return { user: row.u, expiresAt: renewedUntil ?? row.s.expiresAt, renewedUntil };
}

export function deleteSession(db: Catalog, token: string): void {
  db.delete(sessions).where(eq(sessions.id, tokenHash(token))).run();
}

/** Ends every session of a user (password reset, disabled user), except `keepToken`'s. Returns how many ended. */
export function deleteUserSessions(db: Catalog, { userId, keepToken }: { userId: number; keepToken?: string }): number {
  const keep = keepToken ? tokenHash(keepToken) : null;
  let ended = 0;
  for (const s of db.select({ id: sessions.id }).from(sessions).where(eq(sessions.userId, userId)).all()) {
    if (s.id !== keep) ended += db.delete(sessions).where(eq(sessions.id, s.id)).run().changes;
  }
  return ended;
}
