/**
 * Before-images (record payload version 2): what a client transaction records about what it deleted or
 * changed, and that records of both payload versions, mixed in one log, replay to the same store.
 */
import { describe, expect, it } from 'vitest';
import { tempStores } from '../../tests/helpers/stores';
import { isTxlineError } from '../errors';
import { applyRecords } from './apply';
import type { ClientOp } from './ops';
import { decodeOps, decodeTx, encodeOps, encodeRecord, encodeTx, type BeforeImages, type TxRecord } from './record';
import { GraphStore, computeDigest } from './store';

const { newStore } = tempStores('images');

/** Commits client ops as the writer does (begin, savepoint, commit); returns what the record would hold. */
function commit(s: GraphStore, ops: ClientOp[]) {
  s.begin();
  const r = s.inSavepoint(() => s.applyClientOps(ops));
  s.writeMeta({ lastTxId: s.meta.lastTxId + 1 });
  s.commit();
  return r;
}

describe('before-images of a client transaction', () => {
  it('a node deletion holds the node and every relationship it takes, whole; what the transaction created has none', () => {
    const s = newStore();
    const a = commit(s, [
      { op: 'createNode', ref: '$a', labels: ['Customer', 'Vip'], properties: { name: 'Alice', tags: ['x'] } },
      { op: 'createNode', ref: '$b', labels: ['Order'], properties: { total: 9.5 } },
      { op: 'createRelationship', ref: '$r', type: 'PLACED', start: '$a', end: '$b', properties: { at: 1 } },
      { op: 'createRelationship', ref: '$self', type: 'KNOWS', start: '$a', end: '$a', properties: {} },
    ]).ids;
    expect(commit(s, [{ op: 'createNode', labels: ['X'], properties: {} }]).before).toEqual({ nodes: [], relationships: [] });
    const r = commit(s, [
      { op: 'setProperties', node: a.$a, properties: { name: 'Alicia' } }, // changed first, then deleted: the image is from before both
      { op: 'createNode', ref: '$c', labels: ['Order'], properties: {} },
      { op: 'createRelationship', type: 'PLACED', start: a.$a, end: '$c', properties: {} }, // created here: no image
      { op: 'deleteNode', node: a.$a },
    ]);
    expect(r.before.nodes).toEqual([{ id: a.$a, deleted: true, labels: ['Customer', 'Vip'], properties: { name: 'Alice', tags: ['x'] } }]);
    expect(r.before.relationships.sort((x, y) => x.id - y.id)).toEqual([
      { id: a.$r, deleted: true, type: 'PLACED', start: a.$a, end: a.$b, properties: { at: 1 } },
      { id: a.$self, deleted: true, type: 'KNOWS', start: a.$a, end: a.$a, properties: {} },
    ]);
  });

  it('a change holds the labels or type and only the previous values of the keys it changed (null: absent)', () => {
    const s = newStore();
    const a = commit(s, [
      { op: 'createNode', ref: '$a', labels: ['Customer'], properties: { name: 'Alice', age: 41 } },
      { op: 'createRelationship', ref: '$r', type: 'KNOWS', start: '$a', end: '$a', properties: { since: 1 } },
    ]).ids;
    const r = commit(s, [
      { op: 'setProperties', node: a.$a, properties: { age: 42, email: 'a@x' } },
      { op: 'setProperties', node: a.$a, properties: { age: 43 } }, // the first touch's value stays
      { op: 'removeProperty', node: a.$a, key: 'name' },
      { op: 'addLabels', node: a.$a, labels: ['Vip'] },
      { op: 'removeProperty', relationship: a.$r, key: 'since' },
    ]);
    expect(r.before).toEqual({
      nodes: [{ id: a.$a, deleted: false, labels: ['Customer'], properties: { age: 41, email: null, name: 'Alice' } }],
      relationships: [{ id: a.$r, deleted: false, type: 'KNOWS', start: a.$a, end: a.$a, properties: { since: 1 } }],
    });
    const labelOnly = commit(s, [{ op: 'removeLabels', node: a.$a, labels: ['Customer'] }]);
    expect(labelOnly.before.nodes).toEqual([{ id: a.$a, deleted: false, labels: ['Customer', 'Vip'], properties: {} }]);
  });

  it('a refused transaction leaves no images behind in the next one', () => {
    const s = newStore();
    const a = commit(s, [{ op: 'createNode', ref: '$a', labels: ['A'], properties: { k: 1 } }]).ids;
    s.begin();
    expect(() => s.inSavepoint(() => s.applyClientOps([{ op: 'setProperties', node: a.$a, properties: { k: 2 } }, { op: 'deleteNode', node: 999 }]))).toThrow(/does not exist/);
    const ok = s.inSavepoint(() => s.applyClientOps([{ op: 'setProperties', node: a.$a, properties: { k: 3 } }]));
    s.commit();
    expect(ok.before.nodes).toEqual([{ id: a.$a, deleted: false, labels: ['A'], properties: { k: 1 } }]);
  });
});

describe('record payloads', () => {
  const ops = [{ op: 'deleteNode' as const, node: 7 }];
  const images: BeforeImages = { nodes: [{ id: 7, deleted: true, labels: ['A'], properties: { text: 'two\nlines, "quoted"' } }], relationships: [] };

  it('version 2 holds the operations, a newline, then the before-images; a newline inside a value does not cut it', () => {
    const rec = encodeRecord(3, 1, 0, encodeTx(ops, images));
    expect(rec.payload.toString('utf8').split('\n')).toHaveLength(2);
    expect(decodeTx(rec)).toEqual({ version: 2, ops, before: images });
    expect(decodeOps(rec)).toEqual(ops);
  });

  it('version 1 (the operations alone) is still read, without before-images', () => {
    const rec = encodeRecord(3, 1, 0, encodeOps(ops));
    expect(decodeTx(rec)).toEqual({ version: 1, ops, before: null });
    expect(decodeOps(rec)).toEqual(ops);
  });

  it('an unknown or damaged payload is ARTIFACT_CORRUPT naming the transaction', () => {
    for (const p of ['{"v":3,"ops":[]}\n{}', '{"v":2,"ops":[]}', '{"v":2,"ops":[]}\n{"nodes":1}', '{"v":2}\n{}', 'x[]', '']) {
      const rec = encodeRecord(11, 1, 0, Buffer.from(p));
      try {
        decodeTx(rec);
        expect.unreachable(p);
      } catch (e) {
        expect(isTxlineError(e, 'ARTIFACT_CORRUPT'), `${p}: ${e}`).toBe(true);
        expect(String(e)).toMatch(/Transaction 11/);
      }
    }
  });

  it('a log that holds both versions (an old member log continued by this Txline) replays to the same store', () => {
    const writer = newStore();
    const v1: TxRecord[] = [];
    const v2: TxRecord[] = [];
    const txs: ClientOp[][] = [
      [{ op: 'createNode', ref: '$a', labels: ['A'], properties: { n: 1 } }, { op: 'createNode', ref: '$b', labels: ['B'], properties: {} }],
      [{ op: 'createRelationship', type: 'R', start: 0, end: 1, properties: { w: 2 } }],
      [{ op: 'setProperties', node: 0, properties: { n: 2 } }, { op: 'addLabels', node: 1, labels: ['C'] }],
      [{ op: 'deleteNode', node: 1 }],
      [{ op: 'createNode', labels: [], properties: { last: true } }],
    ];
    for (const [i, t] of txs.entries()) {
      const r = commit(writer, t);
      v1.push(encodeRecord(i + 1, 1000 + i, v1[i - 1]?.checksum ?? 0, encodeOps(r.resolved)));
      v2.push(encodeRecord(i + 1, 1000 + i, v2[i - 1]?.checksum ?? 0, encodeTx(r.resolved, r.before)));
    }
    const mixed = newStore();
    applyRecords(mixed, [v1[0], v1[1]]);
    applyRecords(mixed, [v2[2], v2[3], v2[4]]);
    const only2 = newStore();
    applyRecords(only2, v2);
    const strip = (d: ReturnType<typeof computeDigest>) => ({ ...d, lastCommittedTxn: 0 });
    expect(strip(computeDigest(mixed.db))).toEqual(strip(computeDigest(writer.db)));
    expect(strip(computeDigest(only2.db))).toEqual(strip(computeDigest(writer.db)));
  });
});
