/**
 * Online backup: one artifact per database per run, full or differential, from the best member.
 *
 * - `--type=auto` takes a differential when a parent exists and the source still holds the transaction after
 *   the parent's tip; otherwise a full. A differential that cannot be taken (no parent, transactions pruned,
 *   store ID changed, parent's last-transaction checksum differs from the source) falls back to a full and
 *   the log says why, unless `fallbackToFull` is false, then it fails. A chain one of whose artifacts (the
 *   parent, or one it builds on, back to the full) has a stored payload that does not match the SHA-256 its
 *   metadata records is not chained onto either: a full is taken, naming the damaged artifact.
 * - Sources: the given servers in order; or, resolving from the cluster, secondaries, then primary
 *   followers, then the writer, skipping members more than `maxLag` transactions behind.
 * - Each database is backed up on its own; one failing does not stop the others. Exit code 0 when all
 *   succeeded without problems, 1 otherwise.
 * - Nothing partial is ever visible: see artifact.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { TxlineError, describeError, isTxlineError } from '../errors';
import { RecordStreamDecoder } from '../graph/record';
import { listArtifacts, skippedLine, verifyStoredPayload, type Artifact } from './artifact';
import { ArtifactWriter, cleanStaleTemporaries } from './artifact-writer';
import { chainTo, chooseParent } from './chain';
import { confinedPath } from './confine';
import { DEFAULT_CODEC, type Codec } from '../graph/codec';
import { acquireLock, foldersToClean } from './lock';
import { formatBytes, formatDuration, type EngineLog, type ProgressSink } from './progress';
import { describeUnreachable, type MemberDatabase, type Source, type Topology } from './source';

export type BackupType = 'auto' | 'full' | 'diff';

export interface BackupOptions {
  source: Source;
  /** true when the servers were given with --from and must be tried in that order */
  explicitSources: boolean;
  toPath: string;
  type: BackupType;
  preferDiffAsParent: boolean;
  compress: boolean;
  keepFailed: boolean;
  tempPath?: string;
  fallbackToFull: boolean;
  maxLag: number;
  /** names or quoted globs ("n*", "*") */
  databases: string[];
  log: EngineLog;
  progress?: ProgressSink;
  now?: () => Date;
  /** payload bytes this run may hash to check the chains it extends (default CHAIN_HASH_BUDGET_BYTES) */
  chainHashBudgetBytes?: number;
}

export interface DatabaseBackupResult {
  database: string;
  ok: boolean;
  type?: 'full' | 'diff';
  artifact?: Artifact;
  /** why a full was taken instead of a differential */
  fallbackReason?: string;
  member?: string;
  error?: { code: string; message: string };
  durationMs: number;
}

export interface BackupRunResult {
  results: DatabaseBackupResult[];
  /** problems that make the run "succeeded with problems" (servers that could not be reached, ...) */
  problems: string[];
  exitCode: 0 | 1;
}

export async function backupDatabases(given: BackupOptions): Promise<BackupRunResult> {
  const { log } = given;
  checkFolder(given.toPath, '--to-path');
  if (given.tempPath) checkFolder(given.tempPath, '--temp-path');
  // confined (the dashboard's jobs), the folder's real path, inside the backup roots; else as given
  const opts = { ...given, toPath: confinedPath(given.toPath, '--to-path') };
  hashBudgets.set(opts, { left: given.chainHashBudgetBytes ?? CHAIN_HASH_BUDGET_BYTES });
  const problems: string[] = [];
  const topology = await opts.source.topology();
  for (const u of topology.unreachable) {
    const msg = describeUnreachable(u);
    log.warn(msg);
    problems.push(msg);
  }
  const names = matchDatabases(opts.databases, topology);
  const results: DatabaseBackupResult[] = [];
  if (topology.members.length === 0) {
    const msg = 'no server could be reached; nothing was backed up';
    log.error(msg);
    for (const n of names.length ? names : opts.databases) {
      results.push({ database: n, ok: false, error: { code: 'SOURCE_UNREACHABLE', message: msg }, durationMs: 0 });
    }
    return { results, problems, exitCode: 1 };
  }
  if (names.length === 0) {
    const msg = `no database matches ${opts.databases.map((d) => `"${d}"`).join(', ')} on the reachable servers`;
    log.error(msg);
    return { results: [{ database: opts.databases.join(','), ok: false, error: { code: 'DATABASE_NOT_FOUND', message: msg }, durationMs: 0 }], problems, exitCode: 1 };
  }
  for (const name of names) {
    const t0 = performance.now();
    try {
      const r = await backupOne(name, topology, opts, problems);
      results.push({ ...r, durationMs: performance.now() - t0 });
    } catch (e) {
      const err = e instanceof TxlineError ? e : new TxlineError('INTERNAL', describeError(e), { cause: e });
      log.error(`Backup of ${name} failed: ${describeError(err)}`);
      results.push({ database: name, ok: false, error: { code: err.code, message: err.message }, durationMs: performance.now() - t0 });
    }
  }
  const allOk = results.every((r) => r.ok);
  return { results, problems, exitCode: allOk && problems.length === 0 ? 0 : 1 };
}

function checkFolder(p: string, flag: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw new TxlineError('PATH_NOT_FOUND', `${flag} ${p} does not exist; create the folder first`);
  }
  if (!st.isDirectory()) throw new TxlineError('INVALID_ARGUMENT', `${flag} ${p} is not a folder`);
  try {
    fs.accessSync(p, fs.constants.W_OK);
  } catch {
    throw new TxlineError('IO_ERROR', `${flag} ${p} is not writable`);
  }
}

/** Expands names and globs against the databases the reachable servers host. */
export function matchDatabases(patterns: string[], topology: Pick<Topology, 'databases'>): string[] {
  const all = [...new Set(topology.databases.map((d) => d.name))].sort();
  const out = new Set<string>();
  for (const p of patterns) {
    if (/[*?[]/.test(p)) {
      const re = globToRegExp(p.toLowerCase());
      for (const n of all) if (re.test(n)) out.add(n);
    } else {
      out.add(p.toLowerCase());
    }
  }
  return [...out];
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|\\\]]/g, '\\$&').replace('[', '[');
  }
  return new RegExp(`^${re}$`);
}

/** Source order for one database, saying why each member was chosen or passed over. */
function orderSources(db: string, topology: Topology, opts: BackupOptions): MemberDatabase[] {
  const hosting = topology.databases.filter((d) => d.name === db);
  if (hosting.length === 0) throw new TxlineError('DATABASE_NOT_FOUND', `no reachable server hosts database ${db}`);
  for (const d of hosting) {
    debug(opts, `considering ${d.member.id} (${d.member.address}) for ${db}: ${d.role}, ${d.status}, transactions ${d.lowestAvailableTxn}..${d.lastCommittedTxn} in its log, lag ${d.replicationLag}, store ID ${d.storeId}`);
  }
  const online = hosting.filter((d) => {
    if (d.status !== 'online') opts.log.info(`passing over ${d.member.id} (${d.member.address}) for ${db}: the database is ${d.status} there`);
    return d.status === 'online';
  });
  if (opts.explicitSources) return online; // the order of --from
  const rank = { secondary: 0, follower: 1, writer: 2 } as const;
  const eligible = online.filter((d) => {
    if (d.role !== 'writer' && -d.replicationLag > opts.maxLag) {
      opts.log.info(`passing over ${d.member.id} (${d.role}) for ${db}: ${-d.replicationLag} transactions behind the writer (--max-lag=${opts.maxLag})`);
      return false;
    }
    return true;
  });
  eligible.sort((a, b) => rank[a.role] - rank[b.role] || b.replicationLag - a.replicationLag);
  opts.log.info(`source order for ${db}: ${eligible.map((d) => `${d.member.id} (${d.role}, lag ${d.replicationLag})`).join(', ')}`);
  return eligible;
}

async function backupOne(db: string, topology: Topology, opts: BackupOptions, problems: string[]): Promise<Omit<DatabaseBackupResult, 'durationMs'>> {
  const { log } = opts;
  // A database no reachable server hosts fails here, before a lock file is made for it.
  const ordered = orderSources(db, topology, opts);
  const lock = acquireLock(opts.toPath, db, 'backup', { tempDirs: opts.tempPath ? [opts.tempPath] : [] });
  try {
    const prev = lock.previous;
    if (prev) log.info(`took over the lock on ${db} from process ${prev.pid} (${prev.what} since ${prev.since}), which is gone`);
    // What a killed run left: here, in this run's --temp-path, and in the temporary folders a killed run recorded.
    for (const dir of foldersToClean(lock, [opts.toPath, ...(opts.tempPath ? [opts.tempPath] : [])], log)) {
      for (const m of cleanStaleTemporaries(dir, db)) log.info(m);
    }
    if (ordered.length === 0) throw new TxlineError('NO_SOURCE', `no server can serve a backup of ${db} (see the reasons above)`);
    const listed = listArtifacts(opts.toPath);
    for (const p of listed.problems) log.warn(skippedLine(p));
    const existing = listed.artifacts;
    const candidates = preferDiffSources(db, ordered, existing, opts);
    let lastError: unknown = null;
    for (const [i, c] of candidates.entries()) {
      try {
        return await backupFrom(db, c, existing, opts);
      } catch (e) {
        lastError = e;
        const retryable = isTxlineError(e, 'SOURCE_UNREACHABLE') || isTxlineError(e, 'DATABASE_OFFLINE') || isTxlineError(e, 'NO_SOURCE');
        if (!retryable || i === candidates.length - 1) throw e;
        const msg = `backup of ${db} from ${c.member.id} (${c.member.address}) failed: ${describeError(e)}; trying the next server`;
        log.warn(msg);
        if (!isTxlineError(e, 'NO_SOURCE')) problems.push(msg);
      }
    }
    throw lastError;
  } finally {
    lock.release();
  }
}

/**
 * When a differential is wanted, members that can serve it come first (keeping the order otherwise): a
 * secondary that lost the transactions after the parent must not force a full while the writer has them.
 */
function preferDiffSources(db: string, ordered: MemberDatabase[], existing: Artifact[], opts: BackupOptions): MemberDatabase[] {
  if (opts.type === 'full' || ordered.length < 2) return ordered;
  const can = (c: MemberDatabase) => {
    try {
      return plan(db, c, existing, opts).type === 'diff';
    } catch {
      return false;
    }
  };
  const yes = ordered.filter(can);
  if (yes.length === 0 || yes[0] === ordered[0]) return ordered;
  opts.log.info(`preferring ${yes[0].member.id} (${yes[0].role}) for ${db}: it still holds the transactions after the latest backup, ${ordered[0].member.id} does not`);
  return [...yes, ...ordered.filter((c) => !yes.includes(c))];
}

type Plan = { type: 'full'; reason: string; fallback: boolean } | { type: 'diff'; parent: Artifact };

function plan(db: string, c: MemberDatabase, existing: Artifact[], opts: BackupOptions): Plan {
  if (opts.type === 'full') return { type: 'full', reason: 'a full backup was requested (--type=full)', fallback: false };
  const storeId = c.storeId ?? '';
  const choice = chooseParent(existing, { database: db, storeId, preferDiff: opts.preferDiffAsParent });
  if (!choice.parent) {
    const first = !existing.some((a) => a.database === db);
    return { type: 'full', reason: choice.reason ?? 'no parent', fallback: !(first && opts.type === 'auto') };
  }
  const parent = choice.parent;
  if (c.lastCommittedTxn < parent.tipTx) {
    // A differential cannot go backwards; a full from this member is a new, older starting point.
    return {
      type: 'full',
      reason: `${c.member.id} is at transaction ${c.lastCommittedTxn}, behind the parent backup ${parent.file} (transaction ${parent.tipTx}), so a differential cannot follow it`,
      fallback: true,
    };
  }
  if (parent.tipTx + 1 < c.lowestAvailableTxn) {
    return {
      type: 'full',
      reason: `transactions ${parent.tipTx + 1}..${c.lowestAvailableTxn - 1} after the parent ${parent.file} were pruned from the transaction log of ${c.member.id} (lowest available: ${c.lowestAvailableTxn})`,
      fallback: true,
    };
  }
  return { type: 'diff', parent };
}

async function backupFrom(db: string, c: MemberDatabase, existing: Artifact[], opts: BackupOptions): Promise<Omit<DatabaseBackupResult, 'durationMs'>> {
  const { log } = opts;
  let p = plan(db, c, existing, opts);
  const from = `${c.member.id} (${c.member.address}, ${c.role})`;
  if (p.type === 'diff') {
    const damaged = await chainProblem(p.parent, existing, opts);
    if (damaged) p = { type: 'full', reason: damaged, fallback: true };
  }
  if (p.type === 'diff') {
    log.info(`Differential backup of ${db} from ${from}: parent ${p.parent.file} (transactions up to ${p.parent.tipTx})`);
    const r = await writeDiff(db, c, p.parent, opts);
    if (r.ok) return { database: db, ok: true, type: 'diff', artifact: r.artifact, member: c.member.id };
    p = { type: 'full', reason: r.reason, fallback: true };
  }
  if (p.fallback) {
    if (!opts.fallbackToFull) {
      throw new TxlineError('FALLBACK_DISABLED', `cannot take a differential backup of ${db}: ${p.reason}; not falling back to a full backup (--fallback-to-full=false)`);
    }
    log.warn(`Falling back to a full backup of ${db} from ${from}: ${p.reason}`);
  } else {
    log.info(`Full backup of ${db} from ${from}: ${p.reason}`);
  }
  const artifact = await writeFull(db, c, opts);
  return { database: db, ok: true, type: 'full', artifact, member: c.member.id, fallbackReason: p.fallback ? p.reason : undefined };
}

/** Artifacts already checked in this process (a second source tried for the same parent does not read them again). */
const payloadChecks = new WeakMap<Artifact, Promise<string | null>>();

/**
 * How many payload bytes one backup process hashes to check the chains it extends. Hashing is the cheap check
 * only while the chain is small: every differential on a 1 TB full would otherwise read 1 TB. Past the budget
 * an artifact counts on the checks made when the folder was listed (its metadata checksum and its file size)
 * and the log says which were not hashed; `txline database check` hashes everything.
 */
export const CHAIN_HASH_BUDGET_BYTES = 256 * 1024 * 1024;
/** what is left of each run's budget, by the run's options */
const hashBudgets = new WeakMap<BackupOptions, { left: number }>();

/**
 * Why the chain that `parent` ends must not carry a new differential, or null: a differential is never chained
 * where a restore could not read it, and a restore reads the whole chain. Each artifact's metadata checksum
 * and file size were checked when the folder was listed; here each one's stored payload is hashed against the
 * SHA-256 its metadata records, the parent first, then the ones it builds on, back to the full, within
 * CHAIN_HASH_BUDGET_BYTES per process. Hashing is one sequential read, no decompression: a 100 MB full took
 * 0.1-0.2 s with the page cache warm and 0.3-0.55 s cold on the shared 2-core test machine (some 3-5 s per GB).
 */
async function chainProblem(parent: Artifact, existing: Artifact[], opts: BackupOptions): Promise<string | null> {
  const c = chainTo(parent, existing.filter((a) => a.database === parent.database));
  // the parent first, then what it builds on, newest first, back to the full
  const ancestors = c.ok ? c.chain.slice(0, -1).reverse() : [];
  const unhashed: Artifact[] = [];
  const budget = hashBudgets.get(opts) ?? { left: CHAIN_HASH_BUDGET_BYTES };
  for (const a of [parent, ...ancestors]) {
    if (!payloadChecks.has(a)) {
      if (a.payload.sizeBytes > budget.left) {
        unhashed.push(a);
        continue;
      }
      budget.left -= a.payload.sizeBytes;
    }
    const why = await payloadProblem(a, opts);
    if (why && a === parent) return `the parent backup ${parent.path} failed its check (${why}); a differential on it could not be restored`;
    if (why) return `the backup ${a.path}, which the parent ${parent.file} builds on, failed its check (${why}); a differential on this chain could not be restored`;
  }
  if (unhashed.length > 0) {
    const bytes = unhashed.reduce((n, a) => n + a.payload.sizeBytes, 0);
    opts.log.info(
      `not hashed before chaining (beyond what a backup run hashes, ${formatBytes(opts.chainHashBudgetBytes ?? CHAIN_HASH_BUDGET_BYTES)}; their metadata checksums and sizes are fine): ${unhashed.map((a) => a.file).join(', ')} (${formatBytes(bytes)}); txline database check verifies them in full`,
    );
  }
  return null;
}

/** What is wrong with an artifact's stored payload (its message), or null; each artifact is read once per process. */
function payloadProblem(a: Artifact, opts: BackupOptions): Promise<string | null> {
  let check = payloadChecks.get(a);
  if (!check) {
    check = (async () => {
      const t0 = performance.now();
      try {
        await verifyStoredPayload(a);
      } catch (e) {
        if (!(e instanceof TxlineError)) throw e;
        return e.message;
      }
      debug(opts, `checked ${a.file}: its payload matches its SHA-256 (${formatBytes(a.payload.sizeBytes)} in ${formatDuration(performance.now() - t0)})`);
      return null;
    })();
    payloadChecks.set(a, check);
  }
  return check;
}

function newWriter(db: string, full: boolean, opts: BackupOptions, time: Date): ArtifactWriter {
  return new ArtifactWriter({
    dir: opts.toPath,
    tempDir: opts.tempPath,
    database: db,
    time,
    full,
    codec: codecOf(opts),
    keepFailed: opts.keepFailed,
  });
}

function codecOf(opts: BackupOptions): Codec {
  return opts.compress ? DEFAULT_CODEC : 'none';
}

/** Drops (or with --keep-failed keeps) a failed attempt; never hides the failure that got us here. */
function abortWriter(w: ArtifactWriter, opts: BackupOptions, known: Record<string, unknown> = {}): void {
  try {
    const kept = w.abort(known);
    if (kept) opts.log.warn(`kept the failed attempt as ${kept}, with what was known in ${path.basename(kept)}.json (--keep-failed)`);
  } catch (e) {
    opts.log.error(`could not ${opts.keepFailed ? 'keep' : 'remove'} the failed attempt ${w.tempPath}: ${describeError(e)}`);
  }
}

function memberInfo(c: MemberDatabase) {
  return { id: c.member.id, address: c.member.address, role: c.role };
}

async function writeFull(db: string, c: MemberDatabase, opts: BackupOptions): Promise<Artifact> {
  const t0 = performance.now();
  // The backup time is read before the source is asked: everything committed before it is in the store.
  const time = (opts.now ?? (() => new Date()))();
  const codec = codecOf(opts);
  // A source that compresses (the embedded members do) sends a seventh of the bytes and spends its own cores.
  const store = await opts.source.fullStore(db, c.member, codec === 'zstd' ? { compress: 'zstd' } : {});
  const encoded = store.encoding !== 'none';
  if (encoded && store.encoding !== codec) {
    store.stream.destroy();
    throw new TxlineError('INTERNAL', `${c.member.id} sent the store ${store.encoding}-encoded, but this backup writes ${codec}`);
  }
  const w = newWriter(db, true, opts, time);
  const txTotal = store.txId;
  let done = 0;
  try {
    opts.progress?.({ phase: 'store', database: db, bytesDone: 0, bytesTotal: store.sizeBytes, txDone: 0, txTotal });
    debug(opts, `receiving the store of ${db} from ${c.member.id}: ${formatBytes(store.sizeBytes)} at transaction ${store.txId} (store ID ${store.storeId})`);
    let reported = 0;
    // Counted by listening, not by another stream stage: a 1 GiB store passes in ~16,000 chunks.
    store.stream.on('data', (chunk: Buffer) => {
      done = encoded ? w.rawBytesWritten : done + chunk.length;
      opts.progress?.({ phase: 'store', database: db, bytesDone: done, bytesTotal: store.sizeBytes, txDone: 0, txTotal });
      if (opts.log.debug && (done - reported >= DEBUG_RANGE_BYTES || done === store.sizeBytes)) {
        debug(opts, `received bytes ${reported}..${done} of ${store.sizeBytes} of the store of ${db} from ${c.member.id}`);
        reported = done;
      }
    });
    // An encoded store is decoded on the side as it is written; commit() checks it decodes to sizeBytes.
    await pipeline(store.stream, w.payload({ encoded, expectedRawBytes: store.sizeBytes }));
    if (!encoded && done !== store.sizeBytes) {
      throw new TxlineError('SOURCE_UNREACHABLE', `the store of ${db} from ${c.member.id} ended after ${done} of ${store.sizeBytes} bytes`);
    }
    // The whole store is in: it stands for every transaction up to its own.
    opts.progress?.({ phase: 'finalize', database: db, bytesDone: done, bytesTotal: store.sizeBytes, txDone: txTotal, txTotal });
    const artifact = await w.commit({
      databaseId: store.databaseId,
      storeId: store.storeId,
      lowestTx: 1,
      highestTx: store.txId,
      txCount: store.txId,
      parent: null,
      parentLastTxChecksum: null,
      tipTx: store.txId,
      lastTxChecksum: store.txChecksum,
      firstCommitTime: null,
      lastCommitTime: store.commitTime > 0 ? store.commitTime : null,
      recovered: true,
      member: memberInfo(c),
      store: { nodes: store.nodes, relationships: store.relationships },
    });
    done = artifact.payload.rawBytes;
    // (An encoded store's decoded count trails what arrived: its last range is known only now.)
    if (opts.log.debug && reported < done) {
      debug(opts, `received bytes ${reported}..${done} of ${store.sizeBytes} of the store of ${db} from ${c.member.id}`);
    }
    const ms = performance.now() - t0;
    log(opts, `Finished full backup of ${db} from ${c.member.id}: store at transaction ${store.txId} (${formatBytes(store.sizeBytes)}), written as ${artifact.file} (${formatBytes(artifact.payload.sizeBytes)}${artifact.compressed ? `, ${(store.sizeBytes / Math.max(1, artifact.payload.sizeBytes)).toFixed(1)}x smaller` : ''}) in ${formatDuration(ms)}`);
    opts.progress?.({ phase: 'done', database: db, artifact: artifact.file, bytesDone: done, bytesTotal: store.sizeBytes, txDone: txTotal, txTotal });
    return artifact;
  } catch (e) {
    store.stream.destroy();
    const err = wrapSourceError(e, c);
    abortWriter(w, opts, {
      error: describeError(err),
      member: memberInfo(c),
      databaseId: store.databaseId,
      storeId: store.storeId,
      lowestTx: 1,
      highestTx: store.txId,
      lastTxChecksum: store.txChecksum,
      storeBytesExpected: store.sizeBytes,
      storeBytesReceived: done,
    });
    throw err;
  }
}

type DiffResult = { ok: true; artifact: Artifact } | { ok: false; reason: string };

async function writeDiff(db: string, c: MemberDatabase, parent: Artifact, opts: BackupOptions): Promise<DiffResult> {
  const t0 = performance.now();
  const time = (opts.now ?? (() => new Date()))();
  // Ask from the parent's own last transaction when the member still has it, to compare its checksum;
  // otherwise the first new record's back-link is compared.
  const includeTip = parent.tipTx >= 1 && parent.tipTx >= c.lowestAvailableTxn;
  const fromTx = includeTip ? parent.tipTx : parent.tipTx + 1;
  let txs;
  try {
    txs = await opts.source.transactions(db, c.member, fromTx);
  } catch (e) {
    if (isTxlineError(e, 'TX_PRUNED')) return { ok: false, reason: `transactions from ${fromTx} were pruned from the transaction log of ${c.member.id} (${describeError(e)})` };
    throw wrapSourceError(e, c);
  }
  if (txs.storeId !== parent.storeId) {
    txs.stream.destroy();
    return { ok: false, reason: `the store ID changed: ${parent.file} has ${parent.storeId}, ${c.member.id} has ${txs.storeId}` };
  }
  const txTotal = Math.max(0, txs.lastTxId - parent.tipTx);
  const w = newWriter(db, false, opts, time);
  const sink = w.payload();
  const decoder = new RecordStreamDecoder(`transactions of ${db} from ${c.member.id}`);
  let first: { txId: number; commitTime: number } | null = null;
  let last: { txId: number; checksum: number; commitTime: number } | null = null;
  let mismatch: string | null = null;
  let count = 0;
  try {
    // The byte size of a stream of transactions is known only at its end.
    opts.progress?.({ phase: 'transactions', database: db, txDone: 0, txTotal, bytesDone: 0, bytesTotal: null });
    debug(opts, `receiving transactions ${fromTx}..${txs.lastTxId} of ${db} from ${c.member.id} (${txTotal} after the parent)`);
    await pipeline(txs.stream, async function* (source) {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        const out: Buffer[] = [];
        let chunkFirst: number | null = null;
        for (const rec of decoder.push(chunk)) {
          if (rec.txId === parent.tipTx) {
            if (rec.checksum !== parent.lastTxChecksum) mismatch = `the checksum of transaction ${parent.tipTx} on ${c.member.id} does not match the parent ${parent.file}`;
            continue;
          }
          if (count === 0 && rec.prevChecksum !== parent.lastTxChecksum) {
            mismatch = `transaction ${rec.txId} on ${c.member.id} does not follow the parent ${parent.file}: the checksum of transaction ${parent.tipTx} differs`;
          }
          if (mismatch) return;
          first ??= { txId: rec.txId, commitTime: rec.commitTime };
          last = { txId: rec.txId, checksum: rec.checksum, commitTime: rec.commitTime };
          count++;
          chunkFirst ??= rec.txId;
          out.push(rec.bytes);
        }
        if (out.length) yield Buffer.concat(out);
        if (chunkFirst !== null) debug(opts, `received transactions ${chunkFirst}..${(last as { txId: number } | null)?.txId} of ${db} from ${c.member.id} (${formatBytes(chunk.length)})`);
        opts.progress?.({ phase: 'transactions', database: db, txDone: count, txTotal, bytesDone: decoder.bytesSeen, bytesTotal: null });
      }
      decoder.end();
    }, sink);
    if (mismatch) {
      abortWriter(w, { ...opts, keepFailed: false });
      return { ok: false, reason: mismatch };
    }
    const lastRec = last as { txId: number; checksum: number; commitTime: number } | null;
    const firstRec = first as { txId: number; commitTime: number } | null;
    if (lastRec && lastRec.txId < txs.lastTxId) {
      throw new TxlineError('SOURCE_UNREACHABLE', `the transactions of ${db} from ${c.member.id} ended at ${lastRec.txId}, before ${txs.lastTxId}`);
    }
    const artifact = await w.commit({
      databaseId: parent.databaseId,
      storeId: parent.storeId,
      lowestTx: firstRec ? firstRec.txId : 0,
      highestTx: lastRec ? lastRec.txId : 0,
      txCount: count,
      parent: parent.file,
      parentLastTxChecksum: parent.lastTxChecksum,
      tipTx: lastRec ? lastRec.txId : parent.tipTx,
      lastTxChecksum: lastRec ? lastRec.checksum : parent.lastTxChecksum,
      firstCommitTime: firstRec ? firstRec.commitTime : null,
      lastCommitTime: lastRec ? lastRec.commitTime : null,
      recovered: false,
      member: memberInfo(c),
      store: null,
    });
    const ms = performance.now() - t0;
    const range = lastRec && firstRec ? `transactions ${firstRec.txId}..${lastRec.txId} (${count})` : `no new transactions (empty differential after ${parent.tipTx})`;
    log(opts, `Finished differential backup of ${db} from ${c.member.id}: ${range}, written as ${artifact.file} (${formatBytes(artifact.payload.sizeBytes)}) in ${formatDuration(ms)}`);
    opts.progress?.({ phase: 'done', database: db, artifact: artifact.file, txDone: count, txTotal: count, bytesDone: decoder.bytesSeen, bytesTotal: decoder.bytesSeen });
    return { ok: true, artifact };
  } catch (e) {
    txs.stream.destroy();
    const err = wrapSourceError(e, c);
    const f = first as { txId: number } | null;
    const l = last as { txId: number; checksum: number } | null;
    abortWriter(w, opts, {
      error: describeError(err),
      member: memberInfo(c),
      databaseId: parent.databaseId,
      storeId: parent.storeId,
      parent: parent.file,
      parentLastTxChecksum: parent.lastTxChecksum,
      txExpected: { from: parent.tipTx + 1, to: txs.lastTxId },
      txReceived: f && l ? { from: f.txId, to: l.txId, count, lastTxChecksum: l.checksum } : null,
    });
    throw err;
  }
}

function log(opts: BackupOptions, message: string): void {
  opts.log.info(message);
}

/** With --verbose: how much of the store passes between two debug lines. */
const DEBUG_RANGE_BYTES = 16 * 1024 * 1024;

function debug(opts: BackupOptions, message: string): void {
  opts.log.debug?.(message);
}

/** Errors while talking to a member become SOURCE_UNREACHABLE (so the next server is tried). */
function wrapSourceError(e: unknown, c: MemberDatabase): unknown {
  if (e instanceof TxlineError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (e as Error)?.message === 'aborted') {
    return new TxlineError('SOURCE_UNREACHABLE', `the connection to ${c.member.id} (${c.member.address}) broke: ${describeError(e)}`, { cause: e });
  }
  return e;
}
