/**
 * A backup of a registered Neo4j cluster, by its own neo4j-admin (`txline database backup --cluster=<name>`).
 * Server-only (Node).
 *
 *   1. the version (dbms.components, over Bolt) decides which options neo4j-admin is given; the servers
 *      (SHOW SERVERS, else SHOW DATABASES) give the default --from: each server's host with port 6362;
 *   2. the target's files are listed; neo4j-admin `database backup --verbose` runs (no shell, bounded in
 *      time), its log lines become progress as they come. An `s3://bucket/prefix` target is passed to
 *      neo4j-admin as it is (it writes to S3 itself), with AWS_ENDPOINT_URL_S3 in its environment, and listed
 *      through Txline's S3 location (lib/storage), never as a folder;
 *   3. the target is listed again and `backup inspect --format=TABULAR --empty` lists it;
 *   4. checkBackupOutcome decides per database: exit 0 alone is not proof, a partial file is never taken.
 *
 * Invariants: the password never reaches neo4j-admin (assertArgvFree before each spawn; it is not in the
 * child's environment either: neo4j-admin backs up over the backup port, which needs no Bolt login). Every
 * run has a time bound; a run that overstays is killed and reported.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { onInterrupt } from '../../cleanup';
import { TxlineError, describeError } from '../../errors';
import type { TxlineEnv } from '../../env';
import { globMatches } from '../../engine/backup-policy';
import type { Progress } from '../../engine/progress';
import { formatAddress, splitAddress } from '../../net/address';
import { isLocationUrl, openLocation, s3EndpointFromEnv } from '../../storage';
import type { ClusterConnection } from '../kind';
import { assertArgvFree, backupArgv, inspectArgv, type Neo4jBackupType } from './argv';
import { parseBackupLogLine, summarizeBackupLog, toProgress, type BackupLogEvent } from './backup-log';
import { readTopology } from './bolt';
import { adminExitError, adminSpawnError, checkBackupOutcome, unknownOptions, type AdminCommand, type AdminExit, type BackupOutcome } from './exit';
import { parseInspectTabular } from './inspect';
import { boltSettings, neo4jSettings } from './kind';
import type { Neo4jTopology } from './topology';
import type { Neo4jVersion } from './version';

/** The backup port neo4j-admin reaches a server on when the cluster was registered without --backup-from. */
export const DEFAULT_BACKUP_PORT = 6362;
/** At most this much of a run's output is kept (the log is read line by line as it comes). */
const MAX_KEPT = 1 << 20;
/** the most output kept whole for parsing (`backup inspect`'s table) */
const MAX_PARSED = 64 * 1024 * 1024;
/** the longest line passed on */
const MAX_LINE = 64 * 1024;
/** how long the output may stay open after neo4j-admin exited (held by a process it started) */
const EXIT_GRACE_MS = 2000;

export interface Neo4jBackupRequest {
  databases: string[];
  type?: Neo4jBackupType;
  /** default: the cluster's registered location */
  toPath?: string;
  compress?: boolean;
  keepFailed?: boolean;
  tempPath?: string;
  preferDiffAsParent?: boolean;
  /** bound on the neo4j-admin backup run (default 6 hours) and on inspect (a minute) */
  timeoutMs?: number;
  progress?: (p: Progress) => void;
}

export interface Neo4jBackupResult {
  version: Neo4jVersion;
  from: string[];
  toPath: string;
  /** neo4j-admin's argv (no secret in it) */
  argv: string[];
  outcomes: BackupOutcome[];
  exitCode: number | null;
}

/** The default --from: each server's host (SHOW SERVERS' address, else the copies' addresses) with port 6362. */
export function defaultBackupFrom(t: Neo4jTopology): string[] {
  const addresses = t.servers ? t.servers.map((s) => s.address) : t.databases.map((d) => d.address);
  const hosts = new Set<string>();
  for (const a of addresses) {
    if (!a) continue;
    try {
      hosts.add(splitAddress(a)[0]);
    } catch {
      // an address Neo4j gave that is not host:port is skipped (the topology's problems say what it was)
      continue;
    }
  }
  return [...hosts].map((h) => formatAddress(h, DEFAULT_BACKUP_PORT));
}

/**
 * Names and quoted globs ("n*", "*") as the cluster's database names (SHOW DATABASES), so that each database's
 * outcome is checked by its name; a name the cluster does not list is passed as given (neo4j-admin says).
 * Names are compared in lower case, as Neo4j keeps them (and as they are passed to neo4j-admin).
 */
export function expandDatabases(patterns: readonly string[], t: Neo4jTopology): string[] {
  const names = [...new Set(t.databases.map((d) => d.name))].sort();
  const out = new Set<string>();
  for (const p of patterns) {
    if (!/[*?]/.test(p)) {
      out.add(p.toLowerCase());
      continue;
    }
    const matched = names.filter((n) => globMatches(p.toLowerCase(), n.toLowerCase()));
    if (matched.length === 0) throw new TxlineError('DATABASE_NOT_FOUND', `no database of the cluster matches "${p}" (it has ${names.join(', ') || 'none'})`);
    for (const m of matched) out.add(m);
  }
  return [...out];
}

interface Ran extends AdminExit {
  stdout: string;
}

/**
 * Runs neo4j-admin: no shell, the argv checked for the secret, lines to `onLine` as they come.
 *
 * neo4j-admin is a launcher that may fork the command into another JVM, which holds the same output pipes: it
 * runs in a process group of its own, and the whole group is killed when the run overstays `timeoutMs`, when
 * this process is interrupted (a cancelled job's SIGTERM), and when the launcher has exited but something it
 * started still holds its output after EXIT_GRACE_MS. Output is decoded as UTF-8 across chunks. `keep: 'all'`
 * (what `backup inspect` prints, which is parsed whole) keeps all of stdout, and a run that prints more than
 * MAX_PARSED fails instead of being cut; otherwise its first MAX_KEPT are kept, for messages.
 */
export function runAdmin(
  executable: string,
  command: AdminCommand,
  argv: string[],
  opts: { secrets: string[]; timeoutMs: number; onLine?: (line: string) => void; env?: NodeJS.ProcessEnv; keep?: 'all' | 'head' },
): Promise<Ran> {
  assertArgvFree(argv, opts.secrets);
  const keepAll = opts.keep === 'all';
  return new Promise((resolve, reject) => {
    const child = spawn(executable, argv, { shell: false, stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, detached: true });
    const out = new StringDecoder('utf8');
    const err = new StringDecoder('utf8');
    let stdout = '';
    let stderr = '';
    let partial = '';
    let settled = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    };
    const unregister = onInterrupt(killGroup);
    let grace: NodeJS.Timeout | undefined;
    const finish = (failure: TxlineError | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      unregister();
      // nothing it started outlives the run (a no-op when the group is gone)
      killGroup();
      child.stdout.destroy();
      child.stderr.destroy();
      if (failure) return reject(failure);
      const rest = partial + out.end();
      if (rest) opts.onLine?.(rest);
      resolve({ command, exitCode: exit?.code ?? null, signal: exit?.signal ?? null, stderr: stderr + err.end(), stdout });
    };
    const timer = setTimeout(() => finish(new TxlineError('ADMIN_TOOL_FAILED', `neo4j-admin ${command} did not finish within ${Math.round(opts.timeoutMs / 1000)} s and was stopped`)), opts.timeoutMs);
    child.stdout.on('data', (c: Buffer) => {
      const text = out.write(c);
      if (keepAll) {
        stdout += text;
        if (stdout.length > MAX_PARSED) return finish(new TxlineError('ADMIN_TOOL_FAILED', `neo4j-admin ${command} printed more than ${MAX_PARSED / 1048576} MiB and was stopped`));
      } else if (stdout.length < MAX_KEPT) stdout += text;
      partial += text;
      const lines = partial.split(/\r?\n/);
      partial = lines.pop() ?? '';
      // a line that never ends is not kept whole (lines past 8 KiB are not read: ./backup-log.ts)
      if (partial.length > MAX_LINE) partial = partial.slice(0, MAX_LINE);
      for (const l of lines) opts.onLine?.(l);
    });
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < MAX_KEPT) stderr += err.write(c);
    });
    child.on('error', (e) => finish(adminSpawnError(executable, e as NodeJS.ErrnoException)));
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // its output is read to the end ('close'), unless something it started keeps the pipes open
      grace = setTimeout(() => finish(null), EXIT_GRACE_MS);
    });
    child.on('close', () => finish(null));
  });
}

/**
 * The names in the target: a local folder's entries, or an object-storage location's artifacts (`s3://`, listed
 * through Txline's own S3 location: the same endpoint and credentials neo4j-admin is given).
 */
async function listNames(where: string): Promise<string[]> {
  if (isLocationUrl(where)) return (await openLocation(where).list()).map((e) => e.name);
  try {
    return fs.readdirSync(where);
  } catch (e) {
    throw new TxlineError('PATH_NOT_FOUND', `cannot list the backup folder ${where}: ${describeError(e)}`, { cause: e });
  }
}

/**
 * neo4j-admin's environment: the caller's, and for an `s3://` target the S3-compatible endpoint under the name
 * the AWS SDKs read (AWS_ENDPOINT_URL_S3, also when only AWS_ENDPOINT_URL is set), so that neo4j-admin and
 * Txline's own listing talk to the same server. Credentials stay where the standard chain finds them.
 */
export function adminEnv(toPath: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!/^s3:\/\//i.test(toPath)) return base;
  const endpoint = s3EndpointFromEnv(base);
  return endpoint ? { ...base, AWS_ENDPOINT_URL_S3: endpoint } : base;
}

/** Backs up `req.databases` of the Neo4j cluster `c` with its neo4j-admin; see the header. */
export async function runNeo4jBackup(c: ClusterConnection, e: TxlineEnv, req: Neo4jBackupRequest): Promise<Neo4jBackupResult> {
  const n = neo4jSettings(c);
  const settings = boltSettings(c, e);
  const { components, topology } = await readTopology(settings, { timeoutMs: 15_000 });
  const version = components.version;
  const databases = expandDatabases(req.databases, topology);
  const from = n.backupFrom ?? defaultBackupFrom(topology);
  if (from.length === 0) throw new TxlineError('NO_SOURCE', `the cluster lists no server address to back up from: register it with --backup-from=host:port,...`);
  const toPath = req.toPath ?? n.location;
  const argv = backupArgv({
    version,
    from,
    toPath,
    type: req.type,
    compress: req.compress,
    keepFailed: req.keepFailed,
    tempPath: req.tempPath,
    preferDiffAsParent: req.preferDiffAsParent,
    verbose: true,
    databases,
  });
  // Each new backup is confirmed by `backup inspect` (new in 5.25): checked before anything runs, not after the backup
  let listing: string[];
  try {
    listing = inspectArgv({ version, path: toPath, empty: true });
  } catch (e) {
    if (!(e instanceof TxlineError) || e.code !== 'NOT_SUPPORTED') throw e;
    throw new TxlineError('NOT_SUPPORTED', `cannot back up this cluster: Txline confirms each new backup with neo4j-admin backup inspect, which is new in Neo4j 5.25 (this cluster runs ${version.text}); nothing was started`, { cause: e });
  }
  const before = await listNames(toPath);
  const env = adminEnv(toPath);
  const events: BackupLogEvent[] = [];
  const backup = await runAdmin(n.neo4jAdmin, 'database backup', argv, {
    secrets: [settings.password],
    timeoutMs: req.timeoutMs ?? 6 * 3600_000,
    env,
    onLine: (line) => {
      const ev = parseBackupLogLine(line);
      if (!ev) return;
      events.push(ev);
      const p = toProgress(ev);
      if (p) req.progress?.(p);
    },
  });
  const after = await listNames(toPath);
  const log = summarizeBackupLog(events);
  // exit 64: the options were this version's; an option the neo4j-admin does not know says it is older than the
  // cluster, a value it refused (a --from, a name) says nothing of its version
  if (backup.exitCode === 64) {
    const err = adminExitError(backup);
    if (err) {
      const unknown = unknownOptions(backup.stderr);
      const why = unknown.length
        ? `this neo4j-admin (${n.neo4jAdmin}) does not know ${unknown.join(', ')}: it looks older than that`
        : `this neo4j-admin (${n.neo4jAdmin}) refused a value it was given (the cluster's registered settings, or the databases named)`;
      throw new TxlineError(err.code, `${err.message} — the cluster runs Neo4j ${version.text}; ${why}`, { details: err.details, cause: err });
    }
  }
  let inspected: ReturnType<typeof parseInspectTabular> = [];
  const inspect = await runAdmin(n.neo4jAdmin, 'backup inspect', listing, { secrets: [settings.password], timeoutMs: Math.min(req.timeoutMs ?? 60_000, 60_000), env, keep: 'all' });
  const inspectError = adminExitError(inspect);
  if (inspectError) {
    // a backup that failed is reported as such (its reason first), the listing's failure after it
    const backupError = backup.exitCode === 64 ? null : adminExitError(backup);
    if (backupError) {
      const reasons = log.filter((l) => l.failure).map((l) => `${l.database}: ${l.failure}`);
      throw new TxlineError(backupError.code, `${backupError.message}${reasons.length ? ` (${reasons.join('; ')})` : ''}; and backup inspect failed after it: ${inspectError.message}`, { details: backupError.details });
    }
    throw new TxlineError(inspectError.code, `${inspectError.message} (after the backup: its artifacts cannot be confirmed)`, { details: inspectError.details, cause: inspectError });
  }
  inspected = parseInspectTabular(inspect.stdout);
  const outcomes = checkBackupOutcome({ databases, exit: backup, log, before, after, inspected, toPath });
  return { version, from, toPath, argv, outcomes, exitCode: backup.exitCode };
}
