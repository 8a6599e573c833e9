/**
 * Restore drills in the server, through the real start-up path (lib/server/startup.ts) on a real cluster: the
 * start drops a scratch database a killed drill left; "Drill now" (startDrill) runs a drill job whose outcome
 * lands in the drill history with its RTO, and a failed one names the damaged artifact and its check; the
 * scheduler drills the databases of a schedule by its drill cron, once per occurrence, audited by schedule;
 * lastDrills and verificationOf say when each database was last verified and flag the stale. A drill target
 * chosen per database (a second real cluster) takes "Drill now" and the scheduled drills; a Neo4j cluster is
 * refused as one, saying why.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../lib/auth/audit';
import { startBackup } from '../../lib/dashboard/commands/backup';
import { setDrillTargetCommand, startDrill } from '../../lib/dashboard/commands/drill';
import { addNeo4jCluster, addRemoteCluster } from '../../lib/db/queries/clusters';
import { getDrillTarget } from '../../lib/db/queries/drills';
import { drillTargetOf } from '../../lib/schedules/drill-target';
import { lastDrills, listDrills, STALE_AFTER_MS, verificationOf } from '../../lib/db/queries/drills';
import { listClusters, getFolder } from '../../lib/db/queries/clusters';
import { getJob, listJobs } from '../../lib/db/queries/jobs';
import { removeSchedule } from '../../lib/db/queries/schedules';
import { clusterDatabases } from '../../lib/dashboard/commands/shared';
import { PAYLOAD_OFFSET, listArtifacts } from '../../lib/engine/artifact';
import { isScratchName, scratchName } from '../../lib/engine/drill';
import { parseEnv } from '../../lib/env';
import { DEFAULT_DRILL_CRON, checkDrillCron, drillCronOf, nextDrillAfter } from '../../lib/schedules/drill-cron';
import { Scheduler } from '../../lib/schedules/scheduler';
import { setSchedule } from '../../lib/schedules/store';
import { startServer, type ServerContext } from '../../lib/server/startup';
import { startTestCluster, tempDir, TEST_TOKEN, waitFor, type TestCluster } from '../helpers/cluster';
import { sourceFor, Workload } from '../helpers/engine';

describe('drills in the server', () => {
  let cluster: TestCluster;
  let dir: string;
  let ctx: ServerContext;
  let clusterId: number;
  let folderId: number;
  const leftover = scratchName('neo4j', 'feedf00d');
  const backups = () => path.join(dir, 'backups');
  const scratchLeft = async () => (await sourceFor(cluster).scratch.databaseNames()).filter((n) => isScratchName(n));

  async function job(r: { ok: boolean; error?: string; jobId?: number }) {
    expect(r.ok, r.error).toBe(true);
    const done = await ctx.runner.wait(r.jobId as number);
    return done ?? getJob(ctx.db, { id: r.jobId as number });
  }

  beforeAll(async () => {
    cluster = await startTestCluster({ members: 2, secondaries: 0 });
    dir = tempDir('drills');
    fs.mkdirSync(backups());
    await cluster.writer.createDatabase(leftover);
    ctx = startServer(
      parseEnv({
        TXLINE_DATA_DIR: dir,
        TXLINE_CLUSTER_FILE: path.join(cluster.dir, 'cluster.json'),
        TXLINE_BACKUP_DIR: backups(),
        TXLINE_BACKUP_ROOTS: backups(),
        TXLINE_ADMIN_PASSWORD: 'drills-test-password',
        TXLINE_COLLECT_MS: '500',
      }),
    );
    clusterId = listClusters(ctx.db)[0].id;
    folderId = (getFolder(ctx.db, { id: 1 }) ?? { id: 1 }).id;
    await waitFor('the collector sees the cluster', () => (ctx.collector.latest.get(clusterId)?.report.members.length ?? 0) > 0);
    const work = new Workload(cluster.writer, 'neo4j', 5);
    for (let i = 0; i < 3; i++) {
      await work.write(25);
      const b = await job(startBackup(ctx, { clusterId, folderId, database: 'neo4j', type: 'auto', member: cluster.writer.address }, 'test'));
      expect(b?.status, b?.log).toBe('succeeded');
    }
  }, 90_000);

  afterAll(async () => {
    ctx?.stop();
    await cluster?.stop();
    ctx?.db.$client.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('drops at its start the scratch database a killed drill left', async () => {
    await ctx.drillLeftovers;
    await waitFor('the leftover dropped', async () => !(await scratchLeft()).includes(leftover));
  }, 60_000);

  it('"Drill now" runs a drill job whose outcome is in the history, with its RTO; the database is verified', async () => {
    const before = Date.now();
    const r = await job(startDrill(ctx, { clusterId, folderId, database: 'neo4j' }, 'alice'));
    expect(r?.status, r?.log).toBe('succeeded');
    expect(r?.progress?.phase).toBeDefined();
    const [d] = listDrills(ctx.db, { clusterId, database: 'neo4j' });
    expect(d).toMatchObject({ passed: true, failedCheck: null, pointKind: 'latest', jobId: r?.id, location: backups(), folderId });
    expect(d.rtoMs).toBeGreaterThan(0);
    expect(d.pointTx).toBe(Math.max(...listArtifacts(backups()).artifacts.map((a) => a.tipTx)));
    expect(d.startedAt).toBeGreaterThanOrEqual(before - 1000);
    const v = verificationOf(lastDrills(ctx.db).find((x) => x.database === 'neo4j'), Date.now());
    expect(v).toMatchObject({ stale: false, lastFailed: null, lastPassed: { pointTx: d.pointTx, rtoMs: d.rtoMs } });
    expect(verificationOf(lastDrills(ctx.db)[0], d.finishedAt + STALE_AFTER_MS + 1).stale).toBe(true);
    expect(verificationOf(undefined, Date.now())).toEqual({ lastPassed: null, lastFailed: null, stale: true });
    expect(await scratchLeft()).toEqual([]);
    // an unknown database has nothing to drill; a viewer's form values are checked as anyone's
    expect(startDrill(ctx, { clusterId, folderId, database: 'nothing' }, 'alice')).toMatchObject({ ok: false, code: 'PATH_NOT_FOUND' });
    expect(startDrill(ctx, { clusterId, folderId, database: '../x' }, 'alice')).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
  }, 90_000);

  it('a failed drill names the damaged artifact and its check; the last passed one still says when it was verified', async () => {
    const middle = listArtifacts(backups()).artifacts.filter((a) => !a.full).sort((a, b) => a.tipTx - b.tipTx)[0];
    const original = fs.readFileSync(middle.path);
    const damaged = Buffer.from(original);
    damaged[PAYLOAD_OFFSET + 30] ^= 0x04;
    fs.writeFileSync(middle.path, damaged);
    try {
      const r = await job(startDrill(ctx, { clusterId, folderId, database: 'neo4j' }, 'alice'));
      expect(r?.status).toBe('failed');
      expect(r?.errorCode).toBe('ARTIFACT_CORRUPT');
      const [d] = listDrills(ctx.db, { clusterId, database: 'neo4j' });
      expect(d).toMatchObject({ passed: false, failedCheck: 'artifacts', artifact: middle.file, jobId: r?.id, rtoMs: null });
      const v = verificationOf(lastDrills(ctx.db, { clusterId }).find((x) => x.database === 'neo4j'), Date.now());
      expect(v.lastFailed).toMatchObject({ failedCheck: 'artifacts', artifact: middle.file });
      expect(v.lastPassed).not.toBeNull();
    } finally {
      fs.writeFileSync(middle.path, original);
    }
  }, 90_000);

  it('a drill target chosen for the database takes its drills (startDrill: "Drill now" and the scheduler); the history stays the database\'s', async () => {
    const other = await startTestCluster({ members: 1, secondaries: 0, databases: [] });
    try {
      const row = addRemoteCluster(ctx.db, { name: 'drill-bed', addresses: other.addresses, token: TEST_TOKEN });
      const neo = addNeo4jCluster(ctx.db, { name: 'graphs', address: '127.0.0.1:1', uri: 'neo4j://127.0.0.1:1', user: 'neo4j', passwordSealed: 'x', neo4jAdmin: 'neo4j-admin', backupFrom: null, location: path.join(dir, 'neo4j-location') });
      // a Neo4j cluster is refused, saying why; nothing is stored
      const refused = setDrillTargetCommand(ctx, { clusterId, database: 'neo4j', targetClusterId: String(neo.id) });
      expect(refused).toMatchObject({ ok: false, code: 'NOT_SUPPORTED', fieldErrors: { targetClusterId: [expect.stringMatching(/seedURI/)] } });
      expect(getDrillTarget(ctx.db, { clusterId, database: 'neo4j' })).toBeNull();
      expect(setDrillTargetCommand(ctx, { clusterId, database: 'neo4j', targetClusterId: '999' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
      expect(setDrillTargetCommand(ctx, { clusterId, database: 'neo4j', targetClusterId: String(row.id) })).toMatchObject({ ok: true, target: 'drill-bed' });
      expect(drillTargetOf(ctx.db, listClusters(ctx.db)[0], 'neo4j')).toMatchObject({ chosen: true, cluster: { name: 'drill-bed' } });
      const r = await job(startDrill(ctx, { clusterId, folderId, database: 'neo4j' }, 'alice'));
      expect(r?.status, r?.log).toBe('succeeded');
      expect(r?.params).toMatchObject({ drillTarget: 'drill-bed' });
      // restored on the one member of drill-bed (the database's own cluster has two), recorded as the database's drill
      const checks = (r?.result as { checks: Array<{ check: string; detail: string }> }).checks;
      expect(checks.find((c) => c.check === 'restore')?.detail).toMatch(/ on 1 member\(s\)/);
      expect(listDrills(ctx.db, { clusterId, database: 'neo4j' })[0]).toMatchObject({ jobId: r?.id, passed: true });
      expect((await sourceFor(other).scratch.databaseNames()).filter((n) => isScratchName(n))).toEqual([]);
      // back to its own cluster
      expect(setDrillTargetCommand(ctx, { clusterId, database: 'neo4j', targetClusterId: '' })).toMatchObject({ ok: true, target: listClusters(ctx.db)[0].name });
      expect(getDrillTarget(ctx.db, { clusterId, database: 'neo4j' })).toBeNull();
      const back = await job(startDrill(ctx, { clusterId, folderId, database: 'neo4j' }, 'alice'));
      expect((back?.result as { checks: Array<{ check: string; detail: string }> }).checks.find((c) => c.check === 'restore')?.detail).toMatch(/ on 2 member\(s\)/);
    } finally {
      await other.stop();
    }
  }, 90_000);

  it('the scheduler drills the databases of a schedule by its drill cron, once per occurrence, audited by schedule; a cancelled one does not stop the next', async () => {
    const t0 = Date.now();
    setSchedule(ctx.db, { clusterId, databaseGlob: 'neo4j', fullCron: '0 0 1 1 *', timeZone: 'UTC', enabled: true, folderId, drillCron: '*/3 * * * * *' }, t0);
    await waitFor('a drill job by schedule', () => listJobs(ctx.db, { database: 'neo4j' }).some((j) => j.kind === 'drill' && j.createdBy === 'schedule'), 30_000);
    const scheduled = listJobs(ctx.db, { database: 'neo4j' }).filter((j) => j.kind === 'drill' && j.createdBy === 'schedule');
    for (const j of scheduled) await ctx.runner.wait(j.id);
    const first = scheduled[scheduled.length - 1];
    expect(getJob(ctx.db, first)?.status).toBe('succeeded');
    expect(first.params).toMatchObject({ point: 'latest', schedule: 'neo4j', location: backups() });
    expect(listAudit(ctx.db, {}).some((a) => a.action === 'drill.start' && a.username === 'schedule' && a.detail?.includes(`job #${first.id}`))).toBe(true);
    // its row is the newest drill: the next occurrence comes after it
    await waitFor('the scheduled drill recorded', () => listDrills(ctx.db, { clusterId, database: 'neo4j' }).some((d) => d.jobId === first.id));

    // a scheduled drill cancelled before it records anything: the next occurrence drills again
    const drillJobs = () => listJobs(ctx.db, { database: 'neo4j' }).filter((j) => j.kind === 'drill' && j.createdBy === 'schedule');
    const before = Math.max(...drillJobs().map((j) => j.id));
    await waitFor('the next scheduled drill', () => drillJobs().some((j) => j.id > before), 30_000);
    const cancelled = Math.max(...drillJobs().map((j) => j.id));
    expect(ctx.runner.cancel(cancelled)).toEqual({ ok: true });
    expect((await ctx.runner.wait(cancelled))?.status).toBe('cancelled');
    expect(listDrills(ctx.db, { clusterId, database: 'neo4j' }).some((d) => d.jobId === cancelled)).toBe(false);
    await waitFor('a scheduled drill after the cancelled one', () => drillJobs().some((j) => j.id > cancelled), 30_000);

    setSchedule(ctx.db, { clusterId, databaseGlob: 'neo4j', fullCron: '0 0 1 1 *', timeZone: 'UTC', enabled: true, folderId, drillCron: 'off' }, Date.now());
    for (const j of listJobs(ctx.db, { database: 'neo4j' })) if (j.status === 'running') await ctx.runner.wait(j.id);
    const count = listJobs(ctx.db, { database: 'neo4j' }).filter((j) => j.kind === 'drill').length;
    await new Promise((r) => setTimeout(r, 3500));
    expect(listJobs(ctx.db, { database: 'neo4j' }).filter((j) => j.kind === 'drill').length).toBe(count);
  }, 90_000);

  it('scheduled drills wait for the cleanup of leftover scratch databases at the start (which would drop theirs)', async () => {
    ctx.scheduler.stop(); // (this test's scheduler alone)
    let cleaned = (): void => undefined;
    const cleanup = new Promise<void>((resolve) => (cleaned = resolve));
    const scheduler = new Scheduler(ctx, { drillsAfter: cleanup });
    setSchedule(ctx.db, { clusterId, databaseGlob: 'neo4j', fullCron: '0 0 1 1 *', timeZone: 'UTC', enabled: true, folderId, drillCron: '* * * * * *' }, Date.now() - 5000);
    expect(scheduler.tick(Date.now() + 2000).drills).toEqual([]);
    cleaned();
    await cleanup;
    const started = scheduler.tick(Date.now() + 2000).drills;
    expect(started).toHaveLength(1);
    await ctx.runner.wait(started[0]);
    setSchedule(ctx.db, { clusterId, databaseGlob: 'neo4j', fullCron: '0 0 1 1 *', timeZone: 'UTC', enabled: true, folderId, drillCron: 'off' }, Date.now());
  }, 90_000);

  it('a due drill waits while the scheduler runs as many jobs as it may (maxJobs); drills and backups then take turns', async () => {
    ctx.scheduler.stop(); // (this test's scheduler alone)
    await cluster.writer.createDatabase('cap-x');
    await waitFor('the collector to see cap-x', () => clusterDatabases(ctx, clusterId).has('cap-x'), 20_000);
    const scheduler = new Scheduler(ctx, { maxJobs: 1 });
    // cap-x: a backup and a drill every second; neo4j: a drill every second (two drills keep falling due)
    const backupsOfCapX = setSchedule(ctx.db, { clusterId, databaseGlob: 'cap-x', fullCron: null, diffCron: '* * * * * *', timeZone: 'UTC', enabled: true, folderId, drillCron: '* * * * * *' }, Date.now() - 5000).row;
    setSchedule(ctx.db, { clusterId, databaseGlob: 'neo4j', fullCron: '0 0 1 1 *', timeZone: 'UTC', enabled: true, folderId, drillCron: '* * * * * *' }, Date.now() - 5000);
    // the backup of cap-x takes the one slot; the drill of neo4j (no job on it) is due but waits
    const first = scheduler.tick(Date.now() + 1000);
    expect(first.started.map((r) => r.run.database)).toEqual(['cap-x']);
    expect(first.drills).toEqual([]);
    expect((await ctx.runner.wait(first.started[0].jobId))?.status).toBe('succeeded');
    await new Promise((r) => setImmediate(r));
    // cap-x's next backup is due too (every second), but the slot goes to the drill that waited: backups that
    // keep falling due do not hold drills back for good
    const second = scheduler.tick(Date.now() + 2000);
    expect(second.started).toEqual([]);
    expect(second.waiting.map((r) => r.database)).toEqual(['cap-x']);
    expect(second.drills).toHaveLength(1);
    expect((await ctx.runner.wait(second.drills[0]))?.status).toBe('succeeded');
    await new Promise((r) => setImmediate(r));
    // then the backup's turn, though the other drill still waits: drills and backups take turns
    const third = scheduler.tick(Date.now() + 3000);
    expect(third.started.map((r) => r.run.database)).toEqual(['cap-x']);
    expect(third.drills).toEqual([]);
    removeSchedule(ctx.db, backupsOfCapX);
    for (const d of ['cap-x', 'neo4j']) for (const j of listJobs(ctx.db, { database: d })) if (j.status === 'running') await ctx.runner.wait(j.id);
    setSchedule(ctx.db, { clusterId, databaseGlob: 'neo4j', fullCron: '0 0 1 1 *', timeZone: 'UTC', enabled: true, folderId, drillCron: 'off' }, Date.now());
  }, 90_000);
});

describe('drill crons', () => {
  it('default to daily, turn off with "off" or "", and are checked in the zone', () => {
    const s = { drillCron: null, timeZone: 'UTC', enabled: true };
    expect(drillCronOf(s)).toBe(DEFAULT_DRILL_CRON);
    expect(nextDrillAfter(s, Date.parse('2026-12-06T00:00:00Z'))).toBe(Date.parse('2026-12-06T03:30:00Z'));
    expect(nextDrillAfter({ ...s, timeZone: 'Europe/Berlin' }, Date.parse('2026-12-06T00:00:00Z'))).toBe(Date.parse('2026-12-06T02:30:00Z'));
    expect(nextDrillAfter({ ...s, enabled: false }, 0)).toBeNull();
    expect(checkDrillCron('off', 'UTC')).toBe('');
    expect(checkDrillCron('  ', 'UTC')).toBe('');
    expect(drillCronOf({ drillCron: '' })).toBeNull();
    expect(checkDrillCron('0  4 * * *', 'UTC')).toBe('0 4 * * *');
    expect(() => checkDrillCron('every day', 'UTC')).toThrow(/drill: "every day" is not a cron expression/);
  });
});
