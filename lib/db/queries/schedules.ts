/** Backup schedules in the catalog (lib/schedules runs them): one per cluster and database glob. */
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Catalog } from '../index';
import { schedules, type ScheduleRow, type ScheduleType } from '../schema';

export function listSchedules(db: Catalog, { clusterId }: { clusterId?: number } = {}): ScheduleRow[] {
  return db
    .select()
    .from(schedules)
    .where(clusterId !== undefined ? eq(schedules.clusterId, clusterId) : undefined)
    .orderBy(asc(schedules.clusterId), asc(schedules.databaseGlob))
    .all();
}

export function getSchedule(db: Catalog, { id }: { id: number }): ScheduleRow | undefined {
  return db.select().from(schedules).where(eq(schedules.id, id)).get();
}

export function findSchedule(db: Catalog, { clusterId, databaseGlob }: { clusterId: number; databaseGlob: string }): ScheduleRow | undefined {
  return db
    .select()
    .from(schedules)
    .where(and(eq(schedules.clusterId, clusterId), eq(schedules.databaseGlob, databaseGlob)))
    .get();
}

export interface ScheduleFields {
  clusterId: number;
  databaseGlob: string;
  fullCron: string | null;
  diffCron: string | null;
  timeZone: string;
  enabled: boolean;
  folderId: number;
  /** absent: kept as it is */
  drillCron?: string | null;
}

/**
 * Creates or replaces the schedule of a cluster and glob. `now` becomes the handled due time of each cron, so
 * a new or changed schedule first runs at its next occurrence, not at one already past.
 */
export function upsertSchedule(db: Catalog, f: ScheduleFields, now: number): { row: ScheduleRow; created: boolean } {
  const cur = findSchedule(db, f);
  const values = { ...f, fullDueAt: now, diffDueAt: now, updatedAt: now };
  if (cur) {
    const row = db.update(schedules).set(values).where(eq(schedules.id, cur.id)).returning().get();
    return { row, created: false };
  }
  return { row: db.insert(schedules).values(values).returning().get(), created: true };
}

export function removeSchedule(db: Catalog, { id }: { id: number }): void {
  db.delete(schedules).where(eq(schedules.id, id)).run();
}

/**
 * Records that a cron's occurrence at `dueAt` was handled (its runs started, or none waits); with `state`, only
 * while the schedule is still in that state (its updatedAt): a schedule changed meanwhile (by another process,
 * the command line) had its marks reset, which stay.
 */
export function markDue(db: Catalog, { id, type, dueAt, state }: { id: number; type: ScheduleType; dueAt: number; state?: number | null }): void {
  db.update(schedules)
    .set(type === 'full' ? { fullDueAt: dueAt } : { diffDueAt: dueAt })
    .where(state === undefined ? eq(schedules.id, id) : and(eq(schedules.id, id), state === null ? isNull(schedules.updatedAt) : eq(schedules.updatedAt, state)))
    .run();
}
