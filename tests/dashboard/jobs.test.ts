/**
 * The job runner and the dashboard's commands on a real cluster: backups run as `txline` child processes,
 * one job per database of a cluster (the same name on another cluster is free), cancel leaves no temporary
 * files (a backup's artifact, a restore's work folder, and the restore's target as it was), the restore
 * wizard's checks refuse bad choices on the step where they happen, and backups a verification found corrupt
 * are named on the point step rather than failing the restore later. (A server restart marking jobs
 * interrupted is in startup.test.ts.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { indexFolder } from '../../lib/db/indexer';
import { addRemoteCluster, ensureFolder, upsertEmbeddedCluster } from '../../lib/db/queries/clusters';
import { getJob } from '../../lib/db/queries/jobs';
import { listArtifactsOfFolder } from '../../lib/db/queries/artifacts';
import { jobResult } from '../../lib/jobs/protocol';
import * as cmd from '../../lib/dashboard/commands';
import { parseEnv } from '../../lib/env';
import type { JobRunner } from '../../lib/jobs/runner';
import { randomBytes } from 'node:crypto';
import { startTestCluster, tempDir, waitFor, waitForConvergence, waitForDatabases, type TestCluster } from '../helpers/cluster';
import { leftovers, throttleProxy, writeMany, writeTx, type ThrottleProxy } from '../helpers/engine';
import { serverContext } from '../helpers/dashboard';

describe('jobs', () => {
  let cluster: TestCluster;
  let dir: string;
  let db: Catalog;
  let runner: JobRunner;
  let ctx: cmd.CommandContext;
  let folderId: number;
  let proxy: ThrottleProxy;
  let secondCluster: number;
  let secondFolder: number;
  const backups = () => path.join(dir, 'backups');

  beforeAll(async () => {
    cluster = await startTestCluster();
    dir = tempDir('jobs');
    fs.mkdirSync(backups());
    db = openCatalog(path.join(dir, 'txline.sqlite'));
    upsertEmbeddedCluster(db, { addresses: cluster.addresses, controlAddress: null });
    const folder = ensureFolder(db, { name: 'default', path: backups(), isDefault: true });
    folderId = folder.id;
    // the same cluster registered a second time, by its addresses, with a folder of its own: to the job
    // runner it is another cluster whose databases have the same names
    secondCluster = addRemoteCluster(db, { name: 'again', addresses: cluster.addresses }).id;
    fs.mkdirSync(path.join(dir, 'elsewhere'));
    secondFolder = ensureFolder(db, { name: 'elsewhere', path: path.join(dir, 'elsewhere'), isDefault: false }).id;
    // both folders are inside the backup roots: jobs confine a folder to them when they use it
    const env = parseEnv({ TXLINE_DATA_DIR: dir, TXLINE_CLUSTER_FILE: path.join(cluster.dir, 'cluster.json'), TXLINE_BACKUP_ROOTS: `${backups()},${path.join(dir, 'elsewhere')}` });
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
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs a backup as a child process with progress and a result, then indexes it', async () => {
    const r = cmd.startBackup(ctx, { clusterId: '1', folderId: String(folderId), database: 'neo4j', type: 'full', compress: 'on' }, 'tester');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const job = await runner.wait(r.jobId);
    expect(job).toMatchObject({ status: 'succeeded', exitCode: 0, kind: 'backup', database: 'neo4j', createdBy: 'tester' });
    expect(job?.progress?.phase).toBe('done');
    expect(job?.result).toMatchObject({ exitCode: 0, results: [expect.objectContaining({ database: 'neo4j', ok: true, type: 'full' })] });
    expect(job?.log).toContain('Finished full backup of neo4j');
    expect(db.$client.prepare('SELECT count(*) AS n FROM artifacts').get()).toEqual({ n: 1 });
  });

  it('allows one running job per database, and cancel stops it without leaving temporary files', async () => {
    proxy.hold(0); // the proxied store stream stalls (its headers get through) until released
    const first = runner.start({
      kind: 'backup',
      database: 'neo4j',
      clusterId: 1,
      folderId,
      params: {},
      input: { database: 'neo4j', toPath: backups(), type: 'full', compress: true, preferDiffAsParent: false, from: [proxy.address], confineToRoots: [] },
      createdBy: null,
    });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    // wait until the child has its temporary artifact open
    await waitFor('the temporary artifact', () => leftovers(backups()).length > 0, 30_000).catch((e) => {
      throw new Error(`${(e as Error).message}; job: ${JSON.stringify(getJob(db, { id: first.jobId }))}`);
    });
    const second = cmd.startBackup(ctx, { clusterId: '1', folderId: String(folderId), database: 'neo4j' }, null);
    expect(second).toMatchObject({ ok: false, code: 'JOB_RUNNING', error: expect.stringContaining(`on this cluster (job #${first.jobId})`) });
    // another database is not blocked
    const other = cmd.startBackup(ctx, { clusterId: '1', folderId: String(folderId), database: 'system' }, null);
    expect(other.ok).toBe(true);
    // neither is neo4j of another cluster into another folder; into the same folder it is (one lock per folder)
    const elsewhere = cmd.startBackup(ctx, { clusterId: String(secondCluster), folderId: String(secondFolder), database: 'neo4j', type: 'full' }, null);
    expect(elsewhere.ok, JSON.stringify(elsewhere)).toBe(true);
    expect(cmd.startBackup(ctx, { clusterId: String(secondCluster), folderId: String(folderId), database: 'neo4j' }, null)).toMatchObject({
      ok: false,
      error: expect.stringContaining(`in this backup folder (job #${first.jobId})`),
    });
    if (elsewhere.ok) expect((await runner.wait(elsewhere.jobId))?.status).toBe('succeeded');
    expect(cmd.cancelJob(ctx, { jobId: String(first.jobId) })).toEqual({ ok: true });
    const done = await runner.wait(first.jobId);
    proxy.release();
    expect(done).toMatchObject({ status: 'cancelled', error: 'cancelled by request' });
    // the backup of system writes its own temporary artifact into the folder until it ends
    if (other.ok) expect((await runner.wait(other.jobId))?.status).toBe('succeeded');
    expect(leftovers(backups())).toEqual([]);
    // the lock is free: the next backup runs
    const again = cmd.startBackup(ctx, { clusterId: '1', folderId: String(folderId), database: 'neo4j' }, null);
    expect(again.ok).toBe(true);
    if (again.ok) expect((await runner.wait(again.jobId))?.status).toBe('succeeded');
  });

  describe('restore checks', () => {
    it('refuses a point outside every chain on the point step, naming what is restorable', () => {
      const r = cmd.previewRestore(ctx, { clusterId: 1, folderId, database: 'neo4j', point: 'tx', tx: '999999' });
      expect(r).toMatchObject({ ok: false, code: 'RESTORE_POINT_OUTSIDE_CHAIN', fieldErrors: { tx: [expect.stringContaining('outside every backup chain')] } });
    });

    it('asks for a transaction ID or a time in the right form', () => {
      expect(cmd.previewRestore(ctx, { clusterId: 1, folderId, database: 'neo4j', point: 'tx', tx: 'abc' })).toMatchObject({ ok: false, fieldErrors: { tx: [expect.any(String)] } });
      expect(cmd.previewRestore(ctx, { clusterId: 1, folderId, database: 'neo4j', point: 'time', time: 'yesterday' })).toMatchObject({ ok: false, fieldErrors: { time: [expect.any(String)] } });
      expect(cmd.previewRestore(ctx, { clusterId: 1, folderId, database: 'Bad/Name', point: 'latest' })).toMatchObject({ ok: false, fieldErrors: { database: [expect.any(String)] } });
    });

    it('refuses a new name that is taken, and a replace without typing the name', () => {
      expect(cmd.previewRestore(ctx, { clusterId: 1, folderId, database: 'neo4j', point: 'latest', targetMode: 'new', newName: 'system' })).toMatchObject({
        ok: false,
        fieldErrors: { newName: [expect.stringContaining('already exists')] },
      });
      expect(cmd.startRestore(ctx, { clusterId: 1, folderId, database: 'neo4j', point: 'latest', targetMode: 'replace', confirm: 'neo' }, null)).toMatchObject({
        ok: false,
        fieldErrors: { confirm: [expect.any(String)] },
      });
    });
  });

  describe('cancelling a restore', () => {
    // a database of ~9 MB (random text does not compress), so that rebuilding it takes a moment
    const blobTx = (i: number) => Array.from({ length: 10 }, (_, j) => ({ op: 'createNode' as const, labels: ['Blob'], properties: { i, j, data: randomBytes(4500).toString('base64') } }));
    let bulkFull: number;

    beforeAll(async () => {
      await cluster.writer.createDatabase('bulk');
      await waitForDatabases(Object.values(cluster.clients), cluster.writer);
      await writeMany(cluster.writer, 'bulk', 200, blobTx);
      await waitForConvergence(cluster, 'bulk');
      await ctx.collector.tick(); // the catalog's view of the cluster now has bulk
      const b = cmd.startBackup(ctx, { clusterId: '1', folderId: String(folderId), database: 'bulk', type: 'full' }, null);
      if (!b.ok) throw new Error(b.error);
      expect((await runner.wait(b.jobId))?.status).toBe('succeeded');
      bulkFull = (db.$client.prepare("SELECT tip_tx AS t FROM artifacts WHERE database = 'bulk'").get() as { t: number }).t;
    }, 180_000);

    /** The restore's private work folders (in the system's temporary folder). */
    const workDirs = (target: string) => fs.readdirSync(os.tmpdir()).filter((n) => new RegExp(`^txline-restore-(pid\\d+-)?${target}-`).test(n));

    /**
     * Starts the restore, freezes its process (SIGSTOP) the moment its work folder appears, asks for the
     * cancel, and lets it go on (SIGCONT): the cancel lands while the store is being rebuilt, every time.
     */
    async function cancelWhileRebuilding(input: Record<string, unknown>, target: string) {
      expect(workDirs(target)).toEqual([]);
      const r = cmd.startRestore(ctx, input, 'tester');
      if (!r.ok) throw new Error(r.error);
      let pid = 0;
      const deadline = Date.now() + 60_000;
      for (;;) {
        pid ||= getJob(db, { id: r.jobId })?.pid ?? 0;
        if (pid && workDirs(target).length > 0) {
          process.kill(pid, 'SIGSTOP');
          break;
        }
        expect(getJob(db, { id: r.jobId })?.status, 'the restore ended before its work folder was seen').toBe('running');
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((res) => setTimeout(res, 1));
      }
      try {
        expect(getJob(db, { id: r.jobId })?.progress?.phase ?? 'restore').not.toMatch(/^install|^done/);
        expect(cmd.cancelJob(ctx, { jobId: String(r.jobId) })).toEqual({ ok: true });
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      const job = await runner.wait(r.jobId);
      return job;
    }

    it('as a new database: the job is cancelled, its work folder is gone, and no database was created', async () => {
      const job = await cancelWhileRebuilding({ clusterId: 1, folderId, database: 'bulk', point: 'latest', targetMode: 'new', newName: 'copy-of-bulk' }, 'copy-of-bulk');
      expect(job).toMatchObject({ status: 'cancelled', error: 'cancelled by request' });
      expect(job?.log).toContain('interrupted (SIGTERM); cleaning up');
      expect(workDirs('copy-of-bulk')).toEqual([]);
      for (const c of Object.values(cluster.clients)) expect((await c.status()).databases.map((d) => d.name)).not.toContain('copy-of-bulk');
    });

    it('over the database itself: the job is cancelled and the database is as it was, online on every member', async () => {
      const before = await cluster.writer.digest('bulk');
      expect(before.lastCommittedTxn).toBe(bulkFull);
      const job = await cancelWhileRebuilding({ clusterId: 1, folderId, database: 'bulk', point: 'latest', targetMode: 'replace', confirm: 'bulk' }, 'bulk');
      expect(job?.status).toBe('cancelled');
      expect(workDirs('bulk')).toEqual([]);
      for (const c of Object.values(cluster.clients)) {
        const st = (await c.status()).databases.find((d) => d.name === 'bulk');
        expect(st).toMatchObject({ status: 'online', lastCommittedTxn: bulkFull });
        expect(await c.digest('bulk')).toEqual(before);
      }
    });
  });

  it('a verification records each artifact as ok, and a flipped byte as corrupt', async () => {
    const v = cmd.startVerifyChain(ctx, { folderId: String(folderId), database: 'neo4j' }, null);
    expect(v.ok).toBe(true);
    if (!v.ok) return;
    expect((await runner.wait(v.jobId))?.status).toBe('succeeded');
    const rows = () => db.$client.prepare("SELECT file, verify_status AS s FROM artifacts WHERE database = 'neo4j' ORDER BY time").all() as Array<{ file: string; s: string }>;
    expect(rows().every((r) => r.s === 'ok')).toBe(true);
    const victim = rows()[0].file;
    const p = path.join(backups(), victim);
    const bytes = fs.readFileSync(p);
    bytes[bytes.length - 2000] ^= 0xff;
    fs.writeFileSync(p, bytes);
    const w = cmd.startVerifyChain(ctx, { folderId: String(folderId), database: 'neo4j' }, null);
    if (!w.ok) throw new Error(w.error);
    const job = await runner.wait(w.jobId);
    expect(job?.status).toBe('failed');
    expect(rows().find((r) => r.file === victim)?.s).toBe('corrupt');
  });

  describe('backups a verification found corrupt', () => {
    // after the verification above, the first full of neo4j is corrupt: every chain so far starts from it
    let victim: { id: number; file: string; tip: number };

    beforeAll(() => {
      victim = db.$client.prepare("SELECT id, file, tip_tx AS tip FROM artifacts WHERE database = 'neo4j' AND verify_status = 'corrupt'").get() as typeof victim;
      expect(victim).toBeDefined();
    });

    it('a point that needs one is refused on the point step, naming it and what it was found to be', () => {
      const r = cmd.previewRestore(ctx, { clusterId: 1, folderId, database: 'neo4j', point: 'tx', tx: String(victim.tip + 1) });
      expect(r).toMatchObject({ ok: false, code: 'ARTIFACT_CORRUPT', fieldErrors: { tx: [expect.stringContaining(`found corrupt: ${victim.file}`)] } });
      expect(cmd.previewRestore(ctx, { clusterId: 1, folderId, database: 'neo4j', point: 'latest' })).toMatchObject({
        ok: false,
        fieldErrors: { point: [expect.stringContaining(victim.file)] },
      });
      expect(cmd.previewRestore(ctx, { clusterId: 1, folderId, database: 'neo4j', point: 'artifact', artifactId: victim.id })).toMatchObject({
        ok: false,
        fieldErrors: { artifactId: [expect.stringMatching(new RegExp(`^${victim.file.replace(/\./g, '\\.')} was found corrupt by its last verification`))] },
      });
      // and starting it anyway is refused before any job exists
      expect(cmd.startRestore(ctx, { clusterId: 1, folderId, database: 'neo4j', point: 'latest', targetMode: 'new', newName: 'never' }, null)).toMatchObject({ ok: false });
    });

    it('with a new full, the restore plans around it and says it was left out', async () => {
      await writeTx(cluster.writer, 'neo4j', 5);
      await waitForConvergence(cluster, 'neo4j');
      const b = cmd.startBackup(ctx, { clusterId: '1', folderId: String(folderId), database: 'neo4j', type: 'full' }, null);
      if (!b.ok) throw new Error(b.error);
      expect((await runner.wait(b.jobId))?.status).toBe('succeeded');
      const r = cmd.previewRestore(ctx, { clusterId: 1, folderId, database: 'neo4j', point: 'latest', targetMode: 'new', newName: 'fresh' });
      if (!r.ok) throw new Error(r.error);
      expect(r.preview.chain.map((a) => a.id)).not.toContain(victim.id);
      expect(r.preview.chain[0].full).toBe(true);
      expect(r.preview.skippedCorrupt).toEqual([expect.objectContaining({ id: victim.id, file: victim.file })]);
      // the old chain's transactions are still refused, with what the new full can restore
      const low = cmd.previewRestore(ctx, { clusterId: 1, folderId, database: 'neo4j', point: 'tx', tx: String(victim.tip + 1) });
      expect(low).toMatchObject({ ok: false, fieldErrors: { tx: [expect.stringContaining('what the other backups can restore')] } });
    });
  });
  it('deletes an artifact and what depends on it as a job (txline backup delete), dependents first, newest first', async () => {
    const elsewhere = path.join(dir, 'elsewhere');
    const backupFiles = () => fs.readdirSync(elsewhere).filter((f) => f.endsWith('.backup')).sort();
    const before = backupFiles(); // what earlier tests left there
    const take = async (type: 'full' | 'diff') => {
      await writeTx(cluster.writer, 'neo4j', 3);
      const r = cmd.startBackup(ctx, { clusterId: String(secondCluster), folderId: String(secondFolder), database: 'neo4j', type, compress: 'on' }, 'tester');
      if (!r.ok) throw new Error(r.error);
      const job = await runner.wait(r.jobId);
      expect(job?.status, job?.log).toBe('succeeded');
      return jobResult('backup', job?.result)?.results[0].artifact as string;
    };
    const full = await take('full');
    const diff1 = await take('diff');
    const diff2 = await take('diff');
    const folder = { id: secondFolder, name: 'elsewhere', path: elsewhere };
    await indexFolder(db, folder as Parameters<typeof indexFolder>[1]);
    const id1 = listArtifactsOfFolder(db, { folderId: secondFolder }).find((a) => a.file === diff1)?.id;
    expect(id1).toBeDefined();

    const d = cmd.startDeleteArtifact(ctx, { artifactId: String(id1) }, 'tester');
    if (!d.ok) throw new Error(d.error);
    const job = await runner.wait(d.jobId);
    expect(job).toMatchObject({ status: 'succeeded', kind: 'delete', database: 'neo4j', errorCode: null });
    expect(runner.settled(d.jobId)).toBe(true);
    const result = jobResult('delete', job?.result);
    expect(result?.deleted.map((a) => [a.file, a.requested])).toEqual([
      [diff2, false],
      [diff1, true],
    ]);
    expect(result?.databases).toEqual([expect.objectContaining({ database: 'neo4j', remaining: before.length + 1 })]);
    expect(backupFiles()).toEqual([...before, full].sort());
    await indexFolder(db, folder as Parameters<typeof indexFolder>[1]);
    expect(listArtifactsOfFolder(db, { folderId: secondFolder }).map((a) => a.file).sort()).toEqual([...before, full].sort());
  });
});
