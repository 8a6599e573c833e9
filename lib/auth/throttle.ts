/**
 * Slowing down password guessing: after 5 failed logins within 15 minutes for a user name, or from an
 * address, each further attempt must wait 2^(failures-5) seconds (capped at 5 minutes) after the last
 * failure. Attempts made during the wait are refused without checking the password.
 */
import { and, desc, eq, gt, lt } from 'drizzle-orm';
import type { Catalog } from '../db';
import { loginAttempts } from '../db/schema';

export const FREE_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;
const MAX_WAIT_MS = 5 * 60_000;

export function recordAttempt(db: Catalog, { username, address, ok, now = Date.now() }: { username: string; address: string; ok: boolean; now?: number }): void {
  db.insert(loginAttempts).values({ username: username.toLowerCase(), address, ok, at: now }).run();
  db.delete(loginAttempts).where(lt(loginAttempts.at, now - 24 * 3_600_000)).run();
}

/** Milliseconds the next attempt for this user name or from this address must still wait (0: go ahead). */
export function waitBeforeAttempt(db: Catalog, { username, address, now = Date.now() }: { username: string; address: string; now?: number }): number {
  const since = now - WINDOW_MS;
  const waitFor = (rows: Array<{ ok: boolean; at: number }>) => {
    // failures since the last success in the window
    let failures = 0;
    let last = 0;
    for (const r of rows) {
      if (r.ok) break;
      failures++;
      last = Math.max(last, r.at);
    }
    if (failures < FREE_FAILURES) return 0;
    const wait = Math.min(MAX_WAIT_MS, 1000 * 2 ** (failures - FREE_FAILURES));
    return Math.max(0, last + wait - now);
  };
  const recent = (where: ReturnType<typeof eq>) =>
    db.select({ ok: loginAttempts.ok, at: loginAttempts.at }).from(loginAttempts).where(and(where, gt(loginAttempts.at, since))).orderBy(desc(loginAttempts.at)).limit(50).all();
  return Math.max(waitFor(recent(eq(loginAttempts.username, username.toLowerCase()))), waitFor(recent(eq(loginAttempts.address, address))));
}

