/**
 * The job runner and the dashboard's commands on a real cluster: backups run as `txline` child processes,
 * one job per database, cancel leaves no temporary files, a restarted server marks running jobs interrupted,
 * and the restore wizard's checks refuse bad choices on the step where they happen.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { indexFolder } from '../../lib/db/indexer';
import { ensureFolder, upsertEmbeddedCluster } from '../../lib/db/queries/clusters';
import { createJob, getJob, markInterrupted } from '../../lib/db/queries/jobs';
import * as cmd from '../../lib/dashboard/commands';
import { parseEnv } from '../../lib/env';
import { applyJobEffects } from '../../lib/jobs/effects';
import { JobRunner } from '../../lib/jobs/runner';
import { Collector } from '../../lib/monitor/collector';
import { startTestCluster, tempDir, waitFor, waitForConvergence, type TestCluster } from '../helpers/cluster';
import { leftovers, throttleProxy, TXLINE_BIN, writeTx, type ThrottleProxy } from '../helpers/engine';

describe('jobs', () => {
  let cluster: TestCluster;
  let dir: string;
  let db: Catalog;
  let runner: JobRunner;
  let ctx: cmd.CommandContext;
  let folderId: number;
  let proxy: ThrottleProxy;
  const backups = () => path.join(dir, 'backups');

  beforeAll(async () => {
    cluster = await startTestCluster();
    dir = tempDir('jobs');
    fs.mkdirSync(backups());
    db = openCatalog(path.join(dir, 'txline.sqlite'));
    upsertEmbeddedCluster(db, { addresses: cluster.addresses, controlAddress: null });
    const folder = ensureFolder(db, { name: 'default', path: backups(), isDefault: true });
    folderId = folder.id;
    const env = parseEnv({ TXLINE_DATA_DIR: dir, TXLINE_CLUSTER_FILE: path.join(cluster.dir, 'cluster.json') });
    const reindex = () => indexFolder(db, folder);
    runner = new JobRunner(db, {
      bin: TXLINE_BIN,
      onFinished: (job) => {
        reindex();
        applyJobEffects(db, job);
      },
    });
    const collector = new Collector(db, env, { intervalMs: 1000 });
    await collector.tick();
    ctx = { db, runner, collector, env, reindex };
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
      args: ['database', 'backup', `--to-path=${backups()}`, '--type=full', `--from=${proxy.address}`, 'neo4j'],
      createdBy: null,
    });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    // wait until the child has its temporary artifact open
    await waitFor('the temporary artifact', () => leftovers(backups()).length > 0, 30_000).catch((e) => {
      throw new Error(`${(e as Error).message}; job: ${JSON.stringify(getJob(db, { id: first.jobId }))}`);
    });
    const second = cmd.startBackup(ctx, { clusterId: '1', folderId: String(folderId), database: 'neo4j' }, null);
    expect(second).toMatchObject({ ok: false, error: expect.stringContaining(`(job #${first.jobId})`) });
    // another database is not blocked
    const other = cmd.startBackup(ctx, { clusterId: '1', folderId: String(folderId), database: 'system' }, null);
    expect(other.ok).toBe(true);
    expect(cmd.cancelJob(ctx, { jobId: String(first.jobId) })).toEqual({ ok: true });
    const done = await runner.wait(first.jobId);
    proxy.release();
    expect(done).toMatchObject({ status: 'cancelled', error: 'cancelled by request' });
    expect(leftovers(backups())).toEqual([]);
    if (other.ok) expect((await runner.wait(other.jobId))?.status).toBe('succeeded');
    // the lock is free: the next backup runs
    const again = cmd.startBackup(ctx, { clusterId: '1', folderId: String(folderId), database: 'neo4j' }, null);
    expect(again.ok).toBe(true);
    if (again.ok) expect((await runner.wait(again.jobId))?.status).toBe('succeeded');
  });

  it('marks jobs that were running when the server stopped as interrupted', () => {
    const orphan = createJob(db, { kind: 'backup', database: 'orphan', clusterId: 1, folderId, params: {}, args: [], createdBy: null });
    expect(getJob(db, orphan)?.status).toBe('running');
    expect(markInterrupted(db)).toBe(1);
    expect(getJob(db, orphan)).toMatchObject({ status: 'interrupted', error: expect.stringContaining('stopped') });
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

  describe('restore checks', () => {
    it('refuses a point outside every chain on the point step, naming what is restorable', () => {
      const r = cmd.previewRestore(ctx, { clusterId: 1, folderId, database: 'neo4j', point: 'tx', tx: '999999' });
      expect(r).toMatchObject({ ok: false, fieldErrors: { tx: [expect.stringContaining('outside every backup chain')] } });
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
});
