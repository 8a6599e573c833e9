/**
 * Cron expressions and time zones of schedules, read by croner (never by hand): standard 5-field cron
 * (minute hour day-of-month month day-of-week) and 6-field with seconds first. Pure: every "when" is a value
 * passed in (ms since the epoch), never the clock.
 *
 * Invariant: `latestDue(cron, after, now)` is the newest occurrence t with after < t <= now (null when there is
 * none), however long the interval: a server that was down a week makes up one run, not one per missed tick.
 */
import { Cron } from 'croner';
import { TxlineError } from '../errors';

/** Whether the zone is one the runtime knows (an IANA name such as UTC or Europe/Berlin). */
export function validTimeZone(tz: string): boolean {
  if (tz.length === 0 || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false; // RangeError: not a time zone
  }
}

/** The zone as given, or an INVALID_ARGUMENT error naming `field`. */
export function checkTimeZone(tz: string, field = 'tz'): string {
  if (!validTimeZone(tz)) throw new TxlineError('INVALID_ARGUMENT', `${field}: "${tz.slice(0, 64)}" is not a time zone (use an IANA name such as UTC or Europe/Berlin)`, { details: { field } });
  return tz;
}

/**
 * A parsed cron in a time zone; an invalid expression is an INVALID_ARGUMENT error naming `field`. Only 5 or 6
 * fields (no nicknames, no 7-field years), so what the CLI and the form accept is standard cron.
 */
export function parseCron(expr: string, timeZone: string, field = 'cron'): Cron {
  const e = expr.trim().replace(/\s+/g, ' ');
  const n = e === '' ? 0 : e.split(' ').length;
  if (e.length > 200 || (n !== 5 && n !== 6)) {
    throw new TxlineError('INVALID_ARGUMENT', `${field}: "${expr.slice(0, 80)}" is not a cron expression (5 fields: minute hour day month weekday, or 6 with seconds first)`, { details: { field } });
  }
  checkTimeZone(timeZone);
  try {
    // paused, never started: croner only computes times here; legacyMode: day-of-month OR day-of-week, as cron does
    return new Cron(e, { timezone: timeZone, paused: true, legacyMode: true });
  } catch (err) {
    throw new TxlineError('INVALID_ARGUMENT', `${field}: "${expr.slice(0, 80)}" is not a valid cron expression (${err instanceof Error ? err.message : String(err)})`, { details: { field } }); // croner's reason is in the message
  }
}

/** The expression normalised (single spaces), after checking it; one that never fires again (30 February) is refused. */
export function normalizeCron(expr: string, timeZone: string, field: string): string {
  if (parseCron(expr, timeZone, field).nextRun() === null) {
    throw new TxlineError('INVALID_ARGUMENT', `${field}: "${expr.slice(0, 80)}" never fires (no such date ahead)`, { details: { field } });
  }
  return expr.trim().replace(/\s+/g, ' ');
}

/** The first occurrence strictly after `after`, or null (a cron that never fires again). */
export function nextAfter(cron: Cron, after: number): number | null {
  const d = cron.nextRun(new Date(after));
  return d ? d.getTime() : null;
}

/** The next `n` occurrences after `after`. */
export function nextTimes(cron: Cron, after: number, n: number): number[] {
  const out: number[] = [];
  let t = after;
  while (out.length < n) {
    const next = nextAfter(cron, t);
    if (next === null) break;
    out.push(next);
    t = next;
  }
  return out;
}

/** Windows searched backwards from `now` for the newest occurrence: a minute, an hour, a day, ~a month, ~a year, 4 years. */
const WINDOWS = [60_000, 3_600_000, 86_400_000, 32 * 86_400_000, 367 * 86_400_000, 4 * 367 * 86_400_000];

/**
 * The newest occurrence t with `after` < t <= `now`, or null. Searches windows that grow backwards from `now`
 * (so a long downtime costs a few steps, not one per missed occurrence), then walks forward inside the first
 * window that holds one.
 */
export function latestDue(cron: Cron, after: number, now: number): number | null {
  if (now <= after) return null;
  for (const w of WINDOWS) {
    const from = Math.max(after, now - w);
    let t = nextAfter(cron, from);
    if (t !== null && t <= now) {
      for (;;) {
        const next = nextAfter(cron, t);
        if (next === null || next > now) return t;
        t = next;
      }
    }
    if (from === after) return null; // the whole interval was searched
  }
  return null; // nothing within four years: not due
}
