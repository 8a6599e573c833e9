/**
 * A schedule whose location is `s3://bucket/prefix`, end to end: set through the dashboard's own command (the
 * form's), run by the scheduler as ordinary backup jobs of the real job runner (the CLI in child processes,
 * with the server's AWS environment), the artifacts land in a real s3rver on loopback, and the catalog indexes
 * them (confined to the backup roots as the server is: the roots confine folders only, never refusing a URL).
 * The dashboard's restore and delete then take the s3:// artifacts as they take a folder's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { indexFolder } from '../../lib/db/indexer';
import { listArtifactsOfFolder } from '../../lib/db/queries/artifacts';
import { ensureFolder, getFolder, listFolders, upsertEmbeddedCluster } from '../../lib/db/queries/clusters';
import { listJobs } from '../../lib/db/queries/jobs';
import { removeSchedule } from '../../lib/db/queries/schedules';
import { startDeleteArtifact } from '../../lib/dashboard/commands/artifacts';
import type { CommandContext } from '../../lib/dashboard/commands/shared';
import { setScheduleCommand } from '../../lib/dashboard/schedules';
import { parseEnv } from '../../lib/env';
import type { JobRunner } from '../../lib/jobs/runner';
import { Scheduler } from '../../lib/schedules/scheduler';
import { openLocation } from '../../lib/storage';
import { startTestCluster, tempDir, waitFor, waitForConvergence, type TestCluster } from '../helpers/cluster';
import { writeTx } from '../helpers/engine';
import { serverContext } from '../helpers/dashboard';
import { s3rverEnv, setProcessEnv, startS3, type TestS3 } from '../helpers/s3';

describe('a schedule into s3://', () => {
  let cluster: TestCluster;
  let s3: TestS3;
  let dir: string;
  let db: Catalog;
  let runner: JobRunner;
  let ctx: CommandContext;
  let clusterId: number;
  let restoreEnv: (() => void) | undefined;

  beforeAll(async () => {
    [cluster, s3] = await Promise.all([startTestCluster(), startS3()]);
    // the server's environment, which its jobs inherit: the standard AWS variables
    restoreEnv = setProcessEnv(s3rverEnv(s3.endpoint));
    dir = tempDir('s3-scheduler');
    const roots = path.join(dir, 'backups');
    fs.mkdirSync(roots);
    db = openCatalog(path.join(dir, 'txline.sqlite'));
    clusterId = upsertEmbeddedCluster(db, { addresses: cluster.addresses, controlAddress: null }).id;
    const env = parseEnv({ TXLINE_DATA_DIR: dir, TXLINE_CLUSTER_FILE: path.join(cluster.dir, 'cluster.json'), TXLINE_BACKUP_ROOTS: roots });
    const reindex = async (folderId?: number) => {
      for (const f of listFolders(db)) if (folderId === undefined || f.id === folderId) await indexFolder(db, f, env);
    };
    ctx = await serverContext(db, env, reindex);
    runner = ctx.runner;
    await writeTx(cluster.writer, 'neo4j', 20);
    await waitForConvergence(cluster, 'neo4j');
  }, 120_000);

  afterAll(async () => {
    runner?.stopAll();
    await Promise.all([cluster?.stop(), s3?.stop()]);
    db?.$client.close();
    restoreEnv?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('scheduled backups land in s3rver, are indexed, and the dashboard deletes them through the same location', async () => {
    const bucket = await s3.bucket();
    const url = `s3://${bucket}/scheduled`;
    const folder = ensureFolder(db, { name: 'offsite', path: url, isDefault: false });
    const set = setScheduleCommand(ctx, { clusterId, folderId: folder.id, databaseGlob: 'neo4j', diffCron: '*/2 * * * * *', timeZone: 'UTC', enabled: 'on' });
    expect(set).toMatchObject({ ok: true });
    if (!set.ok) return;
    const scheduler = new Scheduler(ctx, { tickMs: 200 });
    // (an occurrence due between the schedule's save and the scheduler's start is made up as a catch-up, by
    // "schedule (catch-up)": its artifact lands in the bucket too)
    const scheduled = () => listJobs(db, { database: 'neo4j' }).filter((j) => j.createdBy === 'schedule' || j.createdBy === 'schedule (catch-up)');
    scheduler.start();
    try {
      await waitFor('two scheduled backups into s3 that succeeded', () => scheduled().filter((j) => j.status === 'succeeded').length >= 2, 45_000);
    } finally {
      scheduler.stop();
      removeSchedule(db, { id: set.scheduleId });
      for (const j of listJobs(db)) if (j.status === 'running') await runner.wait(j.id);
    }
    await waitFor('every job over', () => listJobs(db).every((j) => j.status !== 'running'), 30_000);
    const failed = scheduled().filter((j) => j.status === 'failed');
    expect(failed.map((j) => j.error)).toEqual([]);
    // the artifacts are objects in the bucket: the first a full (no parent yet), the next differentials
    const listed = await openLocation(url, { s3: s3.options() }).list();
    const done = scheduled().filter((j) => j.status === 'succeeded');
    expect(listed.length, JSON.stringify(scheduled().map((j) => [j.id, j.status, j.createdBy]))).toBe(done.length);
    // indexed as a folder's are (confined to the roots, which do not refuse the URL)
    await indexFolder(db, folder, ctx.env);
    const rows = listArtifactsOfFolder(db, { folderId: folder.id });
    expect(rows.map((r) => r.file).sort()).toEqual(listed.map((e) => e.name).sort());
    expect(rows.filter((r) => r.full)).toHaveLength(1);
    expect(getFolder(db, { id: folder.id })?.lastScanError).toBeNull();

    // the dashboard's delete of the full takes its dependents with it, through the s3 location
    const full = rows.find((r) => r.full);
    const del = startDeleteArtifact(ctx, { artifactId: full?.id }, 'tester');
    expect(del).toMatchObject({ ok: true });
    if (!del.ok) return;
    expect(await runner.wait(del.jobId)).toMatchObject({ status: 'succeeded' });
    expect(await openLocation(url, { s3: s3.options() }).list()).toEqual([]);
    await waitFor('the catalog forgets the deleted artifacts', () => listArtifactsOfFolder(db, { folderId: folder.id }).length === 0, 10_000);
  }, 120_000);
});
