/**
 * Prune: applies a retention policy (retention.ts) to the backups of a folder, database by database, and
 * deletes what it does not keep through delete.ts's removeArtifacts.
 *
 * Invariants (what makes a `kill -9` at any moment safe):
 * - Each database is pruned under the folder's lock for it (lock.ts), and the folder is read again once the
 *   lock is held: a backup that finished meanwhile is seen, and none starts until the prune is done. A killed
 *   run's lock is taken over, and the temporary files a killed backup left are removed first.
 * - The policy keeps or deletes whole chains, and deletions go children before parents, newest first, one
 *   unlink at a time with the folder synced after each: after any one of them, what remains is intact chains
 *   (shorter ones), never a chain that looks complete but is not. The next prune finishes the work.
 * - A chain counts as restorable only when its full's stored payload matches its checksum: the full of every
 *   chain the plan keeps is read (SHA-256, not decompressed) before anything is deleted, and a full that fails
 *   makes its chain not restorable, so an older, good chain is kept in its place. Nothing is verified twice.
 * - `*.backup` names that cannot be read are never deleted (they are reported, and what depends on them is
 *   a chain without a full).
 * - A dry run takes no lock and writes nothing.
 */
import { TxlineError, describeError } from '../errors';
import { artifactFileSize, listArtifactsIn, openWhere, skippedLine, verifyStoredPayload, type Artifact } from './artifact';
import type { Location } from '../storage';
import { cleanStaleTemporaries, databaseOfArtifactName } from './artifact-writer';
import { describeArtifact, removeArtifacts, type DeletedArtifact, type RestorableRange } from './delete';
import { foldersToClean, lockIn, type Lock } from './lock';
import { planRetention, policyProblem, type RetentionPlan, type RetentionPolicy, type RetentionRange } from './retention';
import type { EngineLog, ProgressSink } from './progress';

/**
 * what a listing's problem says of a name that was looked at: not an artifact, a damaged one, or nothing there (a
 * symlink that leads nowhere, a file gone): nothing that passes
 */
const KNOWN_BAD = new Set<string>(['NOT_AN_ARTIFACT', 'ARTIFACT_CORRUPT', 'INVALID_NAME', 'PATH_OUTSIDE_ROOTS', 'PATH_NOT_FOUND']);

export interface PruneOptions {
  /** the folder of artifacts */
  fromPath: string;
  /** only this database (default: every database in the folder) */
  database?: string;
  policy: Omit<RetentionPolicy, 'now'>;
  /** the time the policy is applied at (default: now) */
  now?: number;
  dryRun?: boolean;
  log: EngineLog;
  progress?: ProgressSink;
  /** called as each artifact is gone (with dryRun: for each that would go, in order) */
  onDeleted?: (a: PrunedArtifact) => void;
  /** the location already open, instead of opening `fromPath` (an embedder's own; the tests' faulty one) */
  location?: Location;
}

/** An artifact pruned: as `backup delete` reports one, with its chain and why it went. */
export interface PrunedArtifact extends Omit<DeletedArtifact, 'requested'> {
  /** the number of its chain (1 = the chain with the newest backup) */
  chain: number;
  reason: string;
}

export interface PrunedChain {
  number: number;
  /** its full (or, when it leads to no full, its topmost artifact) */
  root: string;
  artifacts: number;
  /** the highest transaction it restores (its root's, for a chain that is not restorable) */
  toTx: number;
  newestTime: string;
  restorable: boolean;
  problem: string | null;
  keep: boolean;
  reasons: string[];
}

export interface PruneDatabase {
  database: string;
  /** artifacts that remain (or would) */
  remaining: number;
  chains: PrunedChain[];
  /** what it restores before, and after */
  restorableBefore: RestorableRange[];
  restorable: RestorableRange[];
}

export interface PruneResult {
  folder: string;
  dryRun: boolean;
  /** in the order deleted (or, with dryRun, that they would be) */
  deleted: PrunedArtifact[];
  databases: PruneDatabase[];
  /** `*.backup` names that could not be read (never deleted) */
  skipped: Array<{ file: string; message: string }>;
}

/** The location `--from-path` names: a folder (confined to the backup roots when the run is) or a location URL. */
export function pruneLocation(fromPath: string): Location {
  const where = openWhere(fromPath, '--from-path');
  if (where.name !== null) throw new TxlineError('USAGE', `--from-path ${fromPath} is not a folder; backup prune works on a folder of artifacts`);
  return where.location;
}

export async function prune(opts: PruneOptions): Promise<PruneResult> {
  const problem = policyProblem(opts.policy);
  if (problem) throw new TxlineError('USAGE', problem);
  const loc = opts.location ?? pruneLocation(opts.fromPath);
  const dir = loc.describe();
  const now = opts.now ?? Date.now();
  const first = await listArtifactsIn(loc);
  let databases = [...new Set(first.artifacts.map((a) => a.database))].sort();
  if (opts.database) {
    if (!databases.includes(opts.database)) throw new TxlineError('PATH_NOT_FOUND', `no backups of ${opts.database} in ${dir}`);
    databases = [opts.database];
  }
  const result: PruneResult = { folder: dir, dryRun: Boolean(opts.dryRun), deleted: [], databases: [], skipped: [] };
  const totals = { artifacts: 0, done: 0, bytes: 0 };
  for (const db of databases) {
    const r = await pruneDatabase(loc, db, now, opts, result, totals);
    result.databases.push(r.summary);
    result.skipped = r.skipped;
  }
  if (databases.length === 0) result.skipped = first.problems.map((p) => ({ file: p.file, message: p.error.message }));
  opts.progress?.({ phase: 'done', bytesDone: totals.bytes, bytesTotal: totals.bytes, txDone: null, txTotal: null, artifactsDone: totals.done, artifactsTotal: totals.done });
  return result;
}

async function pruneDatabase(
  loc: Location,
  db: string,
  now: number,
  opts: PruneOptions,
  result: PruneResult,
  totals: { artifacts: number; done: number; bytes: number },
): Promise<{ summary: PruneDatabase; skipped: PruneResult['skipped'] }> {
  const { log } = opts;
  let lock: Lock | null = null;
  try {
    if (!opts.dryRun) {
      lock = await lockIn(loc, db, 'prune');
      // What a killed backup or aggregation of this database left in the folder goes first.
      const scratch = loc.localFolder !== undefined ? [loc.localFolder] : [];
      for (const d of foldersToClean(lock, scratch, log)) for (const m of cleanStaleTemporaries(d, db)) log.info(m);
      for (const m of await loc.cleanLeftovers()) log.info(m);
    }
    // Under the lock: the folder as it is now.
    const listed = await listArtifactsIn(loc);
    for (const p of listed.problems) log.warn(skippedLine(p));
    // A name found not to be an artifact, a damaged one or nothing at all is known; one of this database (or of
    // no database its name says) that could not be read (the storage or the disk failing, a permission) may be
    // the full of a chain, which would then look broken and could be deleted by the policy: nothing of this
    // database is deleted then.
    const unsure = listed.problems.filter((p) => !KNOWN_BAD.has(p.error.code) && (databaseOfArtifactName(p.file) ?? db) === db);
    if (unsure.length > 0) {
      const first = unsure[0];
      const more = unsure.length > 1 ? ` (and ${unsure.length - 1} more)` : '';
      throw new TxlineError(first.error.code, `nothing of ${db} was pruned: ${first.file}${more} could not be read (${first.error.message}); a chain it belongs to would look broken. Try again once it can be read.`, { cause: first.error });
    }
    const mine = listed.artifacts.filter((a) => a.database === db);
    const plan = await verifiedPlan(mine, listed.problems.map((p) => p.file), { ...opts.policy, now }, log);
    for (const c of plan.chains) if (!c.restorable) log.warn(`${db}: chain ${c.number} (${c.root.file}) is not restorable: ${c.problem}`);
    const order = plan.delete;
    const planned = new Map(order.map((d) => [d.artifact.file, d]));
    const entry = (a: Artifact): PrunedArtifact => {
      const d = planned.get(a.file);
      return {
        file: a.file,
        database: a.database,
        time: a.time,
        full: a.full,
        lowestTx: a.lowestTx,
        highestTx: a.highestTx,
        parent: a.parent,
        sizeBytes: artifactFileSize(a.payload.sizeBytes),
        txCount: a.txCount,
        chain: d?.chain ?? 0,
        reason: d?.reason ?? '',
      };
    };
    totals.artifacts += order.length;
    const report = (extra: Record<string, unknown> = {}) =>
      opts.progress?.({ phase: 'delete', database: db, bytesDone: totals.bytes, bytesTotal: null, txDone: null, txTotal: null, artifactsDone: totals.done, artifactsTotal: totals.artifacts, ...extra });
    const gone = (a: Artifact) => {
      const e = entry(a);
      result.deleted.push(e);
      totals.done++;
      totals.bytes += e.sizeBytes;
      opts.onDeleted?.(e);
      return e;
    };
    if (opts.dryRun) {
      for (const d of order) gone(d.artifact);
      log.info(`${db}: dry run: would delete ${order.length} artifact(s), newest first${order.length ? `: ${order.map((d) => d.artifact.file).join(', ')}` : ''}`);
    } else if (order.length) {
      const held = lock;
      if (!held) throw new TxlineError('INTERNAL', `pruning ${db} without its lock`);
      report();
      await removeArtifacts(
        loc,
        order.map((d) => d.artifact),
        () => held,
        (a) => {
          const e = gone(a);
          report({ file: e.file, reason: e.reason });
        },
      );
      log.info(`${db}: deleted ${order.length} artifact(s) from ${loc.describe()}, newest first: ${order.map((d) => d.artifact.file).join(', ')}`);
    } else log.info(`${db}: nothing to delete`);
    return {
      summary: {
        database: db,
        remaining: plan.keep.length,
        chains: plan.chains.map((c) => ({
          number: c.number,
          root: c.root.file,
          artifacts: c.artifacts.length,
          toTx: Math.max(...c.artifacts.map((a) => a.tipTx)),
          newestTime: c.newest.time,
          restorable: c.restorable,
          problem: c.problem,
          keep: c.keep,
          reasons: c.reasons,
        })),
        restorableBefore: plan.restorableBefore.map(isoRange),
        restorable: plan.restorableAfter.map(isoRange),
      },
      skipped: listed.problems.map((p) => ({ file: p.file, message: p.error.message })),
    };
  } finally {
    await lock?.release();
  }
}

/**
 * The plan, with the full of every chain it keeps checked against its stored checksum; a full that fails makes
 * its chain not restorable and the plan is made again (keeping another chain in its place), until every
 * restorable chain kept has a good full.
 */
async function verifiedPlan(arts: Artifact[], unreadable: string[], policy: RetentionPolicy, log: EngineLog): Promise<RetentionPlan<Artifact>> {
  const damaged = new Map<string, string>();
  const good = new Set<string>();
  for (;;) {
    const plan = planRetention({ artifacts: arts, damaged, unreadable }, policy);
    const toCheck = plan.chains.filter((c) => c.keep && c.restorable && !good.has(c.root.file)).map((c) => c.root);
    if (toCheck.length === 0) return plan;
    for (const full of toCheck) {
      try {
        log.debug?.(`verifying ${full.file} (${describeArtifact(full)})`);
        await verifyStoredPayload(full);
        good.add(full.file);
      } catch (e) {
        const why = describeError(e).replace(`${full.file} is corrupt: `, '');
        log.warn(`${full.file} cannot be restored (${why}): its chain does not count as a kept backup`);
        damaged.set(full.file, why);
      }
    }
  }
}

function isoRange(r: RetentionRange): RestorableRange {
  return {
    storeId: r.storeId,
    fromTx: r.fromTx,
    toTx: r.toTx,
    fromTime: r.fromTime === null ? null : new Date(r.fromTime).toISOString(),
    toTime: new Date(r.toTime).toISOString(),
  };
}
