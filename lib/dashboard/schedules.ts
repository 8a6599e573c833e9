/**
 * The dashboard's side of backup schedules: the database page's read (the schedules whose glob covers the
 * database, each cron's next run, the last scheduled run and how it ended) and the commands behind its form
 * (set, remove), validated here like every dashboard command. A schedule's folder is a registered backup
 * folder, confined to the backup roots when the schedule is saved and again whenever a run uses it.
 */
import { and, desc, eq, like } from 'drizzle-orm';
import { z } from 'zod';
import { listClusters, listFolders } from '../db/queries/clusters';
import { getSchedule, listSchedules, removeSchedule } from '../db/queries/schedules';
import { jobs, type JobStatus, type ScheduleType } from '../db/schema';
import { TxlineError } from '../errors';
import { globCovers } from '../schedules/plan';
import { SCHEDULE_USER } from '../schedules/scheduler';
import { setSchedule, upcoming } from '../schedules/store';
import { drillCronOf, nextDrillAfter } from '../schedules/drill-cron';
import { bool, clusterAndFolder, fail, folderAtUse, fromZod, id, type CommandContext, type Result } from './commands/shared';

export const scheduleInput = z.object({
  clusterId: id,
  folderId: id,
  databaseGlob: z.string({ error: 'is required' }).trim().min(1, { error: 'is required' }).max(63),
  fullCron: z.string().max(200).optional(),
  diffCron: z.string().max(200).optional(),
  timeZone: z.string().max(64).optional(),
  enabled: bool,
  /** the restore drills' cron ('' or 'off': none; absent: kept) */
  drillCron: z.string().max(200).optional(),
});

/** store.ts names the field at fault by its CLI name; the form's names */
const FORM_FIELD: Record<string, string> = { full: 'fullCron', diff: 'diffCron', tz: 'timeZone', database: 'databaseGlob', drill: 'drillCron' };

export function setScheduleCommand(ctx: CommandContext, raw: unknown, now = Date.now()): Result<{ scheduleId: number; next: Record<ScheduleType, number[]>; nextDrill: number | null; audit: { target: string; detail: string } }> {
  const p = scheduleInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const i = p.data;
  const cf = clusterAndFolder(ctx, i.clusterId, i.folderId);
  if ('ok' in cf) return cf;
  const at = folderAtUse(ctx, cf.folder); // a folder outside the backup roots would only fail at every run
  if (!at.ok) return at;
  try {
    const r = setSchedule(ctx.db, { ...i, fullCron: i.fullCron ?? null, diffCron: i.diffCron ?? null, timeZone: i.timeZone ?? null }, now);
    const s = r.row;
    const drill = drillCronOf(s);
    const crons = [s.fullCron ? `full "${s.fullCron}"` : null, s.diffCron ? `diff "${s.diffCron}"` : null, drill ? `drills "${drill}"` : 'no drills'].filter(Boolean).join(', ');
    return {
      ok: true,
      scheduleId: s.id,
      next: r.next,
      nextDrill: nextDrillAfter(s, now),
      audit: {
        target: `schedule=${s.databaseGlob} cluster=${cf.cluster.name}`,
        detail: `${r.created ? 'created' : 'replaced'}: ${crons} (${s.timeZone}) into ${cf.folder.name}${s.enabled ? '' : ', disabled'}`,
      },
    };
  } catch (e) {
    if (e instanceof TxlineError && e.code === 'INVALID_ARGUMENT') {
      const field = typeof e.details?.field === 'string' ? (FORM_FIELD[e.details.field] ?? 'form') : 'form';
      return fail('INVALID_ARGUMENT', e.message, { [field]: [e.message.replace(/^\w+: /, '')] });
    }
    throw e;
  }
}

export function removeScheduleCommand(ctx: CommandContext, raw: unknown): Result<{ audit: { target: string; detail: string } }> {
  const p = z.object({ scheduleId: id }).safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const s = getSchedule(ctx.db, { id: p.data.scheduleId });
  if (!s) return fail('NOT_FOUND', `There is no schedule #${p.data.scheduleId}.`);
  removeSchedule(ctx.db, s);
  return { ok: true, audit: { target: `schedule=${s.databaseGlob} clusterId=${s.clusterId}`, detail: 'removed' } };
}

export interface ScheduleView {
  id: number;
  clusterId: number;
  clusterName: string;
  databaseGlob: string;
  fullCron: string | null;
  diffCron: string | null;
  timeZone: string;
  enabled: boolean;
  folderId: number;
  folderName: string;
  nextFull: number | null;
  nextDiff: number | null;
  /** the restore drills' cron in effect (null: none) and its next occurrence */
  drillCron: string | null;
  nextDrill: number | null;
}

export interface ScheduledRun {
  jobId: number;
  type: string;
  status: JobStatus;
  createdBy: string | null;
  startedAt: number | null;
  endedAt: number | null;
  error: string | null;
}

export interface DatabaseSchedules {
  database: string;
  /** the schedules whose glob covers the database, on any cluster */
  schedules: ScheduleView[];
  /** the newest job a schedule started for the database */
  lastRun: ScheduledRun | null;
  clusters: Array<{ id: number; name: string }>;
  folders: Array<{ id: number; name: string; path: string }>;
}

export function databaseSchedules(ctx: Pick<CommandContext, 'db'>, database: string, now = Date.now()): DatabaseSchedules {
  const clusters = listClusters(ctx.db);
  const folders = listFolders(ctx.db);
  const name = (list: Array<{ id: number; name: string }>, wanted: number) => list.find((x) => x.id === wanted)?.name ?? `#${wanted}`;
  const schedules = listSchedules(ctx.db)
    .filter((s) => globCovers(s.databaseGlob, database))
    .map((s) => {
      const next = upcoming(s, now, 1);
      return {
        id: s.id,
        clusterId: s.clusterId,
        clusterName: name(clusters, s.clusterId),
        databaseGlob: s.databaseGlob,
        fullCron: s.fullCron,
        diffCron: s.diffCron,
        timeZone: s.timeZone,
        enabled: s.enabled,
        folderId: s.folderId,
        folderName: name(folders, s.folderId),
        nextFull: next.full[0] ?? null,
        nextDiff: next.diff[0] ?? null,
        drillCron: drillCronOf(s),
        nextDrill: nextDrillAfter(s, now),
      };
    });
  const last = ctx.db
    .select({ id: jobs.id, params: jobs.params, status: jobs.status, createdBy: jobs.createdBy, startedAt: jobs.startedAt, endedAt: jobs.endedAt, error: jobs.error })
    .from(jobs)
    .where(and(eq(jobs.database, database), eq(jobs.kind, 'backup'), like(jobs.createdBy, `${SCHEDULE_USER}%`)))
    .orderBy(desc(jobs.id))
    .limit(1)
    .get();
  return {
    database,
    schedules,
    lastRun: last
      ? { jobId: last.id, type: String(last.params.type ?? 'auto'), status: last.status, createdBy: last.createdBy, startedAt: last.startedAt, endedAt: last.endedAt, error: last.error }
      : null,
    clusters: clusters.map((c) => ({ id: c.id, name: c.name })),
    folders: folders.map((f) => ({ id: f.id, name: f.name, path: f.path })),
  };
}
