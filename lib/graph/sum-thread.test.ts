/**
 * The content sum hashed on another thread (./sum-thread.ts): the same sum as ContentSum.line for any lines
 * (multi-byte, a lone surrogate, lines longer than a slot, enough lines to go round the slots many times, lines
 * added while every slot is taken), and a store replaying with offloadSum() ends with the sum it would have
 * kept itself, which equals the sum of its rows; a rollback meanwhile loses the sum loudly.
 */
import { describe, expect, it } from 'vitest';
import { commitClientTx, tempStores } from '../../tests/helpers/stores';
import { applyRecords } from './apply';
import { ContentSum } from './content-sum';
import type { TxRecord } from './record';
import { GraphStore, computeDigest, keptDigest } from './store';
import { SumThread } from './sum-thread';

const { newStore } = tempStores('sum-thread');

const commit = commitClientTx;

/** Transactions of every kind of row change, many of them (the thread's slots fill up several times). */
function workload(s: GraphStore, n: number): TxRecord[] {
  const recs: TxRecord[] = [];
  for (let i = 0; i < n; i++) {
    recs.push(
      commit(s, [
        { op: 'createNode', ref: '$a', labels: ['Person'], properties: { name: `n-${i}`, é: 'ünïcode ✓ 𝄞' } },
        { op: 'createNode', ref: '$b', labels: ['Thing', 'Other'], properties: { i } },
        { op: 'createRelationship', type: 'KNOWS', start: '$a', end: '$b', properties: { since: i } },
      ]),
    );
    if (i > 0) recs.push(commit(s, [{ op: 'setProperties', node: 2 * (i - 1), properties: { seen: i } }, { op: 'addLabels', node: 2 * (i - 1) + 1, labels: ['Seen'] }]));
    if (i % 7 === 3) recs.push(commit(s, [{ op: 'deleteNode', node: 2 * (i - 1) }]));
  }
  return recs;
}

describe('the content sum on another thread', () => {
  it('sums any lines as ContentSum.line does, in slots or here', () => {
    const base = ContentSum.fromHex('0123456789abcdef'.repeat(4));
    const lines: Array<[1 | -1, string]> = [
      [1, 'n1|["A"]|{}\n'],
      [1, 'n2|[]|{"é":"ünïcode ✓ 𝄞"}\n'],
      [-1, 'n1|["A"]|{}\n'],
      [1, `n3|[]|{"lone":"\ud800x"}\n`],
      [1, `n4|[]|{"big":"${'x'.repeat(300 * 1024)}"}\n`], // longer than a slot: hashed here
      [-1, `n5|[]|{"big":"${'y'.repeat(86 * 1024)}"}\n`], // fits a slot only when it is empty
    ];
    for (let i = 0; i < 40_000; i++) lines.push([i % 5 === 0 ? -1 : 1, `r${i}|KNOWS|${i}|${i + 1}|{"since":${i},"note":"${'z'.repeat(i % 300)}"}\n`]);
    const expected = base.clone();
    for (const [sign, line] of lines) expected.line(sign, line);
    const thread = new SumThread(base);
    for (const [sign, line] of lines) thread.line(sign, line);
    expect(thread.total().toHex()).toBe(expected.toHex());
    // both parts did some of the work: the long line here, lines in slots there
    expect(thread.counts.here).toBeGreaterThan(0);
    expect(thread.counts.there).toBeGreaterThan(5_000); // (eight slots of 256 KiB fill before the thread has to answer)
    expect(() => thread.line(1, 'late\n')).toThrow(/already totalled/);
    expect(() => thread.total()).toThrow(/totalled twice/);
  });

  it('is the sum the store would have kept, and the sum of its rows, after a replay', () => {
    const s = newStore();
    const recs = workload(s, 600);
    const replayed = newStore();
    applyRecords(replayed, recs.slice(0, 10));
    replayed.offloadSum();
    for (let i = 10; i < recs.length; i += 97) applyRecords(replayed, recs.slice(i, i + 97));
    expect(() => replayed.contentSum).toThrow(/settleSum\(\) first/);
    expect(replayed.settleSum()).toBe(keptDigest(s.db)?.contentHash);
    // written into the store, and the sum of its rows
    expect(keptDigest(replayed.db)).toEqual(computeDigest(replayed.db));
    expect(replayed.contentSum).toBe(s.contentSum);
    // and the store goes on keeping it itself
    applyRecords(replayed, [commit(s, [{ op: 'createNode', labels: ['After'], properties: {} }])]);
    expect(keptDigest(replayed.db)).toEqual(computeDigest(replayed.db));
  });

  it('is lost, loudly, when a transaction is rolled back meanwhile', () => {
    const s = newStore();
    const recs = workload(s, 5);
    const replayed = newStore();
    replayed.offloadSum();
    applyRecords(replayed, recs.slice(0, 3));
    // a record that does not apply: the batch is rolled back
    expect(() => applyRecords(replayed, [recs[3], recs[3]])).toThrow();
    expect(() => replayed.settleSum()).toThrow(/content sum was lost/);
    expect(() => applyRecords(replayed, [recs[3]])).toThrow(/content sum was lost/);
    // and no savepoints while it is offloaded
    const other = newStore();
    other.offloadSum();
    other.begin();
    expect(() => other.inSavepoint(() => 1)).toThrow(/no savepoints/);
    other.rollback();
  });
});
