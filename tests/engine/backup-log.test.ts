/**
 * Finding the point, then restoring (issue 14): a real one-member cluster, real backups, the `txline` CLI as a
 * child process. Marker nodes are written, then one transaction deletes them; `backup log --match` finds
 * exactly that transaction (its record carries the markers' before-images), `backup preview` counts them back
 * at the point before it, and a restore to that point has every marker back with its properties. The golden
 * chain of an older Txline (payload version 1, no before-images) is listed too, and says what it cannot know.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobResult } from '../../lib/jobs/protocol';
import type { LogEntry } from '../../lib/engine/txlog-browse';
import { startTestCluster, tempFolders, type TestCluster } from '../helpers/cluster';
import { jsonlLines, runTxline } from '../helpers/engine';

const DB = 'shop';
const MARKERS = 5;
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/artifacts');

let cluster: TestCluster;
let dir: string;
const tx: Record<string, number> = {};
const { folder, removeAll } = tempFolders('backup-log');

async function backup(type: string): Promise<void> {
  const r = await runTxline(['database', 'backup', `--from=${cluster.addresses[0]}`, `--to-path=${dir}`, `--type=${type}`, DB], { addresses: cluster.addresses });
  expect(r.code, r.stderr).toBe(0);
}

async function logJson(args: string[]): Promise<LogEntry[]> {
  const r = await runTxline(['backup', 'log', `--from-path=${dir}`, `--database=${DB}`, '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as LogEntry[];
}

beforeAll(async () => {
  cluster = await startTestCluster({ members: 1, secondaries: 0, databases: [DB] });
  dir = folder('backups');
  const w = cluster.writer;
  const c = await w.commit(DB, [
    { op: 'createNode', ref: '$acme', labels: ['Customer'], properties: { name: 'Acme', tier: 1 } },
    { op: 'createNode', ref: '$bolt', labels: ['Customer'], properties: { name: 'Bolt', tier: 2 } },
  ]);
  tx.customers = c.txId;
  await backup('full');
  // the markers, each with a relationship to a customer, created one transaction each
  const markers: number[] = [];
  for (let i = 0; i < MARKERS; i++) {
    const r = await w.commit(DB, [
      { op: 'createNode', ref: '$m', labels: ['Marker'], properties: { tag: `m${i}`, n: i, note: 'keep, please' } },
      { op: 'createRelationship', type: 'MARKS', start: '$m', end: c.ids.$acme, properties: { i } },
    ]);
    markers.push(r.ids.$m);
    tx[`marker${i}`] = r.txId;
  }
  tx.rename = (await w.commit(DB, [{ op: 'setProperties', node: c.ids.$bolt, properties: { name: 'Bolt Ltd' } }])).txId;
  await backup('diff');
  tx.order = (await w.commit(DB, [{ op: 'createNode', labels: ['Order'], properties: { total: 9.5 } }])).txId;
  // the damage: one transaction deletes every marker (and so their MARKS relationships)
  tx.damage = (await w.commit(DB, markers.map((id) => ({ op: 'deleteNode', node: id })))).txId;
  tx.after = (await w.commit(DB, [{ op: 'createNode', labels: ['Order'], properties: { total: 12 } }])).txId;
  await backup('diff');
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  removeAll();
});

describe('backup log', () => {
  it('--match=deleted:Marker finds exactly the transaction that deleted the markers, with what it deleted', async () => {
    const found = await logJson(['--match=deleted:Marker']);
    expect(found.map((e) => e.txId)).toEqual([tx.damage]);
    expect(found[0]).toMatchObject({
      deleted: { nodes: MARKERS, relationships: MARKERS },
      created: { nodes: 0, relationships: 0 },
      labels: ['Marker'],
      types: ['MARKS'],
      beforeImages: true,
    });
    // the same by a property the markers had only before the transaction, and by type
    expect((await logJson(['--match=deleted,prop:tag=m3'])).map((e) => e.txId)).toEqual([tx.damage]);
    expect((await logJson(['--match=deleted:MARKS'])).map((e) => e.txId)).toEqual([tx.damage]);
    expect((await logJson(['--match=prop:note="keep, please"'])).map((e) => e.txId)).toEqual([...Array.from({ length: MARKERS }, (_, i) => tx[`marker${i}`]), tx.damage]);
  });

  it('lists every transaction after the full, oldest first, with ranges, operations and limits', async () => {
    const all = await logJson([]);
    expect(all.map((e) => e.txId)).toEqual(Array.from({ length: tx.after - tx.customers }, (_, i) => tx.customers + 1 + i));
    const rename = all.find((e) => e.txId === tx.rename);
    expect(rename).toMatchObject({ changed: { nodes: 1, relationships: 0 }, labels: ['Customer'] }); // the label from its before-image
    expect((await logJson(['--match=changed:Customer', '--match=prop:name=Bolt'])).map((e) => e.txId)).toEqual([tx.rename]);
    expect((await logJson(['--match=created:Order'])).map((e) => e.txId)).toEqual([tx.order, tx.after]);
    expect((await logJson(['--match=label:Marker', `--from-tx=${tx.marker2}`, `--to-tx=${tx.damage}`])).map((e) => e.txId)).toEqual([tx.marker2, tx.marker3, tx.marker4, tx.damage]);
    expect((await logJson(['--match=type:MARKS', '--limit=2'])).map((e) => e.txId)).toEqual([tx.marker0, tx.marker1]);
    // by commit time: from (inclusive) to (exclusive), in UTC with milliseconds
    const at = (id: number) => all.find((e) => e.txId === id)?.commitTime as string;
    const [from, to] = [at(tx.marker2), at(tx.damage)];
    const utc = (iso: string) => iso.replace('T', ' ').replace('Z', '');
    const byTime = await logJson([`--from-time=${utc(from)}`, `--to-time=${utc(to)}`]);
    expect(byTime.map((e) => e.txId)).toEqual(all.filter((e) => e.commitTime >= from && e.commitTime < to).map((e) => e.txId));
    expect(byTime.map((e) => e.txId)).toContain(tx.marker2);
    expect(byTime.map((e) => e.txId)).not.toContain(tx.damage);
    const text = await runTxline(['backup', 'log', `--from-path=${dir}`, '--match=deleted:Marker']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout.trim().split('\n')).toHaveLength(1);
    expect(text.stdout).toContain(`tx ${tx.damage} `);
    expect(text.stdout).toContain(`deleted ${MARKERS}n ${MARKERS}r`);
    expect(text.stderr).toContain(`transactions 1..${tx.customers} are inside the full backup`);
  });

  it('prints a job result the protocol reads, with the next page', async () => {
    const r = await runTxline(['backup', 'log', `--from-path=${dir}`, `--database=${DB}`, '--match=label:Marker', '--limit=2', '--progress=jsonl']);
    expect(r.code, r.stderr).toBe(0);
    const result = jobResult('log', jsonlLines(r.stdout).pop());
    expect(result?.entries.map((e) => e.txId)).toEqual([tx.marker0, tx.marker1]);
    expect(result?.nextTx).toBe(tx.marker2);
    expect(result?.listable).toEqual({ fromTx: tx.customers + 1, toTx: tx.after });
  });

  it('refuses a bad --match, a bad range and a missing --from-path as usage errors', async () => {
    // (the grammar's refusals, one by one, are in backup-log-match.test.ts)
    for (const bad of [['--match=destroyed:Marker'], [`--from-tx=9`, '--to-tx=3'], ['--from-time=yesterday']]) {
      const r = await runTxline(['backup', 'log', `--from-path=${dir}`, ...bad]);
      expect(r.code, `${bad.join(' ')}: ${r.stderr}`).toBe(2);
    }
    expect((await runTxline(['backup', 'log', '--match=deleted'])).code).toBe(2);
  });
});

describe('backup preview, then restore before the damage', () => {
  it('counts the markers back at the transaction before the damage, and a restore there has them all', async () => {
    const p = await runTxline(['backup', 'preview', `--from-path=${dir}`, `--restore-until=${tx.damage}`, '--json']);
    expect(p.code, p.stderr).toBe(0);
    const preview = JSON.parse(p.stdout) as { at: { txId: number; labels: Record<string, number> }; newest: { txId: number; labels: Record<string, number> }; sentences: string[] };
    expect(preview.at.txId).toBe(tx.damage - 1);
    expect(preview.newest.txId).toBe(tx.after);
    expect(preview.at.labels.Marker).toBe(MARKERS);
    expect(preview.newest.labels.Marker).toBeUndefined();
    expect(preview.sentences).toContain(`at tx ${tx.damage - 1}: ${MARKERS} :Marker nodes more than now (${MARKERS} then, 0 at tx ${tx.after})`);
    const text = await runTxline(['backup', 'preview', `--from-path=${dir}`, `--restore-until=${tx.damage}`]);
    expect(text.stdout).toContain(`${MARKERS} :Marker nodes more than now`);
    // as a job runs it: the result line the protocol reads
    const job = await runTxline(['backup', 'preview', `--from-path=${dir}`, `--database=${DB}`, `--restore-until=${tx.damage}`, '--progress=jsonl']);
    expect(job.code, job.stderr).toBe(0);
    const result = jobResult('preview', jsonlLines(job.stdout).pop());
    expect(result?.labels.find((d) => d.name === 'Marker')).toEqual({ name: 'Marker', at: MARKERS, newest: 0, difference: MARKERS });
    expect(result?.types.find((d) => d.name === 'MARKS')?.difference).toBe(MARKERS);

    const r = await runTxline(['database', 'restore', `--from-path=${dir}`, `--restore-until=${tx.damage}`, 'shop-before'], { addresses: cluster.addresses });
    expect(r.code, r.stderr).toBe(0);
    const back = await cluster.writer.nodes('shop-before', 'Marker', 100);
    expect(back.map((n) => n.properties.tag).sort()).toEqual(Array.from({ length: MARKERS }, (_, i) => `m${i}`));
    expect((await cluster.writer.digest('shop-before')).lastCommittedTxn).toBe(tx.damage - 1);
  });
});

describe('records without before-images (the golden chain of Txline 27c8168)', () => {
  it('are listed, deletions by ID only, and say so', async () => {
    const copy = folder('golden-v1');
    for (const f of fs.readdirSync(path.join(FIXTURES, 'zstd-27c8168'))) fs.copyFileSync(path.join(FIXTURES, 'zstd-27c8168', f), path.join(copy, f));
    const r = await runTxline(['backup', 'log', `--from-path=${copy}`, '--match=deleted', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const entries = JSON.parse(r.stdout) as LogEntry[];
    // phase 2 and 3 of make-golden.ts: a relationship (19), Temp (22), Ed (29), VISITED (34), Bo (37)
    expect(entries.map((e) => e.txId)).toEqual([19, 22, 29, 34, 37]);
    expect(entries.every((e) => !e.beforeImages && e.labels.length === 0)).toBe(true);
    const none = await runTxline(['backup', 'log', `--from-path=${copy}`, '--match=deleted:Person', '--json']);
    expect(JSON.parse(none.stdout)).toEqual([]);
  });
});
