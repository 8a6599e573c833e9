/**
 * Restore drills: proof by restore. A drill restores one database's newest chain (at its newest point, at a
 * random point inside it, or up to but not including a transaction) into a scratch database
 * `txline-drill-<db>-<id>` on a drill target, measures the RTO (from the drill's start to the scratch database
 * answering a read), runs the consistency check on the store the target serves, compares what was restored
 * with what the artifacts say, and drops the scratch database.
 *
 * Invariants:
 * - The source database is never touched: the scratch name is new (an existing one is refused by the restore)
 *   and always starts with SCRATCH_PREFIX, which no drill's source database can be (refused up front).
 * - A scratch database never outlives its drill: it is dropped in `finally`; one a killed drill left (kill -9)
 *   is dropped by the next drill of that database, and by the server at its start (dropLeftoverScratch).
 * - What is compared (with the scratch database as its writer served it once installed: counts and digest): at
 *   the newest point, the counts the artifacts recorded (a full's or aggregate's store
 *   counts, where the chain ends at one) or else those the records imply (the full's counts plus what every
 *   transaction after it created and deleted); at any other point, those the records imply. Transactions
 *   written without before-images (record format 1) do not say which relationships a node deletion took:
 *   then relationship counts are not compared, and the check says so. At the newest point the content digest
 *   of the scratch database is compared with the one the chain's last artifact recorded at its transaction
 *   (artifact format 2; the `digest` check, blaming that artifact); an artifact that records none (format 1,
 *   or a kind that records none) makes the check say "digest not recorded", and the counts stand alone.
 * - A drill that fails names its check and, where one is to blame, the artifact.
 */
import os from 'node:os';
import { randomBytes, randomInt } from 'node:crypto';
import { TxlineError, describeError } from '../errors';
import { makeWorkDir, cleanStaleWorkDirs } from '../cleanup';
import { FORMAT_V1, type Artifact } from './artifact';
import { isEmpty } from './chain';
import type { PayloadFormat } from './format';
import { formatDuration, type EngineLog, type ProgressSink } from './progress';
import { planFor, restore } from './restore';
import { planRestore, type RestorePlan } from './restore-plan';
import type { BackupDriver, InstallResult, ScratchDatabases, Source } from './source';

export const SCRATCH_PREFIX = 'txline-drill-';
const SCRATCH_ID = /^[0-9a-f]{8}$/;

export type DrillPoint = { kind: 'latest' } | { kind: 'random' } | { kind: 'tx'; before: number };

/** The checks of a drill, in the order they run. */
export const DRILL_CHECKS = ['chain', 'artifacts', 'restore', 'reads', 'consistency', 'counts', 'digest', 'cleanup'] as const;
export type DrillCheck = (typeof DRILL_CHECKS)[number];

export interface DrillOptions {
  fromPaths: string[];
  database: string;
  point: DrillPoint;
  /** the drill target: restores into a scratch database, then reads, checks and drops it */
  target: Source & BackupDriver;
  format: PayloadFormat;
  tempPath?: string;
  log: EngineLog;
  progress?: ProgressSink;
  /** the scratch database's ID (8 hex digits; random when absent) */
  id?: string;
}

export interface DrillCheckResult {
  check: DrillCheck;
  ok: boolean;
  detail: string;
}

export interface DrillResult {
  passed: boolean;
  database: string;
  scratch: string;
  point: { kind: DrillPoint['kind']; before: number | null };
  /** the transaction the scratch database was restored to (null when the restore did not happen) */
  restoredTx: number | null;
  chain: string[];
  /** the first check that failed, and the artifact to blame, if any */
  failedCheck: DrillCheck | null;
  artifact: string | null;
  problem: string | null;
  checks: DrillCheckResult[];
  /** from the drill's start to the scratch database serving reads */
  rtoMs: number | null;
  durationMs: number;
  expected: { nodes: number; relationships: number | null; from: 'recorded' | 'records' } | null;
  actual: { nodes: number; relationships: number; contentHash: string } | null;
}

/** The scratch database of a drill of `database` with `id`: within the 63 characters of a database name. */
export function scratchName(database: string, id: string): string {
  if (!SCRATCH_ID.test(id)) throw new TxlineError('INVALID_ARGUMENT', `a drill ID is 8 hex digits, got "${id}"`);
  const room = 63 - SCRATCH_PREFIX.length - 1 - id.length;
  return `${SCRATCH_PREFIX}${database.slice(0, room)}-${id}`;
}

/** Whether `name` is a drill's scratch database (of `database`, when given). */
export function isScratchName(name: string, database?: string): boolean {
  if (!name.startsWith(SCRATCH_PREFIX)) return false;
  const id = name.slice(-8);
  if (!SCRATCH_ID.test(id) || name[name.length - 9] !== '-') return false;
  if (database === undefined) return true;
  return name === scratchName(database, id);
}

/** Drops the scratch databases a killed drill left (of `database`, or of every database); returns their names. */
export async function dropLeftoverScratch(scratch: ScratchDatabases, log: EngineLog, database?: string): Promise<string[]> {
  const left = (await scratch.databaseNames()).filter((n) => isScratchName(n, database));
  for (const name of left) {
    log.warn(`dropping ${name}, a scratch database a drill left behind`);
    await scratch.dropDatabase(name);
  }
  return left;
}

export async function drill(opts: DrillOptions): Promise<DrillResult> {
  const t0 = performance.now();
  const { log, database } = opts;
  if (database.startsWith(SCRATCH_PREFIX)) throw new TxlineError('USAGE', `${database} is a drill's scratch database; drill the database it was restored from`);
  const scratch = opts.target.scratch;
  if (!scratch) throw new TxlineError('NOT_SUPPORTED', 'the drill target cannot hold scratch databases (drills restore into a Txline member API cluster)');
  const name = scratchName(database, opts.id ?? randomBytes(4).toString('hex'));
  const checks: DrillCheckResult[] = [];
  const result: DrillResult = {
    passed: false,
    database,
    scratch: name,
    point: { kind: opts.point.kind, before: opts.point.kind === 'tx' ? opts.point.before : null },
    restoredTx: null,
    chain: [],
    failedCheck: null,
    artifact: null,
    problem: null,
    checks,
    rtoMs: null,
    durationMs: 0,
    expected: null,
    actual: null,
  };
  const pass = (check: DrillCheck, detail: string) => {
    checks.push({ check, ok: true, detail });
    log.info(`drill ${check}: ${detail}`);
  };
  const fail = (check: DrillCheck, problem: string, artifact: string | null = null) => {
    checks.push({ check, ok: false, detail: problem });
    if (result.failedCheck === null) {
      result.failedCheck = check;
      result.problem = problem;
      result.artifact = artifact;
    }
    log.error(`drill ${check} failed${artifact ? ` (${artifact})` : ''}: ${problem}`);
  };
  const phase = (p: string, extra: Record<string, unknown> = {}) =>
    opts.progress?.({ phase: `drill:${p}`, database, bytesDone: null, bytesTotal: null, txDone: null, txTotal: null, scratch: name, ...extra });

  // Leftovers of a killed drill of this database go first (one drill of a database runs at a time).
  await dropLeftoverScratch(scratch, log, database);

  // 1. The chain and the point.
  phase('plan');
  let plan: RestorePlan<Artifact>;
  let pool: Artifact[] = [];
  try {
    const latest = await planFor({ fromPaths: opts.fromPaths, sourceDatabase: database, target: database, point: { kind: 'latest' }, log });
    pool = latest.plan.chain;
    plan = pointPlan(latest.plan, opts.point);
  } catch (e) {
    fail('chain', describeError(e), blame(e, pool));
    return finish(result, t0, log);
  }
  result.chain = plan.chain.map((a) => a.file);
  if (plan.stopBeforeTx !== null) result.point.before = plan.stopBeforeTx;
  const tail = plan.chain[plan.chain.length - 1];
  const pointTx = plan.targetTx ?? tail.tipTx;
  pass('chain', `${plan.chain.length} artifact(s), ${result.chain.join(' -> ')}; point: transaction ${pointTx}${opts.point.kind === 'latest' ? ' (the newest)' : ''}`);

  let created = false;
  const work = makeWorkDir(opts.tempPath ?? os.tmpdir(), 'check', name);
  for (const m of cleanStaleWorkDirs(opts.tempPath ?? os.tmpdir())) log.info(m);
  try {
    // 2. Restore into the scratch database (every artifact is read whole and verified on the way).
    phase('restore');
    try {
      created = true;
      const r = await restore({
        fromPaths: plan.chain.map((a) => a.path),
        sourceDatabase: database,
        target: name,
        point: plan.stopBeforeTx !== null ? { kind: 'tx', before: plan.stopBeforeTx } : { kind: 'latest' },
        overwrite: false,
        source: opts.target,
        tempPath: opts.tempPath,
        log,
        progress: opts.progress,
      });
      result.restoredTx = r.restoredTx;
      pass('artifacts', `every artifact of the chain read whole and verified (${plan.chain.length})`);
      if (r.restoredTx !== pointTx) fail('restore', `the scratch database is at transaction ${r.restoredTx}, the point is ${pointTx}`);
      else pass('restore', `restored to transaction ${r.restoredTx} on ${r.install.members.length} member(s) in ${formatDuration(r.durationMs)}`);
    } catch (e) {
      const who = blame(e, plan.chain);
      if (who || (e instanceof TxlineError && (e.code === 'ARTIFACT_CORRUPT' || e.code === 'CHAIN_BROKEN'))) fail('artifacts', describeError(e), who);
      else fail('restore', describeError(e));
      return result;
    }

    // 3. The RTO ends when the scratch database answers a read.
    phase('reads');
    try {
      await scratch.probeRead(name);
      result.rtoMs = Math.round(performance.now() - t0);
      pass('reads', `${name} serves reads; RTO ${formatDuration(result.rtoMs)}`);
    } catch (e) {
      fail('reads', describeError(e));
      return result;
    }

    // 4. Consistency of the store the target serves.
    phase('consistency');
    try {
      const problems = await scratch.checkConsistency(name, work.dir);
      if (problems.length) fail('consistency', problems.slice(0, 5).join('; ') + (problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''));
      else pass('consistency', 'relationships point at existing nodes, counts agree, labels belong to nodes');
    } catch (e) {
      fail('consistency', describeError(e));
    }

    // 5. Counts: as recorded (newest point, a chain ending at a full) or as the records imply; of the digest
    // the target's writer computes from every row of the scratch database (not the sum the restore kept).
    phase('counts');
    let served: InstallResult['digest'] | null = null;
    try {
      served = await scratch.digest(name, { ordered: tail.contentDigest?.sha256 !== undefined });
      await compareCounts(result, { name, plan, pointTx, served, format: opts.format }, pass, fail);
    } catch (e) {
      fail('counts', describeError(e), blame(e, plan.chain));
    }

    // 6. The content digest the artifacts recorded (at the newest point).
    if (served !== null && opts.point.kind === 'latest') compareDigest({ name, plan, pointTx, served }, pass, fail);
  } finally {
    work.remove();
    if (created) {
      phase('cleanup');
      try {
        await scratch.dropDatabase(name);
        pass('cleanup', `dropped ${name}`);
      } catch (e) {
        fail('cleanup', `${name} could not be dropped (the next drill or server start drops it): ${describeError(e)}`);
      }
    }
    finish(result, t0, log);
  }
  return result;
}

function finish(result: DrillResult, t0: number, log: EngineLog): DrillResult {
  result.durationMs = Math.round(performance.now() - t0);
  result.passed = result.failedCheck === null;
  if (result.passed) log.info(`Drill of ${result.database} passed at transaction ${result.restoredTx}: RTO ${formatDuration(result.rtoMs ?? 0)}, ${formatDuration(result.durationMs)} in all`);
  else log.error(`Drill of ${result.database} FAILED: ${result.failedCheck}${result.artifact ? ` (${result.artifact})` : ''}: ${result.problem}`);
  return result;
}

/** Compares the scratch database's counts (and transaction) with those expected at the point. */
async function compareCounts(
  result: DrillResult,
  c: { name: string; plan: RestorePlan<Artifact>; pointTx: number; served: InstallResult['digest']; format: PayloadFormat },
  pass: (check: DrillCheck, detail: string) => void,
  fail: (check: DrillCheck, problem: string, artifact?: string | null) => void,
): Promise<void> {
  const { name, plan, pointTx } = c;
  const full = plan.chain[0];
  const tail = plan.chain[plan.chain.length - 1];
  const digest = c.served;
  result.actual = { nodes: digest.nodes, relationships: digest.relationships, contentHash: digest.contentHash };
  const expected = await expectedCounts(plan, pointTx, c.format);
  const want = expected.counts;
  result.expected = want;
  const rel = want.relationships === null ? `relationships not compared (${expected.note})` : `${want.relationships} relationships`;
  const source = want.from === 'recorded' ? `${tail.file} recorded` : `the records from ${full.file} imply`;
  if (digest.lastCommittedTxn !== pointTx) fail('counts', `${name} is at transaction ${digest.lastCommittedTxn}, the point is ${pointTx}`);
  else if (digest.nodes !== want.nodes || (want.relationships !== null && digest.relationships !== want.relationships)) {
    fail('counts', `${name} holds ${digest.nodes} nodes and ${digest.relationships} relationships; ${source} ${want.nodes} nodes and ${want.relationships ?? '?'} relationships`, want.from === 'recorded' ? tail.file : null);
  } else pass('counts', `${digest.nodes} nodes, ${rel}, as ${source}`);
}

/**
 * Compares the scratch database's content digest with the one the chain's last artifact recorded at the point
 * (the newest): a mismatch fails the `digest` check naming that artifact; none recorded passes, saying so.
 */
export function compareDigest(
  c: { name: string; plan: RestorePlan<Artifact>; pointTx: number; served: InstallResult['digest'] },
  pass: (check: DrillCheck, detail: string) => void,
  fail: (check: DrillCheck, problem: string, artifact?: string | null) => void,
): void {
  const tail = c.plan.chain[c.plan.chain.length - 1];
  const recorded = tail.contentDigest ?? null;
  if (recorded === null || recorded.tx !== c.pointTx) {
    const why = tail.format === FORMAT_V1 ? `${tail.file} is of artifact format 1, from before digests were recorded` : `${tail.file} records none at transaction ${c.pointTx}`;
    pass('digest', `digest not recorded (${why}); counts compared`);
    return;
  }
  // format 3 records the content sum, format 2 the ordered hash (asked for from the target when the tail has it)
  const [want, got, what] = recorded.sum !== undefined ? [recorded.sum, c.served.contentHash, 'content digest'] : [recorded.sha256 as string, c.served.orderedHash ?? '', 'ordered content digest (format 2)'];
  if (got !== want) {
    fail('digest', `the ${what} of ${c.name} is ${got ? `${got.slice(0, 16)}…` : 'not known'}, ${tail.file} recorded ${want.slice(0, 16)}… at transaction ${recorded.tx}`, tail.file);
  } else pass('digest', `${what} ${got.slice(0, 16)}… as ${tail.file} recorded at transaction ${recorded.tx}`);
}

/** The plan of the drill's point, inside the newest chain. */
export function pointPlan(latest: RestorePlan<Artifact>, point: DrillPoint, random: (lo: number, hi: number) => number = randomInt): RestorePlan<Artifact> {
  if (point.kind === 'latest') return latest;
  const lo = latest.chain[0].tipTx;
  const hi = latest.chain[latest.chain.length - 1].tipTx;
  // random: a state between the full's and the newest (both included); randomInt's upper bound is exclusive
  const before = point.kind === 'tx' ? point.before : random(lo, hi + 1) + 1;
  const r = planRestore(latest.chain, { kind: 'tx', before });
  if (!r.ok) throw new TxlineError(r.code, r.problem.replace('--restore-until', '--point'));
  return r.plan;
}

/** The artifact an error names (its file name or path), among `pool`. */
function blame(e: unknown, pool: Artifact[]): string | null {
  const msg = describeError(e);
  const hit = pool.find((a) => msg.includes(a.path)) ?? pool.find((a) => msg.includes(a.file));
  if (hit) return hit.file;
  const m = /([^\s/'"]+\.backup)\b/.exec(msg);
  return m ? m[1] : null;
}

/**
 * The counts the state at `pointTx` should have: recorded by the artifact it is (a full, an aggregate), or the
 * full's recorded counts plus what each later transaction up to `pointTx` created and deleted.
 */
async function expectedCounts(
  plan: RestorePlan<Artifact>,
  pointTx: number,
  format: PayloadFormat,
): Promise<{ counts: NonNullable<DrillResult['expected']>; note: string }> {
  const full = plan.chain[0];
  const tail = plan.chain[plan.chain.length - 1];
  if (tail.store && tail.tipTx === pointTx) return { counts: { nodes: tail.store.nodes, relationships: tail.store.relationships, from: 'recorded' }, note: '' };
  if (!full.store) throw new TxlineError('ARTIFACT_CORRUPT', `${full.file} records no store counts`);
  let nodes = full.store.nodes;
  let relationships = full.store.relationships;
  let withoutImages = 0;
  for (const d of plan.chain.slice(1)) {
    if (isEmpty(d)) continue;
    await format.readTransactions(d, { want: (tx) => tx <= pointTx, names: [] }, (tx) => {
      if (!tx.beforeImages) withoutImages++;
      for (const t of tx.touches) {
        const delta = t.what === 'created' ? 1 : t.what === 'deleted' ? -1 : 0;
        if (t.entity === 'node') nodes += delta;
        else relationships += delta;
      }
    });
  }
  const note = withoutImages ? `${withoutImages} transaction(s) were recorded without before-images` : '';
  return { counts: { nodes, relationships: withoutImages ? null : relationships, from: 'records' }, note };
}
