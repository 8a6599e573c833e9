/**
 * Replay and `backup log` speed over a 100k-transaction chain, without a cluster or a test runner:
 *
 *   node scripts/build-cli.mjs --quiet && npx tsx scripts/bench-txlog.ts [--tx 100000]
 *
 * Generates the transactions on a private store the way a writer does (applyClientOps, one record per
 * transaction, with before-images), and the same records in payload version 1 (without them). Then:
 * - parses every record's operations (decodeOps) of each version: what before-images add to a replay's parsing;
 * - replays each version into a fresh store as a restore does (applyRecords in batches of 20,000, the restore's
 *   private-copy pragmas), alternating, three times each;
 * - writes the chain as real artifacts (a zstd full of the store after the first transaction, four zstd
 *   differentials of the rest) and times the `txline backup log` CLI over it: every transaction, and a --match
 *   that selects a few.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { folderLocation, type Artifact } from '../lib/engine/artifact';
import { ArtifactWriter, UNRACED } from '../lib/engine/artifact-writer';
import os from 'node:os';
import path from 'node:path';
import { applyRecords } from '../lib/graph/apply';
import type { ClientOp } from '../lib/graph/ops';
import { decodeOps, encodeOps, encodeRecord, encodeTx, type TxRecord } from '../lib/graph/record';
import { GraphStore } from '../lib/graph/store';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const TX = arg('tx', 100_000);
/** --keep: leave the generated chain (printed) for profiling; --no-replay: only the log timings */
const KEEP = process.argv.includes('--keep');
const REPLAY = !process.argv.includes('--no-replay');

function txOps(i: number, seeds: number[], recent: number[]): ClientOp[] {
  const ops: ClientOp[] = [
    { op: 'createNode', ref: '$a', labels: ['Person'], properties: { name: `p${i}`, age: i % 90 } },
    { op: 'createNode', ref: '$b', labels: ['Person'], properties: { name: `q${i}`, age: (i * 7) % 90 } },
    { op: 'createRelationship', type: 'KNOWS', start: '$a', end: '$b', properties: { since: 2000 + (i % 25) } },
    { op: 'setProperties', node: seeds[i % seeds.length], properties: { n: i } },
    { op: 'addLabels', node: '$a', labels: ['Active'] },
  ];
  // every 10th transaction deletes a node an earlier one created (with its relationship)
  if (i % 10 === 0 && recent.length > 0) ops.push({ op: 'deleteNode', node: recent.shift() as number });
  return ops;
}

/** The chain's records in the payload version Txline writes (2, with before-images) and in version 1. */
export function generate(dir: string, n: number): { records: TxRecord[]; v1: TxRecord[]; genMs: number; fullStore: string } {
  const store = GraphStore.open(path.join(dir, 'gen.sqlite'), { databaseName: 'bench' });
  store.db.pragma('synchronous = OFF');
  const seedRec: TxRecord[] = [];
  store.begin();
  const seedOps: ClientOp[] = Array.from({ length: 100 }, (_, k) => ({ op: 'createNode', labels: ['Seed'], properties: { n: 0, k } }) as ClientOp);
  const s0 = store.inSavepoint(() => store.applyClientOps(seedOps));
  seedRec.push(encodeRecord(1, Date.now(), 0, encodeTx(s0.resolved, s0.before)));
  store.writeMeta({ lastTxId: 1, lastTxChecksum: seedRec[0].checksum, lastCommitTime: seedRec[0].commitTime });
  store.commit();
  store.checkpoint('TRUNCATE');
  const fullStore = path.join(dir, 'full.sqlite');
  fs.copyFileSync(path.join(dir, 'gen.sqlite'), fullStore);
  const seeds = Array.from({ length: 100 }, (_, k) => k);
  const recent: number[] = [];
  const records: TxRecord[] = [...seedRec];
  const v1: TxRecord[] = [encodeRecord(1, seedRec[0].commitTime, 0, encodeOps(s0.resolved))];
  const t0 = performance.now();
  let prev = records[0];
  let prev1 = v1[0];
  for (let i = 2; i <= n; i++) {
    if ((i - 2) % 2000 === 0) store.begin();
    const r = store.inSavepoint(() => store.applyClientOps(txOps(i, seeds, recent)));
    recent.push(r.ids.$b);
    const rec = encodeRecord(i, Date.now(), prev.checksum, encodeTx(r.resolved, r.before));
    records.push(rec);
    prev = rec;
    prev1 = encodeRecord(i, rec.commitTime, prev1.checksum, encodeOps(r.resolved));
    v1.push(prev1);
    if ((i - 1) % 2000 === 0 || i === n) store.commit();
  }
  store.close();
  return { records, v1, genMs: performance.now() - t0, fullStore };
}

export function replay(dir: string, records: TxRecord[]): number {
  const file = path.join(dir, `replay-${Date.now()}.sqlite`);
  const store = GraphStore.open(file, { databaseName: 'bench' });
  store.db.pragma('synchronous = OFF');
  store.db.pragma('journal_mode = MEMORY');
  store.db.pragma('locking_mode = EXCLUSIVE');
  store.db.pragma('cache_size = -16384');
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += 20_000) applyRecords(store, records.slice(i, i + 20_000));
  const ms = performance.now() - t0;
  store.close();
  fs.rmSync(file, { force: true });
  return ms;
}

/** The chain as artifacts in `out`: a full of `fullStore` (at transaction 1), then `parts` differentials. */
async function writeChain(out: string, fullStore: string, records: TxRecord[], parts: number): Promise<void> {
  const meta = GraphStore.open(fullStore).meta;
  const t0 = Date.now() - 3_600_000;
  const writer = (i: number, full: boolean) => new ArtifactWriter({ location: folderLocation(out), lock: UNRACED, database: 'bench', time: new Date(t0 + i * 60_000), full, codec: 'zstd', keepFailed: false });
  const w = writer(0, true);
  await pipeline(fs.createReadStream(fullStore), w.payload());
  let parent: Artifact = await w.commit({
    databaseId: meta.databaseId, storeId: meta.storeId, lowestTx: 1, highestTx: 1, txCount: 1, parent: null, parentLastTxChecksum: null,
    tipTx: 1, lastTxChecksum: meta.lastTxChecksum, firstCommitTime: null, lastCommitTime: meta.lastCommitTime, recovered: true, member: null,
    store: { nodes: meta.nodeCount, relationships: meta.relCount },
  });
  const rest = records.slice(1);
  const per = Math.ceil(rest.length / parts);
  for (let i = 0; i < parts; i++) {
    const part = rest.slice(i * per, (i + 1) * per);
    const d = writer(i + 1, false);
    await pipeline(Readable.from(part.map((r) => r.bytes)), d.payload());
    const first = part[0];
    const last = part[part.length - 1];
    parent = await d.commit({
      databaseId: meta.databaseId, storeId: meta.storeId, lowestTx: first.txId, highestTx: last.txId, txCount: part.length, parent: parent.file,
      parentLastTxChecksum: parent.lastTxChecksum, tipTx: last.txId, lastTxChecksum: last.checksum, firstCommitTime: first.commitTime,
      lastCommitTime: last.commitTime, recovered: false, member: null, store: null,
    });
  }
}

/** Runs the CLI under /usr/bin/time: wall time, and CPU time (user + system, what load on a shared machine does not inflate as much). */
function timeCli(args: string[]): { ms: number; cpuS: number; lines: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, path.resolve(import.meta.dirname, '../bin/txline.mjs'), ...args], {
    maxBuffer: 1 << 30,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`txline ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr.toString('utf8'));
  return { ms, cpuS: m ? Number(m[1]) + Number(m[2]) : NaN, lines: r.stdout.toString('utf8').split('\n').filter(Boolean).length };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-bench-txlog-'));
  try {
    const { records, v1, genMs, fullStore } = generate(dir, TX);
    const mib = (rs: TxRecord[]) => (rs.reduce((a, r) => a + r.bytes.length, 0) / 1048576).toFixed(1);
    console.log(`generated ${records.length} transactions (${mib(v1)} MiB of version 1 records, ${mib(records)} MiB of version 2) in ${(genMs / 1000).toFixed(2)} s`);
    for (const [v, rs] of [['1', v1], ['2', records]] as const) {
      const t0 = performance.now();
      let n = 0;
      for (const r of rs) n += decodeOps(r).length;
      const ms = performance.now() - t0;
      console.log(`decodeOps of ${rs.length} records, payload version ${v}: ${(ms / 1000).toFixed(2)} s (${n} operations)`);
    }
    const chain = path.join(dir, 'chain');
    fs.mkdirSync(chain);
    await writeChain(chain, fullStore, records, 4);
    for (const args of [[], ['--match=deleted:Person'], ['--match=prop:name=p777'], ['--match=label:Customer'], ['--json']]) {
      const r = timeCli(['backup', 'log', `--from-path=${chain}`, ...args]);
      console.log(`txline backup log ${args.join(' ') || '(every transaction)'} over ${records.length - 1} transactions: ${(r.ms / 1000).toFixed(2)} s wall, ${r.cpuS.toFixed(2)} s CPU, ${r.lines} lines`);
    }
    // alternate the two, so that both see the same machine (others share its cores)
    const runs: Record<'1' | '2', number[]> = { '1': [], '2': [] };
    for (let k = 0; k < (REPLAY ? 3 : 0); k++) {
      runs['1'].push(replay(dir, v1));
      runs['2'].push(replay(dir, records));
    }
    for (const v of REPLAY ? (['1', '2'] as const) : []) {
      const sorted = runs[v].sort((a, b) => a - b);
      const ms = sorted[1];
      console.log(`replay of ${records.length} tx, payload version ${v}: median ${(ms / 1000).toFixed(2)} s = ${Math.round(records.length / (ms / 1000))} tx/s (runs ${sorted.map((r) => (r / 1000).toFixed(2)).join(', ')} s)`);
    }
  } finally {
    if (KEEP) console.log(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}
