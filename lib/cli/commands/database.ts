/**
 * `txline database backup|restore|check` and `txline backup inspect|aggregate|delete|prune`, with neo4j-admin's flags
 * (`backup log` and `backup preview`: ./backup-log.ts; `backup drill`: ./drill.ts). Wherever a command takes an artifact file,
 * `<folder>/<db>-latest` names the newest restorable one (latest.ts).
 */
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { TxlineError } from '../../errors';
import { installInterruptHandlers } from '../../cleanup';
import { createLogger } from '../../log';
import { env } from '../../env';
import { normalizeDatabaseName } from '../../graph/names';
import { aggregate } from '../../engine/aggregate';
import type { Artifact } from '../../engine/artifact';
import { backupDatabases, type BackupType } from '../../engine/backup';
import { check } from '../../engine/check';
import { confineEngine } from '../../engine/confine';
import { deleteArtifacts, describeArtifact, type DeleteResult } from '../../engine/delete';
import { formatTable, inspect } from '../../engine/inspect';
import { formatUtc, parseRestorePoint, type RestorePoint } from '../../engine/restore-plan';
import { jsonlProgress, type EngineLog, type ProgressSink } from '../../engine/progress';
import { restore } from '../../engine/restore';
import { isLocationUrl } from '../../storage';
import { resolveLatest } from '../../engine/latest';
import { clusterKind, DEFAULT_KIND } from '../../sources';
import type { BackupDriver, Source } from '../../engine/source';
import type { JobSpec } from '../../jobs/protocol';
import { parseNonNegativeInt } from '../args';
import { registerPruneCommand } from './prune';
import { registerBackupLogCommands } from './backup-log';
import { registerDrillCommand } from './drill';

/** Boolean flags that take `=true|false`, neo4j-admin style. */
export const BOOLEAN_FLAGS = [
  'compress',
  'keep-failed',
  'fallback-to-full',
  'prefer-diff-as-parent',
  'remote-address-resolution',
  'overwrite-destination',
  'keep-old-backup',
  'latest-backup',
  'latest-chain',
  'empty',
  'json',
  'verbose',
  'with-dependents',
  'dry-run',
] as const;

/** Options given on the command line (not left at their defaults) that a --cluster run does not take: refused, naming them. */
function refuseWithCluster(cmd: Command, flags: Record<string, string>, why: string): void {
  const given = Object.entries(flags)
    .filter(([key]) => cmd.getOptionValueSource(key) === 'cli')
    .map(([, flag]) => flag);
  if (given.length > 0) throw new TxlineError('USAGE', `${given.join(', ')} ${given.length === 1 ? 'does' : 'do'} not apply with --cluster: ${why}`);
}

/** The engine's log on stderr; --verbose adds its debug lines (each source considered, each range received). */
export function engineLog(verbose = false): EngineLog {
  const l = createLogger('txline', { level: verbose ? 'debug' : 'info' });
  return { debug: (m) => l.debug(m), info: (m) => l.info(m), warn: (m) => l.warn(m), error: (m) => l.error(m) };
}

export function progressSink(mode: string | undefined, intervalMs?: number): ProgressSink | undefined {
  if (mode === undefined) return undefined;
  return jsonlProgress((line) => process.stdout.write(`${line}\n`), intervalMs);
}

/**
 * The last `--progress=jsonl` line: `{"event":"result","phase":"result",...}` with the run's counters (what
 * was written or read, and the transactions it covers) beside the command's own fields.
 */
export function printResult(counters: { bytes: number; tx: number }, fields: Record<string, unknown>): void {
  const line = { ts: new Date().toISOString(), event: 'result', phase: 'result', bytesDone: counters.bytes, bytesTotal: counters.bytes, txDone: counters.tx, txTotal: counters.tx, ...fields };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** The counters of a run that wrote `artifacts` (those that failed wrote none): original bytes, transactions. */
function writtenCounters(artifacts: Array<Artifact | null | undefined>): { bytes: number; tx: number } {
  const written = artifacts.filter((a): a is Artifact => Boolean(a));
  return { bytes: written.reduce((n, a) => n + a.payload.rawBytes, 0), tx: written.reduce((n, a) => n + a.txCount, 0) };
}

export function parseProgress(raw: string): string {
  if (raw !== 'jsonl') throw new InvalidArgumentError(`--progress takes "jsonl", got "${raw}"`);
  return raw;
}

export function parseAddresses(raw: string, previous: string[] = []): string[] {
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError('--from needs at least one host:port');
  for (const a of list) {
    try {
      clusterKind(DEFAULT_KIND).checkAddress(a);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
  }
  return [...previous, ...list];
}

export function parsePaths(raw: string, previous: string[] = []): string[] {
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new InvalidArgumentError('expected a path');
  return [...previous, ...list];
}

function parseType(raw: string): BackupType {
  const t = raw.toLowerCase();
  if (t !== 'auto' && t !== 'full' && t !== 'diff') throw new InvalidArgumentError(`--type takes AUTO, FULL or DIFF, got "${raw}"`);
  return t;
}

/** A database name, or a glob of names ("n*", "*"). */
export function parseDatabasePattern(raw: string): string {
  if (/[*?]/.test(raw)) {
    if (!/^[a-zA-Z0-9.*?-]+$/.test(raw)) throw new TxlineError('INVALID_NAME', `Invalid database pattern "${raw}"`);
    return raw.toLowerCase();
  }
  return normalizeDatabaseName(raw);
}

export function restorePoint(raw: string | undefined): RestorePoint {
  if (raw === undefined) return { kind: 'latest' };
  const p = parseRestorePoint(raw);
  if (!p) throw new TxlineError('USAGE', `--restore-until takes a transaction ID (a positive integer) or a UTC time "YYYY-MM-DD HH:MM:SS", got "${raw}"`);
  return p;
}

/**
 * Hidden, repeatable: the dashboard's jobs run confined to the backup roots their folder was checked against
 * (lib/engine/confine.ts); the folder's real path is given with it.
 */
export function confineOption(): Option {
  return new Option('--confine-to-root <dir>', 'read and write backup files only inside this folder (repeatable)')
    .hideHelp()
    .argParser((v: string, previous: string[] = []) => [...previous, path.resolve(v)]);
}

/** Before an engine command runs: no temporary files left when it is interrupted, and its confinement, if any. */
function beforeEngineCommand(_cmd: Command, action: Command): void {
  // An interrupted engine command (Ctrl-C, a cancelled job) leaves no temporary files behind.
  installInterruptHandlers();
  const roots = (action.opts() as { confineToRoot?: string[] }).confineToRoot;
  if (roots) confineEngine(roots);
}

/**
 * The cluster a command works on, through its kind (lib/sources): the addresses given (--from, --to), else the
 * cluster the environment names. `resolve`: ask them for the whole cluster.
 */
export function openSource(given: string[] | undefined, resolve: boolean): Source & BackupDriver {
  const kind = clusterKind(DEFAULT_KIND);
  const c = given ? { kind: kind.name, addresses: given, startedHere: false } : kind.defaultConnection(env());
  return kind.openSource(c, { given: given !== undefined, resolve });
}

/**
 * Registers `database ...` and `backup ...`. With `capture`, the commands that a dashboard job runs (backup,
 * restore, check, aggregate) run nothing: they hand their parsed arguments, as the job protocol's input
 * (lib/jobs/protocol.ts), to `capture` (see lib/cli/job-argv.ts).
 */
export function registerDatabaseCommands(program: Command, capture?: (spec: JobSpec) => void): void {
  const database = program.command('database').description('Back up, restore and check databases (as neo4j-admin database ...)');
  if (!capture) database.hook('preAction', beforeEngineCommand);

  database
    .command('backup')
    .description('Back up databases online from the cluster (one artifact per database)')
    .argument('[database...]', 'names of the databases, or a quoted glob: "n*", "*"')
    .option('--from <host:port[,host:port...]>', 'servers to back up from, tried in order (default: the cluster)', parseAddresses)
    .option('--cluster <name>', "a registered cluster (txline cluster list): its own neo4j-admin backs it up, --to-path defaults to its location")
    .option('--to-path <dir>', 'folder to write the backup artifacts to (must exist)')
    .addOption(new Option('--type <type>', 'AUTO: differential when possible, else full; FULL; DIFF').argParser(parseType).default('auto'))
    .option('--prefer-diff-as-parent', 'use the latest differential backup as the parent, even when a newer full exists', false)
    .option('--compress', 'compress the artifact (--compress=false to store it as is)', true)
    .option('--no-compress', 'same as --compress=false')
    .option('--keep-failed', 'keep the files of a failed backup for analysis', false)
    .option('--temp-path <dir>', 'folder for the artifact while it is written (default: --to-path)')
    .option('--fallback-to-full', 'take a full backup when a differential cannot be taken (--fallback-to-full=false fails instead)', true)
    .option('--no-fallback-to-full', 'same as --fallback-to-full=false')
    .option('--remote-address-resolution', 'let the cluster choose the servers: secondaries, then primary followers, then the writer', false)
    .option('--max-lag <n>', 'pass over members more than this many transactions behind the writer', parseNonNegativeInt('--max-lag'), 1000)
    .option('--progress <format>', 'print progress as JSON lines on stdout (jsonl)', parseProgress)
    .option('--inspect-path <path>', 'list the artifacts of a folder or file instead of backing up')
    .option('--json', 'with --inspect-path: print JSON', false)
    .option('--verbose', 'debug lines in the log: each server considered, each range received', false)
    .addOption(confineOption())
    .action(async (names: string[], o, cmd: Command) => {
      if (capture) {
        if (names.length !== 1) throw new TxlineError('USAGE', 'a backup job names one database');
        const from: string[] = o.from ?? [];
        const input = { database: names[0], toPath: o.toPath, type: o.type, compress: o.compress, preferDiffAsParent: o.preferDiffAsParent, from, confineToRoots: o.confineToRoot ?? [], ...(o.cluster !== undefined ? { cluster: o.cluster } : {}) };
        return capture({ kind: 'backup', input });
      }
      if (o.cluster) {
        if (o.fallbackToFull === false) throw new TxlineError('USAGE', "--fallback-to-full=false does not apply with --cluster (neo4j-admin has no such option): --type=diff fails instead of taking a full");
        refuseWithCluster(cmd, { remoteAddressResolution: '--remote-address-resolution', maxLag: '--max-lag', inspectPath: '--inspect-path' }, 'neo4j-admin backs the cluster up from its registered --backup-from servers (backup inspect lists a folder)');
        // (a registered Neo4j cluster: the catalog, drizzle and the Bolt driver are loaded for it alone)
        const { clusterBackup } = await import('./cluster-backup');
        await clusterBackup(names, o);
        return;
      }
      if (o.inspectPath) {
        // as `backup inspect PATH [--database=NAME]`, with the same defaults (empty differentials left out)
        if (names.length > 1) throw new TxlineError('USAGE', 'with --inspect-path, name at most one database (or use backup inspect)');
        await printInspect({ path: await resolveLatest(o.inspectPath, engineLog(o.verbose)), json: o.json, database: names[0] ? normalizeDatabaseName(names[0]) : undefined });
        return;
      }
      if (!o.toPath) throw new TxlineError('USAGE', '--to-path is required (or --inspect-path to list backups)');
      if (names.length === 0) throw new TxlineError('USAGE', 'name at least one database, or a quoted glob such as "*"');
      const patterns = names.map(parseDatabasePattern);
      const explicit = Array.isArray(o.from) && o.from.length > 0;
      const source = openSource(explicit ? o.from : undefined, !explicit || o.remoteAddressResolution);
      const result = await backupDatabases({
        source,
        explicitSources: explicit && !o.remoteAddressResolution,
        toPath: isLocationUrl(o.toPath) ? o.toPath : path.resolve(o.toPath),
        type: o.type,
        preferDiffAsParent: o.preferDiffAsParent,
        compress: o.compress,
        keepFailed: o.keepFailed,
        tempPath: o.tempPath ? path.resolve(o.tempPath) : undefined,
        fallbackToFull: o.fallbackToFull,
        maxLag: o.maxLag,
        databases: patterns,
        log: engineLog(o.verbose),
        progress: progressSink(o.progress),
      });
      if (o.progress) {
        printResult(
          writtenCounters(result.results.map((r) => r.artifact)),
          {
            exitCode: result.exitCode,
            problems: result.problems,
            results: result.results.map((r) => ({ database: r.database, ok: r.ok, type: r.type, artifact: r.artifact?.file, fallbackReason: r.fallbackReason, error: r.error })),
          },
        );
      }
      process.exitCode = result.exitCode;
    });

  database
    .command('restore')
    .description('Restore a database from a backup chain, up to any transaction or time')
    .argument('<database>', 'the database to restore into (may differ from the backed-up one)')
    .option('--from-path <path[,path...]>', 'an artifact (<folder>/<db>-latest: the newest restorable one), a folder of artifacts, or a comma-separated list', parsePaths)
    .option('--restore-until <point>', 'restore up to but not including this transaction ID, or what was committed before "YYYY-MM-DD HH:MM:SS" (UTC)')
    .option('--overwrite-destination', 'replace the database if it exists', false)
    .option('--from-database <name>', 'which database’s backups to use when the folder holds several')
    .option('--to <host:port[,host:port...]>', 'a member of the cluster to restore into (default: the cluster)', parseAddresses)
    .option('--cluster <name>', 'a registered Neo4j cluster (txline cluster list) to restore into')
    .addOption(new Option('--via <way>', 'with --cluster: seed (CREATE DATABASE ... OPTIONS {seedURI}; the artifact on storage every server reads) or neo4j-admin (database restore, offline)').choices(['seed', 'neo4j-admin']))
    .option('--temp-path <dir>', 'folder to rebuild the store in (default: the system temporary folder)')
    .option('--progress <format>', 'print progress as JSON lines on stdout (jsonl)', parseProgress)
    .option('--verbose', 'debug lines in the log: where the store is rebuilt, each artifact of the chain', false)
    .addOption(confineOption())
    .action(async (target: string, o, cmd: Command) => {
      if (!o.fromPath) throw new TxlineError('USAGE', '--from-path is required');
      const point = restorePoint(o.restoreUntil);
      if (capture) {
        const input = {
          database: target,
          fromPath: o.fromPath,
          ...(o.fromDatabase !== undefined ? { fromDatabase: o.fromDatabase } : {}),
          ...(point.kind !== 'latest' ? { restoreUntil: point } : {}),
          overwriteDestination: o.overwriteDestination,
          confineToRoots: o.confineToRoot ?? [],
          ...(o.cluster !== undefined ? { cluster: o.cluster } : {}),
          ...(o.via !== undefined ? { via: o.via } : {}),
        };
        return capture({ kind: 'restore', input });
      }
      if (o.cluster) {
        refuseWithCluster(cmd, { tempPath: '--temp-path' }, 'the cluster restores on its own servers (seeding, or its neo4j-admin with its own temporary folder)');
        const { clusterRestore } = await import('./cluster-backup');
        await clusterRestore(target, point, o);
        return;
      }
      const name = normalizeDatabaseName(target);
      const sourceDb = o.fromDatabase ? normalizeDatabaseName(o.fromDatabase) : undefined;
      const source = openSource(o.to, true);
      const log = engineLog(o.verbose);
      const result = await restore({
        fromPaths: await Promise.all((o.fromPath as string[]).map((p) => resolveLatest(p, log))),
        sourceDatabase: sourceDb,
        target: name,
        point,
        overwrite: o.overwriteDestination,
        source,
        tempPath: o.tempPath ? path.resolve(o.tempPath) : undefined,
        log,
        progress: progressSink(o.progress),
      });
      // Restored, but not on every member (one could not be reached): succeeded with problems.
      const exitCode = result.problems.length > 0 ? 1 : 0;
      if (o.progress) {
        printResult(
          { bytes: result.storeBytes, tx: result.replayed },
          { exitCode, database: result.database, restoredTx: result.restoredTx, replayed: result.replayed, storeId: result.storeId, chain: result.chain, digest: result.install.digest, problems: result.problems },
        );
      }
      process.exitCode = exitCode;
    });

  database
    .command('check')
    .description('Verify backup artifacts and the consistency of their stores; write a report when something is wrong')
    .argument('[database]', 'only check the backups of this database')
    .option('--from-path <path>', 'a folder of artifacts or one artifact (<folder>/<db>-latest: the newest restorable one)')
    .option('--report-path <dir>', 'where to write the report', '.')
    .option('--temp-path <dir>', 'folder to unpack stores in (default: the system temporary folder)')
    .option('--progress <format>', 'print progress as JSON lines on stdout (jsonl)', parseProgress)
    .option('--verbose', 'debug lines in the log: each artifact checked', false)
    .addOption(confineOption())
    .action(async (db: string | undefined, o) => {
      if (!o.fromPath) throw new TxlineError('USAGE', '--from-path is required');
      if (capture) {
        const input = { ...(db !== undefined ? { database: db } : {}), fromPath: o.fromPath, reportPath: o.reportPath, confineToRoots: o.confineToRoot ?? [] };
        return capture({ kind: 'verify', input });
      }
      const r = await check({
        format: clusterKind(DEFAULT_KIND).payloadFormat,
        fromPath: await resolveLatest(o.fromPath, engineLog(o.verbose)),
        database: db ? normalizeDatabaseName(db) : undefined,
        reportDir: o.reportPath,
        tempPath: o.tempPath,
        log: engineLog(o.verbose),
        progress: progressSink(o.progress),
      });
      if (o.progress) printResult({ bytes: r.bytesChecked, tx: r.txChecked }, { exitCode: r.ok ? 0 : 1, ok: r.ok, checked: r.checked, problems: r.problems, reportFile: r.reportFile });
      else process.stdout.write(r.ok ? `OK: ${r.checked.length} artifact(s) verified\n` : `${r.problems.length} problem(s) found; report: ${r.reportFile}\n`);
      process.exitCode = r.ok ? 0 : 1;
    });

  const backup = program.command('backup').description('Inspect, aggregate, delete and prune backup artifacts (as neo4j-admin backup ...)');
  if (!capture) backup.hook('preAction', beforeEngineCommand);
  backup
    .command('inspect')
    .description('List backup artifacts and their metadata')
    .argument('<path>', 'a folder of artifacts or one artifact (<folder>/<db>-latest: the newest restorable one)')
    .option('--database <name>', 'only this database')
    .option('--latest-backup', 'only the latest backup of each database', false)
    .option('--latest-chain', 'the chain ending with the latest backup (or with the given artifact)', false)
    .option('--empty', 'include empty backups', false)
    .option('--json', 'print JSON', false)
    .addOption(new Option('--format <format>', 'output format').choices(['JSON', 'TABULAR', 'json', 'tabular']))
    .action(async (p: string, o) => {
      await printInspect({
        path: await resolveLatest(p, engineLog()),
        json: o.json || String(o.format ?? '').toLowerCase() === 'json',
        database: o.database ? normalizeDatabaseName(o.database) : undefined,
        latestBackup: o.latestBackup,
        latestChain: o.latestChain,
        empty: o.empty,
      });
    });

  registerBackupLogCommands(backup, capture);
  registerDrillCommand(backup, capture);

  backup
    .command('aggregate')
    .description("Fold a database's latest backup chain into one recovered full backup")
    .argument('<database>', 'database name or quoted glob')
    .option('--from-path <path>', 'a folder of artifacts, or the artifact that ends the chain')
    .option('--keep-old-backup', 'keep the old chain', false)
    .addOption(confineOption())
    .option('--temp-path <dir>', 'folder to rebuild the store in (default: the system temporary folder)')
    .option('--progress <format>', 'print progress as JSON lines on stdout (jsonl)', parseProgress)
    .option('--verbose', 'debug lines in the log', false)
    .action(async (db: string, o) => {
      if (!o.fromPath) throw new TxlineError('USAGE', '--from-path is required');
      if (capture) return capture({ kind: 'aggregate', input: { database: db, fromPath: o.fromPath, keepOldBackup: o.keepOldBackup, confineToRoots: o.confineToRoot ?? [] } });
      const r = await aggregate({
        format: clusterKind(DEFAULT_KIND).payloadFormat,
        fromPath: await resolveLatest(o.fromPath, engineLog(o.verbose)),
        databases: [parseDatabasePattern(db)],
        keepOld: o.keepOldBackup,
        tempPath: o.tempPath,
        log: engineLog(o.verbose),
        progress: progressSink(o.progress),
      });
      if (o.progress) {
        printResult(
          writtenCounters(r.results.map((x) => x.artifact)),
          { exitCode: r.exitCode, results: r.results.map((x) => ({ ...x, artifact: x.artifact?.file })) },
        );
      }
      process.exitCode = r.exitCode;
    });

  backup
    .command('delete')
    .description('Delete backup artifacts; the backups that depend on them only with --with-dependents, newest first')
    .argument('<artifact-file...>', 'paths to *.backup files, all in one folder, or s3://bucket/prefix/<name>.backup URLs of one location')
    .option('--with-dependents', 'also delete the backups whose chain leads to them (otherwise refused, naming them)', false)
    .option('--dry-run', 'print what would be deleted and what would remain; delete nothing', false)
    .option('--json', 'print the result as JSON', false)
    .option('--progress <format>', 'print progress as JSON lines on stdout (jsonl): one line per deleted artifact', parseProgress)
    .option('--verbose', 'debug lines in the log', false)
    .addOption(confineOption())
    .action(async (files: string[], o) => {
      if (capture) return capture({ kind: 'delete', input: { files, withDependents: o.withDependents, confineToRoots: o.confineToRoot ?? [] } });
      const text = !o.progress && !o.json;
      const r = await deleteArtifacts({
        files,
        withDependents: o.withDependents,
        dryRun: o.dryRun,
        log: engineLog(o.verbose),
        // every deleted artifact is a line of its own (a job shows which are gone): not throttled
        progress: progressSink(o.progress, 0),
        onDeleted: text ? (a) => process.stdout.write(`${o.dryRun ? 'would delete' : 'deleted'} ${a.file} (${a.database}, ${describeArtifact(a)})\n`) : undefined,
      });
      if (o.progress) {
        // what was deleted (a dry run deletes nothing): whole files' bytes, and the transactions they held
        const gone = r.dryRun ? [] : r.deleted;
        const counters = { bytes: gone.reduce((n, a) => n + a.sizeBytes, 0), tx: gone.reduce((n, a) => n + a.txCount, 0) };
        printResult(counters, { exitCode: 0, ...r });
      } else if (o.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else printDeleteSummary(r);
      process.exitCode = 0;
    });

  registerPruneCommand(backup, capture);

  addNegations(database);
  addNegations(backup);
}

/** After the deleted artifacts: what each database has left in the folder, and the range it restores. */
function printDeleteSummary(r: DeleteResult): void {
  if (r.deleted.length === 0) process.stdout.write('Nothing to delete.\n');
  for (const d of r.databases) {
    const ranges = d.restorable.map((x) => `transactions ${x.fromTx}..${x.toTx} (${x.fromTime ? formatUtc(Date.parse(x.fromTime)) : 'from the start'} .. ${formatUtc(Date.parse(x.toTime))})`);
    const left = `${d.remaining} artifact(s) ${r.dryRun ? 'would remain' : 'remain'}`;
    process.stdout.write(`${d.database}: ${left}; ${ranges.length ? `restorable: ${ranges.join('; ')}` : 'no intact backup chain'}\n`);
  }
}

/**
 * `--flag=false` reaches commander as `--no-flag` (see rewriteBooleanFlags): give every boolean flag of
 * BOOLEAN_FLAGS that has no `--no-` form yet a hidden one, so `--keep-failed=false` works like neo4j-admin's.
 */
function addNegations(cmd: Command): void {
  for (const sub of cmd.commands) addNegations(sub);
  const longs = new Set(cmd.options.map((o) => o.long));
  for (const o of [...cmd.options]) {
    const name = o.long?.slice(2) ?? '';
    if (o.negate || o.required || o.optional || !(BOOLEAN_FLAGS as readonly string[]).includes(name) || longs.has(`--no-${name}`)) continue;
    cmd.addOption(new Option(`--no-${name}`).hideHelp());
  }
}

async function printInspect(o: { path: string; json: boolean; database?: string; latestBackup?: boolean; latestChain?: boolean; empty?: boolean }): Promise<void> {
  const r = await inspect(o);
  for (const p of r.problems) process.stderr.write(`warning: ${p.message}; skipped\n`);
  if (o.json) process.stdout.write(`${JSON.stringify(r.rows, null, 2)}\n`);
  else process.stdout.write(r.rows.length ? `${formatTable(r.rows)}\n` : 'No backups found.\n');
}
