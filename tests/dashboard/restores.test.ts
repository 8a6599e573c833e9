/**
 * Restore traceability from job rows (no table of its own): a database's jobs list the restores made from it,
 * and a restored database says where it came from (source, transaction, time), unless it has had another store
 * ID since. Real catalog (SQLite in memory), real job rows as the wizard writes them.
 */
import { describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { addRemoteCluster, ensureFolder } from '../../lib/db/queries/clusters';
import { createJob, finishJob, jobsPage, latestRestores, listJobs } from '../../lib/db/queries/jobs';
import { currentRestore, restoreKey, restoreRoute, restoredFrom, restoresByTarget } from '../../lib/dashboard/restores';
import type { JobResult } from '../../lib/jobs/protocol';

function catalog(): { db: Catalog; a: number; b: number; f: number } {
  const db = openCatalog(':memory:');
  const a = addRemoteCluster(db, { name: 'a', addresses: ['127.0.0.1:1'] }).id;
  const b = addRemoteCluster(db, { name: 'b', addresses: ['127.0.0.1:2'] }).id;
  const f = ensureFolder(db, { name: 'one', path: '/backups/one', isDefault: true }).id;
  return { db, a, b, f };
}

const result = (database: string, restoredTx: number, storeId: string): JobResult<'restore'> => ({
  ts: '2026-12-06T10:00:00.000Z',
  event: 'result',
  phase: 'result',
  bytesDone: 100,
  bytesTotal: 100,
  txDone: restoredTx,
  txTotal: restoredTx,
  exitCode: 0,
  database,
  restoredTx,
  replayed: 3,
  storeId,
  chain: ['x-2026-12-06T10-00-00.backup'],
  digest: { lastCommittedTxn: restoredTx, nodes: 1, relationships: 0, contentHash: 'h' },
  problems: [],
});

/** A restore job as the wizard files it: under the target, the source in params.database. */
function restore(db: Catalog, c: { clusterId: number; folderId: number; source: string; target: string; status?: 'succeeded' | 'failed'; tx?: number; storeId?: string }) {
  const j = createJob(db, { kind: 'restore', database: c.target, clusterId: c.clusterId, folderId: c.folderId, params: { clusterId: c.clusterId, folderId: c.folderId, database: c.source, point: 'latest' }, args: [], createdBy: 'admin' });
  const ok = (c.status ?? 'succeeded') === 'succeeded';
  finishJob(db, j, { status: ok ? 'succeeded' : 'failed', exitCode: ok ? 0 : 1, log: '', result: ok ? result(c.target, c.tx ?? 10, c.storeId ?? 's1') : null });
  return j.id;
}

function backup(db: Catalog, clusterId: number, folderId: number, database: string) {
  const j = createJob(db, { kind: 'backup', database, clusterId, folderId, params: { type: 'auto' }, args: [], createdBy: 'admin' });
  finishJob(db, j, { status: 'succeeded', exitCode: 0, log: '' });
  return j.id;
}

describe('restores traced from their source', () => {
  it("lists the restores made from a database among its jobs, and not among another database's", () => {
    const { db, a, f } = catalog();
    const b1 = backup(db, a, f, 'neo4j');
    const r1 = restore(db, { clusterId: a, folderId: f, source: 'neo4j', target: 'copy' });
    const b2 = backup(db, a, f, 'copy');
    const r2 = restore(db, { clusterId: a, folderId: f, source: 'neo4j', target: 'neo4j', tx: 20 });
    const r3 = restore(db, { clusterId: a, folderId: f, source: 'orders', target: 'copy' });
    const ids = (rows: Array<{ id: number }>) => rows.map((r) => r.id);
    // filed under the target only, as before
    expect(ids(listJobs(db, { database: 'neo4j' }))).toEqual([r2, b1]);
    // with the restores made from it
    expect(ids(listJobs(db, { database: 'neo4j', withRestoresFrom: true }))).toEqual([r2, r1, b1]);
    expect(ids(listJobs(db, { database: 'copy', withRestoresFrom: true }))).toEqual([r3, b2, r1]);
    expect(ids(listJobs(db, { database: 'orders', withRestoresFrom: true }))).toEqual([r3]);
    expect(jobsPage(db, { database: 'neo4j', withRestoresFrom: true, limit: 2 })).toMatchObject({ total: 3, older: r1 });
    // a name that only looks like JSON does not match anything else
    expect(listJobs(db, { database: "neo4j' OR 1=1 --", withRestoresFrom: true })).toEqual([]);
    // each row says which way it went
    const rows = listJobs(db, { database: 'neo4j', withRestoresFrom: true });
    expect(rows.map((r) => restoreRoute(r))).toEqual([{ source: 'neo4j', target: 'neo4j' }, { source: 'neo4j', target: 'copy' }, null]);
  });

  it('says where a restored database came from: the newest succeeded restore into it, per cluster', () => {
    const { db, a, b, f } = catalog();
    restore(db, { clusterId: a, folderId: f, source: 'neo4j', target: 'copy', tx: 128, storeId: 'old' });
    const newer = restore(db, { clusterId: a, folderId: f, source: 'orders', target: 'copy', tx: 42, storeId: 'new' });
    restore(db, { clusterId: a, folderId: f, source: 'neo4j', target: 'copy', status: 'failed' });
    const onB = restore(db, { clusterId: b, folderId: f, source: 'neo4j', target: 'copy', tx: 7, storeId: 'b1' });
    const byTarget = restoresByTarget(latestRestores(db));
    expect(byTarget.size).toBe(2);
    expect(byTarget.get(restoreKey(a, 'copy'))).toMatchObject({ jobId: newer, source: 'orders', target: 'copy', tx: 42, storeId: 'new' });
    expect(byTarget.get(restoreKey(b, 'copy'))).toMatchObject({ jobId: onB, source: 'neo4j', tx: 7 });
    expect(byTarget.get(restoreKey(a, 'copy'))?.at).toBeGreaterThan(0);
    expect(latestRestores(db, { database: 'neo4j' })).toEqual([]);

    const latest = byTarget.get(restoreKey(a, 'copy'));
    // the cluster reports the store ID the restore gave it: this restore made the database
    expect(currentRestore(latest, 'new')?.jobId).toBe(newer);
    // another store ID since (restored or recreated elsewhere): not this restore's database any more
    expect(currentRestore(latest, 'other')).toBeNull();
    // a cluster that does not report store IDs: taken at its word
    expect(currentRestore(latest, null)?.jobId).toBe(newer);
    expect(currentRestore(undefined, 'new')).toBeNull();
  });

  it('reads nothing from rows that do not say (a failed restore, another kind, no source)', () => {
    const base = { id: 1, database: 'copy', clusterId: 1, endedAt: 5, startedAt: 1, createdAt: 1 };
    const r = result('copy', 9, 's');
    expect(restoredFrom({ ...base, kind: 'restore', status: 'succeeded', params: { database: 'neo4j' }, result: r })).toMatchObject({ source: 'neo4j', tx: 9, at: 5 });
    expect(restoredFrom({ ...base, kind: 'restore', status: 'failed', params: { database: 'neo4j' }, result: r })).toBeNull();
    expect(restoredFrom({ ...base, kind: 'backup', status: 'succeeded', params: { database: 'neo4j' }, result: r })).toBeNull();
    expect(restoredFrom({ ...base, kind: 'restore', status: 'succeeded', params: {}, result: r })).toBeNull();
    expect(restoredFrom({ ...base, kind: 'restore', status: 'succeeded', params: { database: 'neo4j' }, result: { nonsense: true } })).toBeNull();
  });
});
