/**
 * A Neo4j cluster from the dashboard: registered from the settings' command (the fields of `txline cluster add`,
 * the password sealed and never returned, the neo4j-admin one of TXLINE_NEO4J_ADMINS, the location inside the
 * backup roots), backed up as a job and restored as a new database by seeding as a job: the job runs the CLI's
 * code (`--cluster=<name>`), its result is the job protocol's, the artifacts are indexed from neo4j-admin's
 * listing, and the seeded database ends where the user said on every member. Real members, the real job
 * runner, the stand-in neo4j-admin.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { indexFolder } from '../../lib/db/indexer';
import { listArtifactsOfFolder } from '../../lib/db/queries/artifacts';
import { getClusterByName, getFolder, listFolders, upsertEmbeddedCluster } from '../../lib/db/queries/clusters';
import { getJob } from '../../lib/db/queries/jobs';
import * as cmd from '../../lib/dashboard/commands';
import { addNeo4jClusterCommand } from '../../lib/dashboard/commands/clusters';
import { startSeedRestore } from '../../lib/dashboard/commands/neo4j-restore';
import { parseEnv, type TxlineEnv } from '../../lib/env';
import { isNeo4jRestoreResult, jobResult } from '../../lib/jobs/protocol';
import { JobRunner } from '../../lib/jobs/runner';
import { Collector } from '../../lib/monitor/collector';
import { closeBoltDrivers } from '../../lib/sources/neo4j/bolt';
import { startTestCluster, tempDir, waitFor, type TestCluster } from '../helpers/cluster';
import { TXLINE_BIN, writeTx } from '../helpers/engine';

const STANDIN = path.resolve(import.meta.dirname, '../fixtures/neo4j-admin/neo4j-admin.mjs');

let cluster: TestCluster;
let dir: string;
let db: Catalog;
let env: TxlineEnv;
let runner: JobRunner;
let collector: Collector;
let ctx: cmd.CommandContext;
let password: string;
let uri: string;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2 });
  // the stand-in reaches the embedded members with the token beside cluster.json, as a server's job would
  process.env.TXLINE_CLUSTER_FILE = path.join(cluster.dir, 'cluster.json');
  password = fs.readFileSync(path.join(cluster.dir, 'bolt-password'), 'utf8').trim();
  uri = `neo4j://${(await cluster.writer.status()).member.boltAddress}`;
  dir = tempDir('neo4j-dash');
  fs.mkdirSync(path.join(dir, 'roots'));
  env = parseEnv({ TXLINE_DATA_DIR: dir, TXLINE_CLUSTER_FILE: path.join(cluster.dir, 'cluster.json'), TXLINE_BACKUP_ROOTS: path.join(dir, 'roots'), TXLINE_NEO4J_ADMINS: STANDIN });
  db = openCatalog(env.catalog);
  upsertEmbeddedCluster(db, { addresses: cluster.addresses, controlAddress: null });
  const reindex = async (folderId?: number) => {
    for (const f of folderId === undefined ? listFolders(db) : [getFolder(db, { id: folderId })].filter((x) => x !== undefined)) await indexFolder(db, f, env);
  };
  runner = new JobRunner(db, { bin: TXLINE_BIN, onFinished: async (job) => reindex(job.folderId ?? undefined) });
  collector = new Collector(db, env, { intervalMs: 1000 });
  ctx = { db, runner, collector, env, reindex };
  await writeTx(cluster.writer, 'neo4j', 4);
}, 90_000);

afterAll(async () => {
  runner?.stopAll();
  await closeBoltDrivers();
  await cluster?.stop();
  db?.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const form = (over: Record<string, string> = {}) => ({ name: 'prod', uri, user: 'neo4j', password, neo4jAdmin: STANDIN, backupFrom: cluster.addresses.join(', '), location: path.join(dir, 'roots', 'prod'), ...over });

async function finished(jobId: number) {
  await runner.wait(jobId);
  const j = getJob(db, { id: jobId });
  if (!j) throw new Error(`no job ${jobId}`);
  return j;
}

describe('a Neo4j cluster on the dashboard', () => {
  it('refuses a neo4j-admin the server does not allow and a location outside the roots, before storing anything', async () => {
    expect(await addNeo4jClusterCommand(ctx, form({ neo4jAdmin: '/bin/sh' }))).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT', fieldErrors: { neo4jAdmin: expect.any(Array) } });
    expect(await addNeo4jClusterCommand(ctx, form({ location: path.join(dir, 'outside') }))).toMatchObject({ ok: false, code: 'PATH_OUTSIDE_ROOTS' });
    expect(await addNeo4jClusterCommand(ctx, form({ uri: 'http://x:7474' }))).toMatchObject({ ok: false, fieldErrors: { uri: expect.any(Array) } });
    expect(await addNeo4jClusterCommand(ctx, form({ name: '../x' }))).toMatchObject({ ok: false, fieldErrors: { name: expect.any(Array) } });
    expect(getClusterByName(db, { name: 'prod' })).toBeUndefined();
    expect(fs.existsSync(path.join(dir, 'outside'))).toBe(false);
  });

  it('registers it with the password sealed (never in the result), its location a folder', async () => {
    const r = await addNeo4jClusterCommand(ctx, form());
    expect(r.ok).toBe(true);
    expect(JSON.stringify(r)).not.toContain(password);
    const row = getClusterByName(db, { name: 'prod' });
    expect(row).toMatchObject({ kind: 'neo4j', uri, boltUser: 'neo4j', neo4jAdmin: STANDIN, backupFrom: cluster.addresses, location: path.join(dir, 'roots', 'prod') });
    expect(row?.passwordSealed).not.toContain(password);
    expect(listFolders(db).find((f) => f.path === path.join(dir, 'roots', 'prod'))?.name).toBe('prod');
    expect(await addNeo4jClusterCommand(ctx, form())).toMatchObject({ ok: false, code: 'ALREADY_EXISTS' });
  });

  it('backs up as a job (the CLI with --cluster), whose result the dashboard reads, and indexes the artifact', async () => {
    const row = getClusterByName(db, { name: 'prod' });
    const folder = listFolders(db).find((f) => f.path === row?.location);
    if (!row || !folder) throw new Error('not registered');
    await collector.tick();
    expect(cmd.startBackup(ctx, { clusterId: row.id, folderId: folder.id, database: 'neo4j', member: cluster.addresses[0] }, 'admin')).toMatchObject({ ok: false, code: 'NOT_SUPPORTED' });
    const defaultFolder = listFolders(db).find((f) => f.id !== folder.id);
    if (defaultFolder) expect(cmd.startBackup(ctx, { clusterId: row.id, folderId: defaultFolder.id, database: 'neo4j' }, 'admin')).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
    const started = cmd.startBackup(ctx, { clusterId: row.id, folderId: folder.id, database: 'neo4j', type: 'full' }, 'admin');
    if (!started.ok) throw new Error(started.error);
    expect(started.audit.detail).toContain('neo4j-admin of prod');
    const j = await finished(started.jobId);
    expect(j.error, j.log ?? '').toBeNull();
    expect(j.status).toBe('succeeded');
    const res = jobResult('backup', j.result);
    expect(res?.results[0]).toMatchObject({ database: 'neo4j', ok: true, type: 'full' });
    const rows = listArtifactsOfFolder(db, { folderId: folder.id });
    expect(rows.map((x) => x.file)).toEqual([res?.results[0].artifact]);

    // Txline's engine does not verify, aggregate or delete Neo4j's artifacts: refused, not attempted
    for (const refused of [
      cmd.startVerifyChain(ctx, { folderId: folder.id, database: 'neo4j' }, 'admin'),
      cmd.startAggregate(ctx, { folderId: folder.id, database: 'neo4j' }, 'admin'),
      cmd.startVerifyArtifact(ctx, { artifactId: rows[0].id }, 'admin'),
    ]) {
      expect(refused).toMatchObject({ ok: false, code: 'NOT_SUPPORTED', error: expect.stringContaining('neo4j-admin') });
    }
  }, 120_000);

  it('restores as a new database by seeding, as a job, ending at the transaction asked for on every member', async () => {
    const row = getClusterByName(db, { name: 'prod' });
    const folder = listFolders(db).find((f) => f.path === row?.location);
    if (!row || !folder) throw new Error('not registered');
    const top = listArtifactsOfFolder(db, { folderId: folder.id })[0].highestTx;
    await writeTx(cluster.writer, 'neo4j', 3);
    await new Promise((res) => setTimeout(res, 1100));
    const b = cmd.startBackup(ctx, { clusterId: row.id, folderId: folder.id, database: 'neo4j' }, 'admin');
    if (!b.ok) throw new Error(b.error);
    expect((await finished(b.jobId)).status).toBe('succeeded');
    await collector.tick();
    expect(startSeedRestore(ctx, { clusterId: row.id, folderId: folder.id, database: 'neo4j', target: 'neo4j' }, 'admin')).toMatchObject({ ok: false, code: 'DESTINATION_EXISTS' });
    expect(startSeedRestore(ctx, { clusterId: row.id, folderId: folder.id, database: 'neo4j', target: 'copy', endsAt: String(top + 50) }, 'admin')).toMatchObject({ ok: false, code: 'RESTORE_POINT_OUTSIDE_CHAIN' });

    const endsAt = top + 2;
    const s = startSeedRestore(ctx, { clusterId: row.id, folderId: folder.id, database: 'neo4j', target: 'copy', endsAt: String(endsAt) }, 'admin');
    if (!s.ok) throw new Error(s.error);
    expect(s.audit.detail).toContain(`seedRestoreUntil ${endsAt + 1}`);
    const j = await finished(s.jobId);
    expect(j.status, j.log ?? '').toBe('succeeded');
    const r = jobResult('restore', j.result);
    expect(r && isNeo4jRestoreResult(r) ? r.copies.map((c) => c.lastCommittedTxn) : null).toEqual([endsAt, endsAt]);
    await waitFor('both members to hold copy at its end', async () => {
      const all = await Promise.all(Object.values(cluster.clients).map(async (c) => (await c.status()).databases.find((d) => d.name === 'copy')?.lastCommittedTxn));
      return all.every((x) => x === endsAt);
    });
  }, 180_000);
});
