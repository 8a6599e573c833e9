/**
 * The restore wizard's help to find the point (issue 14), below the page: a real one-member cluster, real
 * backups in a registered folder, the dashboard's commands with a real job runner's `txline` entry point.
 * Marker nodes are written, then one transaction deletes them: the search "deleted:Marker" finds exactly that
 * transaction, pages are bounded and continue where the last stopped, a bad match is the match field's error
 * before any process starts, the preview at that transaction counts the markers back, a Neo4j cluster's
 * backups are refused naming the scratch-database restore, and a read that runs out of time is stopped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { indexFolder } from '../../lib/db/indexer';
import { addNeo4jCluster, ensureFolder, upsertEmbeddedCluster } from '../../lib/db/queries/clusters';
import * as cmd from '../../lib/dashboard/commands';
import { parseEnv } from '../../lib/env';
import { TxlineError } from '../../lib/errors';
import { JobRunner } from '../../lib/jobs/runner';
import { MAX_WAITING, READ_SLOTS, readsRunning, readsWaiting, runRead } from '../../lib/jobs/read-job';
import { Collector } from '../../lib/monitor/collector';
import { startTestCluster, tempDir, type TestCluster } from '../helpers/cluster';
import { runTxline, TXLINE_BIN } from '../helpers/engine';

const DB = 'shop';
const MARKERS = 4;

let cluster: TestCluster;
let dir: string;
let backups: string;
let db: Catalog;
let ctx: cmd.CommandContext;
let clusterId: number;
let folderId: number;
let neo4jId: number;
const tx: Record<string, number> = {};

async function backup(type: string): Promise<void> {
  const r = await runTxline(['database', 'backup', `--from=${cluster.addresses[0]}`, `--to-path=${backups}`, `--type=${type}`, DB], { addresses: cluster.addresses });
  expect(r.code, r.stderr).toBe(0);
}

beforeAll(async () => {
  cluster = await startTestCluster({ members: 1, secondaries: 0, databases: [DB] });
  dir = tempDir('point-search');
  backups = path.join(dir, 'backups');
  fs.mkdirSync(backups);
  const w = cluster.writer;
  const c = await w.commit(DB, [{ op: 'createNode', ref: '$acme', labels: ['Customer'], properties: { name: 'Acme' } }]);
  await backup('full');
  const markers: number[] = [];
  for (let i = 0; i < MARKERS; i++) {
    const r = await w.commit(DB, [
      { op: 'createNode', ref: '$m', labels: ['Marker'], properties: { tag: `m${i}` } },
      { op: 'createRelationship', type: 'MARKS', start: '$m', end: c.ids.$acme, properties: {} },
    ]);
    markers.push(r.ids.$m);
    tx[`marker${i}`] = r.txId;
  }
  tx.damage = (await w.commit(DB, markers.map((id) => ({ op: 'deleteNode', node: id })))).txId;
  tx.after = (await w.commit(DB, [{ op: 'createNode', labels: ['Order'], properties: { total: 1 } }])).txId;
  await backup('diff');

  db = openCatalog(path.join(dir, 'txline.sqlite'));
  clusterId = upsertEmbeddedCluster(db, { addresses: cluster.addresses, controlAddress: null }).id;
  const folder = ensureFolder(db, { name: 'default', path: backups, isDefault: true });
  folderId = folder.id;
  await indexFolder(db, folder);
  neo4jId = addNeo4jCluster(db, {
    name: 'prod graph',
    address: '127.0.0.1:1',
    uri: 'neo4j://127.0.0.1:1',
    user: 'neo4j',
    passwordSealed: 'not-opened-here',
    neo4jAdmin: '/usr/bin/neo4j-admin',
    backupFrom: null,
    location: '/srv/neo4j-backups',
  }).id;
  const env = parseEnv({ TXLINE_DATA_DIR: dir, TXLINE_CLUSTER_FILE: path.join(cluster.dir, 'cluster.json'), TXLINE_BACKUP_ROOTS: backups });
  const runner = new JobRunner(db, { bin: TXLINE_BIN });
  ctx = { db, runner, collector: new Collector(db, env, { intervalMs: 60_000 }), env, reindex: async () => {} };
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  db?.$client.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const where = () => ({ clusterId, folderId, database: DB });

describe('the transaction search', () => {
  it('finds exactly the transaction that deleted the markers, with what it did', async () => {
    const r = await cmd.searchTransactions(ctx, { ...where(), match: 'deleted:Marker' });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    expect(r.page.entries.map((e) => e.txId)).toEqual([tx.damage]);
    expect(r.page.entries[0]).toMatchObject({ deleted: { nodes: MARKERS, relationships: MARKERS }, created: { nodes: 0, relationships: 0 }, labels: ['Marker'], types: ['MARKS'] });
    expect(r.page.nextTx).toBeNull();
    expect(readsRunning()).toBe(0);
  });

  it('pages: a bounded page, then the next from where it stopped, within from/to', async () => {
    const first = await cmd.searchTransactions(ctx, { ...where(), match: 'label:Marker', limit: '2' });
    if (!first.ok) throw new Error(first.error);
    expect(first.page.entries.map((e) => e.txId)).toEqual([tx.marker0, tx.marker1]);
    expect(first.page.nextTx).toBe(tx.marker2);
    const second = await cmd.searchTransactions(ctx, { ...where(), match: 'label:Marker', limit: '2', fromTx: String(first.page.nextTx), toTx: String(tx.damage - 1) });
    if (!second.ok) throw new Error(second.error);
    expect(second.page.entries.map((e) => e.txId)).toEqual([tx.marker2, tx.marker3]);
    // everything (no match), within a range
    const all = await cmd.searchTransactions(ctx, { ...where(), fromTx: String(tx.damage), toTx: '' });
    if (!all.ok) throw new Error(all.error);
    expect(all.page.entries.map((e) => e.txId)).toEqual([tx.damage, tx.after]);
  });

  it('refuses a bad match, a reversed range and an oversized page on their fields, starting no process', async () => {
    const bad = await cmd.searchTransactions(ctx, { ...where(), match: 'destroyed:Marker' });
    expect(bad).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT', fieldErrors: { match: [expect.stringContaining('unknown condition "destroyed"')] } });
    expect(await cmd.searchTransactions(ctx, { ...where(), fromTx: '9', toTx: '3' })).toMatchObject({ ok: false, fieldErrors: { toTx: [expect.any(String)] } });
    expect(await cmd.searchTransactions(ctx, { ...where(), fromTx: '-1' })).toMatchObject({ ok: false, fieldErrors: { fromTx: [expect.any(String)] } });
    expect(await cmd.searchTransactions(ctx, { ...where(), limit: '101' })).toMatchObject({ ok: false, fieldErrors: { limit: [expect.any(String)] } });
    expect(await cmd.searchTransactions(ctx, { ...where(), database: 'nothing-here' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
    expect(readsRunning()).toBe(0);
  });

  it("refuses a Neo4j cluster's backups, naming the restore into a scratch database to run instead", async () => {
    const r = await cmd.searchTransactions(ctx, { ...where(), clusterId: neo4jId, match: 'deleted:Marker' });
    expect(r).toMatchObject({ ok: false, code: 'NOT_SUPPORTED' });
    if (r.ok) return;
    expect(r.error).toContain("Neo4j's own format");
    expect(r.error).toContain(`txline database restore '--cluster=prod graph' --from-path=/srv/neo4j-backups --from-database=${DB} ${DB}-scratch`);
    expect(await cmd.previewPoint(ctx, { ...where(), clusterId: neo4jId, point: 'tx', tx: String(tx.damage) })).toMatchObject({ ok: false, code: 'NOT_SUPPORTED' });
  });
});

describe('the preview at a point', () => {
  it('counts the markers back at the transaction before the damage, beside the newest point', async () => {
    const r = await cmd.previewPoint(ctx, { ...where(), point: 'tx', tx: String(tx.damage) });
    if (!r.ok) throw new Error(r.error);
    expect(r.preview.at.txId).toBe(tx.damage - 1);
    expect(r.preview.newest.txId).toBe(tx.after);
    expect(r.preview.labels.find((d) => d.name === 'Marker')).toEqual({ name: 'Marker', at: MARKERS, newest: 0, difference: MARKERS });
    expect(r.preview.sentences).toContain(`at tx ${tx.damage - 1}: ${MARKERS} :Marker nodes more than now (${MARKERS} then, 0 at tx ${tx.after})`);
    expect(await cmd.previewPoint(ctx, { ...where(), point: 'tx', tx: '0' })).toMatchObject({ ok: false, fieldErrors: { tx: [expect.any(String)] } });
    expect(await cmd.previewPoint(ctx, { ...where(), point: 'tx', tx: '999999' })).toMatchObject({ ok: false, code: 'RESTORE_POINT_OUTSIDE_CHAIN' });
  });
});

describe('a bounded read', () => {
  const input = () => ({ database: DB, fromPath: [backups], match: [], limit: 10, confineToRoots: [] });

  it('is stopped when its time is up, and says so with TIMEOUT', async () => {
    const err = await runRead('log', input(), { bin: TXLINE_BIN, timeoutMs: 30, what: 'the search' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TxlineError);
    expect((err as TxlineError).code).toBe('TIMEOUT');
    expect((err as TxlineError).message).toMatch(/the search did not finish within .* and was stopped/);
    expect(readsRunning()).toBe(0);
  });

  it('is stopped when its caller goes away', async () => {
    const ac = new AbortController();
    const p = runRead('log', input(), { bin: TXLINE_BIN, timeoutMs: 20_000, what: 'the search', signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await expect(p).rejects.toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('abandoned') });
    expect(readsRunning()).toBe(0);
  });

  it("keeps the child's error code, and runs at most two at once (the third waits its turn)", async () => {
    await expect(runRead('log', { ...input(), fromPath: [path.join(dir, 'missing')] }, { bin: TXLINE_BIN, timeoutMs: 20_000, what: 'the search' })).rejects.toMatchObject({ code: 'PATH_NOT_FOUND' });
    const three = [1, 2, 3].map(() => runRead('log', input(), { bin: TXLINE_BIN, timeoutMs: 30_000, what: 'the search' }));
    expect([readsRunning(), readsWaiting()]).toEqual([READ_SLOTS, 1]);
    // a caller that goes away while waiting gives its place up; beyond MAX_WAITING a read is refused at once
    const gone = new AbortController();
    const waiter = runRead('log', input(), { bin: TXLINE_BIN, timeoutMs: 30_000, what: 'the search', signal: gone.signal });
    expect(readsWaiting()).toBe(2);
    gone.abort();
    await expect(waiter).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(readsWaiting()).toBe(1);
    const more = Array.from({ length: MAX_WAITING - 1 }, () => new AbortController());
    const queued = more.map((c) => runRead('log', input(), { bin: TXLINE_BIN, timeoutMs: 30_000, what: 'the search', signal: c.signal }));
    await expect(runRead('log', input(), { bin: TXLINE_BIN, timeoutMs: 30_000, what: 'the search' })).rejects.toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('was not started') });
    for (const c of more) c.abort();
    await Promise.allSettled(queued);
    const pages = await Promise.all(three);
    expect(pages.map((p) => p.entries.length)).toEqual([10, 10, 10].map(() => Math.min(10, tx.after - tx.marker0 + 1)));
    expect([readsRunning(), readsWaiting()]).toEqual([0, 0]);
  });
});
