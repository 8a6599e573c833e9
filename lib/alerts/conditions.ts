/**
 * The alert conditions, as pure functions of plain facts about one database (gathered by ./facts.ts) and the
 * rules that apply to it (./rules.ts): each returns a finding, firing or not, or nothing when it cannot say
 * (no data, or the cluster kind does not report what it needs). A finding that is not firing resolves an open
 * alert of its key; a condition that says nothing leaves an open alert as it is.
 *
 * Invariants: a value and its threshold are in the same unit (hours, jobs, transactions, seconds, bytes); a
 * condition fires when its value is beyond its threshold, never on missing data.
 */
import type { Cron } from 'croner';
import { nextAfter, parseCron } from '../schedules/cron';
import type { AlertCondition } from '../db/schema';
import { DEFAULT_RPO_HOURS, type RuleSet } from './rules';

export interface Finding {
  key: string;
  condition: AlertCondition;
  cluster: string | null;
  database: string | null;
  firing: boolean;
  value: number | null;
  threshold: number | null;
  message: string;
}

/** One member's lag samples in the watched window, oldest first. */
export interface MemberLag {
  memberId: string;
  samples: Array<{ ts: number; transactions: number; seconds: number; online: boolean }>;
}

export interface DatabaseFacts {
  cluster: string | null;
  database: string;
  /** the end of the last successful backup (job or artifact), ms */
  lastSuccessAt: number | null;
  /** when Txline first saw the database (lag samples, jobs): the RPO runs from there when it was never backed up */
  firstSeenAt: number | null;
  /** the RPO a schedule implies (ms), null without an enabled schedule */
  scheduleRpoMs: number | null;
  /** per job kind, the failed or interrupted jobs since the last that succeeded (newest first) */
  failureStreaks: Array<{ kind: string; count: number; jobId: number; error: string | null }>;
  lag: MemberLag[];
  /** the window lag is watched over, ms (the samples start near its beginning when there are enough) */
  lagWindowStart: number;
  /** the chain's end (the newest non-empty backup of the current store) and what each online member still holds (null: unknown) */
  fallback: { chainEnd: number; lowestAvailable: Array<number | null> } | null;
  storage: { bytes: number; locations: Array<{ name: string; freeBytes: number | null }> } | null;
  /** the newest restore drills first */
  drills: Array<{ ok: boolean; at: number; message: string | null }>;
}

export const alertKey = (condition: AlertCondition, cluster: string | null, database: string | null) => `${condition}|${cluster ?? ''}|${database ?? ''}`;

const HOUR = 3_600_000;

/** Every condition's finding for one database (a disabled rule gives a not-firing finding, which resolves). */
export function evaluate(f: DatabaseFacts, rules: RuleSet, now: number): Finding[] {
  const out: Finding[] = [];
  const push = (condition: AlertCondition, r: Omit<Finding, 'key' | 'condition' | 'cluster' | 'database'> | null) => {
    if (r === null) return;
    const enabled = rules[condition].enabled;
    out.push({ key: alertKey(condition, f.cluster, f.database), condition, cluster: f.cluster, database: f.database, ...r, firing: enabled && r.firing });
  };
  push('rpo', rpo(f, rules, now));
  push('job_failed', jobFailed(f, rules));
  push('lag', lag(f, rules, now));
  push('fallback', fallback(f, rules));
  push('storage', storage(f, rules));
  push('drill', drill(f, rules));
  return out;
}

type Result = Omit<Finding, 'key' | 'condition' | 'cluster' | 'database'> | null;

function rpo(f: DatabaseFacts, rules: RuleSet, now: number): Result {
  const from = f.lastSuccessAt ?? f.firstSeenAt;
  if (from === null) return null;
  const hours = rules.rpo.settings.hours ?? (f.scheduleRpoMs !== null ? f.scheduleRpoMs / HOUR : DEFAULT_RPO_HOURS);
  const age = Math.max(0, (now - from) / HOUR);
  const value = Math.round(age * 100) / 100;
  const since = f.lastSuccessAt === null ? 'no successful backup since Txline first saw it' : `last successful backup ${fmtHours(age)} ago`;
  return { firing: age > hours, value, threshold: Math.round(hours * 100) / 100, message: `${f.database}: ${since} (RPO ${fmtHours(hours)})` };
}

function jobFailed(f: DatabaseFacts, rules: RuleSet): Result {
  const need = rules.job_failed.settings.failures;
  const worst = [...f.failureStreaks].sort((a, b) => b.count - a.count)[0];
  if (!worst) return { firing: false, value: 0, threshold: need, message: `${f.database}: no failed job` };
  const what = `${worst.count} ${worst.kind} job${worst.count === 1 ? '' : 's'} failed or interrupted in a row (last: job #${worst.jobId}${worst.error ? `: ${worst.error.slice(0, 200)}` : ''})`;
  return { firing: worst.count >= need, value: worst.count, threshold: need, message: `${f.database}: ${what}` };
}

function lag(f: DatabaseFacts, rules: RuleSet, now: number): Result {
  const { transactions, seconds, minutes } = rules.lag.settings;
  if (transactions === null && seconds === null) return null;
  const windowMs = minutes * 60_000;
  let worst: { memberId: string; tx: number; s: number } | null = null;
  let anySample = false;
  for (const m of f.lag) {
    const inWindow = m.samples.filter((s) => s.ts >= now - windowMs - 1000 && s.online);
    if (inWindow.length === 0) continue;
    anySample = true;
    // the whole window must be watched: a member that has been behind for a moment only is not yet an alert
    const covered = minutes === 0 || inWindow[0].ts <= now - windowMs + Math.max(2000, windowMs * 0.05);
    const over = (s: (typeof inWindow)[number]) => (transactions !== null && s.transactions > transactions) || (seconds !== null && s.seconds > seconds);
    const recent = minutes === 0 ? inWindow.slice(-1) : inWindow;
    if (covered && recent.every(over)) {
      const last = recent[recent.length - 1];
      if (!worst || last.transactions > worst.tx) worst = { memberId: m.memberId, tx: last.transactions, s: last.seconds };
    }
  }
  if (!anySample) return null;
  const limits = [transactions !== null ? `${transactions} transactions` : null, seconds !== null ? `${seconds} s` : null].filter(Boolean).join(' or ');
  if (!worst) return { firing: false, value: 0, threshold: transactions ?? seconds, message: `${f.database}: no member behind by more than ${limits} for ${minutes} min` };
  return {
    firing: true,
    value: transactions !== null ? worst.tx : worst.s,
    threshold: transactions ?? seconds,
    message: `${f.database}: ${worst.memberId} has been behind the writer by more than ${limits} for ${minutes} min (now ${worst.tx} transactions, ${Math.round(worst.s)} s)`,
  };
}

function fallback(f: DatabaseFacts, rules: RuleSet): Result {
  if (!f.fallback) return null;
  const { chainEnd, lowestAvailable } = f.fallback;
  // a member that cannot say what it still holds might serve the differential: nothing is guessed
  if (lowestAvailable.length === 0 || lowestAvailable.some((l) => l === null)) return null;
  const lowest = Math.min(...(lowestAvailable as number[]));
  const limit = chainEnd + 1 - rules.fallback.settings.margin;
  const firing = lowest > limit;
  return {
    firing,
    value: lowest,
    threshold: limit,
    message: firing
      ? `${f.database}: the next differential would fall back to a full: the chain ends at tx ${chainEnd} and the lowest transaction any member still holds is ${lowest}`
      : `${f.database}: a member still holds tx ${chainEnd + 1}, after the chain's end`,
  };
}

function storage(f: DatabaseFacts, rules: RuleSet): Result {
  if (!f.storage) return null;
  const { maxBytes, minFreeBytes } = rules.storage.settings;
  if (maxBytes === null && minFreeBytes === null) return null;
  const known = f.storage.locations.filter((l): l is { name: string; freeBytes: number } => l.freeBytes !== null);
  const tight = minFreeBytes === null ? undefined : known.filter((l) => l.freeBytes < minFreeBytes).sort((a, b) => a.freeBytes - b.freeBytes)[0];
  if (tight && minFreeBytes !== null) {
    return { firing: true, value: tight.freeBytes, threshold: minFreeBytes, message: `${f.database}: the storage location "${tight.name}" has ${fmtBytes(tight.freeBytes)} free, below ${fmtBytes(minFreeBytes)}` };
  }
  if (maxBytes !== null && f.storage.bytes > maxBytes) {
    return { firing: true, value: f.storage.bytes, threshold: maxBytes, message: `${f.database}: its backups take ${fmtBytes(f.storage.bytes)}, over ${fmtBytes(maxBytes)}` };
  }
  return { firing: false, value: maxBytes !== null ? f.storage.bytes : (known[0]?.freeBytes ?? null), threshold: maxBytes ?? minFreeBytes, message: `${f.database}: storage within its thresholds` };
}

function drill(f: DatabaseFacts, rules: RuleSet): Result {
  if (f.drills.length === 0) return null;
  const need = rules.drill.settings.failures;
  let n = 0;
  while (n < f.drills.length && !f.drills[n].ok) n++;
  const last = f.drills[0];
  return {
    firing: n >= need,
    value: n,
    threshold: need,
    message: n === 0 ? `${f.database}: the last restore drill passed` : `${f.database}: ${n} restore drill${n === 1 ? '' : 's'} failed in a row${last.message ? ` (${last.message.slice(0, 200)})` : ''}`,
  };
}

/** How far ahead a schedule's occurrences are looked at: a week and a day, so a weekend without runs is seen. */
const SCHEDULE_SPAN_MS = 8 * 24 * HOUR;
/** at least this many occurrences (a monthly full's gaps are months), at most this many steps */
const SCHEDULE_MIN_TIMES = 12;
const SCHEDULE_MAX_STEPS = 5000;
/** a schedule's RPO is computed again once this old (its gaps move as slowly as the weeks go by) */
const SCHEDULE_RPO_TTL_MS = 10 * 60_000;
const rpoCache = new Map<string, { at: number; rpoMs: number | null }>();

/**
 * The RPO a schedule implies: the longest gap between its next occurrences (full and diff together), plus as
 * much again up to two hours (time to finish the backup): a daily full gives 26 h, a diff every 15 min 30 min,
 * diffs every hour of the working day and a nightly full 26 h (the weekend's gap between two fulls, not the
 * night's 9 h). See longestGap for how far ahead it looks. Computed once per schedule set every 10 minutes
 * (every database a glob covers shares it).
 */
export function scheduleRpoMs(schedules: Array<{ fullCron: string | null; diffCron: string | null; timeZone: string; enabled: boolean }>, now: number): number | null {
  const key = JSON.stringify(schedules.map((s) => [s.fullCron, s.diffCron, s.timeZone, s.enabled]));
  const hit = rpoCache.get(key);
  if (hit && now >= hit.at && now - hit.at < SCHEDULE_RPO_TTL_MS) return hit.rpoMs;
  let best: number | null = null;
  for (const s of schedules) {
    if (!s.enabled) continue;
    const crons: Cron[] = [];
    if (s.fullCron) crons.push(parseCron(s.fullCron, s.timeZone, 'full'));
    if (s.diffCron) crons.push(parseCron(s.diffCron, s.timeZone, 'diff'));
    const gap = longestGap(crons, now);
    if (gap === null) continue;
    const rpoMs = gap + Math.min(gap, 2 * HOUR);
    best = best === null ? rpoMs : Math.min(best, rpoMs); // the most frequent schedule covering it is the promise
  }
  if (rpoCache.size >= 1000) rpoCache.delete(rpoCache.keys().next().value as string);
  rpoCache.set(key, { at: now, rpoMs: best });
  return best;
}

/**
 * The longest gap between consecutive occurrences of any of `crons` after `now` (null: fewer than two), over
 * the next SCHEDULE_SPAN_MS (at least SCHEDULE_MIN_TIMES occurrences; at most SCHEDULE_MAX_STEPS steps, ~0.2 ms
 * each). The walk skips ahead a quarter of the longest gap seen so far after each occurrence: a span measured
 * across skipped occurrences is at least as long as any gap inside it, so only a span longer than the longest
 * gap so far can hold a longer one, and only that span is walked occurrence by occurrence (exactGap). Exact,
 * in a few hundred steps for working-hours schedules instead of one per occurrence. A schedule too dense to
 * look that far within the steps (every minute around the clock on weekdays, or every second) gives null: the
 * default RPO applies rather than one from the first hours alone.
 */
function longestGap(crons: Cron[], now: number): number | null {
  const next = crons.map((c) => nextAfter(c, now));
  const budget = { steps: SCHEDULE_MAX_STEPS };
  let last: number | null = null;
  let gap = 0;
  let skipped = false;
  for (let seen = 0; ; ) {
    if (--budget.steps < 0) return null; // too dense to look a week ahead: the default RPO applies
    let at: number | null = null;
    for (const t of next) if (t !== null && (at === null || t < at)) at = t;
    if (at === null || (last !== null && at <= last)) break; // no cron fires again (or croner went back)
    // longer than any so far: measured again without skipping (the occurrences skipped may split it)
    if (last !== null && at - last > gap) {
      const exact = skipped ? exactGap(crons, last, at, budget) : at - last;
      if (exact === null) return null;
      gap = Math.max(gap, exact);
    }
    last = at;
    seen++;
    if (seen >= SCHEDULE_MIN_TIMES && at > now + SCHEDULE_SPAN_MS) break;
    const from = at + Math.floor(gap / 4);
    skipped = from > at;
    for (let k = 0; k < crons.length; k++) if (next[k] !== null && (next[k] as number) <= from) next[k] = nextAfter(crons[k], from);
  }
  return last !== null && gap > 0 ? gap : null;
}

/**
 * The longest gap between consecutive occurrences of any of `crons` from `a` to `b` (both occurrences); null
 * when it would take more steps than the budget left.
 */
function exactGap(crons: Cron[], a: number, b: number, budget: { steps: number }): number | null {
  let gap = 0;
  for (let t = a; t < b; ) {
    if (--budget.steps < 0) return null;
    let n = b;
    for (const c of crons) {
      const x = nextAfter(c, t);
      if (x !== null && x > t && x < n) n = x;
    }
    gap = Math.max(gap, n - t);
    t = n;
  }
  return gap;
}

/**
 * Each sample's lag in seconds: how long ago the writer committed the first transaction the member lacks. The
 * writer's position at a moment is any online sample's lastCommittedTxn minus its (negative) replicationLag.
 * A member behind since before the window began is behind by at least the time since the window's start.
 */
export function withLagSeconds(
  rows: Array<{ memberId: string; ts: number; lastCommittedTxn: number; replicationLag: number; online: boolean }>,
  windowStart: number,
): MemberLag[] {
  const writerAt = new Map<number, number>();
  for (const r of rows) if (r.online) writerAt.set(r.ts, Math.max(writerAt.get(r.ts) ?? 0, r.lastCommittedTxn - r.replicationLag));
  const writer = [...writerAt.entries()].sort((a, b) => a[0] - b[0]);
  const byMember = new Map<string, MemberLag>();
  for (const r of [...rows].sort((a, b) => a.ts - b.ts)) {
    const behind = Math.max(0, -r.replicationLag);
    let seconds = 0;
    if (behind > 0) {
      const reached = writer.find(([, tx]) => tx >= r.lastCommittedTxn + 1);
      const from = reached && reached[0] <= r.ts ? reached[0] : windowStart;
      seconds = Math.max(0, (r.ts - from) / 1000);
    }
    const m = byMember.get(r.memberId) ?? { memberId: r.memberId, samples: [] };
    m.samples.push({ ts: r.ts, transactions: behind, seconds, online: r.online });
    byMember.set(r.memberId, m);
  }
  return [...byMember.values()];
}

function fmtHours(h: number): string {
  if (h < 1 / 60) return `${Math.round(h * 3600)} s`;
  return h < 1 ? `${Math.round(h * 60)} min` : `${Math.round(h * 10) / 10} h`;
}

function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
