/**
 * Finding the point before a restore: `txline backup log` lists the transactions of a database's newest chain
 * (what each created, changed and deleted, the labels and types it touched), and `txline backup preview`
 * counts the store a restore would give at a point beside the newest one.
 *
 * Invariants:
 * - The log streams: one differential at a time, one record at a time, each entry handed out as it is found;
 *   nothing holds the chain. Differentials wholly outside the asked range are not read; those read are read
 *   whole, so their checksums are verified as a restore verifies them.
 * - A full artifact holds a store, not transactions: the transactions up to a chain's full are not listed
 *   (the log says so).
 * - What a payload holds is the kind's (PayloadFormat.readTransactions, countsAt); matching is generic
 *   (txlog-match.ts).
 */
import os from 'node:os';
import { TxlineError } from '../errors';
import { cleanStaleWorkDirs, makeWorkDir } from '../cleanup';
import type { Artifact } from './artifact';
import { isEmpty } from './chain';
import type { GraphCounts, PayloadFormat, TxChanges } from './format';
import type { EngineLog, ProgressSink } from './progress';
import { formatUtc, planRestore, type RestorePoint } from './restore-plan';
import { resolveArtifacts } from './restore';
import { matchesAll, requiredNames, type Match } from './txlog-match';

export interface LogOptions {
  fromPaths: string[];
  /** the database whose chain to read; may be left out when the location holds one database */
  database?: string;
  /** first and last transaction ID to list (inclusive) */
  fromTx?: number;
  toTx?: number;
  /** list what was committed at or after `fromTime` and before `toTime` (ms since the epoch) */
  fromTime?: number;
  toTime?: number;
  matches: Match[];
  /** stop after this many entries */
  limit?: number;
  format: PayloadFormat;
  log: EngineLog;
  progress?: ProgressSink;
}

export interface Counts {
  nodes: number;
  relationships: number;
}

export interface LogEntry {
  txId: number;
  /** ISO 8601, UTC */
  commitTime: string;
  created: Counts;
  changed: Counts;
  deleted: Counts;
  /** labels of the nodes it touched, sorted */
  labels: string[];
  /** types of the relationships it touched, sorted */
  types: string[];
  /** false: recorded without before-images (a deletion's labels, type and properties are unknown) */
  beforeImages: boolean;
  /** the artifact that holds it */
  artifact: string;
}

export interface LogSummary {
  database: string;
  /** the chain read, full first */
  chain: string[];
  /** transactions the chain holds as records (after its full), or null when it holds none */
  listable: { fromTx: number; toTx: number } | null;
  /** transactions within the range looked at (before the limit stopped the listing), and entries given out */
  scanned: number;
  matched: number;
  /** the limit stopped the listing: the next transaction to list from */
  nextTx: number | null;
}

/** Which database of the artifacts found: the one named, else the only one. */
function pickDatabase(pool: Artifact[], database: string | undefined, fromPaths: string[]): Artifact[] {
  const names = [...new Set(pool.map((a) => a.database))].sort();
  const name = database ?? (names.length === 1 ? names[0] : undefined);
  if (!name) throw new TxlineError('USAGE', `--from-path holds backups of several databases (${names.join(', ')}); name one with --database`);
  const ofDb = pool.filter((a) => a.database === name);
  if (ofDb.length === 0) throw new TxlineError('PATH_NOT_FOUND', `no backups of ${name} at ${fromPaths.join(', ')} (found: ${names.join(', ') || 'none'})`);
  return ofDb;
}

export function toEntry(tx: TxChanges, artifact: string): LogEntry {
  const zero = (): Counts => ({ nodes: 0, relationships: 0 });
  const e: LogEntry = { txId: tx.txId, commitTime: new Date(tx.commitTime).toISOString(), created: zero(), changed: zero(), deleted: zero(), labels: [], types: [], beforeImages: tx.beforeImages, artifact };
  const labels = new Set<string>();
  const types = new Set<string>();
  for (const t of tx.touches) {
    e[t.what][t.entity === 'node' ? 'nodes' : 'relationships']++;
    for (const l of t.labels) labels.add(l);
    if (t.type !== null) types.add(t.type);
  }
  e.labels = [...labels].sort();
  e.types = [...types].sort();
  return e;
}

/** Lists the transactions of the newest chain that fall in the range and satisfy every match, oldest first. */
export async function backupLog(opts: LogOptions, onEntry: (e: LogEntry) => void): Promise<LogSummary> {
  const { log } = opts;
  if (opts.fromTx !== undefined && opts.toTx !== undefined && opts.fromTx > opts.toTx) throw new TxlineError('USAGE', `--from-tx=${opts.fromTx} is after --to-tx=${opts.toTx}`);
  if (opts.fromTime !== undefined && opts.toTime !== undefined && opts.fromTime >= opts.toTime) throw new TxlineError('USAGE', '--from-time is not before --to-time');
  const { pool, end } = await resolveArtifacts(opts.fromPaths, log);
  const ofDb = end ? pool.filter((a) => a.database === end.database) : pickDatabase(pool, opts.database, opts.fromPaths);
  const database = ofDb[0].database;
  const planned = planRestore(ofDb, { kind: 'latest' }, end);
  if (!planned.ok) throw new TxlineError(planned.code, planned.problem);
  const chain = planned.plan.chain;
  const [full, ...diffs] = chain;
  const withTx = diffs.filter((d) => !isEmpty(d));
  const listable = withTx.length ? { fromTx: withTx[0].lowestTx, toTx: withTx[withTx.length - 1].highestTx } : null;
  log.info(`Reading the chain of ${database}: ${chain.map((a) => a.file).join(' -> ')}`);
  if (full.tipTx > 0 && (opts.fromTx ?? 1) <= full.tipTx) {
    log.warn(`transactions 1..${full.tipTx} are inside the full backup ${full.file} (a store, not transactions) and cannot be listed; ${listable ? `listing from ${listable.fromTx}` : 'the chain has no later transactions'}`);
  }
  const lo = opts.fromTx ?? 0;
  const hi = opts.toTx ?? Number.MAX_SAFE_INTEGER;
  const tLo = opts.fromTime ?? 0;
  const tHi = opts.toTime ?? Number.MAX_SAFE_INTEGER;
  const inRange = (txId: number, time: number) => txId >= lo && txId <= hi && time >= tLo && time < tHi;
  const names = requiredNames(opts.matches);
  const summary: LogSummary = { database, chain: chain.map((a) => a.file), listable, scanned: 0, matched: 0, nextTx: null };
  const txTotal = withTx.reduce((n, d) => n + (Math.min(d.highestTx, hi) >= Math.max(d.lowestTx, lo) ? Math.min(d.highestTx, hi) - Math.max(d.lowestTx, lo) + 1 : 0), 0);
  for (const d of withTx) {
    if (d.highestTx < lo || d.lowestTx > hi) continue;
    if ((d.lastCommitTime !== null && d.lastCommitTime < tLo) || (d.firstCommitTime !== null && d.firstCommitTime >= tHi)) continue;
    if (summary.nextTx !== null) break;
    log.debug?.(`reading ${d.file} (transactions ${d.lowestTx}..${d.highestTx})`);
    await opts.format.readTransactions(
      d,
      {
        want: (txId, time) => {
          if (summary.nextTx !== null || !inRange(txId, time)) return false;
          if (opts.limit !== undefined && summary.matched >= opts.limit) {
            summary.nextTx = txId;
            return false;
          }
          summary.scanned++;
          return true;
        },
        names,
      },
      (tx) => {
        if (matchesAll(tx, opts.matches)) {
          summary.matched++;
          onEntry(toEntry(tx, d.file));
        }
        opts.progress?.({ phase: 'log', database, txDone: summary.scanned, txTotal, bytesDone: null, bytesTotal: null, artifact: d.file });
      },
    );
  }
  opts.progress?.({ phase: 'done', database, txDone: summary.scanned, txTotal, bytesDone: null, bytesTotal: null });
  return summary;
}

/** "TX 128 2026-12-06 08:01:02.123 UTC created 2n 1r, changed 1n, deleted - :Customer :Order [:KNOWS]" */
export function formatEntry(e: LogEntry): string {
  const c = (x: Counts) => (x.nodes || x.relationships ? [x.nodes ? `${x.nodes}n` : '', x.relationships ? `${x.relationships}r` : ''].filter(Boolean).join(' ') : '-');
  const what = `created ${c(e.created)}, changed ${c(e.changed)}, deleted ${c(e.deleted)}`;
  const touched = [...e.labels.map((l) => `:${l}`), ...e.types.map((t) => `[:${t}]`)].join(' ');
  return `tx ${e.txId}  ${e.commitTime.replace('T', ' ').replace('Z', ' UTC')}  ${what}${touched ? `  ${touched}` : ''}${e.beforeImages ? '' : '  (no before-images)'}`;
}

// ---- preview ---------------------------------------------------------------------------------------------

export interface PreviewOptions {
  fromPaths: string[];
  database?: string;
  point: Exclude<RestorePoint, { kind: 'latest' }>;
  format: PayloadFormat;
  tempPath?: string;
  log: EngineLog;
  progress?: ProgressSink;
}

export interface CountDiff {
  name: string;
  at: number;
  newest: number;
  /** at - newest: how many more (positive) or fewer (negative) the point has than the newest point */
  difference: number;
}

export interface PreviewResult {
  database: string;
  /** the store a restore with this point gives, and the newest restorable one */
  at: GraphCounts;
  newest: GraphCounts;
  chain: string[];
  newestChain: string[];
  labels: CountDiff[];
  types: CountDiff[];
}

function diffs(at: Record<string, number>, newest: Record<string, number>): CountDiff[] {
  const names = [...new Set([...Object.keys(at), ...Object.keys(newest)])].sort();
  return names.map((name) => ({ name, at: at[name] ?? 0, newest: newest[name] ?? 0, difference: (at[name] ?? 0) - (newest[name] ?? 0) }));
}

/** Counts by label and type of the store a restore to `point` gives, and of the newest restorable store. */
export async function previewRestore(opts: PreviewOptions): Promise<PreviewResult> {
  const { log } = opts;
  const { pool, end } = await resolveArtifacts(opts.fromPaths, log);
  const ofDb = end ? pool.filter((a) => a.database === end.database) : pickDatabase(pool, opts.database, opts.fromPaths);
  const database = ofDb[0].database;
  const atPlan = planRestore(ofDb, opts.point, end);
  if (!atPlan.ok) throw new TxlineError(atPlan.code, atPlan.problem);
  const newestPlan = planRestore(ofDb, { kind: 'latest' }, end);
  if (!newestPlan.ok) throw new TxlineError(newestPlan.code, newestPlan.problem);
  const base = opts.tempPath ?? os.tmpdir();
  for (const m of cleanStaleWorkDirs(base)) log.info(m);
  const count = async (plan: typeof atPlan.plan, phase: string): Promise<GraphCounts> => {
    const work = makeWorkDir(base, 'restore', database);
    try {
      return await opts.format.countsAt(plan, work.dir, { log, progress: opts.progress, phase });
    } finally {
      work.remove();
    }
  };
  const at = await count(atPlan.plan, 'preview:at');
  const newest = await count(newestPlan.plan, 'preview:newest');
  return {
    database,
    at,
    newest,
    chain: atPlan.plan.chain.map((a) => a.file),
    newestChain: newestPlan.plan.chain.map((a) => a.file),
    labels: diffs(at.labels, newest.labels),
    types: diffs(at.types, newest.types),
  };
}

/** "at tx 128: 40 :Customer nodes more than now" for each label and type whose count differs. */
export function previewSentences(r: PreviewResult): string[] {
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  const line = (d: CountDiff, one: string, many: string) =>
    `at tx ${r.at.txId}: ${n(Math.abs(d.difference), one, many)} ${d.difference > 0 ? 'more' : 'fewer'} than now (${d.at} then, ${d.newest} at tx ${r.newest.txId})`;
  const out = [
    ...r.labels.filter((d) => d.difference !== 0).map((d) => line(d, `:${d.name} node`, `:${d.name} nodes`)),
    ...r.types.filter((d) => d.difference !== 0).map((d) => line(d, `:${d.name} relationship`, `:${d.name} relationships`)),
  ];
  if (out.length === 0) out.push(`at tx ${r.at.txId}: the same counts by label and type as now (tx ${r.newest.txId})`);
  return out;
}

export function formatPreview(r: PreviewResult, point: PreviewOptions['point']): string {
  const pointText = point.kind === 'tx' ? `--restore-until=${point.before}` : `--restore-until="${formatUtc(point.before)}"`;
  const rows: string[][] = [
    ['', `AT TX ${r.at.txId}`, `NEWEST (TX ${r.newest.txId})`, 'DIFFERENCE'],
    ['nodes', String(r.at.nodes), String(r.newest.nodes), signed(r.at.nodes - r.newest.nodes)],
    ['relationships', String(r.at.relationships), String(r.newest.relationships), signed(r.at.relationships - r.newest.relationships)],
    ...r.labels.map((d) => [`:${d.name}`, String(d.at), String(d.newest), signed(d.difference)]),
    ...r.types.map((d) => [`[:${d.name}]`, String(d.at), String(d.newest), signed(d.difference)]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const table = rows.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
  return [`${r.database}: ${pointText} restores the store at transaction ${r.at.txId}; the newest restorable point is transaction ${r.newest.txId}`, table, '', ...previewSentences(r)].join('\n');
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}
