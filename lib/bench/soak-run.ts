/**
 * One soak run over a started `txline serve` (./soak.ts starts it): the users' requests, the writers, the
 * backup and restore loops, the readings of the server's memory and of the lag samples, and the summary.
 * Every loop stops at the end of the run; a backup or restore under way is let finish (and counted).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once, setMaxListeners } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { MemberClient } from '../cluster/client';
import { runWorkload, type WorkloadStats } from '../cluster/workload';
import { envVars, type TxlineEnv } from '../env';
import { TxlineError, describeError } from '../errors';
import { CLI_ENV, CLI_NODE_ARGS, txlineBin } from '../paths';
import { cmdline, cpuSecondsOf, processTree, rssOf, treeOf } from './proc';
import { SampleLedger, type SeriesCount } from './soak-lag';

export interface SoakOptions {
  minutes: number;
  users: number;
  restoreEveryMinutes: number;
  keepData?: boolean;
}

/** the databases backed up in loops; soak1 and soak2 are created for the run and written to from here */
const BACKED_UP = ['neo4j', 'soak1', 'soak2'];
export const CREATED = ['soak1', 'soak2'];
const RESTORE_TARGET = 'soak-restore';
/** transactions per second written to soak1 and soak2 each (serve's workload writes 5/s to neo4j) */
const WRITE_RATE = 3;
const BACKUP_PAUSE_MS = 2000;
const REQUEST_TIMEOUT_MS = 30_000;

export const out = (s: string) => process.stdout.write(`${s}\n`);
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MiB`;
const clock = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}`;

/** Waits `ms`, or less when `signal` aborts. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(Math.max(0, ms), undefined, { signal });
  } catch (e) {
    if ((e as Error).name !== 'AbortError') throw e;
  }
}

export interface ClusterView {
  writer: string;
  members: Array<{ id: string; address: string }>;
}

export interface RunContext {
  base: string;
  clusterId: number;
  cookies: string[];
  serve: ChildProcess;
  cluster: ClusterView;
  dir: string;
  config: TxlineEnv;
  /** the collector's cadence as samples see it (ms) */
  step: number;
}

interface CliOutcome {
  ok: boolean;
  ms: number;
  what: string;
}

export class SoakRun {
  private readonly stop = new AbortController();
  private readonly latencies = new Map<string, number[]>();
  private readonly errors = new Map<string, number>();
  private readonly backups = new Map<string, CliOutcome[]>(BACKED_UP.map((d) => [d, []]));
  private readonly restores: CliOutcome[] = [];
  private readonly ledger = new SampleLedger();
  private rss = { start: 0, end: 0, peak: 0, pids: '' };
  /** the server's CPU seconds and the machine's 1-minute load average, at the start, the end and the highest */
  private cpu = { start: 0, end: 0 };
  private load = { start: 0, end: 0, peak: 0 };
  private readonly pages: Array<[string, string]>;

  constructor(
    private readonly opts: SoakOptions,
    private readonly ctx: RunContext,
  ) {
    setMaxListeners(100, this.stop.signal); // every loop pauses on it
    const c = ctx.clusterId;
    this.pages = [
      ['GET /', '/'],
      ['GET /databases/neo4j', '/databases/neo4j'],
      ['GET /api/lag (neo4j, 5m)', `/api/lag?cluster=${c}&database=neo4j&window=5m`],
      ['GET /cluster', '/cluster'],
      ['GET /api/cluster?all=1', '/api/cluster?all=1'],
      ['GET /api/lag (soak1, 1h)', `/api/lag?cluster=${c}&database=soak1&window=1h`],
      ['GET /jobs', '/jobs'],
      ['GET /api/jobs', '/api/jobs'],
      ['GET /databases/soak2', '/databases/soak2'],
      ['GET /api/cluster?id', `/api/cluster?id=${c}`],
      ['GET /api/jobs?database', '/api/jobs?database=neo4j&limit=20'],
      ['GET /api/lag (soak2, 24h)', `/api/lag?cluster=${c}&database=soak2&window=24h`],
    ];
  }

  /** Runs the soak; true when it passed. */
  async go(): Promise<boolean> {
    const { signal } = this.stop;
    const writers = CREATED.map((database, i) =>
      runWorkload({ server: this.ctx.cluster.writer, database, rate: WRITE_RATE, durationMs: Infinity, signal, seed: i + 1, log: (l) => out(`  ${database} writer: ${l}`) }),
    );
    try {
      await this.warmUp();
      const serverPid = this.serverPid();
      this.rss.start = this.readRss(serverPid);
      this.cpu.start = treeOf(serverPid).reduce((n, p) => n + cpuSecondsOf(p), 0);
      this.load.start = os.loadavg()[0];
      const txStart = await this.writerTx();
      const start = Date.now();
      out(`soak: ${this.opts.minutes} min, ${this.opts.users} users, backups of ${BACKED_UP.join(', ')} in loops, a restore every ${this.opts.restoreEveryMinutes} min; server RSS ${mib(this.rss.start)}`);
      const loops = Promise.all([
        ...this.ctx.cookies.map((cookie, i) => this.userLoop(cookie, i)),
        ...BACKED_UP.map((db) => this.backupLoop(db)),
        this.restoreLoop(start),
        this.rssLoop(serverPid),
        this.lagLoop(start),
        this.progressLoop(start, serverPid),
      ]);
      await Promise.race([sleep(this.opts.minutes * 60_000), loops]); // a loop that throws ends the run
      const end = Date.now();
      this.stop.abort();
      await loops;
      this.rss.end = this.readRss(serverPid);
      this.rss.peak = Math.max(this.rss.peak, this.rss.end);
      this.cpu.end = treeOf(serverPid).reduce((n, p) => n + cpuSecondsOf(p), 0);
      this.load.end = os.loadavg()[0];
      const written = await Promise.all(writers);
      const txEnd = await this.writerTx();
      await sleep(this.ctx.step + 1500); // the collector's last rounds of the window reach the catalog
      this.readSamples(start - 5000);
      return this.summary({ start, end, written, txStart, txEnd });
    } finally {
      this.stop.abort(); // after a failure too: the loops and writers end
      await Promise.allSettled(writers);
    }
  }

  /** Every user asks for every page once (first renders are not timed). */
  private async warmUp(): Promise<void> {
    await Promise.all(this.ctx.cookies.map(async (cookie) => {
      for (const [label, p] of this.pages) {
        const r = await this.get(p, cookie);
        if (r.status !== 200) throw new TxlineError('INTERNAL', `warm-up: ${label} answered ${r.status === 0 ? r.error : `HTTP ${r.status}`}`);
      }
    }));
  }

  private async get(p: string, cookie: string): Promise<{ status: number; ms: number; error?: string }> {
    const t0 = performance.now();
    try {
      const res = await fetch(`${this.ctx.base}${p}`, { headers: { cookie }, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      await res.arrayBuffer();
      const to = res.headers.get('location');
      return { status: res.status, ms: performance.now() - t0, ...(to ? { error: `to ${to}` } : {}) };
    } catch (e) {
      return { status: 0, ms: performance.now() - t0, error: describeError(e) };
    }
  }

  private async userLoop(cookie: string, user: number): Promise<void> {
    const { signal } = this.stop;
    await pause(Math.random() * 2000, signal); // users do not move in step
    for (let k = user; !signal.aborted; k++) {
      const [label, p] = this.pages[k % this.pages.length];
      const r = await this.get(p, cookie);
      if (r.status === 200) {
        let xs = this.latencies.get(label);
        if (!xs) this.latencies.set(label, (xs = []));
        xs.push(r.ms);
      } else {
        const what = `${label}: ${r.status === 0 ? r.error : `HTTP ${r.status}${r.error ? ` (${r.error})` : ''}`}`;
        if (!this.errors.has(what)) out(`  error: ${what}`);
        this.errors.set(what, (this.errors.get(what) ?? 0) + 1);
      }
      await pause(1000 + Math.random() * 1000, signal);
    }
  }

  /** `txline <args>` against the serve's cluster: ok when it exits 0, else `what` ends with its last stderr lines. */
  private async cli(args: string[]): Promise<CliOutcome> {
    const t0 = performance.now();
    const child = spawn(process.execPath, [...CLI_NODE_ARGS, txlineBin(), ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...CLI_ENV, ...envVars(this.ctx.config), TXLINE_CLUSTER_TOKEN: '', NODE_OPTIONS: '' },
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    const ms = performance.now() - t0;
    if (code === 0) return { ok: true, ms, what: args.join(' ') };
    return { ok: false, ms, what: `txline ${args.join(' ')} exited ${signal ?? code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` };
  }

  private async backupLoop(database: string): Promise<void> {
    const { signal } = this.stop;
    const done = this.backups.get(database) as CliOutcome[];
    while (!signal.aborted) {
      const r = await this.cli(['database', 'backup', `--to-path=${this.ctx.config.backupDir}`, database]);
      done.push(r);
      if (!r.ok) out(`  backup failed: ${r.what}`);
      await pause(BACKUP_PAUSE_MS, signal);
    }
  }

  /** The first restore at half the period, then one a period, each from the next database in turn. */
  private async restoreLoop(start: number): Promise<void> {
    const { signal } = this.stop;
    const every = this.opts.restoreEveryMinutes * 60_000;
    for (let i = 0; ; i++) {
      await pause(start + every / 2 + i * every - Date.now(), signal);
      if (signal.aborted) return;
      const from = BACKED_UP[i % BACKED_UP.length];
      if (!(this.backups.get(from) ?? []).some((b) => b.ok)) continue; // nothing to restore from yet
      const r = await this.cli(['database', 'restore', `--from-path=${this.ctx.config.backupDir}`, `--from-database=${from}`, '--overwrite-destination', RESTORE_TARGET]);
      this.restores.push({ ...r, what: r.ok ? `${from} -> ${RESTORE_TARGET} in ${(r.ms / 1000).toFixed(1)} s` : r.what });
      out(`  restore ${r.ok ? 'done' : 'FAILED'}: ${this.restores[this.restores.length - 1].what}`);
    }
  }

  // ---- the web server's memory -------------------------------------------------------------------------

  /** The `next start` process serve runs (found through /proc; Next.js retitles it `next-server (vX)`). */
  private serverPid(): number {
    const servePid = this.ctx.serve.pid as number;
    const isNext = (pid: number) => cmdline(pid).some((a) => a.startsWith('next-server') || a.endsWith(path.join('next', 'dist', 'bin', 'next')));
    const next = (processTree().get(servePid) ?? []).find(isNext);
    if (!next) throw new TxlineError('INTERNAL', `found no \`next start\` process under txline serve (pid ${servePid})`);
    return next;
  }

  /** RSS (bytes) of the server and its descendants. */
  private readRss(pid: number): number {
    const pids = treeOf(pid);
    this.rss.pids = pids.join(', ');
    return pids.reduce((sum, p) => sum + rssOf(p), 0);
  }

  private async rssLoop(pid: number): Promise<void> {
    while (!this.stop.signal.aborted) {
      this.rss.peak = Math.max(this.rss.peak, this.readRss(pid));
      this.load.peak = Math.max(this.load.peak, os.loadavg()[0]);
      await pause(2000, this.stop.signal);
    }
  }

  // ---- lag samples -------------------------------------------------------------------------------------

  private readSamples(since: number): void {
    const db = new Database(this.ctx.config.catalog, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      const rows = db
        .prepare("SELECT member_id AS member, database, ts FROM lag_samples WHERE cluster_id = ? AND resolution = 's' AND ts >= ?")
        .all(this.ctx.clusterId, since) as Array<{ member: string; database: string; ts: number }>;
      for (const r of rows) this.ledger.add(r.member, r.database, r.ts);
    } finally {
      db.close();
    }
  }

  /** Reads the samples as they come (the catalog downsamples seconds older than an hour away). */
  private async lagLoop(start: number): Promise<void> {
    let since = start - 5000;
    while (!this.stop.signal.aborted) {
      await pause(20_000, this.stop.signal);
      const now = Date.now();
      this.readSamples(since);
      since = now - 60_000; // rounds stamped a little before they were stored
    }
  }


  // ---- reporting ---------------------------------------------------------------------------------------

  private async writerTx(): Promise<Map<string, number>> {
    const s = await new MemberClient(this.ctx.cluster.writer).status();
    return new Map(s.databases.map((d) => [d.name, d.lastCommittedTxn]));
  }

  private async progressLoop(start: number, serverPid: number): Promise<void> {
    while (!this.stop.signal.aborted) {
      await pause(60_000, this.stop.signal);
      if (this.stop.signal.aborted) return;
      const pages = [...this.latencies.values()].reduce((n, xs) => n + xs.length, 0);
      const errors = [...this.errors.values()].reduce((a, b) => a + b, 0);
      const b = [...this.backups.values()].flat();
      out(
        `[${clock(Date.now() - start)}] pages ${pages}, errors ${errors}, backups ${b.filter((x) => x.ok).length} (${b.filter((x) => !x.ok).length} failed), ` +
          `restores ${this.restores.filter((x) => x.ok).length} (${this.restores.filter((x) => !x.ok).length} failed), server RSS ${mib(this.readRss(serverPid))}`,
      );
    }
  }

  private summary(r: { start: number; end: number; written: WorkloadStats[]; txStart: Map<string, number>; txEnd: Map<string, number> }): boolean {
    const all = [...this.latencies.values()].flat();
    const errors = [...this.errors.values()].reduce((a, b) => a + b, 0);
    const b = [...this.backups.values()].flat();
    const backupsFailed = b.filter((x) => !x.ok).length;
    const restoresFailed = this.restores.filter((x) => !x.ok).length;
    const writeFailed = r.written.reduce((n, w) => n + w.failed, 0);
    // every database the writer had at the start is expected on every member over the whole window
    const lag = this.ledger.account({ start: r.start, end: r.end, step: this.ctx.step, members: this.ctx.cluster.members.map((m) => m.id), databases: [...r.txStart.keys()] });
    const lost = [...lag.values()].reduce((n, c) => n + c.lost, 0);
    const sum = (k: keyof SeriesCount) => [...lag.values()].reduce((n, c) => n + c[k], 0);
    out('');
    out(`soak summary: ${clock(r.end - r.start)} (min:s), ${this.opts.users} users`);
    out(`  pages served     ${all.length}, p50 ${pct(all, 0.5)} ms, p99 ${pct(all, 0.99)} ms`);
    for (const [label] of this.pages) {
      const xs = this.latencies.get(label) ?? [];
      out(`    ${label.padEnd(28)} ${String(xs.length).padStart(6)}  p50 ${String(pct(xs, 0.5)).padStart(5)} ms  p99 ${String(pct(xs, 0.99)).padStart(5)} ms`);
    }
    out(`  errors           ${errors}${errors ? `: ${[...this.errors].map(([k, n]) => `${k} x${n}`).join('; ')}` : ''}`);
    out(`  backups          ${b.length - backupsFailed} done, ${backupsFailed} failed (${[...this.backups].map(([d, xs]) => `${d} ${xs.filter((x) => x.ok).length}, p50 ${(pct(xs.map((x) => x.ms), 0.5) / 1000).toFixed(1)} s`).join('; ')})`);
    out(`  restores         ${this.restores.length - restoresFailed} done, ${restoresFailed} failed${this.restores.length ? ` (${this.restores.map((x) => x.what).join('; ')})` : ''}`);
    out(`  writes           ${BACKED_UP.map((d) => `${d} +${(r.txEnd.get(d) ?? 0) - (r.txStart.get(d) ?? 0)} tx`).join(', ')}; ${writeFailed} failed writes to ${CREATED.join(' and ')}`);
    out(`  lag samples      expected ${sum('expected')}, recorded ${sum('recorded')}, lost ${lost} (${[...lag].map(([m, c]) => `${m} ${c.lost}`).join(', ')}; every ${this.ctx.step} ms)`);
    out(`  lag rounds       ${this.ledger.roundsMissed({ start: r.start, end: r.end, step: this.ctx.step })} missed (seconds with no sample for any member or database)`);
    out(`  server RSS       start ${mib(this.rss.start)}, end ${mib(this.rss.end)}, peak ${mib(this.rss.peak)} (next start, pid ${this.rss.pids})`);
    const cpu = this.cpu.end - this.cpu.start;
    out(`  server CPU       ${cpu.toFixed(0)} s in ${((r.end - r.start) / 1000).toFixed(0)} s (${((cpu * 100_000) / (r.end - r.start)).toFixed(0)}% of a core)`);
    out(`  machine load     ${this.load.start.toFixed(1)} at the start, ${this.load.end.toFixed(1)} at the end, ${this.load.peak.toFixed(1)} at most (1-minute load average; ${os.availableParallelism()} CPUs)`);
    const failed = [
      errors && `${errors} requests did not answer 200`,
      backupsFailed && `${backupsFailed} backups failed`,
      restoresFailed && `${restoresFailed} restores failed`,
      writeFailed && `${writeFailed} writes failed`,
      lost && `${lost} lag samples lost`,
    ].filter(Boolean);
    out(failed.length ? `FAILED: ${failed.join(', ')}` : 'passed: no errors, no lag sample lost');
    return failed.length === 0;
  }
}

/** Nearest-rank percentile, rounded to whole milliseconds (0 for no values). */
function pct(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.max(0, Math.ceil(p * s.length) - 1)]);
}

