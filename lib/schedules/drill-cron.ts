/**
 * The drill cron of a backup schedule (`schedules.drill_cron`): when the scheduler drills each database the
 * schedule covers (lib/schedules/drills.ts). Null is the default, daily (DEFAULT_DRILL_CRON); '' is none.
 * Read in the schedule's time zone, as its backup crons.
 */
import type { ScheduleRow } from '../db/schema';
import { nextAfter, normalizeCron, parseCron } from './cron';

export const DEFAULT_DRILL_CRON = '30 3 * * *';

/** The drill cron of a schedule: its own, the default, or null (no scheduled drills). */
export function drillCronOf(s: Pick<ScheduleRow, 'drillCron'>): string | null {
  if (s.drillCron === null) return DEFAULT_DRILL_CRON;
  return s.drillCron.trim() || null;
}

/** A drill cron as given (`''` or `off`: none), checked in `timeZone`; undefined: keep the default (null). */
export function checkDrillCron(raw: string | null | undefined, timeZone: string): string | null {
  if (raw === undefined || raw === null) return null;
  const t = raw.trim();
  if (t === '' || t.toLowerCase() === 'off') return '';
  return normalizeCron(t, timeZone, 'drill');
}

/** The first drill occurrence after `after` (ms), or null (none: disabled, no drill cron, or it never fires). */
export function nextDrillAfter(s: Pick<ScheduleRow, 'drillCron' | 'timeZone' | 'enabled'>, after: number): number | null {
  const cron = drillCronOf(s);
  if (!cron || !s.enabled) return null;
  return nextAfter(parseCron(cron, s.timeZone, 'drill'), after);
}
