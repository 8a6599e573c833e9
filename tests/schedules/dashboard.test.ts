/**
 * The dashboard's schedule commands and read, without Next.js: the form's fields checked (each refusal names
 * its field), a folder outside the backup roots refused when the schedule is saved, the audit note saying what
 * was set, and the database page's read (the schedules covering it, each cron's next run, the last scheduled
 * run and its outcome). The clock is passed in.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { ensureFolder, upsertEmbeddedCluster } from '../../lib/db/queries/clusters';
import { createJob, finishJob } from '../../lib/db/queries/jobs';
import { listSchedules } from '../../lib/db/queries/schedules';
import type { CommandContext } from '../../lib/dashboard/commands/shared';
import { databaseSchedules, removeScheduleCommand, setScheduleCommand } from '../../lib/dashboard/schedules';
import { parseEnv } from '../../lib/env';
import { JobRunner } from '../../lib/jobs/runner';
import { Collector } from '../../lib/monitor/collector';
import { tempDir } from '../helpers/cluster';
import { TXLINE_BIN } from '../helpers/engine';

const NOW = Date.parse('2026-05-01T10:07:30Z');

describe('schedules in the dashboard', () => {
  let dir: string;
  let db: Catalog;
  let ctx: CommandContext;
  let folderId: number;
  let outsideId: number;
  let clusterId: number;

  beforeAll(() => {
    dir = tempDir('schedules-dashboard');
    fs.mkdirSync(path.join(dir, 'backups'));
    fs.mkdirSync(path.join(dir, 'outside'));
    db = openCatalog(path.join(dir, 'txline.sqlite'));
    clusterId = upsertEmbeddedCluster(db, { addresses: ['127.0.0.1:1'], controlAddress: null }).id;
    folderId = ensureFolder(db, { name: 'default', path: path.join(dir, 'backups'), isDefault: true }).id;
    outsideId = ensureFolder(db, { name: 'outside', path: path.join(dir, 'outside'), isDefault: false }).id;
    const env = parseEnv({ TXLINE_DATA_DIR: dir, TXLINE_BACKUP_ROOTS: path.join(dir, 'backups') });
    // (the commands here never start a job or ask the cluster: the runner and collector stay idle)
    ctx = { db, env, runner: new JobRunner(db, { bin: TXLINE_BIN }), collector: new Collector(db, env, { intervalMs: 1000 }), reindex: async () => {} };
  });
  afterAll(() => {
    db?.$client.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad fields, naming each', () => {
    const base = { clusterId: String(clusterId), folderId: String(folderId), databaseGlob: 'neo4j', fullCron: '0 2 * * *', diffCron: '', timeZone: 'UTC', enabled: 'true' };
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ fullCron: '0 2 * *' }, 'fullCron', 'INVALID_ARGUMENT'],
      [{ diffCron: '*/99 * * * *' }, 'diffCron', 'INVALID_ARGUMENT'],
      [{ timeZone: 'Europe/Nowhere' }, 'timeZone', 'INVALID_ARGUMENT'],
      [{ fullCron: '', diffCron: '' }, 'fullCron', 'INVALID_ARGUMENT'],
      [{ databaseGlob: 'a/b' }, 'databaseGlob', 'INVALID_ARGUMENT'],
      [{ databaseGlob: '' }, 'databaseGlob', 'INVALID_ARGUMENT'],
      [{ clusterId: '99' }, 'clusterId', 'NOT_FOUND'],
      [{ folderId: String(outsideId) }, 'folderId', 'PATH_OUTSIDE_ROOTS'],
      [{ drillCron: 'every day' }, 'drillCron', 'INVALID_ARGUMENT'],
      [{ drillCron: '0 25 * * *' }, 'drillCron', 'INVALID_ARGUMENT'],
    ];
    for (const [over, field, code] of cases) {
      const r = setScheduleCommand(ctx, { ...base, ...over }, NOW);
      expect(r.ok, JSON.stringify(over)).toBe(false);
      if (r.ok) continue;
      expect({ over, code: r.code, fields: Object.keys(r.fieldErrors ?? {}) }).toEqual({ over, code, fields: [field] });
    }
    expect(listSchedules(db)).toEqual([]);
  });

  it('saves a schedule with its next runs and an audit note, and shows it on the pages it covers', () => {
    const r = setScheduleCommand(ctx, { clusterId: String(clusterId), folderId: String(folderId), databaseGlob: 'N*', fullCron: '0 2 * * *', diffCron: '*/15 * * * *', timeZone: 'Europe/Berlin', enabled: 'true' }, NOW);
    expect(r).toMatchObject({
      ok: true,
      next: { full: [Date.parse('2026-05-02T00:00:00Z'), expect.any(Number), expect.any(Number)], diff: [Date.parse('2026-05-01T10:15:00Z'), Date.parse('2026-05-01T10:30:00Z'), Date.parse('2026-05-01T10:45:00Z')] },
      nextDrill: Date.parse('2026-05-02T01:30:00Z'), // the default drill cron, 03:30 in Berlin
      audit: { target: 'schedule=n* cluster=embedded', detail: 'created: full "0 2 * * *", diff "*/15 * * * *", drills "30 3 * * *" (Europe/Berlin) into default' },
    });
    const page = databaseSchedules(ctx, 'neo4j', NOW);
    expect(page.schedules).toEqual([
      expect.objectContaining({ databaseGlob: 'n*', clusterName: 'embedded', folderName: 'default', timeZone: 'Europe/Berlin', nextFull: Date.parse('2026-05-02T00:00:00Z'), nextDiff: Date.parse('2026-05-01T10:15:00Z'), drillCron: '30 3 * * *', nextDrill: Date.parse('2026-05-02T01:30:00Z') }),
    ]);
    // the form's drill cron field: its own cron, then none
    expect(setScheduleCommand(ctx, { clusterId: String(clusterId), folderId: String(folderId), databaseGlob: 'n*', fullCron: '0 2 * * *', timeZone: 'UTC', enabled: 'true', drillCron: '0 4 * * 1' }, NOW)).toMatchObject({
      ok: true,
      nextDrill: Date.parse('2026-05-04T04:00:00Z'),
      audit: { detail: 'replaced: full "0 2 * * *", drills "0 4 * * 1" (UTC) into default' },
    });
    expect(databaseSchedules(ctx, 'neo4j', NOW).schedules[0]).toMatchObject({ drillCron: '0 4 * * 1', nextDrill: Date.parse('2026-05-04T04:00:00Z') });
    expect(setScheduleCommand(ctx, { clusterId: String(clusterId), folderId: String(folderId), databaseGlob: 'n*', fullCron: '0 2 * * *', enabled: 'true', drillCron: 'off' }, NOW)).toMatchObject({ ok: true, nextDrill: null });
    expect(databaseSchedules(ctx, 'neo4j', NOW).schedules[0]).toMatchObject({ drillCron: null, nextDrill: null });
    expect(page.lastRun).toBeNull();
    expect(databaseSchedules(ctx, 'orders', NOW).schedules).toEqual([]);
    expect(databaseSchedules(ctx, 'system', NOW).schedules).toEqual([]);

    // disabled: still listed, no next run
    const off = setScheduleCommand(ctx, { clusterId: String(clusterId), folderId: String(folderId), databaseGlob: 'n*', diffCron: '0 * * * *', enabled: 'false' }, NOW);
    expect(off).toMatchObject({ ok: true, audit: { detail: 'replaced: diff "0 * * * *", no drills (UTC) into default, disabled' } });
    expect(databaseSchedules(ctx, 'neo4j', NOW).schedules[0]).toMatchObject({ enabled: false, nextFull: null, nextDiff: null, fullCron: null });
  });

  it('shows the last scheduled run and its outcome, not a manual one', () => {
    const job = createJob(db, { kind: 'backup', database: 'neo4j', clusterId, folderId, params: { type: 'diff', catchUp: true }, args: [], createdBy: 'schedule (catch-up)' });
    finishJob(db, job, { status: 'failed', exitCode: 1, log: '', error: 'no member answered', errorCode: 'SOURCE_UNREACHABLE' });
    createJob(db, { kind: 'backup', database: 'neo4j', clusterId, folderId, params: { type: 'full' }, args: [], createdBy: 'alice' });
    expect(databaseSchedules(ctx, 'neo4j', NOW).lastRun).toMatchObject({ jobId: job.id, type: 'diff', status: 'failed', createdBy: 'schedule (catch-up)', error: 'no member answered' });
  });

  it('removes a schedule', () => {
    const [s] = listSchedules(db);
    expect(removeScheduleCommand(ctx, { scheduleId: String(s.id) })).toEqual({ ok: true, audit: { target: `schedule=n* clusterId=${clusterId}`, detail: 'removed' } });
    expect(removeScheduleCommand(ctx, { scheduleId: String(s.id) })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(listSchedules(db)).toEqual([]);
  });
});
