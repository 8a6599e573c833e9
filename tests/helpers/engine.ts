/**
 * Helpers for the backup engine's tests: the `txline` CLI as a real child process, writes with known
 * transaction IDs, folder snapshots (to prove nothing was written), and an engine log that keeps its lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { MemberClient } from '../../lib/cluster/client';
import type { ClientOp } from '../../lib/graph/ops';
import { BLOCK, METADATA_BYTES, listArtifacts, metadataChecksum, verifyPayload } from '../../lib/engine/artifact';
import type { InspectRow } from '../../lib/engine/inspect';
import type { BackupOptions } from '../../lib/engine/backup';
import { silentLog, type EngineLog } from '../../lib/engine/progress';
import { TxlineSource } from '../../lib/sources/txline/source';
import { dbStatus, type TestCluster } from './cluster';

export const TXLINE_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/txline.mjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node bin/txline.mjs ...args` with the test cluster's addresses in its environment. */
export function spawnTxline(args: string[], opts: { addresses?: string[]; cwd?: string; env?: Record<string, string> } = {}): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, TXLINE_LOG_LEVEL: 'info', ...(opts.env ?? {}) };
  if (opts.addresses) env.TXLINE_CLUSTER_ADDRESSES = opts.addresses.join(',');
  else env.TXLINE_CLUSTER_ADDRESSES = '127.0.0.1:1'; // never the developer's own cluster
  delete env.NODE_OPTIONS;
  return spawn(process.execPath, [TXLINE_BIN, ...args], { cwd: opts.cwd ?? path.dirname(TXLINE_BIN), env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs the CLI to completion. */
export function runTxline(args: string[], opts: Parameters<typeof spawnTxline>[1] & { timeoutMs?: number } = {}): Promise<CliResult> {
  const child = spawnTxline(args, opts);
  return collect(child, opts.timeoutMs ?? 60_000, args);
}

export function collect(child: ChildProcess, timeoutMs: number, args: string[] = []): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`txline ${args.join(' ')} did not finish within ${timeoutMs} ms\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** `txline backup inspect DIR --json --empty`, checked to exit 0. */
export async function inspectCli(dir: string, extra: string[] = []): Promise<InspectRow[]> {
  const r = await runTxline(['backup', 'inspect', dir, '--json', '--empty', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as InspectRow[];
}

/** Commits `n` transactions, one node each, in order; returns the last transaction ID. */
export async function writeTx(writer: MemberClient, db: string, n: number, tag = 'item'): Promise<number> {
  let last = 0;
  for (let i = 0; i < n; i++) {
    const ops: ClientOp[] = [{ op: 'createNode', labels: ['Item'], properties: { tag, i } }];
    last = (await writer.commit(db, ops)).txId;
  }
  return last;
}

/** Commits `n` transactions concurrently (faster; IDs in any order); returns the highest transaction ID. */
export async function writeMany(writer: MemberClient, db: string, n: number, make: (i: number) => ClientOp[], concurrency = 16): Promise<number> {
  let next = 0;
  let top = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const r = await writer.commit(db, make(i));
        top = Math.max(top, r.txId);
      }
    }),
  );
  return top;
}

export async function lastTx(cluster: TestCluster, db: string): Promise<number> {
  return (await dbStatus(cluster.writer, db))?.lastCommittedTxn ?? -1;
}

/** Every file in `dir` (hidden ones too) with its size and modification time, to prove nothing changed. */
export function snapshotDir(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of fs.readdirSync(dir)) {
    const st = fs.statSync(path.join(dir, n));
    out[n] = `${st.isDirectory() ? 'dir' : st.size}@${st.mtimeMs}`;
  }
  return out;
}

/** Hidden temporary files and kept failed attempts in `dir`. */
export function leftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith('.txline-partial-') || n.includes('.failed') || n.endsWith('.tmp'));
}

/** Every artifact `dir` lists, with its payload verified; fails on any `*.backup` file that cannot be read. */
export async function verifyFolder(dir: string): Promise<string[]> {
  const listed = listArtifacts(dir);
  expect(listed.problems.map((p) => `${p.file}: ${p.error.message}`)).toEqual([]);
  for (const a of listed.artifacts) await verifyPayload(a);
  return listed.artifacts.map((a) => a.file);
}

export interface CapturedLog extends EngineLog {
  lines: Array<{ level: 'info' | 'warn' | 'error'; message: string }>;
  text(): string;
}

export function captureLog(): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  return {
    lines,
    info: (message) => lines.push({ level: 'info', message }),
    warn: (message) => lines.push({ level: 'warn', message }),
    error: (message) => lines.push({ level: 'error', message }),
    text: () => lines.map((l) => `${l.level}: ${l.message}`).join('\n'),
  };
}

export function sourceFor(cluster: TestCluster, addresses = cluster.addresses): TxlineSource {
  return new TxlineSource({ addresses, resolve: true });
}

/** backupDatabases' options for an auto backup of neo4j from the test cluster into `toPath`, silent; `over` changes any. */
export function backupOptions(cluster: TestCluster, toPath: string, over: Partial<BackupOptions> = {}): BackupOptions {
  return {
    source: sourceFor(cluster),
    explicitSources: false,
    toPath,
    type: 'auto',
    preferDiffAsParent: false,
    compress: true,
    keepFailed: false,
    fallbackToFull: true,
    maxLag: 1_000_000,
    databases: ['neo4j'],
    log: silentLog,
    ...over,
  };
}

/**
 * A varied graph workload for one database, written one transaction at a time: nodes with labels and
 * properties, relationships, property updates and removals, label changes, deletes of relationships and of
 * nodes (with their relationships). Deterministic for a given seed; every transaction succeeds.
 */
export class Workload {
  private people: number[] = [];
  private cities: number[] = [];
  private rels: number[] = [];
  private temps: number[] = [];
  private i = 0;
  private rnd: () => number;

  constructor(readonly writer: MemberClient, readonly db: string, seed = 1) {
    let s = seed >>> 0 || 1;
    this.rnd = () => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>> 0) / 2 ** 32;
    };
  }

  private pick(list: number[]): number {
    return list[Math.floor(this.rnd() * list.length)];
  }

  /** The next transaction's operations, and what to remember once it commits. */
  private next(): { ops: ClientOp[]; after: (ids: Record<string, number>) => void } {
    const i = this.i++;
    const kind = this.people.length < 3 ? 0 : Math.floor(this.rnd() * 7);
    switch (kind) {
      case 1:
        return { ops: [{ op: 'setProperties', node: this.pick(this.people), properties: { visits: i, note: `seen at ${i}` } }], after: () => undefined };
      case 2:
        return { ops: [{ op: 'addLabels', node: this.pick(this.people), labels: ['Vip'] }, { op: 'removeProperty', node: this.pick(this.people), key: 'note' }], after: () => undefined };
      case 3:
        return {
          ops: [{ op: 'createRelationship', ref: '$r', type: 'KNOWS', start: this.pick(this.people), end: this.pick(this.people), properties: { since: 1990 + (i % 30) } }],
          after: (ids) => this.rels.push(ids.$r),
        };
      case 4: {
        if (this.rels.length === 0) return this.create(i);
        const r = this.rels.splice(Math.floor(this.rnd() * this.rels.length), 1)[0];
        return { ops: [{ op: 'deleteRelationship', relationship: r }], after: () => undefined };
      }
      case 5:
        return { ops: [{ op: 'createNode', ref: '$t', labels: ['Temp'], properties: { i, blob: 'x'.repeat(100 + (i % 50)) } }], after: (ids) => this.temps.push(ids.$t) };
      case 6: {
        if (this.temps.length === 0) return this.create(i);
        const t = this.temps.shift() as number;
        return { ops: [{ op: 'deleteNode', node: t }], after: () => undefined };
      }
      default:
        return this.create(i);
    }
  }

  private create(i: number): { ops: ClientOp[]; after: (ids: Record<string, number>) => void } {
    const ops: ClientOp[] = [{ op: 'createNode', ref: '$p', labels: ['Person'], properties: { name: `person ${i}`, born: 1900 + (i % 100), tags: ['a', `t${i % 7}`] } }];
    const newCity = this.cities.length < 5 || this.rnd() < 0.2;
    if (newCity) ops.push({ op: 'createNode', ref: '$c', labels: ['City'], properties: { name: `city ${i}` } });
    ops.push({ op: 'createRelationship', ref: '$r', type: 'LIVES_IN', start: '$p', end: newCity ? '$c' : this.pick(this.cities), properties: { from: i } });
    return {
      ops,
      after: (ids) => {
        this.people.push(ids.$p);
        if (ids.$c !== undefined) this.cities.push(ids.$c);
        this.rels.push(ids.$r);
      },
    };
  }

  /** Commits `n` transactions in order; returns the last transaction ID. */
  async write(n: number): Promise<number> {
    let last = 0;
    for (let k = 0; k < n; k++) {
      const { ops, after } = this.next();
      const r = await this.writer.commit(this.db, ops);
      after(r.ids);
      last = r.txId;
    }
    return last;
  }
}

/**
 * A member behind a slow or breaking network: an HTTP proxy in the test process that forwards every request to
 * `target` and, for store and transaction streams (GET /db/<name>/store|tx), sends the response on in 64 KiB
 * pieces at `bytesPerSecond`, or cuts the connection after `cutAfterBytes`. Backups through it take as long as
 * the test needs (or stall, hold() until release()), so a second backup or a kill -9 lands while the first is
 * writing.
 */
export interface ThrottleProxy {
  address: string;
  /** bytes of stream responses sent on so far (all requests) */
  streamed(): number;
  set(opts: { bytesPerSecond?: number; cutAfterBytes?: number | null }): void;
  /** stall every stream once it has sent `afterBytes`, until release() */
  hold(afterBytes?: number): void;
  release(): void;
  close(): Promise<void>;
}

export async function throttleProxy(target: string, opts: { bytesPerSecond?: number; cutAfterBytes?: number | null } = {}): Promise<ThrottleProxy> {
  const http = await import('node:http');
  let bytesPerSecond = opts.bytesPerSecond ?? Infinity;
  let cutAfterBytes = opts.cutAfterBytes ?? null;
  let streamed = 0;
  let gate: { promise: Promise<void>; open: () => void; afterBytes: number } | null = null;
  const [host, port] = target.split(':');
  const server = http.createServer((req, res) => {
    const isStream = req.method === 'GET' && /^\/db\/[^/]+\/(store|tx)(\?|$)/.test(req.url ?? '');
    // the member's own host:port as Host, as a reverse proxy passes it on (members refuse another port)
    const up = http.request({ host, port: Number(port), method: req.method, path: req.url, headers: { ...req.headers, host: target }, agent: false }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      res.flushHeaders(); // a held stream still delivers its headers
      if (!isStream) {
        upRes.pipe(res);
        return;
      }
      let sentHere = 0;
      const t0 = Date.now();
      void (async () => {
        try {
          for await (const chunk of upRes as AsyncIterable<Buffer>) {
            for (let off = 0; off < chunk.length; off += 64 * 1024) {
              const piece = chunk.subarray(off, off + 64 * 1024);
              if (cutAfterBytes !== null && sentHere + piece.length > cutAfterBytes) {
                upRes.destroy();
                res.destroy();
                return;
              }
              if (Number.isFinite(bytesPerSecond)) {
                const wait = t0 + ((sentHere + piece.length) / bytesPerSecond) * 1000 - Date.now();
                if (wait > 0) await new Promise((r) => setTimeout(r, wait));
              }
              while (gate && sentHere + piece.length > gate.afterBytes) await gate.promise;
              if (res.destroyed) return;
              sentHere += piece.length;
              streamed += piece.length;
              if (!res.write(piece)) {
                await new Promise<void>((r) => {
                  const done = () => {
                    res.off('drain', done);
                    res.off('close', done);
                    r();
                  };
                  res.on('drain', done);
                  res.on('close', done);
                });
              }
            }
          }
          res.end();
        } catch {
          res.destroy();
        }
      })();
      res.on('close', () => upRes.destroy());
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const addr = server.address() as import('node:net').AddressInfo;
  return {
    address: `127.0.0.1:${addr.port}`,
    streamed: () => streamed,
    hold(afterBytes = 0) {
      if (gate) return;
      let open = () => undefined as void;
      const promise = new Promise<void>((r) => (open = r));
      gate = { promise, open, afterBytes };
    },
    release() {
      const g = gate;
      gate = null;
      g?.open();
    },
    set(o) {
      if (o.bytesPerSecond !== undefined) bytesPerSecond = o.bytesPerSecond;
      if (o.cutAfterBytes !== undefined) cutAfterBytes = o.cutAfterBytes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        const g = gate;
        gate = null;
        g?.open();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nobody listens on (asked from the OS, then released). */
export async function unusedPort(): Promise<number> {
  const net = await import('node:net');
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as import('node:net').AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Polls until `file` exists in `dir` (a name matching `re`), or the child exits; returns the name or null. */
export async function waitForFile(dir: string, re: RegExp, child: ChildProcess, timeoutMs = 20_000): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hit = fs.readdirSync(dir).find((n) => re.test(n));
    if (hit) return hit;
    if (child.exitCode !== null || child.signalCode !== null) return null;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`no file matching ${re} appeared in ${dir} within ${timeoutMs} ms`);
}

/** Every name in `dir`, asserting that each is an artifact (no lock, owner, temporary or kept file). */
export function expectOnlyArtifacts(dir: string, what = dir): string[] {
  const names = fs.readdirSync(dir).sort();
  expect(names.filter((n) => !n.endsWith('.backup') || n.startsWith('.')), `${what} holds only artifacts`).toEqual([]);
  return names;
}

/**
 * Rewrites an artifact's metadata in place with `patch` applied and its metadata checksum recomputed, as
 * if the artifact had been written that way (a parent whose last transaction does not match, say).
 */
export function resealMetadata(file: string, patch: Record<string, unknown>): void {
  const fd = fs.openSync(file, 'r+');
  try {
    const block = Buffer.alloc(METADATA_BYTES);
    fs.readSync(fd, block, 0, METADATA_BYTES, BLOCK);
    const { metadataSha256: _old, ...rest } = JSON.parse(block.toString('utf8')) as Record<string, unknown>;
    const meta = { ...rest, ...patch };
    const json = JSON.stringify({ ...meta, metadataSha256: metadataChecksum(meta) }, null, 1);
    block.fill(0x20);
    block.write(json, 0, 'utf8');
    block[METADATA_BYTES - 1] = 0x0a;
    fs.writeSync(fd, block, 0, METADATA_BYTES, BLOCK);
  } finally {
    fs.closeSync(fd);
  }
}

/** The metadata block at the head of a kept failed attempt (or of an artifact), parsed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- failed and good heads differ: the tests assert on their fields directly
export function readHeadMetadata(file: string): Record<string, any> {
  const fd = fs.openSync(file, 'r');
  try {
    const block = Buffer.alloc(METADATA_BYTES);
    fs.readSync(fd, block, 0, METADATA_BYTES, BLOCK);
    return JSON.parse(block.toString('utf8'));
  } finally {
    fs.closeSync(fd);
  }
}

/** `--progress=jsonl` output: every stdout line parsed (a line that is not JSON fails the test). */
export function jsonlLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line on stdout: ${l}`);
      }
    });
}

/** `s` as a regular expression that matches it literally (file names in log lines). */
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
