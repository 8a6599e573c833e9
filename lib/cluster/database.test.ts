/**
 * One database (store + log + the commit pipeline) on real files: group commit with whole-transaction
 * validation, recovery of the store from the log, pruning answers, snapshots and store installs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isTxlineError } from '../errors';
import { GraphDatabase } from './database';
import type { ClientOp, ResolvedOp } from '../graph/ops';
import { encodeRecord, encodeTx } from '../graph/record';
import { parseRetention } from './retention';
import { digestOnWorker } from './digest-worker';
import { checkConsistency, computeDigest, GraphStore } from '../graph/store';

const dirs: string[] = [];
const open: GraphDatabase[] = [];
afterEach(() => {
  for (const d of open.splice(0)) d.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-db-'));
  dirs.push(d);
  return d;
}

function newDb(root: string, opts: { rotationSize?: number; retention?: string } = {}, name = 'neo4j'): GraphDatabase & { logLines: string[] } {
  const logLines: string[] = [];
  const db = new GraphDatabase(name, root, {
    rotationSize: opts.rotationSize ?? 1024 * 1024,
    retention: parseRetention(opts.retention ?? 'keep_all'),
    log: (m) => logLines.push(m),
  }) as GraphDatabase & { logLines: string[] };
  db.logLines = logLines;
  open.push(db);
  return db;
}

const person = (i: number): ClientOp[] => [{ op: 'createNode', ref: '$p', labels: ['Person'], properties: { i, name: `p${i}` } }];

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

describe('GraphDatabase', () => {
  it('commits concurrent transactions with consecutive IDs; a bad one is rejected alone', async () => {
    const db = newDb(tmp());
    db.open();
    const good = Array.from({ length: 50 }, (_, i) => db.commit(person(i)));
    const bad = db.commit([...person(999), { op: 'deleteNode', node: 123_456 }]);
    const more = Array.from({ length: 50 }, (_, i) => db.commit(person(100 + i)));
    const err = await rejection(bad);
    expect(isTxlineError(err, 'TX_INVALID')).toBe(true);
    expect(String((err as Error).message)).toMatch(/node 123456 does not exist/);
    const ids = (await Promise.all([...good, ...more])).map((r) => r.txId);
    expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(db.lastCommittedTxn).toBe(100);
    const d = await db.digest();
    expect(d).toMatchObject({ lastCommittedTxn: 100, nodes: 100, relationships: 0 });
    // the bad transaction left nothing behind: no node 999, no ID taken
    expect(db.nodes({ label: 'Person', limit: 1000 }).some((n) => n.properties.i === 999)).toBe(false);
    expect(db.meta.nextNodeId).toBe(100);
    const reader = GraphStore.openReader(db.storeFile);
    expect(checkConsistency(reader)).toEqual([]);
    reader.close();
  });

  it('a digest on a worker thread (as big stores get) equals the one on this thread, and depends on content only', async () => {
    const db = newDb(tmp());
    db.open();
    for (let i = 0; i < 30; i++) {
      await db.commit([
        { op: 'createNode', ref: '$a', labels: ['Person', 'Active'], properties: { name: `Malmö ${i}`, tags: ['x', 'ÿ'], n: i } },
        { op: 'createNode', ref: '$b', labels: ['Company'], properties: {} },
        { op: 'createRelationship', type: 'WORKS_AT', start: '$a', end: '$b', properties: { since: 2000 + i } },
      ]);
    }
    await db.commit([{ op: 'deleteNode', node: 4 }]); // a gap in the IDs, and one relationship fewer
    const here = computeDigest(GraphStore.openReader(db.storeFile));
    expect(here).toMatchObject({ lastCommittedTxn: 31, nodes: 59, relationships: 29 });
    expect(await digestOnWorker(db.storeFile)).toEqual(here);
    expect(await db.digest()).toEqual(here);
    // one property more changes the hash; taking it away again restores it
    await db.commit([{ op: 'setProperties', node: 0, properties: { extra: true } }]);
    const changed = await digestOnWorker(db.storeFile);
    expect(changed.contentHash).not.toBe(here.contentHash);
    await db.commit([{ op: 'removeProperty', node: 0, key: 'extra' }]);
    expect((await db.digest()).contentHash).toBe(here.contentHash);
  });

  it('returns the IDs of referenced entities', async () => {
    const db = newDb(tmp());
    db.open();
    await db.commit(person(0));
    const r = await db.commit([
      { op: 'createNode', ref: '$a', labels: ['P'], properties: {} },
      { op: 'createRelationship', ref: '$r', type: 'KNOWS', start: '$a', end: 0, properties: {} },
    ]);
    expect(r).toEqual({ txId: 2, ids: { $a: 1, $r: 0 } });
  });

  it('refuses a replicated batch whose rows cannot be written before its records are logged, and goes on', async () => {
    const db = newDb(tmp());
    db.open();
    const payload = (ops: unknown[]) => encodeTx(ops as ResolvedOp[], { nodes: [], relationships: [] });
    const first = encodeRecord(1, Date.now(), 0, payload([{ op: 'createNode', id: 0, labels: ['A'], properties: {} }]));
    await db.applyReplicated([first]);
    const second = encodeRecord(2, Date.now(), first.checksum, payload([{ op: 'createNode', id: 1, labels: ['B'], properties: {} }]));
    // a relationship without a type: its row is held back in the batch, and SQLite cannot take it
    const bad = encodeRecord(3, Date.now(), second.checksum, payload([{ op: 'createRelationship', id: 0, start: 0, end: 1, properties: {} }]));
    // (the log itself, watched: its append is what must not happen)
    const append = vi.spyOn((db as unknown as { txlog: { append: (...a: unknown[]) => unknown } }).txlog, 'append');
    await expect(db.applyReplicated([second, bad])).rejects.toThrow(/NOT NULL/);
    expect(append).not.toHaveBeenCalled();
    expect(db.lastCommittedTxn).toBe(1);
    await db.applyReplicated([second]);
    expect(db.lastCommittedTxn).toBe(2);
    expect(append).toHaveBeenCalledTimes(1);
    expect((await db.digest()).nodes).toBe(2);
  });

  it('recovers a store that is behind its log (a crash between log sync and store commit)', async () => {
    const root = tmp();
    const db = newDb(root);
    db.open();
    for (let i = 0; i < 10; i++) await db.commit(person(i));
    // the store as it was at transaction 10
    const snap = await db.snapshot();
    const copy = path.join(root, 'store-at-10.sqlite');
    fs.copyFileSync(snap.file, copy);
    snap.release();
    expect(snap.meta.lastTxId).toBe(10);
    await Promise.all(Array.from({ length: 30 }, (_, i) => db.commit(person(10 + i))));
    const digest = await db.digest();
    db.close();
    // put the old store back, as if the commits after 10 never reached it
    for (const ext of ['', '-wal', '-shm']) fs.rmSync(db.storeFile + ext, { force: true });
    fs.copyFileSync(copy, db.storeFile);

    const again = newDb(root);
    again.open();
    expect(again.logLines.some((l) => /recovered 30 transaction\(s\) from the log, now at 40/.test(l))).toBe(true);
    expect(again.lastCommittedTxn).toBe(40);
    expect(await again.digest()).toEqual(digest);
    // and the next transaction continues the history
    expect((await again.commit(person(40))).txId).toBe(41);
  });

  it('after a torn write at the end of the log, reopens at the last whole transaction and goes on', async () => {
    const root = tmp();
    const db = newDb(root);
    db.open();
    for (let i = 0; i < 5; i++) await db.commit(person(i));
    const digest = await db.digest();
    db.close();
    const logDir = path.join(root, 'neo4j', 'txlog');
    const seg = fs.readdirSync(logDir).filter((n) => n.endsWith('.log')).sort().at(-1) as string;
    fs.appendFileSync(path.join(logDir, seg), Buffer.from([40, 0, 0, 0, 1, 2, 3]));

    const again = newDb(root);
    again.open();
    expect(again.lastCommittedTxn).toBe(5);
    expect(await again.digest()).toEqual(digest);
    expect((await again.commit(person(5))).txId).toBe(6);
    const { ranges } = again.logRanges(1);
    for (const r of ranges) fs.closeSync(r.fd);
    again.close();
    const third = newDb(root);
    third.open();
    expect(third.lastCommittedTxn).toBe(6);
  });

  it('answers TX_PRUNED with the lowest available transaction below the log window', async () => {
    const db = newDb(tmp(), { rotationSize: 2048, retention: '1 files' });
    db.open();
    for (let i = 0; i < 100; i++) await db.commit(person(i));
    const lowest = db.lowestAvailableTxn();
    expect(lowest).toBeGreaterThan(1);
    const err = await rejection(Promise.resolve().then(() => db.logRanges(lowest - 1)));
    expect(isTxlineError(err, 'TX_PRUNED')).toBe(true);
    expect((err as { details?: unknown }).details).toEqual({ lowestAvailableTxn: lowest });
    const ok = db.logRanges(lowest);
    for (const r of ok.ranges) fs.closeSync(r.fd);
    expect(ok.lastTxId).toBe(100);
  });

  it('describes itself while offline: as it was when it stopped, or from the store file when never opened', async () => {
    const root = tmp();
    const db = newDb(root, { rotationSize: 2048 });
    expect(db.describe()).toBeNull(); // no store yet
    db.open();
    for (let i = 0; i < 30; i++) await db.commit(person(i));
    const online = db.describe();
    expect(online).toMatchObject({ databaseId: db.meta.databaseId, storeId: db.meta.storeId, lastTxId: 30, lowestAvailableTxn: 1 });
    expect(online?.lastCommitTime).toBeGreaterThan(0);
    await db.stop();
    expect(db.describe()).toEqual(online);
    // another process (a restarted member) that has not opened it reads the store file
    const fresh = newDb(root);
    expect(fresh.describe()).toEqual({ ...online, lowestAvailableTxn: 31 });
  });

  it('rejects transactions while offline, and works again after start', async () => {
    const db = newDb(tmp());
    db.open();
    await db.commit(person(0));
    await db.stop();
    expect(db.status).toBe('offline');
    const err = await rejection(Promise.resolve().then(() => db.commit(person(1))));
    expect(isTxlineError(err, 'DATABASE_OFFLINE')).toBe(true);
    await db.start();
    expect((await db.commit(person(1))).txId).toBe(2);
  });

  it('a snapshot installed elsewhere with a new store ID gives the same content and a new history', async () => {
    const a = newDb(tmp());
    a.open();
    await Promise.all(Array.from({ length: 20 }, (_, i) => a.commit(person(i))));
    const snap = await a.snapshot();
    const rootB = tmp();
    const b = newDb(rootB);
    b.open();
    await b.commit(person(1234)); // something to be replaced
    const upload = path.join(rootB, 'incoming.sqlite');
    fs.copyFileSync(snap.file, upload);
    snap.release();
    const storeId = randomUUID();
    const meta = await b.install(upload, { storeId });
    expect(meta.storeId).toBe(storeId);
    expect(meta.lastTxId).toBe(20);
    expect(await b.digest()).toEqual(await a.digest());
    expect(b.meta.databaseId).toBe(a.meta.databaseId);
    expect(b.lowestAvailableTxn()).toBe(21);
    expect((await b.commit(person(20))).txId).toBe(21);
  });
});
