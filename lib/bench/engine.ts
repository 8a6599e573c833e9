/**
 * `npm run bench:engine`: backup and restore speed on a generated store of about 1 GiB, measured in one
 * run against `cp` + `sync` of the same store file. The backup and restore run as real `txline` processes;
 * their peak memory (VmHWM) is sampled from /proc.
 *
 * Ratios are medians of alternating rounds (the machine is shared: load and the disk's speed drift, and
 * alternating lets both sides feel the same): a full backup against `cp` + `sync` of the store file, and a
 * restore of the full + differentials into a three-member cluster against copying the store file to three
 * member folders + `sync`. Each side of a ratio starts on memory just written and freed (primeMemory).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { MemberClient } from '../cluster/client';
import type { ClientOp } from '../graph/ops';
import { ClusterSupervisor } from '../cluster/supervisor';
import { setClusterToken } from '../cluster/token';
import { CLI_ENV, CLI_NODE_ARGS, txlineBin } from '../paths';
import { DEFAULT_CODEC } from '../graph/codec';

export interface EngineBenchOptions {
  storeMiB: number;
  diffTx: number;
  diffs: number;
  /** keep the generated cluster and backups (for profiling) */
  keepData?: boolean;
  /** only the restore drill: generate the store, take a full and the differentials, drill the chain */
  drillOnly?: boolean;
  /** only the restore rounds, from a folder kept by an earlier run (--keep-data): its chain and store */
  restoreFrom?: string;
  /** alternating rounds per ratio */
  rounds?: number;
}

interface RunResult {
  ms: number;
  /** Date.now() when the process was spawned (progress lines are stamped on the same clock) */
  startedAt: number;
  peakRssMiB: number;
  /**
   * the most anonymous memory (RssAnon) it was seen with, sampled every 20 ms: RSS without file pages (Node's
   * binary, and the store a restore's SQLite reads through a map: those pages are the kernel's page cache)
   */
  peakAnonMiB: number;
  stdout: string;
  stderr: string;
  code: number | null;
}

const out = (s: string) => process.stdout.write(`${s}\n`);

/** Runs the txline CLI, sampling its peak resident memory. */
function runCli(args: string[], env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const startedAt = Date.now();
    const child = spawn(process.execPath, [...CLI_NODE_ARGS, txlineBin(), ...args], { env: { ...process.env, ...CLI_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    let peak = 0;
    let peakAnon = 0;
    const timer = setInterval(() => {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const m = /VmHWM:\s+(\d+) kB/.exec(status);
        if (m) peak = Math.max(peak, Number(m[1]) / 1024);
        const anon = /RssAnon:\s+(\d+) kB/.exec(status);
        if (anon) peakAnon = Math.max(peakAnon, Number(anon[1]) / 1024);
      } catch {
        // exited
      }
    }, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(timer);
      const r = { ms: performance.now() - t0, startedAt, peakRssMiB: peak, peakAnonMiB: peakAnon, stdout, stderr, code };
      if (code !== 0) reject(new Error(`txline ${args.join(' ')} exited ${code}\n${stderr}`));
      else resolve(r);
    });
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function medianRun(runs: RunResult[]): RunResult {
  const byMs = [...runs].sort((a, b) => a.ms - b.ms);
  return { ...byMs[Math.floor(byMs.length / 2)], peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)), peakAnonMiB: Math.max(...runs.map((r) => r.peakAnonMiB)) };
}

function dirSizeMiB(file: string): number {
  return fs.statSync(file).size / 1048576;
}

async function writeSmallTx(client: MemberClient, count: number, concurrency = 32): Promise<void> {
  let next = 0;
  const seeds = (await client.nodes('neo4j', 'Seed', 50)).map((n) => n.id);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const ops: ClientOp[] = [
          { op: 'createNode', ref: '$a', labels: ['Person'], properties: { name: `p${i}`, age: i % 90 } },
          { op: 'createNode', ref: '$b', labels: ['Person'], properties: { name: `q${i}`, age: (i * 7) % 90 } },
          { op: 'createRelationship', type: 'KNOWS', start: '$a', end: '$b', properties: { since: 2000 + (i % 25) } },
          { op: 'setProperties', node: seeds[i % seeds.length], properties: { n: i } },
          { op: 'addLabels', node: '$a', labels: ['Active'] },
        ];
        await client.commit('neo4j', ops);
      }
    }),
  );
}

/** Grows the store with large transactions until the store file reaches `mib`. */
async function growStore(client: MemberClient, storeFile: string, mib: number): Promise<void> {
  const cities = ['Malmö', 'London', 'San Mateo', 'Berlin', 'Paris', 'Oslo'];
  let serial = 0;
  const tx = (): ClientOp[] => {
    const ops: ClientOp[] = [];
    for (let i = 0; i < 500; i++) {
      serial++;
      ops.push({
        op: 'createNode',
        ref: `$n${i}`,
        labels: ['Person', serial % 3 === 0 ? 'Customer' : 'Prospect'],
        properties: { name: `Person ${serial}`, email: `person.${serial}@example.com`, city: cities[serial % cities.length], score: (serial * 7919) % 1000, bio: `Person number ${serial} lives in ${cities[serial % cities.length]} and likes graphs.` },
      });
      if (i > 0) ops.push({ op: 'createRelationship', type: 'KNOWS', start: `$n${i}`, end: `$n${i - 1}`, properties: { since: 1990 + (serial % 35) } });
    }
    return ops;
  };
  let lastReport = 0;
  for (;;) {
    const size = storeBytes(storeFile) / 1048576;
    if (size >= mib) break;
    if (size - lastReport > 128) {
      out(`  ... store at ${Math.round(size)} MiB`);
      lastReport = size;
    }
    await Promise.all(Array.from({ length: 4 }, () => client.commit('neo4j', tx())));
  }
}

/** The restore drill's figures: its time in all, its RTO, and the time of each of its steps. */
function drillLine(run: RunResult, diffs: number): string {
  const r = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { passed: boolean; rtoMs: number | null; durationMs: number; restoredTx: number | null; failedCheck: string | null };
  const steps = ['drill:restore', 'drill:reads', 'drill:consistency', 'drill:counts', 'drill:cleanup'];
  const at = steps.map((p) => phaseStart(run.stdout, p));
  const spans = steps.slice(0, -1).map((p, i) => `${p.slice(6)} ${((at[i + 1] - at[i]) / 1000).toFixed(2)} s`);
  return `restore drill of full + ${diffs} differentials: ${r.passed ? 'passed' : `FAILED (${r.failedCheck})`} at tx ${r.restoredTx}; ${(run.ms / 1000).toFixed(2)} s in all, RTO ${((r.rtoMs ?? 0) / 1000).toFixed(2)} s (${spans.join(', ')}); peak RSS ${run.peakRssMiB.toFixed(0)} MiB`;
}

/** When the first progress line of a phase (or of phases starting with `prefix:`) came. */
function phaseStart(stdout: string, phase: string): number {
  for (const l of stdout.split('\n')) {
    if (!l) continue;
    const p = JSON.parse(l) as { ts?: string; phase?: string };
    if (p.ts && p.phase && (p.phase === phase || (phase.endsWith(':') && p.phase.startsWith(phase)))) return Date.parse(p.ts);
  }
  return Number.NaN;
}

/** From the process's spawn to its first progress line (--progress=jsonl). */
function untilFirstProgress(run: RunResult): number {
  const first = run.stdout.split('\n').find(Boolean);
  const ts = first ? (JSON.parse(first) as { ts?: string }).ts : undefined;
  return ts ? Date.parse(ts) - run.startedAt : Number.NaN;
}

/** "restore:store 0.00, restore:replay 1.20, install:stop 3.10, ..." : when each phase first reported. */
function phaseTimeline(stdout: string): string {
  const first = new Map<string, number>();
  for (const l of stdout.split('\n')) {
    if (!l) continue;
    const p = JSON.parse(l) as { ts?: string; phase?: string };
    if (p.ts && p.phase && !first.has(p.phase)) first.set(p.phase, Date.parse(p.ts));
  }
  const t0 = Math.min(...first.values());
  return [...first].map(([k, t]) => `${k} ${((t - t0) / 1000).toFixed(2)}`).join(', ');
}

function progressSpan(stdout: string, phase: string): number {
  const times = stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { ts?: string; phase?: string })
    .filter((p) => p.phase === phase && p.ts)
    .map((p) => Date.parse(p.ts as string));
  return times.length >= 2 ? times[times.length - 1] - times[0] : 0;
}

export async function benchEngine(opts: EngineBenchOptions): Promise<void> {
  if (opts.restoreFrom) return benchRestoreOnly(opts.restoreFrom, opts.rounds ?? 3);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-bench-engine-'));
  const sup = new ClusterSupervisor({ dataDir: path.join(dir, 'cluster'), basePort: 0, members: 1, secondaries: 0, output: 'file', txLogRotationSize: '64M', txLogRetention: '4 files' });
  try {
    await sup.start();
    setClusterToken(sup.token, sup.addresses());
    const m = sup.info().members[0];
    const client = new MemberClient(m.address);
    const env = { TXLINE_CLUSTER_ADDRESSES: m.address, TXLINE_CLUSTER_TOKEN: sup.token, TXLINE_LOG_LEVEL: 'info' };
    const storeFile = path.join(m.dataDir, 'databases', 'neo4j', 'store.sqlite');
    const backups = (name: string) => {
      const p = path.join(dir, name);
      fs.mkdirSync(p, { recursive: true });
      return p;
    };
    await client.commit('neo4j', Array.from({ length: 50 }, () => ({ op: 'createNode', labels: ['Seed'], properties: { n: 0 } })));

    out(`Txline engine benchmark (${os.cpus().length} cores, Node ${process.version}); data in ${dir}; load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
    if (opts.drillOnly) {
      out(`generating a store of about ${opts.storeMiB} MiB through real transactions...`);
      await growStore(client, storeFile, opts.storeMiB);
      const chain = backups('chain');
      await runCli(['database', 'backup', '--type=full', `--to-path=${chain}`, 'neo4j'], env);
      const per = Math.ceil(opts.diffTx / opts.diffs);
      for (let i = 0; i < opts.diffs; i++) {
        await writeSmallTx(client, per);
        await runCli(['database', 'backup', `--to-path=${chain}`, 'neo4j'], env);
      }
      out(`store: ${dirSizeMiB(storeFile).toFixed(0)} MiB; a full and ${opts.diffs} differentials of ${per} tx`);
      out(drillLine(await runCli(['backup', 'drill', `--from-path=${chain}`, '--database=neo4j', '--progress=jsonl'], env), opts.diffs));
      return;
    }
    // 1. Differential of N transactions on a small store.
    const small = backups('small');
    await runCli(['database', 'backup', `--to-path=${small}`, 'neo4j'], env);
    await writeSmallTx(client, opts.diffTx);
    const smallDiff = await runCli(['database', 'backup', `--to-path=${small}`, 'neo4j'], env);
    const smallStore = dirSizeMiB(storeFile);

    // 2. Grow the store to about the target size.
    out(`generating a store of about ${opts.storeMiB} MiB through real transactions...`);
    const g0 = performance.now();
    await growStore(client, storeFile, opts.storeMiB);
    // Settle: a checkpoint happens with the first snapshot; take one now so cp copies a settled file.
    const settle = backups('settle');
    await runCli(['database', 'backup', '--compress=false', `--to-path=${settle}`, 'neo4j'], env);
    fs.rmSync(settle, { recursive: true, force: true });
    const storeMiB = dirSizeMiB(storeFile);
    out(`store: ${storeMiB.toFixed(0)} MiB, generated in ${((performance.now() - g0) / 1000).toFixed(0)} s`);

    // 3-4. Baseline and full backups, alternating three times (the disk's speed drifts; medians compare).
    const copy = path.join(dir, 'cp-copy.sqlite');
    const cpTimes: number[] = [];
    const plainRuns: RunResult[] = [];
    const compRuns: RunResult[] = [];
    let chain = '';
    let compFile = '';
    let plainDir = '';
    const rounds = opts.rounds ?? 5;
    for (let round = 0; round < rounds; round++) {
      execFileSync('sync');
      primeMemory(dir, storeBytes(storeFile));
      const c0 = performance.now();
      execFileSync('cp', [storeFile, copy]);
      execFileSync('sync');
      cpTimes.push(performance.now() - c0);
      fs.rmSync(copy);
      const plain = backups(`plain-${round}`);
      execFileSync('sync');
      primeMemory(dir, storeBytes(storeFile));
      plainRuns.push(await runCli(['database', 'backup', '--type=full', '--compress=false', '--progress=jsonl', `--to-path=${plain}`, 'neo4j'], env));
      if (round < rounds - 1) fs.rmSync(plain, { recursive: true, force: true });
      else plainDir = plain;
      chain = backups(`chain-${round}`);
      execFileSync('sync');
      compRuns.push(await runCli(['database', 'backup', '--type=full', `--to-path=${chain}`, 'neo4j'], env));
      compFile = fs.readdirSync(chain).find((f) => f.endsWith('.backup')) as string;
      if (round < rounds - 1) fs.rmSync(chain, { recursive: true, force: true });
    }
    const cpMs = median(cpTimes);
    const fullPlain = medianRun(plainRuns);
    const fullComp = medianRun(compRuns);
    // An artifact records the SHA-256 of its whole payload: one stream, which a single core hashes; what that
    // costs here bounds the ratio from below, whatever the copy does alongside.
    const floor = await hashFloor(storeFile);
    const compMiB = dirSizeMiB(path.join(chain, compFile));

    // 5. Differentials: 10 of N/10 in one folder; one of N in another (same full).
    const single = backups('single');
    fs.copyFileSync(path.join(chain, compFile), path.join(single, compFile));
    const per = Math.ceil(opts.diffTx / opts.diffs);
    let diffMs = 0;
    for (let i = 0; i < opts.diffs; i++) {
      await writeSmallTx(client, per);
      diffMs += (await runCli(['database', 'backup', `--to-path=${chain}`, 'neo4j'], env)).ms;
    }
    const bigDiff = await runCli(['database', 'backup', `--to-path=${single}`, 'neo4j'], env);

    // 6. Restore full + differentials as a new database, into a three-member cluster, alternating with
    // copying the store file to three member folders + sync.
    const restoreRounds = await restoreRoundsInto(path.join(dir, 'cluster3'), chain, storeFile, Math.max(3, Math.min(rounds, 5)));
    const restore = restoreRounds.run;

    // 6b. A restore drill of the same chain: restored into a scratch database, checked, dropped.
    const drill = await runCli(['backup', 'drill', `--from-path=${chain}`, '--database=neo4j', '--progress=jsonl'], env);

    // 7. The same full backup (uncompressed) to S3-compatible storage (s3rver on loopback), and its restore,
    // beside the folder's: the last round's uncompressed full restored from the folder, then from s3://.
    const s3 = await startS3rver(path.join(dir, 's3'));
    let s3Figures: { backup: RunResult; restore: RunResult; folderRestore: RunResult } | null = null;
    try {
      const s3env = { ...env, ...s3.env };
      const folderRestore = await runCli(['database', 'restore', `--from-path=${plainDir}`, 'fromfolder'], env);
      const s3backup = await runCli(['database', 'backup', '--type=full', '--compress=false', `--to-path=s3://${s3.bucket}/full`, 'neo4j'], s3env);
      const s3restore = await runCli(['database', 'restore', `--from-path=s3://${s3.bucket}/full`, 'froms3'], s3env);
      s3Figures = { backup: s3backup, restore: s3restore, folderRestore };
    } finally {
      s3.stop();
    }

    const gib = storeMiB / 1024;
    out('');
    out(`(medians of ${rounds} alternating rounds: cp+sync ${cpTimes.map((t) => (t / 1000).toFixed(2)).join('/')} s, uncompressed ${plainRuns.map((r) => (r.ms / 1000).toFixed(2)).join('/')} s, compressed ${compRuns.map((r) => (r.ms / 1000).toFixed(2)).join('/')} s)`);
    out(`cp + sync of the store (${storeMiB.toFixed(0)} MiB):        ${(cpMs / 1000).toFixed(2)} s`);
    out(`full backup, uncompressed:                   ${(fullPlain.ms / 1000).toFixed(2)} s, ${(storeMiB / (fullPlain.ms / 1000)).toFixed(0)} MiB/s, peak RSS ${fullPlain.peakRssMiB.toFixed(0)} MiB`);
    // what the process spends before it copies anything (Node, the bundle's modules, the topology, the lease)
    out(`  of which before its first byte was copied:  ${plainRuns.map((r) => (untilFirstProgress(r) / 1000).toFixed(2)).join('/')} s (the rounds in order)`);
    const backupRatios = plainRuns.map((r, i) => r.ms / cpTimes[i]);
    out(`ratio: full backup (uncompressed) / cp+sync = ${median(backupRatios).toFixed(2)}x, median of ${rounds} alternating rounds (${backupRatios.map((x) => x.toFixed(2)).join('/')}; aim <= 1.2x)`);
    const start = median(plainRuns.map(untilFirstProgress));
    out(`  its floor here: SHA-256 of ${storeMiB.toFixed(0)} MiB on one core ${(floor.hashMs / 1000).toFixed(2)} s (read from the page cache and hashed: ${(floor.readHashMs / 1000).toFixed(2)} s); with the ${(start / 1000).toFixed(2)} s before the first byte, ${((start + floor.hashMs) / cpMs).toFixed(2)}x cp+sync`);
    out(`full backup, compressed (${DEFAULT_CODEC}):            ${(fullComp.ms / 1000).toFixed(2)} s = ${(storeMiB / (fullComp.ms / 1000)).toFixed(0)} MiB/s of store (aim >= 200), ratio ${(storeMiB / compMiB).toFixed(2)} (${compMiB.toFixed(0)} MiB), peak RSS ${fullComp.peakRssMiB.toFixed(0)} MiB`);
    out(`differential of ${opts.diffTx} tx, ${smallStore.toFixed(0)} MiB store:     ${(smallDiff.ms / 1000).toFixed(2)} s`);
    out(`differential of ${opts.diffTx} tx, ${storeMiB.toFixed(0)} MiB store:   ${(bigDiff.ms / 1000).toFixed(2)} s (${(bigDiff.ms / smallDiff.ms).toFixed(2)}x the small store's: it does not grow with the store), peak RSS ${bigDiff.peakRssMiB.toFixed(0)} MiB`);
    out(`${opts.diffs} differentials of ${per} tx:                ${(diffMs / 1000).toFixed(2)} s in all`);
    for (const line of restoreRounds.lines) out(line);
    out(drillLine(drill, opts.diffs));
    if (s3Figures) {
      const mibs = (r: RunResult) => (storeMiB / (r.ms / 1000)).toFixed(0);
      out(`full backup, uncompressed, to s3:// (s3rver on loopback): ${(s3Figures.backup.ms / 1000).toFixed(2)} s = ${mibs(s3Figures.backup)} MiB/s (to the folder: ${mibs(fullPlain)} MiB/s), peak RSS ${s3Figures.backup.peakRssMiB.toFixed(0)} MiB`);
      out(`restore of that full from s3://:             ${(s3Figures.restore.ms / 1000).toFixed(2)} s = ${mibs(s3Figures.restore)} MiB/s (from the folder: ${(s3Figures.folderRestore.ms / 1000).toFixed(2)} s = ${mibs(s3Figures.folderRestore)} MiB/s), peak RSS ${s3Figures.restore.peakRssMiB.toFixed(0)} MiB`);
    }
    out(`peak memory (VmHWM, file pages included: Node's binary, and for a restore the store SQLite maps): backup ${Math.max(fullPlain.peakRssMiB, fullComp.peakRssMiB, bigDiff.peakRssMiB).toFixed(0)} MiB, restore ${restore.peakRssMiB.toFixed(0)} MiB; anonymous memory of the restore at most ${restore.peakAnonMiB.toFixed(0)} MiB (sampled every 20 ms) (aim < 200 MB)`);
    void gib;
    await sleep(10);
  } finally {
    await sup.stop();
    if (opts.keepData) out(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * SHA-256 of a file's bytes on one thread: of the file read from the page cache in 4 MiB reads, and of as many
 * bytes already in memory (the hash alone); medians of three. On a thread of its own, so that this one keeps
 * answering (with this thread blocked for seconds, one run's next request to its member failed: ECONNRESET).
 */
async function hashFloor(file: string): Promise<{ readHashMs: number; hashMs: number }> {
  const worker = new Worker(HASH_FLOOR_SOURCE, { eval: true, workerData: { file } });
  try {
    return await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the hashing thread exited (${code})`)));
    });
  } finally {
    await worker.terminate();
  }
}

const HASH_FLOOR_SOURCE = `
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const { parentPort, workerData } = require('node:worker_threads');
const size = fs.statSync(workerData.file).size;
const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
const fd = fs.openSync(workerData.file, 'r');
const readHash = [];
const hashOnly = [];
for (let i = 0; i < 3; i++) {
  let t0 = performance.now();
  let h = createHash('sha256');
  for (let at = 0; at < size; ) {
    const n = fs.readSync(fd, buf, 0, Math.min(buf.length, size - at), at);
    if (n === 0) break;
    h.update(buf.subarray(0, n));
    at += n;
  }
  h.digest();
  readHash.push(performance.now() - t0);
  t0 = performance.now();
  h = createHash('sha256');
  for (let at = 0; at < size; at += buf.length) h.update(buf.subarray(0, Math.min(buf.length, size - at)));
  h.digest();
  hashOnly.push(performance.now() - t0);
}
fs.closeSync(fd);
const median = (xs) => xs.sort((a, b) => a - b)[1];
parentPort.postMessage({ readHashMs: median(readHash), hashMs: median(hashOnly) });
`;

/** The store file and its log, in bytes. */
function storeBytes(file: string): number {
  return fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
}

/**
 * Gives both sides of a ratio the same start: writes `bytes` (and a tenth more) into a file under `dir` and
 * removes it, right before the side is timed. On this VM, memory the guest freed a few seconds earlier has
 * been handed back to the host (free page reporting), and the page cache's first use of it costs several
 * times more (1 GiB into such memory: 2.6 s of system time, against 0.3 s into memory just used). Without
 * this, a side that happened to follow a large delete ran on warm memory and the other on cold (cp + sync in
 * the same run: 1.0 s and 2.6 s). Warm, as a host without a hypervisor always is.
 */
function primeMemory(dir: string, bytes: number): void {
  const file = path.join(dir, 'prime-memory.tmp');
  const chunk = Buffer.alloc(8 * 1024 * 1024, 1);
  const fd = fs.openSync(file, 'w');
  try {
    for (let done = 0; done < bytes * 1.1; done += chunk.length) fs.writeSync(fd, chunk);
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true }); // (dirty pages of a removed file are dropped, never written back)
  }
}

/** Copies `storeFile` into three fresh member folders under `dir`, then syncs: the baseline of a restore. */
function threeCopies(dir: string, storeFile: string): number {
  fs.rmSync(dir, { recursive: true, force: true });
  execFileSync('sync');
  primeMemory(path.dirname(dir), 3 * storeBytes(storeFile));
  const t0 = performance.now();
  for (let i = 1; i <= 3; i++) {
    const to = path.join(dir, `member-${i}`, 'databases', 'restored');
    fs.mkdirSync(to, { recursive: true });
    execFileSync('cp', [storeFile, path.join(to, 'store.sqlite')]);
  }
  execFileSync('sync');
  const ms = performance.now() - t0;
  fs.rmSync(dir, { recursive: true, force: true });
  return ms;
}

/**
 * Restores the chain in `chain` (a full and its differentials) as database `restored` into a fresh cluster of
 * three members (two primaries, one secondary) under `dir`, `rounds` times alternating with threeCopies() of
 * `storeFile`; returns the median run and the lines to print.
 */
async function restoreRoundsInto(dir: string, chain: string, storeFile: string, rounds: number): Promise<{ run: RunResult; lines: string[] }> {
  const sup = new ClusterSupervisor({ dataDir: dir, basePort: 0, members: 3, secondaries: 1, output: 'file', txLogRotationSize: '64M', txLogRetention: '4 files' });
  try {
    await sup.start();
    setClusterToken(sup.token, sup.addresses());
    const env = { TXLINE_CLUSTER_ADDRESSES: sup.addresses().join(','), TXLINE_CLUSTER_TOKEN: sup.token, TXLINE_LOG_LEVEL: 'info' };
    const copies: number[] = [];
    const runs: RunResult[] = [];
    for (let round = 0; round < rounds; round++) {
      copies.push(threeCopies(path.join(dir, '..', 'three-copies'), storeFile));
      execFileSync('sync');
      primeMemory(path.dirname(dir), 3 * storeBytes(storeFile));
      runs.push(await runCli(['database', 'restore', `--from-path=${chain}`, '--progress=jsonl', ...(round > 0 ? ['--overwrite-destination'] : []), 'restored'], env));
      // the members remove the stores they replaced in the background: done before the next baseline is timed
      await settled(sup.info().members.map((m) => path.join(m.dataDir, 'databases')));
    }
    const ratios = runs.map((r, i) => r.ms / copies[i]);
    const run = medianRun(runs);
    const result = JSON.parse(run.stdout.trim().split('\n').pop() as string) as { replayed: number; restoredTx: number };
    const replayMs = progressSpan(run.stdout, 'restore:replay');
    const storeCopyMs = progressSpan(run.stdout, 'restore:store');
    const installMs = phaseStart(run.stdout, 'done') - phaseStart(run.stdout, 'install:');
    const diffs = fs.readdirSync(chain).filter((f) => f.endsWith('.backup')).length - 1;
    const storeMiB = dirSizeMiB(storeFile);
    return {
      run,
      lines: [
        `copy of the store (${storeMiB.toFixed(0)} MiB) to three member folders + sync: ${(median(copies) / 1000).toFixed(2)} s (${copies.map((t) => (t / 1000).toFixed(2)).join('/')})`,
        `restore of full + ${diffs} differentials (${result.replayed} tx) into 3 members: ${(run.ms / 1000).toFixed(2)} s in all (${runs.map((r) => (r.ms / 1000).toFixed(2)).join('/')}); store unpacked in ${(storeCopyMs / 1000).toFixed(2)} s; replay ${(replayMs / 1000).toFixed(2)} s = ${Math.round(result.replayed / (replayMs / 1000))} tx/s (aim >= 25000); sent to the 3 members, installed and digested in ${(installMs / 1000).toFixed(2)} s; peak RSS ${run.peakRssMiB.toFixed(0)} MiB (file pages included), anonymous at most ${run.peakAnonMiB.toFixed(0)} MiB`,
        `restore phases (s from the first progress line, ${(untilFirstProgress(run) / 1000).toFixed(2)} s after the process started): ${phaseTimeline(run.stdout)}`,
        `ratio: restore into 3 members / three copies + sync = ${median(ratios).toFixed(2)}x, median of ${rounds} alternating rounds (${ratios.map((x) => x.toFixed(2)).join('/')}; aim <= 1.5x)`,
      ],
    };
  } finally {
    await sup.stop();
  }
}

/** Waits (up to 60 s) until no incoming or replaced store is left in the members' database folders. */
async function settled(dirs: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const left = dirs.flatMap((d) => fs.readdirSync(d).filter((n) => n.startsWith('.incoming-')).map((n) => path.join(d, n)));
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`the members still hold ${left.join(', ')} 60 s after the restore`);
    await sleep(50);
  }
}

/** The restore rounds alone, on a folder an earlier run kept (--keep-data): its last chain and its store. */
async function benchRestoreOnly(kept: string, rounds: number): Promise<void> {
  const chainName = fs.readdirSync(kept).filter((n) => n.startsWith('chain')).sort().pop();
  const storeFile = path.join(kept, 'cluster', 'member-1', 'databases', 'neo4j', 'store.sqlite');
  if (!chainName || !fs.existsSync(storeFile)) throw new Error(`${kept} is not a folder kept by bench engine --keep-data (no chain-* folder or no ${storeFile})`);
  out(`Txline engine benchmark, restore rounds only (${os.cpus().length} cores, Node ${process.version}); from ${kept}; load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-bench-restore-'));
  try {
    const r = await restoreRoundsInto(path.join(dir, 'cluster3'), path.join(kept, chainName), storeFile, rounds);
    for (const line of r.lines) out(line);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * s3rver (a dev dependency: the benchmark runs from a checkout) in a child process on a free loopback port, with
 * one bucket; `env` reaches it through the standard AWS variables.
 */
async function startS3rver(dataDir: string): Promise<{ bucket: string; env: Record<string, string>; stop(): void }> {
  fs.mkdirSync(dataDir, { recursive: true });
  const bucket = 'txline-bench';
  const script = `
const S3rver = require('s3rver');
new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.argv[1], configureBuckets: [{ name: ${JSON.stringify(bucket)} }] })
  .run().then((a) => process.stdout.write(JSON.stringify({ port: a.port }) + '\\n'), (e) => { console.error(e); process.exit(1); });
process.on('disconnect', () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', script, dataDir], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error('s3rver did not start within 30 s')), 30_000);
    child.stdout?.on('data', (c: Buffer) => {
      text += c.toString();
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve((JSON.parse(text.split('\n')[0]) as { port: number }).port);
      }
    });
    child.on('exit', (code) => reject(new Error(`s3rver exited (${code})`)));
  });
  return {
    bucket,
    env: {
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stop: () => child.kill('SIGTERM'),
  };
}
