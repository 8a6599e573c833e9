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
import path from 'node:path';
import { TxlineError, describeError, isTxlineError } from '../errors';
import { checkFolder, listArtifactsIn, openTarget, skippedLine, verifyStoredPayload, type Artifact } from './artifact';
import type { Location } from '../storage';
import { ArtifactWriter, cleanStaleTemporaries } from './artifact-writer';
import { prestartHasher } from './hasher';
import { planBackup, type BackupType } from './backup-plan';
import { matchDatabases, orderSources, preferDiffSources } from './backup-policy';
import { chainTo } from './chain';
import { DEFAULT_CODEC } from '../graph/codec';
import { foldersToClean, lockIn, type Lock } from './lock';
import { formatBytes, formatDuration, type EngineLog, type ProgressSink } from './progress';
import { describeUnreachable, type BackupDriver, type MemberDatabase, type Source, type Topology, type WriteContext } from './source';

export type { BackupType } from './backup-plan';
export { globMatches, matchDatabases } from './backup-policy';

export interface BackupOptions {
  /** the cluster: its topology, and its kind's driver that writes the artifacts */
  source: Source & BackupDriver;
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
  const target = openTarget(given.toPath, '--to-path');
  if (given.tempPath) checkFolder(given.tempPath, '--temp-path');
  const opts = { ...given, toPath: target.localFolder ?? given.toPath };
  targets.set(opts, target);
  hashBudgets.set(opts, { left: given.chainHashBudgetBytes ?? CHAIN_HASH_BUDGET_BYTES });
  const problems: string[] = [];
  prestartHasher(); // (while the topology is asked for)
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

/** The location each run writes to (set once its --to-path is opened). */
const targets = new WeakMap<BackupOptions, Location>();

function targetOf(opts: BackupOptions): Location {
  const t = targets.get(opts);
  if (!t) throw new TxlineError('INTERNAL', 'a backup run without its target location');
  return t;
}

async function backupOne(db: string, topology: Topology, opts: BackupOptions, problems: string[]): Promise<Omit<DatabaseBackupResult, 'durationMs'>> {
  const { log } = opts;
  // A database no reachable server hosts fails here, before a lock file is made for it.
  const { ordered, notes } = orderSources(db, topology, opts);
  for (const n of notes) (n.level === 'debug' ? debug : info)(opts, n.message);
  const target = targetOf(opts);
  const lock = await lockIn(target, db, 'backup', { tempDirs: opts.tempPath ? [opts.tempPath] : [] });
  try {
    const prev = lock.previous;
    if (prev) log.info(`took over the lock on ${db} from process ${prev.pid} (${prev.what} since ${prev.since}), which is gone`);
    // What a killed run left: here, in this run's --temp-path, and in the temporary folders a killed run recorded.
    const scratch = [target.localFolder, opts.tempPath].filter((d): d is string => d !== undefined);
    for (const dir of foldersToClean(lock, scratch, log)) {
      for (const m of cleanStaleTemporaries(dir, db)) log.info(m);
    }
    for (const m of await target.cleanLeftovers()) log.info(m);
    if (ordered.length === 0) throw new TxlineError('NO_SOURCE', `no server can serve a backup of ${db} (see the reasons above)`);
    const listed = await listArtifactsIn(target);
    for (const p of listed.problems) log.warn(skippedLine(p));
    const existing = listed.artifacts;
    const preferred = preferDiffSources(db, ordered, existing, opts);
    if (preferred.note) info(opts, preferred.note.message);
    const candidates = preferred.ordered;
    let lastError: unknown = null;
    for (const [i, c] of candidates.entries()) {
      try {
        return await backupFrom(db, c, existing, opts, lock);
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
    await lock.release();
  }
}

async function backupFrom(db: string, c: MemberDatabase, existing: Artifact[], opts: BackupOptions, lock: Lock): Promise<Omit<DatabaseBackupResult, 'durationMs'>> {
  const { log } = opts;
  let p = planBackup(db, c, existing, opts);
  const from = `${c.member.id} (${c.member.address}, ${c.role})`;
  if (p.type === 'diff') {
    const damaged = await chainProblem(p.parent, existing, opts);
    if (damaged) p = { type: 'full', reason: damaged, fallback: true };
  }
  if (p.type === 'diff') {
    log.info(`Differential backup of ${db} from ${from}: parent ${p.parent.file} (transactions up to ${p.parent.tipTx})`);
    const r = await opts.source.takeDiff(writeContext(db, c, opts, lock), p.parent);
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
  const artifact = await opts.source.takeFull(writeContext(db, c, opts, lock));
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

function newWriter(db: string, full: boolean, opts: BackupOptions, time: Date, lock: Lock): ArtifactWriter {
  return new ArtifactWriter({
    location: targetOf(opts),
    lock,
    tempDir: opts.tempPath,
    database: db,
    time,
    full,
    codec: opts.compress ? DEFAULT_CODEC : 'none',
    keepFailed: opts.keepFailed,
  });
}

/** What the driver gets to write one artifact of `db` from `c`; the backup's time is read now, before the source is asked. */
function writeContext(db: string, c: MemberDatabase, opts: BackupOptions, lock: Lock): WriteContext {
  const time = (opts.now ?? (() => new Date()))();
  return {
    database: db,
    from: c,
    time,
    compress: opts.compress,
    newWriter: (full) => newWriter(db, full, opts, time, lock),
    abort: (w, known, o) => abortWriter(w, { ...opts, keepFailed: o?.keepFailed ?? opts.keepFailed }, known),
    log: opts.log,
    progress: opts.progress,
  };
}

function info(opts: BackupOptions, message: string): void {
  opts.log.info(message);
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

function debug(opts: BackupOptions, message: string): void {
  opts.log.debug?.(message);
}
