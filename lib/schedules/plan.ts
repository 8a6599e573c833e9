/**
 * What a scheduler tick decides, as pure functions of plain data and a time passed in (tested on tables, no
 * timers): which cron occurrences of a schedule are due, which databases a glob covers, and how due runs
 * merge into the queue of runs waiting to start.
 *
 * Invariants:
 * - An occurrence is due when it is after the last one handled and not after now; only the newest counts, so
 *   a stop of any length makes up one run, and it is a catch-up when the occurrences it makes up include one
 *   that fell due before the scheduler started.
 * - The queue holds at most one run per database of a cluster: a run due while one waits (or while a job works
 *   on that database) merges into it rather than piling up; a full wins over a diff.
 * - `system` is covered only by a glob that names it.
 */
import { globMatches } from '../engine/backup-policy';
import type { ScheduleRow, ScheduleType } from '../db/schema';
import { latestDue, nextAfter, parseCron } from './cron';

export type ScheduleTimes = Pick<ScheduleRow, 'fullCron' | 'diffCron' | 'timeZone' | 'enabled' | 'fullDueAt' | 'diffDueAt' | 'createdAt'>;

/** A cron's due occurrences: the newest (`at`, the one a run is for) and the oldest not handled (`first`). */
export interface Due {
  at: number;
  first: number;
}

/** What each cron of the schedule has due at `now` (null: nothing). */
export function dueOf(s: ScheduleTimes, now: number): Record<ScheduleType, Due | null> {
  const due = (cron: string | null, handled: number | null, field: string): Due | null => {
    if (!cron || !s.enabled) return null;
    const c = parseCron(cron, s.timeZone, field);
    const after = handled ?? s.createdAt;
    const at = latestDue(c, after, now);
    return at === null ? null : { at, first: nextAfter(c, after) ?? at };
  };
  return { full: due(s.fullCron, s.fullDueAt, 'full'), diff: due(s.diffCron, s.diffDueAt, 'diff') };
}

/**
 * The earliest occurrence of any cron of the schedule after the one it last handled (null: none, or disabled):
 * nothing is due before it, so a tick need not look again until then.
 */
export function firstPending(s: ScheduleTimes): number | null {
  if (!s.enabled) return null;
  const next = (cron: string | null, handled: number | null, field: string) => (cron ? nextAfter(parseCron(cron, s.timeZone, field), handled ?? s.createdAt) : null);
  const times = [next(s.fullCron, s.fullDueAt, 'full'), next(s.diffCron, s.diffDueAt, 'diff')].filter((t): t is number => t !== null);
  return times.length ? Math.min(...times) : null;
}

/** The next occurrence of each cron after `now` (null: no cron of that type, or disabled). */
export function nextOf(s: Pick<ScheduleRow, 'fullCron' | 'diffCron' | 'timeZone' | 'enabled'>, now: number): Record<ScheduleType, number | null> {
  const next = (cron: string | null, field: string) => (cron && s.enabled ? nextAfter(parseCron(cron, s.timeZone, field), now) : null);
  return { full: next(s.fullCron, 'full'), diff: next(s.diffCron, 'diff') };
}

/** The databases among `names` (what the cluster reports) that the glob covers, sorted. */
export function matchGlob(glob: string, names: Iterable<string>): string[] {
  const g = glob.trim().toLowerCase();
  const out = new Set<string>();
  for (const raw of names) {
    const n = raw.toLowerCase();
    if (n === 'system' && g !== 'system') continue; // only when named
    if (globMatches(g, n)) out.add(n);
  }
  return [...out].sort();
}

/** Whether a schedule's glob covers one database (as matchGlob does). */
export function globCovers(glob: string, database: string): boolean {
  return matchGlob(glob, [database]).length === 1;
}

/** A run waiting to start: one per database of a cluster. */
export interface QueuedRun {
  clusterId: number;
  database: string;
  scheduleId: number;
  folderId: number;
  type: ScheduleType;
  /** the occurrence it makes up for */
  dueAt: number;
  /** it makes up an occurrence that fell due while no scheduler ran (the server was down) */
  catchUp: boolean;
}

export const queueKey = (r: Pick<QueuedRun, 'clusterId' | 'database' | 'folderId'>) => `${r.clusterId}\u0000${r.database}\u0000${r.folderId}`;

/**
 * Merges a due run into the queue: a database has at most one waiting run per backup folder (schedules of one
 * database into two folders each get their runs; the runner starts them one after the other); a full replaces a
 * waiting diff, a diff never replaces a full; of the same type the newer occurrence is kept (still one run).
 */
export function enqueue(queue: Map<string, QueuedRun>, run: QueuedRun): void {
  const k = queueKey(run);
  const cur = queue.get(k);
  if (!cur || (run.type === 'full' && cur.type === 'diff')) {
    queue.set(k, run);
    return;
  }
  if (run.type === cur.type && run.dueAt > cur.dueAt) queue.set(k, { ...run, catchUp: cur.catchUp && run.catchUp });
}

/** The runs a schedule's due occurrences make: full first (a full and a diff due at once: the full wins). */
export function runsFor(
  s: Pick<ScheduleRow, 'id' | 'clusterId' | 'folderId'>,
  due: Record<ScheduleType, Due | null>,
  databases: string[],
  startedAt: number,
): QueuedRun[] {
  const out: QueuedRun[] = [];
  for (const type of ['full', 'diff'] as const) {
    const d = due[type];
    if (d === null) continue;
    // a catch-up: it makes up an occurrence that fell due before this scheduler started (the server was down)
    for (const database of databases) out.push({ clusterId: s.clusterId, database, scheduleId: s.id, folderId: s.folderId, type, dueAt: d.at, catchUp: d.first < startedAt });
  }
  return out;
}
