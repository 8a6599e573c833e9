/**
 * The scheduler on a real cluster with the real job runner: a schedule firing every few seconds (6-field cron)
 * takes real backups into its folder, as jobs created by "schedule" and audited "by schedule"; a run due while
 * another job works on the database waits and runs once after it, however many occurrences passed; and a
 * scheduler that did not run for several occurrences makes up one run at its start, marked as a catch-up.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../lib/auth/audit';
import { openCatalog, type Catalog } from '../../lib/db';
import { indexFolder } from '../../lib/db/indexer';
import { ensureFolder, upsertEmbeddedCluster } from '../../lib/db/queries/clusters';
import { getJob, listJobs } from '../../lib/db/queries/jobs';
import { getSchedule, markDue, removeSchedule } from '../../lib/db/queries/schedules';
import { clusterDatabases, type CommandContext } from '../../lib/dashboard/commands/shared';
import { parseEnv } from '../../lib/env';
import type { JobRunner } from '../../lib/jobs/runner';
import { JobSlots, Scheduler } from '../../lib/schedules/scheduler';
import { setSchedule } from '../../lib/schedules/store';
import { startTestCluster, tempDir, waitFor, waitForConvergence, type TestCluster } from '../helpers/cluster';
import { throttleProxy, writeTx, type ThrottleProxy } from '../helpers/engine';
import { serverContext } from '../helpers/dashboard';

describe('the scheduler', () => {
  let cluster: TestCluster;
  let dir: string;
  let db: Catalog;
  let runner: JobRunner;
  let ctx: CommandContext;
  let clusterId: number;
  let folderId: number;
  let proxy: ThrottleProxy;
  const backups = () => path.join(dir, 'backups');
  const artifactFiles = () => fs.readdirSync(backups()).filter((f) => f.endsWith('.backup'));
  const scheduledJobs = () => listJobs(db, { database: 'neo4j' }).filter((j) => j.createdBy?.startsWith('schedule'));

  beforeAll(async () => {
    cluster = await startTestCluster();
    dir = tempDir('scheduler');
    fs.mkdirSync(backups());
    db = openCatalog(path.join(dir, 'txline.sqlite'));
    clusterId = upsertEmbeddedCluster(db, { addresses: cluster.addresses, controlAddress: null }).id;
    const folder = ensureFolder(db, { name: 'default', path: backups(), isDefault: true });
    folderId = folder.id;
    const env = parseEnv({ TXLINE_DATA_DIR: dir, TXLINE_CLUSTER_FILE: path.join(cluster.dir, 'cluster.json'), TXLINE_BACKUP_ROOTS: backups() });
    const reindex = async () => {
      await indexFolder(db, folder);
    };
    ctx = await serverContext(db, env, reindex);
    runner = ctx.runner;
    proxy = await throttleProxy(cluster.addresses[0]);
    await writeTx(cluster.writer, 'neo4j', 20);
    await waitForConvergence(cluster, 'neo4j');
  });

  afterAll(async () => {
    runner?.stopAll();
    await proxy?.close();
    await cluster?.stop();
    db?.$client.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Waits for every job to end, then removes the schedule. */
  async function settle(scheduleId: number): Promise<void> {
    removeSchedule(db, { id: scheduleId });
    for (const j of listJobs(db)) if (j.status === 'running') await runner.wait(j.id);
  }

  it('fires every few seconds and takes real backups, as jobs by schedule', async () => {
    const scheduler = new Scheduler(ctx, { tickMs: 200 });
    const { row } = setSchedule(db, { clusterId, databaseGlob: 'neo*', fullCron: null, diffCron: '*/2 * * * * *', timeZone: 'UTC', enabled: true, folderId }, Date.now());
    scheduler.start();
    try {
      await waitFor('two scheduled backups that succeeded', () => scheduledJobs().filter((j) => j.status === 'succeeded').length >= 2, 30_000);
    } finally {
      scheduler.stop();
      await settle(row.id);
    }
    const jobs = scheduledJobs();
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    for (const j of jobs) {
      expect(j).toMatchObject({ kind: 'backup', database: 'neo4j', clusterId, folderId, createdBy: 'schedule' });
      expect(j.params).toMatchObject({ type: 'diff', schedule: 'neo*', scheduleId: row.id, catchUp: false });
      // each run is one occurrence of the cron: an even second
      expect(new Date(j.params.dueAt as string).getUTCSeconds() % 2).toBe(0);
    }
    // the first fell back to a full (no parent yet), the next ones are differentials: real artifacts in the folder
    expect(artifactFiles().length).toBeGreaterThanOrEqual(2);
    const done = jobs.filter((j) => j.status === 'succeeded').map((j) => getJob(db, j));
    expect(done.every((j) => j?.log.includes('Finished'))).toBe(true);
    // the due times are distinct: never two runs of one occurrence
    expect(new Set(jobs.map((j) => j.params.dueAt)).size).toBe(jobs.length);
    const audit = listAudit(db, { action: 'backup.start' }).filter((a) => a.username === 'schedule');
    expect(audit.length).toBe(jobs.length);
    expect(audit[0].detail).toMatch(/^job #\d+: diff backup by schedule "neo\*" due \d{4}-/);
    expect(audit[0].target).toBe(`database=neo4j clusterId=${clusterId}`);
  });

  it('a run due while a job works on the database waits and runs once after it', async () => {
    const t0 = Date.now();
    const scheduler = new Scheduler(ctx);
    const { row } = setSchedule(db, { clusterId, databaseGlob: 'neo4j', fullCron: null, diffCron: '* * * * * *', timeZone: 'UTC', enabled: true, folderId }, t0);
    const before = scheduledJobs().length;
    // someone's backup of neo4j, held mid-stream by the proxy
    proxy.hold(0);
    const busy = runner.start({
      kind: 'backup',
      database: 'neo4j',
      clusterId,
      folderId,
      params: {},
      input: { database: 'neo4j', toPath: backups(), type: 'full', compress: true, preferDiffAsParent: false, from: [proxy.address], confineToRoots: [] },
      createdBy: 'tester',
    });
    expect(busy.ok).toBe(true);
    if (!busy.ok) return;
    const base = Math.floor(t0 / 1000) * 1000 + 1000; // the first occurrence after the schedule was set
    try {
      // five occurrences fall due while it works: each tick queues, none starts
      for (let s = 0; s < 5; s++) {
        const r = scheduler.tick(base + s * 1000 + 10);
        expect(r.started).toEqual([]);
        expect(r.waiting.map((w) => ({ database: w.database, type: w.type }))).toEqual([{ database: 'neo4j', type: 'diff' }]);
      }
      expect(scheduledJobs().length).toBe(before);
    } finally {
      proxy.release();
    }
    expect((await runner.wait(busy.jobId))?.status).toBe('succeeded');
    // once it is over: one run, for the newest occurrence
    const after = scheduler.tick(base + 4500);
    expect(after.started).toHaveLength(1);
    expect(after.waiting).toEqual([]);
    expect(scheduler.tick(base + 4900).started).toEqual([]); // no occurrence since
    const ran = await runner.wait(after.started[0].jobId);
    expect(ran).toMatchObject({ status: 'succeeded', createdBy: 'schedule' });
    expect(Date.parse(ran?.params.dueAt as string)).toBe(base + 4000);
    expect(scheduledJobs().length).toBe(before + 1);
    expect(getSchedule(db, row)?.diffDueAt).toBe(base + 4000);
    await settle(row.id);
  });

  it('a full and a diff due at once start one full', async () => {
    const t0 = Date.now();
    const scheduler = new Scheduler(ctx);
    const { row } = setSchedule(db, { clusterId, databaseGlob: 'neo4j', fullCron: '*/2 * * * * *', diffCron: '* * * * * *', timeZone: 'UTC', enabled: true, folderId }, t0);
    const even = Math.ceil((t0 + 1) / 2000) * 2000; // an occurrence of both crons
    const r = scheduler.tick(even + 10);
    expect(r.started.map((s) => s.run.type)).toEqual(['full']);
    expect((await runner.wait(r.started[0].jobId))?.status).toBe('succeeded');
    await settle(row.id);
  });

  it('runs at most maxJobs of its jobs at once: the others keep their place and start as those end', async () => {
    const names = ['cap-a', 'cap-b', 'cap-c'];
    for (const n of names) await cluster.writer.createDatabase(n);
    await waitForConvergence(cluster, 'cap-c');
    await ctx.collector.tick(); // (not started here: it samples when told)
    expect([...clusterDatabases(ctx, clusterId)].filter((n) => n.startsWith('cap-')).sort()).toEqual(names);
    const t0 = Date.now();
    const scheduler = new Scheduler(ctx, { maxJobs: 2 });
    const { row } = setSchedule(db, { clusterId, databaseGlob: 'cap-*', fullCron: null, diffCron: '* * * * * *', timeZone: 'UTC', enabled: true, folderId, drillCron: 'off' }, t0);
    const due = Math.floor(t0 / 1000) * 1000 + 1000;
    try {
      // all three fall due at once: two start, the third waits though its database has no job
      const first = scheduler.tick(due + 10);
      expect(first.started.map((s) => s.run.database)).toEqual(['cap-a', 'cap-b']);
      expect(first.waiting.map((w) => w.database)).toEqual(['cap-c']);
      // still two running: the next occurrence queues cap-a and cap-b behind cap-c and starts nothing
      const second = scheduler.tick(due + 1010);
      expect(second.started).toEqual([]);
      expect(second.waiting.map((w) => w.database)).toEqual(['cap-c', 'cap-a', 'cap-b']);
      // once one of them is over, cap-c starts (before the next runs of cap-a and cap-b, queued after it); as
      // many start as slots were freed (both may have ended by now)
      const over = new Set<number>();
      for (const s of first.started) void runner.wait(s.jobId).then(() => over.add(s.jobId)); // (after the slots hear it)
      await Promise.race(first.started.map((s) => runner.wait(s.jobId)));
      await new Promise((r) => setImmediate(r));
      const freed = over.size;
      const third = scheduler.tick(due + 1020);
      expect(third.started[0]?.run.database).toBe('cap-c');
      expect(third.started).toHaveLength(freed);
      const jobs = [...first.started, ...third.started].map((s) => s.jobId);
      expect(freed).toBeGreaterThanOrEqual(1);
      for (const id of jobs) expect((await runner.wait(id))?.status).toBe('succeeded');
    } finally {
      scheduler.stop();
      await settle(row.id);
    }
  });

  /** Databases bl-a and bl-b on the cluster, seen by the collector. */
  async function blDatabases(): Promise<string[]> {
    const names = ['bl-a', 'bl-b'];
    for (const n of names) if (!clusterDatabases(ctx, clusterId).has(n)) await cluster.writer.createDatabase(n);
    await waitForConvergence(cluster, 'bl-b');
    await ctx.collector.tick();
    return names;
  }

  it('an occurrence is handled in the catalog once none of its runs waits: a restart makes up those still queued', async () => {
    const names = await blDatabases();
    const t0 = Date.now();
    const first = new Scheduler(ctx, { maxJobs: 1 });
    const { row } = setSchedule(db, { clusterId, databaseGlob: 'bl-*', fullCron: '* * * * * *', diffCron: null, timeZone: 'UTC', enabled: true, folderId, drillCron: 'off' }, t0 - 5000);
    const ran: number[] = [];
    try {
      // a full fell due: bl-a starts, bl-b waits for the slot
      const r = first.tick(t0);
      expect(r.started.map((x) => x.run.database)).toEqual(['bl-a']);
      expect(r.waiting.map((x) => x.database)).toEqual(['bl-b']);
      ran.push(r.started[0].jobId);
      // not handled in the catalog while bl-b waits
      expect(getSchedule(db, row)?.fullDueAt).toBe(t0 - 5000);
      // the server stops here (first is dropped with its queue); the next one makes the occurrence up for both
      const second = new Scheduler(ctx, { maxJobs: 2 });
      const again = second.tick(t0 + 100);
      const made = [...again.started.map((x) => x.run), ...again.waiting];
      expect(made.map((x) => x.database).sort()).toEqual(names);
      expect(made.every((x) => x.catchUp && x.type === 'full')).toBe(true);
      ran.push(...again.started.map((x) => x.jobId));
      // bl-a's first run still works: its catch-up waits for it, then starts; with nothing left waiting, handled
      await runner.wait(ran[0]);
      await waitFor('the catch-ups to start', () => {
        const t = second.tick(t0 + 200);
        ran.push(...t.started.map((x) => x.jobId));
        return t.waiting.length === 0;
      }, 30_000);
      expect(getSchedule(db, row)?.fullDueAt).toBeGreaterThan(t0 - 5000);
    } finally {
      for (const id of ran) await runner.wait(id);
      await settle(row.id);
    }
  });

  it('marks each type on its own: a full all of whose runs started is handled while diffs of the schedule wait', async () => {
    await blDatabases();
    const t0 = Date.now();
    const scheduler = new Scheduler(ctx, { maxJobs: 1 });
    const { row } = setSchedule(db, { clusterId, databaseGlob: 'bl-*', fullCron: '*/2 * * * * *', diffCron: '* * * * * *', timeZone: 'UTC', enabled: true, folderId, drillCron: 'off' }, t0);
    const even = Math.ceil((t0 + 1) / 2000) * 2000; // a full and a diff fall due: fulls for bl-a and bl-b
    const ran: number[] = [];
    try {
      const a = scheduler.tick(even + 10);
      expect(a.started.map((x) => [x.run.database, x.run.type])).toEqual([['bl-a', 'full']]);
      ran.push(a.started[0].jobId);
      expect(getSchedule(db, row)?.fullDueAt).toBe(t0); // bl-b's full waits
      expect(getSchedule(db, row)?.diffDueAt).toBe(even); // the diff merged into the fulls
      await runner.wait(ran[0]);
      await new Promise((r) => setImmediate(r));
      // a second later (a diff alone): bl-b's full starts, bl-a's diff waits; the full is handled
      const b = scheduler.tick(even + 1010);
      expect(b.started.map((x) => [x.run.database, x.run.type])).toEqual([['bl-b', 'full']]);
      ran.push(b.started[0].jobId);
      expect(b.waiting.map((x) => [x.database, x.type])).toEqual([['bl-a', 'diff']]);
      expect(getSchedule(db, row)?.fullDueAt).toBe(even);
      expect(getSchedule(db, row)?.diffDueAt).toBe(even);
    } finally {
      for (const id of ran) await runner.wait(id);
      await settle(row.id);
    }
  });

  it('marks an occurrence only while the schedule is in the state it was queued in (another process may change it)', () => {
    const { row } = setSchedule(db, { clusterId, databaseGlob: 'state-*', fullCron: null, diffCron: '0 * * * *', timeZone: 'UTC', enabled: true, folderId, drillCron: 'off' }, 1000);
    markDue(db, { id: row.id, type: 'diff', dueAt: 5000, state: (row.updatedAt ?? 0) - 1 });
    expect(getSchedule(db, row)?.diffDueAt).toBe(1000);
    markDue(db, { id: row.id, type: 'diff', dueAt: 5000, state: row.updatedAt });
    expect(getSchedule(db, row)?.diffDueAt).toBe(5000);
    removeSchedule(db, { id: row.id });
  });

  it('a job counts against the slots until it is over, or SLOT_HOLD_MS at most (a hung one, with a warning)', async () => {
    const warned: string[] = [];
    let end = (): void => undefined;
    const ended = new Promise<undefined>((r) => (end = () => r(undefined)));
    // job 1 hangs (its wait never settles), job 2 ends when told
    const runner = { wait: (id: number) => (id === 1 ? new Promise<undefined>(() => undefined) : ended) };
    const slots = new JobSlots(runner, 2, { warn: (m) => warned.push(m) }, 150);
    slots.took(1);
    slots.took(2);
    expect(slots.free).toBe(false);
    expect(slots.freeFor(0)).toBe(false);
    end();
    await ended;
    await new Promise((r) => setImmediate(r));
    expect(slots.free).toBe(true);
    expect(slots.freeFor(1)).toBe(false); // one free, and it is reserved
    expect(warned).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(slots.freeFor(1)).toBe(true);
    expect(warned).toEqual([expect.stringMatching(/^job #1 has run 0 minutes: it no longer holds back the scheduler's other jobs \(TXLINE_SCHEDULED_JOBS=2\)$/)]);
  });

  it('a glob that covers no database is said once (audit, warning), not at every occurrence, and again once changed', async () => {
    const t0 = Date.now();
    const scheduler = new Scheduler(ctx);
    const set = (fullCron: string | null, at: number) => setSchedule(db, { clusterId, databaseGlob: 'payrol', fullCron, diffCron: '* * * * * *', timeZone: 'UTC', enabled: true, folderId, drillCron: 'off' }, at).row;
    const row = set(null, t0);
    const said = () => listAudit(db, { action: 'backup.start' }).filter((a) => a.target === `database=payrol clusterId=${clusterId}`);
    const base = Math.floor(t0 / 1000) * 1000 + 1000;
    try {
      for (let s = 0; s < 3; s++) expect(scheduler.tick(base + s * 1000 + 10)).toMatchObject({ started: [], waiting: [] });
      expect(said()).toHaveLength(1);
      expect(said()[0]).toMatchObject({ username: 'schedule', outcome: 'failed' });
      expect(said()[0].detail).toMatch(/^schedule "payrol" due \S+ covers no database of the cluster \(it reports .*neo4j.*\): nothing was backed up/);
      // the occurrences are handled all the same: nothing piles up to run later
      expect(getSchedule(db, row)?.diffDueAt).toBe(base + 2000);
      // changed (still covering nothing): said again, once
      set('0 0 1 1 *', base + 2500);
      for (let s = 3; s < 5; s++) scheduler.tick(base + s * 1000 + 10);
      expect(said()).toHaveLength(2);
    } finally {
      scheduler.stop();
      await settle(row.id);
    }
  });

  it('after several missed occurrences, makes up one run at start, marked as a catch-up', async () => {
    const t0 = Date.now();
    const first = new Scheduler(ctx);
    const { row } = setSchedule(db, { clusterId, databaseGlob: 'neo4j', fullCron: null, diffCron: '* * * * * *', timeZone: 'UTC', enabled: true, folderId }, t0);
    expect(first.tick(t0).started).toEqual([]); // nothing due yet
    // the scheduler is gone for several occurrences (the server was down)
    await new Promise((r) => setTimeout(r, 3200));
    const now = Date.now();
    const second = new Scheduler(ctx, { now: () => now });
    const r = second.tick(now);
    expect(r.started).toHaveLength(1);
    expect(r.started[0].run).toMatchObject({ database: 'neo4j', type: 'diff', catchUp: true });
    const job = await runner.wait(r.started[0].jobId);
    expect(job).toMatchObject({ status: 'succeeded', createdBy: 'schedule (catch-up)' });
    expect(job?.params).toMatchObject({ catchUp: true, schedule: 'neo4j' });
    // one run for all of them: nothing else is due at the same moment
    expect(second.tick(now).started).toEqual([]);
    const audit = listAudit(db, { action: 'backup.start' }).find((a) => a.detail?.startsWith(`job #${job?.id}:`));
    expect(audit?.detail).toContain('(catch-up: missed while the server was down)');
    expect(audit?.username).toBe('schedule (catch-up)');
    await settle(row.id);
    await waitFor('no running jobs', () => listJobs(db).every((j) => j.status !== 'running'), 10_000);
  });
});
