/**
 * Slowing down password guessing: after 5 failed logins within 15 minutes for a user name, or from an
 * address, each further attempt must wait 2^(failures-5) seconds (capped at 5 minutes) after the last
 * failure. Attempts made during the wait are refused without checking the password.
 *
 * Check and record are one step: `reserveAttempt` counts the attempt as a failure before the password is
 * hashed (inside one IMMEDIATE transaction, so neither a concurrent request of this process nor another
 * process can slip in between), and `settleAttempt` turns it into a success when the password was right, or
 * dates the failure to when the check ended (the wait runs from there). Thirty simultaneous guesses
 * therefore get five password checks, not thirty.
 */
import { and, desc, eq, gt, lt } from 'drizzle-orm';
import type { Catalog } from '../db';
import { loginAttempts } from '../db/schema';

export const FREE_FAILURES = 5;
export const WINDOW_MS = 15 * 60_000;
const MAX_WAIT_MS = 5 * 60_000;
const KEEP_MS = 24 * 3_600_000;

export function recordAttempt(db: Catalog, { username, address, ok, now = Date.now() }: { username: string; address: string; ok: boolean; now?: number }): number {
  const row = db.insert(loginAttempts).values({ username: username.toLowerCase(), address, ok, at: now }).returning({ id: loginAttempts.id }).get();
  db.delete(loginAttempts).where(lt(loginAttempts.at, now - KEEP_MS)).run();
  return row.id;
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
    db
      .select({ ok: loginAttempts.ok, at: loginAttempts.at })
      .from(loginAttempts)
      .where(and(where, gt(loginAttempts.at, since)))
      .orderBy(desc(loginAttempts.at), desc(loginAttempts.id))
      .limit(50)
      .all();
  return Math.max(waitFor(recent(eq(loginAttempts.username, username.toLowerCase()))), waitFor(recent(eq(loginAttempts.address, address))));
}

export type Reservation = { ok: true; attemptId: number } | { ok: false; waitMs: number };

/**
 * Checks the wait and, when there is none, records this attempt as a failure, atomically. The caller
 * checks the password next and calls `settleAttempt` with the result.
 */
export function reserveAttempt(db: Catalog, { username, address, now = Date.now() }: { username: string; address: string; now?: number }): Reservation {
  return db.transaction(
    (tx) => {
      const t = tx as unknown as Catalog;
      const waitMs = waitBeforeAttempt(t, { username, address, now });
      if (waitMs > 0) return { ok: false as const, waitMs };
      return { ok: true as const, attemptId: recordAttempt(t, { username, address, ok: false, now }) };
    },
    { behavior: 'immediate' },
  );
}

/**
 * The reserved attempt's result: a success no longer counts as a failure (and ends the run of failures); a
 * failure keeps counting, from when the check ended.
 */
export function settleAttempt(db: Catalog, { attemptId, ok, now = Date.now() }: { attemptId: number; ok: boolean; now?: number }): void {
  db.update(loginAttempts).set(ok ? { ok: true } : { at: now }).where(eq(loginAttempts.id, attemptId)).run();
}
