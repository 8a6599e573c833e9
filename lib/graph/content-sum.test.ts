/**
 * The content sum (./content-sum.ts) as the store's writer keeps it: after client transactions, logged batches
 * with deferred node and relationship rows (relationships written before a later transaction of the batch reads
 * or deletes them, and one whose ID is taken refused where its operation is), a savepoint rolled back, a whole
 * transaction rolled back and a reopen, the kept sum equals the sum computed from every row; stores with the
 * same content in another order have the same sum; a store from before sums were kept gets one at its first
 * write; the worker thread computes what this thread does (both hashes).
 */
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { commitClientTx as commit, tempStores } from '../../tests/helpers/stores';
import { digestOnWorker } from '../cluster/digest-worker';
import { applyRecords } from './apply';
import { ContentSum, NODE_LINE, REL_LINE, computeContentSum, nodeLine, relLine } from './content-sum';
import { decodeOps, encodeRecord, encodeTx, type TxRecord } from './record';
import { CONTENT_SUM_KEY, GraphStore, computeDigest, digestStore, keptDigest } from './store';
import { createHash } from 'node:crypto';

const { newStore, track } = tempStores('sum');

const kept = (s: GraphStore) => keptDigest(s.db)?.contentHash;
const scratch = (s: GraphStore) => computeDigest(s.db).contentHash;

/** A workload touching every kind of row change: inserts, updates of both tables, deletes (a node's relationships go with it). */
function workload(s: GraphStore): TxRecord[] {
  const recs: TxRecord[] = [];
  recs.push(
    commit(s, [
      { op: 'createNode', ref: '$a', labels: ['Person'], properties: { name: 'Ann', n: 1 } },
      { op: 'createNode', ref: '$b', labels: ['Person', 'Admin'], properties: { name: 'Bo' } },
      { op: 'createNode', ref: '$c', labels: [], properties: { é: 'ünïcode ✓' } },
      { op: 'createRelationship', ref: '$r', type: 'KNOWS', start: '$a', end: '$b', properties: { since: 2020 } },
      { op: 'createRelationship', type: 'LIKES', start: '$b', end: '$c', properties: {} },
    ]),
  );
  recs.push(commit(s, [{ op: 'setProperties', node: 0, properties: { n: 2, extra: [1, 2] } }, { op: 'addLabels', node: 2, labels: ['Thing'] }]));
  recs.push(commit(s, [{ op: 'setProperties', relationship: 0, properties: { since: 2021 } }, { op: 'removeLabels', node: 1, labels: ['Admin'] }]));
  recs.push(commit(s, [{ op: 'removeProperty', node: 0, key: 'extra' }, { op: 'deleteRelationship', relationship: 1 }]));
  recs.push(commit(s, [{ op: 'createNode', ref: '$d', labels: ['Temp'], properties: {} }, { op: 'setProperties', node: '$d', properties: { x: 1 } }, { op: 'deleteNode', node: '$d' }]));
  recs.push(commit(s, [{ op: 'deleteNode', node: 1 }])); // and relationship 0 with it
  return recs;
}

describe('content sum', () => {
  it('is kept equal to the sum of every row through inserts, updates and deletes', () => {
    const s = newStore();
    expect(kept(s)).toBe(ContentSum.zero().toHex());
    const recs = workload(s);
    expect(recs).toHaveLength(6);
    expect(kept(s)).toBe(scratch(s));
    expect(keptDigest(s.db)).toEqual(computeDigest(s.db));
    // every step on the way too
    const t = newStore();
    for (const r of recs) {
      applyRecords(t, [r]);
      expect(kept(t)).toBe(scratch(t));
    }
    expect(kept(t)).toBe(kept(s));
  });

  it('is the same for a batch of logged transactions with deferred node rows as for one at a time', () => {
    const s = newStore();
    const recs = workload(s);
    const batch = newStore();
    applyRecords(batch, recs);
    expect(kept(batch)).toBe(kept(s));
    expect(kept(batch)).toBe(scratch(batch));
    // a node created and changed within one deferred batch is written once, with its final line
    expect(batch.meta.nodeCount).toBe(s.meta.nodeCount);
    expect(decodeOps(recs[4]).map((o) => o.op)).toEqual(['createNode', 'setProperties', 'deleteNode']);
  });

  it('writes the relationships of a deferred batch, many to a statement, before a later transaction reads or deletes them', () => {
    const s = newStore();
    const recs = [commit(s, [{ op: 'createNode', labels: ['A'], properties: {} }, { op: 'createNode', labels: ['B'], properties: {} }])];
    // 250 relationships: two statements of 100 rows, and 50 single rows written before the node deletion below
    for (let i = 0; i < 50; i++) {
      recs.push(commit(s, Array.from({ length: 5 }, (_, k) => ({ op: 'createRelationship' as const, type: 'R', start: 0, end: 1, properties: { i, k } }))));
    }
    // a node created with relationships, deleted by a later transaction of the batch: they go with it
    recs.push(commit(s, [{ op: 'createNode', ref: '$c', labels: ['C'], properties: {} }, { op: 'createRelationship', type: 'IN', start: '$c', end: 0, properties: {} }, { op: 'createRelationship', type: 'OUT', start: 0, end: '$c', properties: {} }]));
    recs.push(commit(s, [{ op: 'deleteNode', node: 2 }]));
    // one changed, then deleted by later transactions
    recs.push(commit(s, [{ op: 'createRelationship', ref: '$x', type: 'X', start: 1, end: 0, properties: { v: 1 } }]));
    const x = s.meta.nextRelId - 1;
    recs.push(commit(s, [{ op: 'setProperties', relationship: x, properties: { v: 2 } }]));
    recs.push(commit(s, [{ op: 'createRelationship', type: 'Y', start: 1, end: 0, properties: {} }, { op: 'deleteRelationship', relationship: x }]));
    // one created, then deleted by the next transaction with nothing read in between
    recs.push(commit(s, [{ op: 'createRelationship', type: 'Z', start: 0, end: 1, properties: {} }]));
    recs.push(commit(s, [{ op: 'deleteRelationship', relationship: s.meta.nextRelId - 1 }]));
    // and three that nothing reads: written at commit
    recs.push(commit(s, Array.from({ length: 3 }, () => ({ op: 'createRelationship' as const, type: 'LAST', start: 1, end: 0, properties: {} }))));
    const batch = newStore();
    applyRecords(batch, recs);
    const rows = (g: GraphStore) => g.db.prepare('SELECT * FROM rels ORDER BY id').all();
    expect(rows(batch)).toHaveLength(254);
    expect(rows(batch)).toEqual(rows(s));
    expect(batch.meta.relCount).toBe(254);
    expect(kept(batch)).toBe(kept(s));
    expect(kept(batch)).toBe(scratch(batch));
    // a relationship whose ID is taken is refused where its operation is, and the batch leaves nothing
    const sum = kept(batch);
    expect(() => applyRecords(batch, [recs[recs.length - 1]])).toThrow(/ops\[0\]: relationship \d+ already exists/);
    expect(rows(batch)).toEqual(rows(s));
    expect(kept(batch)).toBe(sum);
    // also when the first of the two is still waiting to be written
    const id = batch.meta.nextRelId;
    const twice = [1, 2].map((k) => encodeRecord(batch.meta.lastTxId + k, 0, 0, encodeTx([{ op: 'createRelationship', id, type: 'T', start: 0, end: 1, properties: {} }], { nodes: [], relationships: [] })));
    expect(() => applyRecords(batch, twice)).toThrow(new RegExp(`ops\\[0\\]: relationship ${id} already exists`));
    expect(rows(batch)).toEqual(rows(s));
    expect(kept(batch)).toBe(sum);
  });

  it('writes the rows a deferred batch holds back when asked (writePending), and the batch goes on', () => {
    const s = newStore();
    const recs = workload(s);
    const batch = newStore();
    batch.begin({ deferNodeRows: true });
    recs.forEach((r, i) => {
      batch.applyResolved(decodeOps(r), r.txId);
      // after the first creations, and before the transaction that creates, changes and deletes one node
      if (i === 0 || i === 3) batch.writePending();
    });
    const last = recs[recs.length - 1];
    batch.writeMeta({ lastTxId: last.txId, lastTxChecksum: last.checksum, lastCommitTime: last.commitTime });
    batch.commit();
    const rows = (g: GraphStore) => [g.db.prepare('SELECT * FROM nodes ORDER BY id').all(), g.db.prepare('SELECT * FROM node_labels ORDER BY node_id, label').all(), g.db.prepare('SELECT * FROM rels ORDER BY id').all()];
    expect(rows(batch)).toEqual(rows(s));
    expect(kept(batch)).toBe(kept(s));
    expect(kept(batch)).toBe(scratch(batch));
  });

  it('takes back what a rolled-back savepoint and a rolled-back transaction wrote', () => {
    const s = newStore();
    workload(s);
    const before = kept(s);
    s.begin();
    s.inSavepoint(() => s.applyClientOps([{ op: 'createNode', labels: ['Kept'], properties: {} }]));
    expect(() => s.inSavepoint(() => s.applyClientOps([{ op: 'setProperties', node: 0, properties: { gone: true } }, { op: 'deleteNode', node: 999 }]))).toThrow(/node 999 does not exist/);
    s.writeMeta({ lastTxId: s.meta.lastTxId + 1 });
    s.commit();
    expect(kept(s)).not.toBe(before);
    expect(kept(s)).toBe(scratch(s));
    const after = kept(s);
    s.begin();
    s.applyClientOps([{ op: 'deleteNode', node: 0 }]);
    s.rollback();
    s.reloadMeta();
    expect(kept(s)).toBe(after);
    expect(s.contentSum).toBe(after);
    expect(scratch(s)).toBe(after);
  });

  it('does not depend on the order rows were written in', () => {
    const a = newStore();
    commit(a, [{ op: 'createNode', labels: ['A'], properties: { v: 1 } }]);
    commit(a, [{ op: 'createNode', labels: ['B'], properties: { v: 2 } }]);
    const b = newStore();
    // the same two nodes, their content reached another way
    commit(b, [{ op: 'createNode', labels: ['A'], properties: {} }, { op: 'createNode', labels: [], properties: { v: 2 } }]);
    commit(b, [{ op: 'setProperties', node: 0, properties: { v: 1 } }, { op: 'addLabels', node: 1, labels: ['B'] }]);
    expect(kept(b)).toBe(kept(a));
    // and tells different content apart
    commit(b, [{ op: 'setProperties', node: 1, properties: { v: 3 } }]);
    expect(kept(b)).not.toBe(kept(a));
  });

  it('survives a reopen, and a store from before sums were kept gets one at its first write', () => {
    const s = newStore();
    workload(s);
    const sum = kept(s);
    const file = s.db.name;
    s.close();
    const again = GraphStore.open(file);
    track(again);
    expect(again.contentSum).toBe(sum);
    again.close();
    // an old store: no contentSum key
    const raw = new Database(file);
    raw.prepare('DELETE FROM meta WHERE key = ?').run(CONTENT_SUM_KEY);
    raw.close();
    const old = GraphStore.open(file);
    track(old);
    expect(keptDigest(old.db)).toBeNull();
    commit(old, [{ op: 'createNode', labels: ['New'], properties: {} }]);
    expect(kept(old)).toBe(scratch(old));
    expect(kept(old)).not.toBe(sum);
  });

  it('refuses a damaged sum in the meta and a row written outside begin() and commit()', () => {
    const s = newStore();
    workload(s);
    expect(() => s.db.prepare("UPDATE nodes SET props = '{}' WHERE id = 0").run()).toThrow(/outside begin\(\) and commit\(\)/);
    expect(kept(s)).toBe(scratch(s));
    const file = s.db.name;
    s.close();
    const raw = new Database(file);
    raw.prepare('UPDATE meta SET value = ? WHERE key = ?').run('not-a-sum', CONTENT_SUM_KEY);
    raw.close();
    expect(() => GraphStore.open(file)).toThrow(/"contentSum" is not a content sum/);
  });

  it('is computed on a worker thread as on this one, with the ordered hash of format 2 when asked', async () => {
    const s = newStore();
    workload(s);
    s.checkpoint('TRUNCATE');
    const here = computeDigest(s.db, { ordered: true });
    expect(here.orderedHash).toBe(digestStore(s.db, () => createHash('sha256')).contentHash);
    expect(await digestOnWorker(s.db.name, { ordered: true })).toEqual(here);
    expect(await digestOnWorker(s.db.name)).toEqual({ ...here, orderedHash: undefined });
    expect(here.contentHash).toBe(kept(s));
  });

  it('is, by definition, the word-wise sum of each line\'s SHA-256 read as big-endian words (any text)', () => {
    const lines: Array<[1 | -1, string]> = [
      [1, 'n1|["A"]|{}\n'],
      [1, 'n2|[]|{"é":"ünïcode ✓ 𝄞"}\n'],
      [-1, 'n1|["A"]|{}\n'],
      [1, `n3|[]|{"lone":"\ud800x"}\n`],
      [-1, `r9|KNOWS|1|2|{"big":"${'x'.repeat(100_000)}"}\n`],
    ];
    const w = new Uint32Array(8);
    const sum = ContentSum.zero();
    for (const [sign, line] of lines) {
      const h = createHash('sha256').update(line, 'utf8').digest();
      for (let i = 0; i < 8; i++) w[i] = w[i] + sign * h.readUInt32BE(i * 4);
      sum.line(sign, line);
    }
    expect(sum.toHex()).toBe([...w].map((x) => x.toString(16).padStart(8, '0')).join(''));
  });

  it('builds the line of an inserted row as SQLite does of the row it holds (the store adds those itself)', () => {
    const s = newStore();
    const labels = JSON.stringify(['Ä', 'Person']);
    const props = JSON.stringify({ name: 'Zoë "z" \\ é', n: -1.5, big: 2 ** 53 - 1, text: 'a\nb' });
    const big = 2 ** 53 - 1;
    s.db.exec("CREATE TEMP TABLE n (id INTEGER PRIMARY KEY, labels TEXT NOT NULL, props TEXT NOT NULL)");
    s.db.exec("CREATE TEMP TABLE r (id INTEGER PRIMARY KEY, type TEXT NOT NULL, start_id INTEGER NOT NULL, end_id INTEGER NOT NULL, props TEXT NOT NULL)");
    s.db.prepare('INSERT INTO n VALUES (?, ?, ?)').run(big, labels, props);
    s.db.prepare('INSERT INTO r VALUES (?, ?, ?, ?, ?)').run(0, 'KNOWS', big, 7, props);
    expect(s.db.prepare(`SELECT ${NODE_LINE('')} FROM n`).pluck().get()).toBe(nodeLine(big, labels, props));
    expect(s.db.prepare(`SELECT ${REL_LINE('')} FROM r`).pluck().get()).toBe(relLine(0, 'KNOWS', big, 7, props));
  });

  it('spells the lines in computeContentSum as NODE_LINE and REL_LINE do (it must be self-contained)', () => {
    const src = computeContentSum.toString();
    expect(src).toContain(NODE_LINE(''));
    expect(src).toContain(REL_LINE(''));
  });
});
