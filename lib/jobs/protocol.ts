/**
 * The job protocol: what passes between the dashboard's job runner (lib/jobs/runner.ts) and the `txline` child
 * process it starts, typed with zod and shared by both ends.
 *
 * - A job kind (JOB_KINDS) has an input (JOB_INPUTS): everything the child needs to know, nothing of the
 *   dashboard (no catalog IDs). `jobArgv` turns an input into the child's argv; the CLI reads that argv back
 *   into the same input (`parseJobArgv` in lib/cli/job-argv.ts, with the CLI's own commander program).
 *   tests/jobs/protocol.test.ts checks the round trip for every kind.
 * - The child prints JSON lines on stdout (`--progress=jsonl`): progress lines (`PROGRESS_EVENT`), then at
 *   most one `{"event":"error"}` line (a thrown error, with its stable code) or one `{"event":"result"}` line
 *   whose fields depend on the kind (JOB_RESULTS). `parseJobLine` reads any of them.
 * - `jobResult(kind, json)` gives a stored result back typed (or null), in the server and in the browser:
 *   this module imports nothing that needs Node.
 */
import { z } from 'zod';
import { ERROR_CODES, isErrorCode, type ErrorCode } from '../errors';
import { isValidDatabaseName } from '../graph/names';
import { parseMatch } from '../engine/txlog-match';
import { JOB_KINDS, type JobKind } from './kinds';

export { JOB_KINDS, type JobKind };

// ---- inputs ----------------------------------------------------------------------------------------------

/** A database name as the engine keeps it (lower case); the CLI would normalise any other spelling. */
const databaseName = z.string().refine((v) => isValidDatabaseName(v) && v === v.toLowerCase(), { error: 'a database name in lower case' });

/** A path given as `--flag=<path>`: any characters (spaces, '=', a leading '-', unicode) but NUL. */
const pathArg = z
  .string()
  .min(1)
  .refine((v) => !v.includes('\0'), { error: 'a path has no NUL character' });

/** One path of a comma-separated list (restore's --from-path): no comma, no surrounding spaces. */
const listedPath = pathArg.refine((v) => !v.includes(',') && v === v.trim(), { error: 'a listed path has no comma and no surrounding spaces' });

/** A confinement root: absolute and normalised, as the CLI resolves it (path.resolve). */
const rootPath = pathArg.refine((v) => v === '/' || (v.startsWith('/') && v.split('/').slice(1).every((s) => s !== '' && s !== '.' && s !== '..')), {
  error: 'an absolute, normalised path',
});

/** An artifact of object storage named by its URL (`s3://bucket/prefix/<name>.backup`): no comma, no credentials. */
const artifactUrl = pathArg.refine((v) => /^s3:\/\/[^\s,@]+\/[^/\s,@]+\.backup$/.test(v), { error: 'an s3://bucket/prefix/<name>.backup URL' });

const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const address = z.string().refine((v) => HOST_PORT.test(v) && Number(HOST_PORT.exec(v)?.[1]) <= 65535, { error: 'host:port' });

/** A registered cluster's name (`--cluster=<name>`: a Neo4j cluster, backed up and restored by its neo4j-admin). */
const clusterName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'a registered cluster name' });

/** Where a restore stops: before a transaction, or before a UTC time (milliseconds since the epoch). */
export const restoreUntil = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('tx'), before: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
  z.object({ kind: z.literal('time'), before: z.number().int().min(0).max(253402300799999) }),
]);

/** A transaction ID as `backup log` takes it (--from-tx, --to-tx). */
const txIdArg = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** A UTC time (ms since the epoch) as --from-time/--to-time write it: whole seconds or milliseconds. */
const timeArg = z.number().int().min(0).max(253402300799999);
/** One --match of `backup log` (lib/engine/txlog-match.ts): refused here as the CLI would refuse it. */
const matchArg = z.string().min(1).refine(
  (v) => {
    try {
      parseMatch(v);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'a --match condition list (see txline backup log --help)' },
);

/** The backup roots a dashboard job is confined to (--confine-to-root, lib/engine/confine.ts). */
const confineToRoots = z.array(rootPath);

/** A retention rule's number (--keep-full, --keep-days, --keep-weekly): a positive integer. */
const keepCount = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const JOB_INPUTS = {
  /** `txline database backup`: one database into a folder */
  backup: z.strictObject({
    database: databaseName,
    toPath: pathArg,
    type: z.enum(['auto', 'full', 'diff']),
    compress: z.boolean(),
    preferDiffAsParent: z.boolean(),
    /** members to back up from, tried in order; empty: let the cluster choose */
    from: z.array(address),
    confineToRoots,
    /** a registered Neo4j cluster: its neo4j-admin backs it up (from its registered --backup-from; `from` is empty) */
    cluster: clusterName.optional(),
  }),
  /** `txline database restore`: a chain into `database` (the target) */
  restore: z.strictObject({
    database: databaseName,
    fromPath: z.array(listedPath).min(1),
    fromDatabase: databaseName.optional(),
    restoreUntil: restoreUntil.optional(),
    overwriteDestination: z.boolean(),
    confineToRoots,
    /** a registered Neo4j cluster to restore into, by seeding (CREATE DATABASE ... OPTIONS {seedURI}) or neo4j-admin */
    cluster: clusterName.optional(),
    via: z.enum(['seed', 'neo4j-admin']).optional(),
  }),
  /** `txline backup aggregate`: fold the chain into one full */
  aggregate: z.strictObject({
    database: databaseName,
    fromPath: pathArg,
    keepOldBackup: z.boolean(),
    confineToRoots,
  }),
  /** `txline database check`: verify a folder or one artifact */
  verify: z.strictObject({
    database: databaseName.optional(),
    fromPath: pathArg,
    reportPath: pathArg,
    confineToRoots,
  }),
  /** `txline backup delete`: artifact files of one folder (absolute paths) or URLs of one location, with what depends on them or not at all */
  delete: z.strictObject({
    files: z.array(z.union([rootPath, artifactUrl])).min(1),
    withDependents: z.boolean(),
    confineToRoots,
  }),
  /** `txline backup prune`: a retention policy applied to a folder (one database, or all); at least one rule */
  prune: z
    .strictObject({
      fromPath: pathArg,
      database: databaseName.optional(),
      keepFull: keepCount.optional(),
      keepDays: keepCount.optional(),
      keepWeekly: keepCount.optional(),
      dryRun: z.boolean(),
      confineToRoots,
    })
    .refine((v) => v.keepFull !== undefined || v.keepDays !== undefined || v.keepWeekly !== undefined, { error: 'at least one of keepFull, keepDays, keepWeekly' }),
  /**
   * `txline backup log`: a page of the transactions of a database's newest chain (a job always has a limit:
   * its result holds the entries; the next page starts at the result's `nextTx`)
   */
  log: z.strictObject({
    database: databaseName,
    fromPath: z.array(listedPath).min(1),
    fromTx: txIdArg.optional(),
    toTx: txIdArg.optional(),
    fromTime: timeArg.optional(),
    toTime: timeArg.optional(),
    match: z.array(matchArg),
    limit: z.number().int().min(1).max(10_000),
    confineToRoots,
  }),
  /** `txline backup preview`: counts by label and type at a restore point and at the newest point */
  preview: z.strictObject({
    database: databaseName,
    fromPath: z.array(listedPath).min(1),
    restoreUntil,
    confineToRoots,
  }),
  /** `txline backup drill`: a chain restored into a scratch database, checked, and dropped (lib/engine/drill.ts) */
  drill: z.strictObject({
    database: databaseName,
    fromPath: z.array(listedPath).min(1),
    /** the newest point, a random point of the newest chain, or up to but not including a transaction */
    point: z.union([z.literal('latest'), z.literal('random'), z.strictObject({ kind: z.literal('tx'), before: txIdArg })]),
    /** members of the drill target; empty: the cluster the job is given */
    to: z.array(address),
    confineToRoots,
  }),
} satisfies Record<JobKind, z.ZodType>;

export type JobInput<K extends JobKind = JobKind> = z.infer<(typeof JOB_INPUTS)[K]>;

/** A job as the runner starts it: its kind and that kind's input. */
export type JobSpec = { [K in JobKind]: { kind: K; input: JobInput<K> } }[JobKind];

/** Checks an input against its kind's schema; throws with every problem named. */
export function checkJobSpec(spec: { kind: JobKind; input: unknown }): JobSpec {
  const p = JOB_INPUTS[spec.kind].safeParse(spec.input);
  if (!p.success) throw new Error(`invalid ${spec.kind} job input: ${p.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`);
  return { kind: spec.kind, input: p.data } as JobSpec;
}

// ---- argv ------------------------------------------------------------------------------------------------

/** "YYYY-MM-DD HH:MM:SS" in UTC, with ".mmm" when the time has milliseconds (--restore-until reads both). */
export function restoreUntilArg(p: z.infer<typeof restoreUntil>): string {
  if (p.kind === 'tx') return String(p.before);
  return new Date(p.before).toISOString().replace('T', ' ').replace(/\.000Z$/, '').replace(/Z$/, '');
}

const flag = (name: string, value: string | number | boolean) => `--${name}=${value}`;
const confined = (roots: string[]) => roots.map((r) => flag('confine-to-root', r));

/**
 * The child's argv for a job (without --progress, which the runner adds). Every value goes as `--flag=value`,
 * so a value that starts with '-' or holds '=' or spaces stays one value; the positional database names
 * always start with a letter.
 */
export function jobArgv(spec: JobSpec): string[] {
  const { kind, input } = checkJobSpec(spec);
  switch (kind) {
    case 'backup':
      return [
        'database',
        'backup',
        flag('to-path', input.toPath),
        flag('type', input.type),
        flag('compress', input.compress),
        flag('prefer-diff-as-parent', input.preferDiffAsParent),
        ...(input.from.length ? [flag('from', input.from.join(','))] : []),
        ...(input.cluster ? [flag('cluster', input.cluster)] : []),
        ...confined(input.confineToRoots),
        input.database,
      ];
    case 'restore':
      return [
        'database',
        'restore',
        flag('from-path', input.fromPath.join(',')),
        ...(input.fromDatabase ? [flag('from-database', input.fromDatabase)] : []),
        ...(input.restoreUntil ? [flag('restore-until', restoreUntilArg(input.restoreUntil))] : []),
        flag('overwrite-destination', input.overwriteDestination),
        ...(input.cluster ? [flag('cluster', input.cluster)] : []),
        ...(input.via ? [flag('via', input.via)] : []),
        ...confined(input.confineToRoots),
        input.database,
      ];
    case 'aggregate':
      return ['backup', 'aggregate', flag('from-path', input.fromPath), flag('keep-old-backup', input.keepOldBackup), ...confined(input.confineToRoots), input.database];
    case 'verify':
      return ['database', 'check', flag('from-path', input.fromPath), flag('report-path', input.reportPath), ...confined(input.confineToRoots), ...(input.database ? [input.database] : [])];
    case 'delete':
      // the files are absolute paths: never taken for an option (the runner appends --progress after them)
      return ['backup', 'delete', flag('with-dependents', input.withDependents), ...confined(input.confineToRoots), ...input.files];
    case 'prune':
      return [
        'backup',
        'prune',
        flag('from-path', input.fromPath),
        ...(input.database ? [flag('database', input.database)] : []),
        ...(input.keepFull !== undefined ? [flag('keep-full', input.keepFull)] : []),
        ...(input.keepDays !== undefined ? [flag('keep-days', input.keepDays)] : []),
        ...(input.keepWeekly !== undefined ? [flag('keep-weekly', input.keepWeekly)] : []),
        flag('dry-run', input.dryRun),
        ...confined(input.confineToRoots),
      ];
    case 'log':
      return [
        'backup',
        'log',
        flag('from-path', input.fromPath.join(',')),
        flag('database', input.database),
        ...(input.fromTx !== undefined ? [flag('from-tx', input.fromTx)] : []),
        ...(input.toTx !== undefined ? [flag('to-tx', input.toTx)] : []),
        ...(input.fromTime !== undefined ? [flag('from-time', restoreUntilArg({ kind: 'time', before: input.fromTime }))] : []),
        ...(input.toTime !== undefined ? [flag('to-time', restoreUntilArg({ kind: 'time', before: input.toTime }))] : []),
        ...input.match.map((m) => flag('match', m)),
        flag('limit', input.limit),
        ...confined(input.confineToRoots),
      ];
    case 'preview':
      return ['backup', 'preview', flag('from-path', input.fromPath.join(',')), flag('database', input.database), flag('restore-until', restoreUntilArg(input.restoreUntil)), ...confined(input.confineToRoots)];
    case 'drill':
      return [
        'backup',
        'drill',
        flag('from-path', input.fromPath.join(',')),
        flag('database', input.database),
        flag('point', typeof input.point === 'string' ? input.point : input.point.before),
        ...(input.to.length ? [flag('to', input.to.join(','))] : []),
        ...confined(input.confineToRoots),
      ];
  }
}

// ---- lines on stdout -------------------------------------------------------------------------------------

/**
 * A progress line (lib/engine/progress.ts): the phase (`store`, `transactions`, `finalize`, `check`,
 * `aggregate:write`, `restore:store`, `restore:replay`, `install:<step>`, `done`, ...) and four counters, each
 * a number or null while unknown; a phase may add fields of its own.
 */
export const PROGRESS_EVENT = z.looseObject({
  ts: z.string(),
  phase: z.string(),
  database: z.string().optional(),
  bytesDone: z.number().nullable(),
  bytesTotal: z.number().nullable(),
  txDone: z.number().nullable(),
  txTotal: z.number().nullable(),
  message: z.string().optional(),
});
export type ProgressEvent = z.infer<typeof PROGRESS_EVENT>;

const ERROR_CODE = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

/** The line a failed command prints before it exits (lib/cli/main.ts): the error's stable code and message. */
export const ERROR_EVENT = z.looseObject({
  ts: z.string(),
  event: z.literal('error'),
  code: ERROR_CODE,
  message: z.string(),
  exitCode: z.number().int(),
});
export type ErrorEvent = z.infer<typeof ERROR_EVENT>;

/** A failure inside a result (one database of a backup run, say): the engine's code and message. */
const failure = z.object({ code: z.string(), message: z.string() });

/** What every result line has: the run's counters (what was written or read) and the exit code. */
const resultLine = {
  ts: z.string(),
  event: z.literal('result'),
  phase: z.literal('result'),
  bytesDone: z.number(),
  bytesTotal: z.number(),
  txDone: z.number(),
  txTotal: z.number(),
  exitCode: z.number().int(),
};

/** A range a database restores: from its full's state to the newest backup of that chain. */
const restorableRange = z.object({ storeId: z.string(), fromTx: z.number(), toTx: z.number(), fromTime: z.string().nullable(), toTime: z.string() });
const counts = z.object({ nodes: z.number(), relationships: z.number() });
const graphCounts = z.object({ txId: z.number(), nodes: z.number(), relationships: z.number(), labels: z.record(z.string(), z.number()), types: z.record(z.string(), z.number()) });
const countDiff = z.object({ name: z.string(), at: z.number(), newest: z.number(), difference: z.number() });

export const JOB_RESULTS = {
  backup: z.object({
    ...resultLine,
    /** what makes the run "succeeded with problems" (a server that could not be reached) */
    problems: z.array(z.string()),
    results: z.array(
      z.object({
        database: z.string(),
        ok: z.boolean(),
        type: z.enum(['full', 'diff']).optional(),
        /** the artifact's file name */
        artifact: z.string().optional(),
        /** why a full was taken instead of a differential */
        fallbackReason: z.string().optional(),
        error: failure.optional(),
      }),
    ),
  }),
  restore: z.union([
    z.object({
      ...resultLine,
      database: z.string(),
      restoredTx: z.number(),
      replayed: z.number(),
      storeId: z.string(),
      /** the artifacts' file names, full first */
      chain: z.array(z.string()),
      digest: z.object({ lastCommittedTxn: z.number(), nodes: z.number(), relationships: z.number(), contentHash: z.string() }),
      problems: z.array(z.string()),
    }),
    /** a Neo4j cluster's restore (--cluster): which way ran, and each copy of the database once online */
    z.object({
      ...resultLine,
      via: z.enum(['seed', 'neo4j-admin']),
      database: z.string(),
      neo4jVersion: z.string(),
      copies: z.array(z.object({ address: z.string().nullable(), currentStatus: z.string().nullable(), lastCommittedTxn: z.number().nullable() })),
    }),
  ]),
  aggregate: z.object({
    ...resultLine,
    results: z.array(
      z.object({
        database: z.string(),
        ok: z.boolean(),
        artifact: z.string().optional(),
        deleted: z.array(z.string()),
        kept: z.array(z.string()),
        error: failure.optional(),
      }),
    ),
  }),
  verify: z.object({
    ...resultLine,
    ok: z.boolean(),
    /** file names of the artifacts checked */
    checked: z.array(z.string()),
    /** "<file>: <problem>" */
    problems: z.array(z.string()),
    reportFile: z.string().nullable(),
  }),
  delete: z.object({
    ...resultLine,
    folder: z.string(),
    dryRun: z.boolean(),
    /** in the order they were deleted (dependents first, newest first); `requested`: named, not a dependent */
    deleted: z.array(
      z.looseObject({ file: z.string(), database: z.string(), full: z.boolean(), lowestTx: z.number(), highestTx: z.number(), sizeBytes: z.number(), requested: z.boolean() }),
    ),
    /** what each database has left in the folder, and the ranges it restores */
    databases: z.array(
      z.object({
        database: z.string(),
        remaining: z.number(),
        restorable: z.array(restorableRange),
      }),
    ),
  }),
  prune: z.object({
    ...resultLine,
    folder: z.string(),
    dryRun: z.boolean(),
    /** in the order they were deleted (dependents first, newest first), each with why */
    deleted: z.array(
      z.looseObject({ file: z.string(), database: z.string(), full: z.boolean(), lowestTx: z.number(), highestTx: z.number(), sizeBytes: z.number(), chain: z.number(), reason: z.string() }),
    ),
    /** per database: its chains (newest first) and whether each is kept and why, and the ranges it restores before and after */
    databases: z.array(
      z.object({
        database: z.string(),
        remaining: z.number(),
        chains: z.array(
          z.object({
            number: z.number(),
            root: z.string(),
            artifacts: z.number(),
            toTx: z.number(),
            newestTime: z.string(),
            restorable: z.boolean(),
            problem: z.string().nullable(),
            keep: z.boolean(),
            reasons: z.array(z.string()),
          }),
        ),
        restorableBefore: z.array(restorableRange),
        restorable: z.array(restorableRange),
      }),
    ),
    skipped: z.array(z.object({ file: z.string(), message: z.string() })),
  }),
  log: z.object({
    ...resultLine,
    database: z.string(),
    /** the chain read, full first */
    chain: z.array(z.string()),
    /** the transactions the chain holds as records (those up to its full are inside the full's store) */
    listable: z.object({ fromTx: z.number(), toTx: z.number() }).nullable(),
    scanned: z.number(),
    matched: z.number(),
    /** the limit stopped the page here: the next page's --from-tx; null: nothing more matches */
    nextTx: z.number().nullable(),
    entries: z.array(
      z.object({
        txId: z.number(),
        commitTime: z.string(),
        created: counts,
        changed: counts,
        deleted: counts,
        labels: z.array(z.string()),
        types: z.array(z.string()),
        beforeImages: z.boolean(),
        artifact: z.string(),
      }),
    ),
  }),
  preview: z.object({
    ...resultLine,
    database: z.string(),
    at: graphCounts,
    newest: graphCounts,
    chain: z.array(z.string()),
    newestChain: z.array(z.string()),
    labels: z.array(countDiff),
    types: z.array(countDiff),
    /** "at tx 128: 40 :Customer nodes more than now", one per label or type whose count differs */
    sentences: z.array(z.string()),
  }),
  drill: z.object({
    ...resultLine,
    passed: z.boolean(),
    database: z.string(),
    scratch: z.string(),
    point: z.object({ kind: z.enum(['latest', 'random', 'tx']), before: z.number().nullable() }),
    restoredTx: z.number().nullable(),
    /** the artifacts' file names, full first */
    chain: z.array(z.string()),
    /** the first check that failed (lib/engine/drill.ts DRILL_CHECKS), and the artifact to blame */
    failedCheck: z.string().nullable(),
    artifact: z.string().nullable(),
    problem: z.string().nullable(),
    checks: z.array(z.object({ check: z.string(), ok: z.boolean(), detail: z.string() })),
    rtoMs: z.number().nullable(),
    durationMs: z.number(),
    expected: z.object({ nodes: z.number(), relationships: z.number().nullable(), from: z.enum(['recorded', 'records']) }).nullable(),
    actual: z.object({ nodes: z.number(), relationships: z.number(), contentHash: z.string() }).nullable(),
  }),
} satisfies Record<JobKind, z.ZodType>;

export type JobResult<K extends JobKind = JobKind> = z.infer<(typeof JOB_RESULTS)[K]>;

/** A stored (or just printed) result, typed for its kind; null when there is none or it is not one. */
export function jobResult<K extends JobKind>(kind: K, json: unknown): JobResult<K> | null {
  if (json === null || json === undefined) return null;
  const p = JOB_RESULTS[kind].safeParse(json);
  return p.success ? (p.data as JobResult<K>) : null;
}

/** A restore of a registered Neo4j cluster (--cluster): no engine figures, the copies once online. */
export type Neo4jRestoreJobResult = Extract<JobResult<'restore'>, { via: unknown }>;
export function isNeo4jRestoreResult(r: JobResult<'restore'>): r is Neo4jRestoreJobResult {
  return 'via' in r;
}

/** The code that says why a job whose result came back failed (or succeeded with problems), if any. */
export function resultErrorCode<K extends JobKind>(kind: K, result: JobResult<K>): ErrorCode | null {
  const known = (c: string | undefined): ErrorCode | null => (c === undefined ? null : isErrorCode(c) ? c : 'INTERNAL');
  switch (kind) {
    case 'backup':
    case 'aggregate': {
      const r = result as JobResult<'backup' | 'aggregate'>;
      const bad = r.results.find((x) => !x.ok);
      if (bad) return known(bad.error?.code) ?? 'INTERNAL';
      return 'problems' in r && r.problems.length ? 'SOURCE_UNREACHABLE' : null;
    }
    case 'restore': {
      const r = result as JobResult<'restore'>;
      return 'problems' in r && r.problems.length ? 'SOURCE_UNREACHABLE' : null;
    }
    case 'verify':
      return (result as JobResult<'verify'>).ok ? null : 'ARTIFACT_CORRUPT';
    case 'delete':
    case 'prune':
      return null; // a refused or failed delete or prune ends with an error line, not a result
      return null; // a refused or failed delete ends with an error line, not a result
    case 'log':
    case 'preview':
      return null; // they read; a failure ends with an error line
    case 'drill': {
      const r = result as JobResult<'drill'>;
      if (r.passed) return null;
      return r.failedCheck === 'chain' ? 'CHAIN_BROKEN' : r.failedCheck === 'artifacts' ? 'ARTIFACT_CORRUPT' : 'DRILL_FAILED';
    }
  }
  return null;
}

/** One line of the child's stdout, read: progress, an error, a result (typed for `kind`), or plain text. */
export type JobLine<K extends JobKind = JobKind> =
  | { type: 'progress'; progress: ProgressEvent }
  | { type: 'error'; error: ErrorEvent }
  | { type: 'result'; result: JobResult<K> }
  | { type: 'text'; text: string }
  | { type: 'invalid'; text: string; problem: string };

export function parseJobLine<K extends JobKind>(kind: K, line: string): JobLine<K> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { type: 'text', text: line };
  }
  const event = json && typeof json === 'object' ? (json as { event?: unknown }).event : undefined;
  const schema = event === 'result' ? JOB_RESULTS[kind] : event === 'error' ? ERROR_EVENT : PROGRESS_EVENT;
  const p = schema.safeParse(json);
  if (!p.success) return { type: 'invalid', text: line, problem: p.error.issues.map((i) => `${i.path.join('.') || 'line'}: ${i.message}`).join('; ') };
  if (event === 'result') return { type: 'result', result: p.data as JobResult<K> };
  if (event === 'error') return { type: 'error', error: p.data as ErrorEvent };
  return { type: 'progress', progress: p.data as ProgressEvent };
}
