/**
 * The graph store: every operation, counters, the content digest and the consistency check, on real SQLite
 * files in a temporary folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { isTxlineError } from '../errors';
import type { ClientOp, ResolvedOp } from './ops';
import { GraphStore, checkConsistency, computeDigest, findNodes } from './store';

const dirs: string[] = [];
const stores: GraphStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function newStore(name = 'neo4j'): GraphStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-store-'));
  dirs.push(dir);
  const s = GraphStore.open(path.join(dir, 'store.sqlite'), { databaseName: name });
  stores.push(s);
  return s;
}

/** Applies client ops as the writer does: in one SQLite transaction, all or nothing. */
function tx(s: GraphStore, ops: ClientOp[]): { resolved: ResolvedOp[]; ids: Record<string, number> } {
  const before = { ...s.meta };
  s.begin();
  try {
    const r = s.applyClientOps(ops);
    s.writeMeta({ lastTxId: s.meta.lastTxId + 1 });
    s.commit();
    return r;
  } catch (e) {
    s.rollback();
    s.meta = before;
    throw e;
  }
}

function replay(s: GraphStore, ops: ResolvedOp[], txId: number): void {
  s.begin();
  s.applyResolved(ops, txId);
  s.writeMeta({ lastTxId: txId });
  s.commit();
}

function node(s: GraphStore, id: number) {
  return findNodes(s.db, { limit: 100_000 }).find((n) => n.id === id);
}

function rel(s: GraphStore, id: number) {
  const r = s.db.prepare('SELECT type, start_id, end_id, props FROM rels WHERE id = ?').get(id) as
    | { type: string; start_id: number; end_id: number; props: string }
    | undefined;
  return r && { type: r.type, start: r.start_id, end: r.end_id, properties: JSON.parse(r.props) };
}

function expectInvalid(fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(isTxlineError(e, 'TX_INVALID'), String(e)).toBe(true);
    expect((e as Error).message).toMatch(message);
    return;
  }
  expect.unreachable('expected TX_INVALID');
}

describe('graph store operations', () => {
  it('createNode assigns increasing IDs, sorts labels, stores properties', () => {
    const s = newStore();
    const r = tx(s, [
      { op: 'createNode', ref: '$a', labels: ['Person', 'Admin', 'Person'], properties: { name: 'Ada', tags: ['x', 'y'], ok: true } },
      { op: 'createNode', ref: '$b', labels: [], properties: {} },
    ]);
    expect(r.ids).toEqual({ $a: 0, $b: 1 });
    expect(r.resolved[0]).toEqual({ op: 'createNode', id: 0, labels: ['Admin', 'Person'], properties: { name: 'Ada', ok: true, tags: ['x', 'y'] } });
    expect(node(s, 0)).toEqual({ id: 0, labels: ['Admin', 'Person'], properties: { name: 'Ada', tags: ['x', 'y'], ok: true } });
    expect(node(s, 1)).toEqual({ id: 1, labels: [], properties: {} });
    expect(s.meta).toMatchObject({ nextNodeId: 2, nodeCount: 2, relCount: 0, nextRelId: 0, lastTxId: 1 });
    expect(findNodes(s.db, { label: 'Admin', limit: 10 }).map((n) => n.id)).toEqual([0]);
    expect(findNodes(s.db, { label: 'Person', limit: 10 }).map((n) => n.id)).toEqual([0]);
  });

  it('setProperties and removeProperty on nodes and relationships, by ID or by reference', () => {
    const s = newStore();
    tx(s, [
      { op: 'createNode', ref: '$a', labels: ['P'], properties: { name: 'Ada', age: 36 } },
      { op: 'createNode', ref: '$b', labels: ['P'], properties: {} },
      { op: 'createRelationship', ref: '$r', type: 'KNOWS', start: '$a', end: '$b', properties: { since: 1840 } },
      { op: 'setProperties', relationship: '$r', properties: { how: 'letters' } },
    ]);
    expect(rel(s, 0)).toEqual({ type: 'KNOWS', start: 0, end: 1, properties: { since: 1840, how: 'letters' } });
    tx(s, [
      { op: 'setProperties', node: 0, properties: { age: 37, city: 'London' } },
      { op: 'removeProperty', node: 0, key: 'name' },
      { op: 'removeProperty', node: 0, key: 'no-such-key' },
      { op: 'removeProperty', relationship: 0, key: 'since' },
    ]);
    expect(node(s, 0)?.properties).toEqual({ age: 37, city: 'London' });
    expect(rel(s, 0)?.properties).toEqual({ how: 'letters' });
  });

  it('addLabels and removeLabels keep the label index in step', () => {
    const s = newStore();
    tx(s, [{ op: 'createNode', labels: ['A'], properties: {} }]);
    tx(s, [{ op: 'addLabels', node: 0, labels: ['C', 'B', 'A'] }]);
    expect(node(s, 0)?.labels).toEqual(['A', 'B', 'C']);
    tx(s, [{ op: 'removeLabels', node: 0, labels: ['A', 'Z'] }]);
    expect(node(s, 0)?.labels).toEqual(['B', 'C']);
    expect(findNodes(s.db, { label: 'A', limit: 10 })).toEqual([]);
    expect(findNodes(s.db, { label: 'C', limit: 10 }).map((n) => n.id)).toEqual([0]);
    expect(checkConsistency(s.db)).toEqual([]);
  });

  it('createRelationship and deleteRelationship keep the counters', () => {
    const s = newStore();
    tx(s, [
      { op: 'createNode', ref: '$a', labels: [], properties: {} },
      { op: 'createNode', ref: '$b', labels: [], properties: {} },
      { op: 'createRelationship', type: 'R', start: '$a', end: '$b', properties: {} },
      { op: 'createRelationship', type: 'R', start: '$b', end: '$b', properties: {} },
    ]);
    expect(s.meta).toMatchObject({ relCount: 2, nextRelId: 2 });
    tx(s, [{ op: 'deleteRelationship', relationship: 0 }]);
    expect(rel(s, 0)).toBeUndefined();
    expect(s.meta).toMatchObject({ relCount: 1, nextRelId: 2 });
    // IDs are never reused
    tx(s, [{ op: 'createRelationship', type: 'R', start: 0, end: 1, properties: {} }]);
    expect(rel(s, 2)).toBeDefined();
    expect(s.meta).toMatchObject({ relCount: 2, nextRelId: 3 });
    expect(checkConsistency(s.db)).toEqual([]);
  });

  it('deleteNode detaches: its relationships in both directions go too, and its labels', () => {
    const s = newStore();
    tx(s, [
      { op: 'createNode', ref: '$a', labels: ['P'], properties: {} },
      { op: 'createNode', ref: '$b', labels: ['P'], properties: {} },
      { op: 'createNode', ref: '$c', labels: ['P'], properties: {} },
      { op: 'createRelationship', type: 'R', start: '$a', end: '$b', properties: {} },
      { op: 'createRelationship', type: 'R', start: '$c', end: '$a', properties: {} },
      { op: 'createRelationship', type: 'R', start: '$a', end: '$a', properties: {} },
      { op: 'createRelationship', type: 'R', start: '$b', end: '$c', properties: {} },
    ]);
    tx(s, [{ op: 'deleteNode', node: 0 }]);
    expect(node(s, 0)).toBeUndefined();
    expect(s.meta).toMatchObject({ nodeCount: 2, relCount: 1, nextNodeId: 3 });
    expect(rel(s, 3)).toEqual({ type: 'R', start: 1, end: 2, properties: {} });
    expect(findNodes(s.db, { label: 'P', limit: 10 }).map((n) => n.id)).toEqual([1, 2]);
    expect(checkConsistency(s.db)).toEqual([]);
    // the ID is not reused
    expect(tx(s, [{ op: 'createNode', ref: '$n', labels: [], properties: {} }]).ids.$n).toBe(3);
  });

  it('rejects operations on what does not exist, naming the operation', () => {
    const s = newStore();
    tx(s, [{ op: 'createNode', ref: '$a', labels: [], properties: {} }]);
    const cases: Array<[ClientOp, RegExp]> = [
      [{ op: 'setProperties', node: 5, properties: { a: 1 } }, /ops\[0\] \(setProperties\): node 5 does not exist/],
      [{ op: 'setProperties', relationship: 5, properties: { a: 1 } }, /relationship 5 does not exist/],
      [{ op: 'removeProperty', node: 9, key: 'a' }, /node 9 does not exist/],
      [{ op: 'addLabels', node: 9, labels: ['X'] }, /node 9 does not exist/],
      [{ op: 'removeLabels', node: 9, labels: ['X'] }, /node 9 does not exist/],
      [{ op: 'deleteNode', node: 9 }, /node 9 does not exist/],
      [{ op: 'deleteRelationship', relationship: 0 }, /relationship 0 does not exist/],
      [{ op: 'createRelationship', type: 'R', start: 0, end: 9, properties: {} }, /end node 9 does not exist/],
      [{ op: 'createRelationship', type: 'R', start: 9, end: 0, properties: {} }, /start node 9 does not exist/],
      [{ op: 'deleteNode', node: '$nope' }, /unknown reference "\$nope"/],
    ];
    for (const [op, msg] of cases) expectInvalid(() => tx(s, [op]), msg);
    expect(s.meta).toMatchObject({ nodeCount: 1, relCount: 0, nextNodeId: 1, nextRelId: 0, lastTxId: 1 });
  });

  it('rejects references of the wrong kind and references defined twice', () => {
    const s = newStore();
    expectInvalid(
      () =>
        tx(s, [
          { op: 'createNode', ref: '$a', labels: [], properties: {} },
          { op: 'createRelationship', ref: '$r', type: 'R', start: '$a', end: '$a', properties: {} },
          { op: 'deleteNode', node: '$r' },
        ]),
      /ops\[2\] \(deleteNode\): "\$r" is a relationship, not a node/,
    );
    expectInvalid(
      () =>
        tx(s, [
          { op: 'createNode', ref: '$a', labels: [], properties: {} },
          { op: 'createNode', ref: '$a', labels: [], properties: {} },
        ]),
      /reference "\$a" is defined twice/,
    );
    // a node deleted earlier in the same transaction is gone for later operations
    tx(s, [{ op: 'createNode', labels: [], properties: {} }]);
    expectInvalid(() => tx(s, [{ op: 'deleteNode', node: 0 }, { op: 'setProperties', node: 0, properties: { a: 1 } }]), /ops\[1\].*node 0 does not exist/);
  });

  it('a bad operation late in a transaction rolls the whole transaction back, counters included', () => {
    const s = newStore();
    tx(s, [{ op: 'createNode', ref: '$a', labels: ['P'], properties: { v: 1 } }]);
    const digestBefore = computeDigest(s.db);
    const metaBefore = { ...s.meta };
    expectInvalid(
      () =>
        tx(s, [
          { op: 'createNode', ref: '$b', labels: ['P'], properties: {} },
          { op: 'setProperties', node: 0, properties: { v: 2 } },
          { op: 'createRelationship', type: 'R', start: '$b', end: 0, properties: {} },
          { op: 'addLabels', node: 0, labels: ['Q'] },
          { op: 'deleteNode', node: 42 },
        ]),
      /ops\[4\] \(deleteNode\): node 42 does not exist/,
    );
    expect(computeDigest(s.db)).toEqual(digestBefore);
    expect(s.meta).toEqual(metaBefore);
    expect(node(s, 0)).toEqual({ id: 0, labels: ['P'], properties: { v: 1 } });
    expect(findNodes(s.db, { label: 'Q', limit: 10 })).toEqual([]);
    // the IDs the failed transaction had taken are handed out again
    expect(tx(s, [{ op: 'createNode', ref: '$c', labels: [], properties: {} }]).ids.$c).toBe(1);
    expect(checkConsistency(s.db)).toEqual([]);
  });

  it('the store survives close and reopen with its meta, and refuses a file that is not a store', () => {
    const s = newStore();
    tx(s, [{ op: 'createNode', labels: ['P'], properties: { a: 1 } }]);
    const file = s.db.name;
    const meta = { ...s.meta };
    s.close();
    const again = GraphStore.open(file);
    stores.push(again);
    expect(again.meta).toEqual(meta);
    const junk = path.join(path.dirname(file), 'junk.sqlite');
    fs.writeFileSync(junk, 'this is not SQLite');
    expect(() => GraphStore.open(junk)).toThrow(/cannot be opened as a store/);
    const empty = path.join(path.dirname(file), 'empty.sqlite');
    expect(() => GraphStore.open(empty)).toThrow(/not an initialised Txline store/);
  });
});

describe('content digest', () => {
  const ops: ClientOp[] = [
    { op: 'createNode', ref: '$a', labels: ['Person', 'Admin'], properties: { name: 'Ada', born: 1815 } },
    { op: 'createNode', ref: '$b', labels: ['Person'], properties: { name: 'Charles' } },
    { op: 'createRelationship', type: 'KNOWS', start: '$a', end: '$b', properties: { since: 1833 } },
  ];

  it('is equal for equal content, whatever the order labels and properties were given in', () => {
    const a = newStore();
    const b = newStore('other');
    tx(a, ops);
    tx(b, [
      { op: 'createNode', ref: '$a', labels: ['Admin', 'Person'], properties: { born: 1815, name: 'Ada' } },
      { op: 'createNode', ref: '$b', labels: ['Person'], properties: {} },
      { op: 'createRelationship', type: 'KNOWS', start: '$a', end: '$b', properties: { since: 1833 } },
    ]);
    tx(b, [{ op: 'setProperties', node: 1, properties: { name: 'Charles' } }]);
    const da = computeDigest(a.db);
    const db = computeDigest(b.db);
    expect(da.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(db.contentHash).toBe(da.contentHash);
    expect(db).toMatchObject({ nodes: 2, relationships: 1 });
    // the transaction ID is reported, but not part of the content
    expect(da.lastCommittedTxn).toBe(1);
    expect(db.lastCommittedTxn).toBe(2);
  });

  it('a replay of the resolved operations gives the same digest (what followers and restores do)', () => {
    const a = newStore();
    const r1 = tx(a, ops);
    const r2 = tx(a, [{ op: 'deleteNode', node: 1 }, { op: 'addLabels', node: 0, labels: ['Z'] }]);
    const b = newStore();
    replay(b, JSON.parse(JSON.stringify(r1.resolved)), 1);
    replay(b, JSON.parse(JSON.stringify(r2.resolved)), 2);
    expect(computeDigest(b.db)).toEqual(computeDigest(a.db));
    expect(b.meta).toMatchObject({ nodeCount: a.meta.nodeCount, relCount: a.meta.relCount, nextNodeId: a.meta.nextNodeId, nextRelId: a.meta.nextRelId });
  });

  it('a batch replayed with deferred node rows (as followers, recovery and restores do) gives the same digest', () => {
    const a = newStore();
    const logged: ResolvedOp[][] = [];
    // 257 transactions: two full multi-row inserts of new nodes and a remainder, with nodes changed, relabelled
    // and deleted in the batch that created them, and older nodes updated many times
    logged.push(tx(a, [{ op: 'createNode', labels: ['Seed'], properties: { n: 0 } }]).resolved);
    for (let i = 1; i < 257; i++) {
      const ops: ClientOp[] = [
        { op: 'createNode', ref: '$a', labels: ['Person'], properties: { name: `p${i}`, z: 1, a: i } },
        { op: 'createNode', ref: '$b', labels: ['Person'], properties: { name: `q${i}` } },
        { op: 'createRelationship', type: 'KNOWS', start: '$a', end: '$b', properties: { since: i } },
        { op: 'setProperties', node: 0, properties: { n: i } },
        { op: 'addLabels', node: '$a', labels: ['Active'] },
      ];
      if (i % 7 === 0) ops.push({ op: 'deleteNode', node: '$b' });
      if (i % 11 === 0) ops.push({ op: 'removeLabels', node: '$a', labels: ['Person'] }, { op: 'removeProperty', node: '$a', key: 'z' });
      if (i % 13 === 0) ops.push({ op: 'deleteNode', node: 2 * i - 5 }); // a node of an earlier transaction
      logged.push(tx(a, ops).resolved);
    }
    const b = newStore();
    b.begin({ deferNodeRows: true });
    logged.forEach((ops, k) => b.applyResolved(JSON.parse(JSON.stringify(ops)), k + 1));
    b.writeMeta({ lastTxId: logged.length });
    b.commit();
    expect(computeDigest(b.db)).toEqual(computeDigest(a.db));
    expect(b.meta).toMatchObject({ nodeCount: a.meta.nodeCount, relCount: a.meta.relCount });
    expect(findNodes(b.db, { label: 'Active', limit: 1000 })).toEqual(findNodes(a.db, { label: 'Active', limit: 1000 }));
    // the label index row for row: a new node's rows are written at commit, from its labels then
    const index = (db: typeof a.db) => db.prepare('SELECT label, node_id FROM node_labels ORDER BY label, node_id').all();
    expect(index(b.db)).toEqual(index(a.db));
    expect(index(b.db).length).toBeGreaterThan(500);
    expect(checkConsistency(b.db)).toEqual([]);
  });

  it.each<[string, ClientOp[]]>([
    ['a property value', [{ op: 'setProperties', node: 0, properties: { born: 1816 } }]],
    ['a property type', [{ op: 'setProperties', node: 0, properties: { born: '1815' } }]],
    ['a removed property', [{ op: 'removeProperty', node: 0, key: 'born' }]],
    ['a label', [{ op: 'addLabels', node: 1, labels: ['Admin'] }]],
    ['a relationship property', [{ op: 'setProperties', relationship: 0, properties: { since: 1834 } }]],
    ['a relationship', [{ op: 'createRelationship', type: 'KNOWS', start: 1, end: 0, properties: { since: 1833 } }]],
    ['a deleted relationship', [{ op: 'deleteRelationship', relationship: 0 }]],
    ['an extra node', [{ op: 'createNode', labels: [], properties: {} }]],
  ])('differs when content differs: %s', (_what, change) => {
    const a = newStore();
    const b = newStore();
    tx(a, ops);
    tx(b, ops);
    expect(computeDigest(b.db).contentHash).toBe(computeDigest(a.db).contentHash);
    tx(b, change);
    expect(computeDigest(b.db).contentHash).not.toBe(computeDigest(a.db).contentHash);
  });

  it('differs for a relationship pointing the other way', () => {
    const a = newStore();
    const b = newStore();
    tx(a, [...ops.slice(0, 2), { op: 'createRelationship', type: 'KNOWS', start: '$a', end: '$b', properties: {} }]);
    tx(b, [...ops.slice(0, 2), { op: 'createRelationship', type: 'KNOWS', start: '$b', end: '$a', properties: {} }]);
    expect(computeDigest(b.db).contentHash).not.toBe(computeDigest(a.db).contentHash);
  });
});

describe('consistency check', () => {
  function healthy(): GraphStore {
    const s = newStore();
    tx(s, [
      { op: 'createNode', ref: '$a', labels: ['P'], properties: { n: 1 } },
      { op: 'createNode', ref: '$b', labels: ['P', 'Q'], properties: { n: 2 } },
      { op: 'createRelationship', type: 'R', start: '$a', end: '$b', properties: {} },
    ]);
    expect(checkConsistency(s.db)).toEqual([]);
    return s;
  }

  it.each<[string, string, RegExp]>([
    ['a relationship to a missing node', 'DELETE FROM nodes WHERE id = 1', /relationship 0 points at a missing node \(0 -> 1\)/],
    ['a node count that disagrees', "UPDATE meta SET value = 5 WHERE key = 'nodeCount'", /node count is 2 but the store records 5/],
    ['a relationship count that disagrees', "UPDATE meta SET value = 0 WHERE key = 'relCount'", /relationship count is 1 but the store records 0/],
    ['label entries of no node', "INSERT INTO node_labels (label, node_id) VALUES ('P', 77)", /label entries belong to no node/],
    ['a label missing from the index', "DELETE FROM node_labels WHERE label = 'Q'", /nodes carry 3 labels but the label index holds 2/],
    ['a node above the ID counter', "UPDATE meta SET value = 1 WHERE key = 'nextNodeId'", /node 1 is above the node ID counter 1/],
    ['a relationship above the ID counter', "UPDATE meta SET value = 0 WHERE key = 'nextRelId'", /relationship 0 is above the relationship ID counter 0/],
    ['unreadable properties', "UPDATE nodes SET props = '{broken' WHERE id = 0", /property records are unreadable/],
    ['properties that are not an object', "UPDATE rels SET props = '[1]' WHERE id = 0", /property records are unreadable/],
  ])('finds %s', (_what, damage, problem) => {
    const s = healthy();
    // damage from outside, as a disk or another program would do it (the store's own connection refuses a
    // row written outside begin() and commit(): its content sum would go stale)
    const other = new Database(s.db.name);
    other.exec(damage);
    other.close();
    const problems = checkConsistency(s.db);
    expect(problems.some((p) => problem.test(p)), problems.join('\n')).toBe(true);
  });
});
