/**
 * Restore: rebuild a database from a backup chain up to a chosen point and install it in the cluster.
 *
 * Order of work, so that a bad chain never touches the target:
 *   1. find the artifacts and the chain (by transaction ID, by time, latest, or ending at a named artifact);
 *      refuse a broken chain, naming the missing link;
 *   2. refuse an existing target without `overwrite`;
 *   3. the cluster's kind (its BackupDriver) rebuilds the store, reading and verifying every artifact of the
 *      chain, and only then installs it on the cluster with a new store ID (a new history starts there).
 * `--restore-until=N` restores up to but not including transaction N; a time restores what was committed
 * before it (UTC).
 */
import { TxlineError } from '../errors';
import { ARTIFACT_EXTENSION, listArtifactsIn, openWhere, readArtifactIn, skippedLine, type Artifact } from './artifact';
import { formatUtc, planRestore, type RestorePlan, type RestorePoint } from './restore-plan';
import { formatDuration, type EngineLog, type ProgressSink } from './progress';
import { describeUnreachable, type BackupDriver, type RestoreOutcome, type Source } from './source';

export interface RestoreOptions {
  fromPaths: string[];
  /** the database whose backups to use, when the folder holds several */
  sourceDatabase?: string;
  /** the database to restore into (may differ from the source: restore as a new database) */
  target: string;
  point: RestorePoint;
  overwrite: boolean;
  /** the cluster: its topology, and its kind's driver that rebuilds and installs the store */
  source: Source & BackupDriver;
  tempPath?: string;
  log: EngineLog;
  progress?: ProgressSink;
}

/** What the driver did (RestoreOutcome), and what was restored from where. */
export interface RestoreResult extends RestoreOutcome {
  database: string;
  sourceDatabase: string;
  chain: string[];
  /** what makes the restore "succeeded with problems" (a member that could not be reached, ...) */
  problems: string[];
  durationMs: number;
}

export interface ResolvedArtifacts {
  pool: Artifact[];
  end?: Artifact;
}

/** Reads the artifacts named by `--from-path` (files, folders, or a comma-separated mix). */
export async function resolveArtifacts(fromPaths: string[], log: EngineLog): Promise<ResolvedArtifacts> {
  if (fromPaths.length === 0) throw new TxlineError('USAGE', '--from-path is required');
  const byPath = new Map<string, Artifact>();
  let end: Artifact | undefined;
  /** what each folder that gave no artifact is, for the message when nothing at all is found */
  const empty: string[] = [];
  for (const raw of fromPaths) {
    const where = openWhere(raw, '--from-path');
    if (where.name === null) {
      const listed = await listArtifactsIn(where.location);
      for (const x of listed.problems) log.warn(skippedLine(x));
      for (const a of listed.artifacts) byPath.set(a.path, a);
      if (listed.artifacts.length === 0) empty.push(describeEmptyFolder(where.location.describe(), listed.problems));
    } else {
      const a = await readArtifactIn(where.location, where.name);
      byPath.set(a.path, a);
      if (fromPaths.length === 1) {
        // One artifact named: the chain ends at it; its location supplies the ancestors.
        end = a;
        const listed = await listArtifactsIn(where.location);
        for (const x of listed.artifacts) if (!byPath.has(x.path)) byPath.set(x.path, x);
      }
    }
  }
  if (byPath.size === 0) throw new TxlineError('PATH_NOT_FOUND', `no backup artifacts found at --from-path: ${empty.join('; ')}`);
  return { pool: [...byPath.values()], end };
}

/** "/b/x.backup is a directory, not a backup artifact file, and holds no backup artifacts (...)" */
function describeEmptyFolder(p: string, problems: Array<{ error: TxlineError }>): string {
  const what = p.endsWith(ARTIFACT_EXTENSION) ? `${p} is a directory, not a backup artifact file, and holds no backup artifacts` : `${p} holds no backup artifacts`;
  if (problems.length === 0) return what;
  const more = problems.length > 1 ? ` and ${problems.length - 1} more` : '';
  return `${what} (${problems.length} *${ARTIFACT_EXTENSION} name(s) could not be read: ${problems[0].error.message}${more})`;
}

export function selectDatabase(pool: Artifact[], opts: { sourceDatabase?: string; target: string; end?: Artifact }): string {
  if (opts.sourceDatabase) return opts.sourceDatabase;
  if (opts.end) return opts.end.database;
  const names = [...new Set(pool.map((a) => a.database))].sort();
  if (names.length === 1) return names[0];
  if (names.includes(opts.target)) return opts.target;
  if (names.length === 0) throw new TxlineError('PATH_NOT_FOUND', 'no backup artifacts found at --from-path');
  throw new TxlineError('USAGE', `--from-path holds backups of several databases (${names.join(', ')}); name one with --from-database`);
}

export async function planFor(opts: Pick<RestoreOptions, 'fromPaths' | 'sourceDatabase' | 'target' | 'point' | 'log'>): Promise<{ plan: RestorePlan<Artifact>; database: string }> {
  const { pool, end } = await resolveArtifacts(opts.fromPaths, opts.log);
  const database = selectDatabase(pool, { sourceDatabase: opts.sourceDatabase, target: opts.target, end });
  const ofDb = pool.filter((a) => a.database === database);
  if (ofDb.length === 0) throw new TxlineError('PATH_NOT_FOUND', `no backups of ${database} at ${opts.fromPaths.join(', ')}`);
  const r = planRestore(ofDb, opts.point, end);
  if (!r.ok) throw new TxlineError(r.code, r.problem);
  return { plan: r.plan, database };
}

export async function restore(opts: RestoreOptions): Promise<RestoreResult> {
  const t0 = performance.now();
  const { log } = opts;
  const { plan, database } = await planFor(opts);
  const tail = plan.chain[plan.chain.length - 1];
  const pointText =
    plan.stopBeforeTx !== null ? `up to but not including transaction ${plan.stopBeforeTx}` : plan.stopBeforeTime !== null ? `to what was committed before ${formatUtc(plan.stopBeforeTime)} UTC` : `to the latest transaction (${tail.tipTx})`;
  log.info(`Restoring ${database}${opts.target !== database ? ` as ${opts.target}` : ''} ${pointText} from ${plan.chain.length} artifact(s): ${plan.chain.map((a) => a.file).join(' -> ')}`);

  const topo = await opts.source.topology();
  if (topo.members.length === 0) throw new TxlineError('SOURCE_UNREACHABLE', `no server of the cluster could be reached (${topo.unreachable.map((u) => u.address).join(', ')})`);
  // A member that is down does not get the restored store now: the restore succeeds with problems.
  const problems: string[] = [];
  for (const u of topo.unreachable) {
    const msg = `${describeUnreachable(u)}; ${opts.target} is restored on the reachable members only`;
    log.warn(msg);
    problems.push(msg);
  }
  const existing = topo.databases.find((d) => d.name === opts.target);
  const refused = destinationProblem(opts.target, existing !== undefined, opts.overwrite);
  if (refused) throw refused;
  const r = await opts.source.restoreChain({
    plan,
    database,
    target: opts.target,
    existing,
    overwrite: opts.overwrite,
    tempPath: opts.tempPath,
    log,
    progress: opts.progress,
  });
  const { install, storeId } = r;
  const durationMs = performance.now() - t0;
  log.info(
    `Restored ${opts.target} at transaction ${r.restoredTx} with new store ID ${storeId} on ${install.members.length} member(s) in ${formatDuration(durationMs)}; ${install.digest.nodes} nodes, ${install.digest.relationships} relationships, digest ${install.digest.contentHash.slice(0, 16)}…`,
  );
  if (problems.length) log.warn(`Restored ${opts.target} with problems: ${problems.length} server(s) could not be reached and do not hold the restored store yet`);
  const tx = { txDone: r.replayed, txTotal: r.replayed };
  opts.progress?.({ phase: 'done', database: opts.target, bytesDone: r.storeBytes, bytesTotal: r.storeBytes, ...tx, restoredTx: r.restoredTx, contentHash: install.digest.contentHash });
  return {
    database: opts.target,
    sourceDatabase: database,
    chain: plan.chain.map((a) => a.file),
    restoredTx: r.restoredTx,
    replayed: r.replayed,
    storeId,
    databaseId: r.databaseId,
    install,
    storeBytes: r.storeBytes,
    problems,
    durationMs,
  };
}

/**
 * Whether restoring into `target` may go ahead: the one place that decides it (the engine before a restore,
 * a kind again at install time, the dashboard's preview), with the one message.
 */
export function destinationProblem(target: string, exists: boolean, overwrite: boolean): TxlineError | null {
  if (!exists || overwrite) return null;
  return new TxlineError('DESTINATION_EXISTS', `database ${target} already exists; replace it (--overwrite-destination), or restore under another name`);
}
