/**
 * Setting and removing schedules, shared by the CLI (`txline schedule`) and the dashboard: every field is
 * checked here (the crons and the zone by croner and the runtime, the glob by the database-name rules), and
 * a failure is an INVALID_ARGUMENT error whose `details.field` names the field at fault.
 */
import type { Catalog } from '../db';
import { findSchedule, removeSchedule, upsertSchedule } from '../db/queries/schedules';
import type { ScheduleRow, ScheduleType } from '../db/schema';
import { TxlineError } from '../errors';
import { checkTimeZone, normalizeCron, nextTimes, parseCron } from './cron';
import { checkDrillCron } from './drill-cron';

/** A database name or glob: letters, digits, dots, dashes, `*`, `?`; starting with a letter or a wildcard. */
const GLOB = /^[a-z*?][a-z0-9.*?-]{0,62}$/;

export function normalizeGlob(raw: string, field = 'database'): string {
  const g = raw.trim().toLowerCase();
  if (!GLOB.test(g)) {
    throw new TxlineError('INVALID_ARGUMENT', `${field}: "${raw.slice(0, 80)}" is not a database name or glob (letters, digits, dots, dashes, * and ?; up to 63 characters)`, {
      details: { field },
    });
  }
  return g;
}

export interface SetScheduleInput {
  clusterId: number;
  databaseGlob: string;
  fullCron?: string | null;
  diffCron?: string | null;
  timeZone?: string | null;
  enabled: boolean;
  folderId: number;
  /** the restore drills' cron (lib/schedules/drills.ts): '' or 'off' for none; absent: kept as it is (a new schedule: daily) */
  drillCron?: string | null;
}

/** The glob, crons and zone checked and normalised (the first field at fault throws). */
export function checkScheduleFields(i: Pick<SetScheduleInput, 'databaseGlob' | 'fullCron' | 'diffCron' | 'timeZone'>): { databaseGlob: string; fullCron: string | null; diffCron: string | null; timeZone: string } {
  const databaseGlob = normalizeGlob(i.databaseGlob);
  const timeZone = checkTimeZone(i.timeZone?.trim() || 'UTC');
  const fullCron = i.fullCron?.trim() ? normalizeCron(i.fullCron, timeZone, 'full') : null;
  const diffCron = i.diffCron?.trim() ? normalizeCron(i.diffCron, timeZone, 'diff') : null;
  if (!fullCron && !diffCron) throw new TxlineError('INVALID_ARGUMENT', 'full: give a full cron, a diff cron, or both', { details: { field: 'full' } });
  return { databaseGlob, fullCron, diffCron, timeZone };
}

/** Checks and stores a schedule (replacing the one of the same cluster and glob); its next runs after `now`. */
export function setSchedule(db: Catalog, i: SetScheduleInput, now: number): { row: ScheduleRow; created: boolean; next: Record<ScheduleType, number[]> } {
  const f = checkScheduleFields(i);
  const drill = i.drillCron === undefined || i.drillCron === null ? {} : { drillCron: checkDrillCron(i.drillCron, f.timeZone) };
  const { row, created } = upsertSchedule(db, { clusterId: i.clusterId, ...f, ...drill, enabled: i.enabled, folderId: i.folderId }, now);
  return { row, created, next: upcoming(row, now, 3) };
}

/** The next `n` runs of each cron of a schedule after `now` (none while it is disabled). */
export function upcoming(s: Pick<ScheduleRow, 'fullCron' | 'diffCron' | 'timeZone' | 'enabled'>, now: number, n: number): Record<ScheduleType, number[]> {
  const of = (cron: string | null, field: string) => (cron && s.enabled ? nextTimes(parseCron(cron, s.timeZone, field), now, n) : []);
  return { full: of(s.fullCron, 'full'), diff: of(s.diffCron, 'diff') };
}

/** Removes the schedule of a cluster and glob; NOT_FOUND when there is none. */
export function unsetSchedule(db: Catalog, { clusterId, databaseGlob }: { clusterId: number; databaseGlob: string }): ScheduleRow {
  const glob = normalizeGlob(databaseGlob);
  const row = findSchedule(db, { clusterId, databaseGlob: glob });
  if (!row) throw new TxlineError('NOT_FOUND', `There is no schedule for "${glob}" on this cluster.`);
  removeSchedule(db, row);
  return row;
}
