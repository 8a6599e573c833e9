/**
 * The command lines Txline gives neo4j-admin, and the Cypher that seeds a restored database on a cluster.
 * Pure: values in, argv (or query and parameters) out; nothing runs here.
 *
 * Invariants:
 * - Every valued option is one argv element `--name=value` (never `--name value`, never a shell): a value
 *   cannot become an option of its own. Flags without a value (`--verbose`, `--prefer-diff-as-parent`) are bare.
 * - Only what the detected version accepts is passed (./version.ts). A choice the version cannot honour
 *   (`--prefer-diff-as-parent` before 2025.04, a seed up to a point before 2025.01) is refused
 *   (NOT_SUPPORTED), not dropped: the backup would not be the one asked for.
 * - Database names, addresses and paths are checked before they reach an argv: a positional argument can
 *   never start with "-", a list element never holds the list's separator.
 * - No password or token is ever an argument: the builders take none, and `assertArgvFree` checks the result.
 * - `--restore-until` and `seedRestoreUntil` are exclusive ("up to, but not including"), as txline's own
 *   `--restore-until`: the UI's "the database ends at transaction N" is `untilAfterTx(N)`, i.e. N + 1.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DateTime, int, type Integer } from 'neo4j-driver-core';
import { TxlineError } from '../../errors';
import { normalizeDatabaseName } from '../../graph/names';
import { splitAddress } from '../../net/address';
import type { RestorePoint } from '../../engine/restore-plan';
import {
  BACKUP_OPTIONS,
  INSPECT_OPTIONS,
  RESTORE_OPTIONS,
  atLeast,
  backupOptionsFor,
  inspectOptionsFor,
  restoreOptionsFor,
  seedFeaturesFor,
  whyNotAccepted,
  type Neo4jVersion,
  type OptionSupport,
} from './version';

export type Neo4jBackupType = 'FULL' | 'DIFF' | 'AUTO';

export interface BackupArgs {
  version: Neo4jVersion;
  /** backup addresses (host:port, port 6362 by default on a server), tried in order */
  from: readonly string[];
  toPath: string;
  type?: Neo4jBackupType;
  compress?: boolean;
  keepFailed?: boolean;
  tempPath?: string;
  preferDiffAsParent?: boolean;
  verbose?: boolean;
  /** names, or quoted globs ("n*", "*") */
  databases: readonly string[];
}

export interface InspectArgs {
  version: Neo4jVersion;
  path: string;
  database?: string;
  empty?: boolean;
  latestBackup?: boolean;
  latestChain?: boolean;
}

export interface RestoreArgs {
  version: Neo4jVersion;
  /** artifacts or folders */
  fromPaths: readonly string[];
  /** exclusive, as txline's; 'latest' passes no --restore-until */
  until?: RestorePoint;
  overwriteDestination?: boolean;
  /** which database's backups, when a folder holds several (2025.02 on) */
  sourceDatabase?: string;
  tempPath?: string;
  verbose?: boolean;
  database: string;
}

/** Options collected for one command, checked against what the version accepts. */
class Options {
  readonly argv: string[] = [];
  constructor(
    private readonly command: string,
    private readonly table: Readonly<Record<string, OptionSupport>>,
    private readonly accepted: ReadonlySet<string>,
    private readonly version: Neo4jVersion,
  ) {}

  private check(name: string): void {
    if (!this.accepted.has(name)) {
      throw new TxlineError('NOT_SUPPORTED', `neo4j-admin ${this.command} of Neo4j ${this.version.text} cannot be asked for --${name}: ${whyNotAccepted(this.table, name, this.version)}`);
    }
  }

  value(name: string, v: string | undefined): this {
    if (v === undefined) return this;
    this.check(name);
    this.argv.push(`--${name}=${v}`);
    return this;
  }

  /** A boolean option: `--name=true|false` when given; a `false` the version lacks is its default, and left out. */
  bool(name: string, v: boolean | undefined): this {
    if (v === undefined || (v === false && !this.accepted.has(name))) return this;
    return this.value(name, String(v));
  }

  /** A flag without a value: bare when true, absent when false. */
  flag(name: string, v: boolean | undefined): this {
    if (!v) return this;
    this.check(name);
    this.argv.push(`--${name}`);
    return this;
  }
}

/** A value that must stay one argument and one line: no NUL, no line break, not empty. */
function plainValue(what: string, v: string): string {
  if (v.length === 0 || v.length > 4096 || /[\0\r\n]/.test(v)) throw new TxlineError('INVALID_ARGUMENT', `${what} ${JSON.stringify(v.slice(0, 80))} cannot be passed to neo4j-admin`);
  return v;
}

/** A local folder or file (absolute), or an object-storage URI (s3://, gs://, azb://). */
function location(what: string, v: string, opts: { list?: boolean } = {}): string {
  plainValue(what, v);
  if (opts.list && v.includes(',')) throw new TxlineError('INVALID_ARGUMENT', `${what} "${v}" holds a comma, which neo4j-admin reads as a list separator`);
  if (/^(s3|gs|azb):\/\/[^\s]+$/.test(v)) return v;
  if (!path.isAbsolute(v)) throw new TxlineError('INVALID_ARGUMENT', `${what} "${v}" must be an absolute path (or an s3://, gs:// or azb:// URI)`);
  return v;
}

function databaseArgument(raw: string): string {
  if (/[*?]/.test(raw)) {
    if (!/^[a-zA-Z0-9.*?-]+$/.test(raw) || raw.startsWith('-')) throw new TxlineError('INVALID_NAME', `Invalid database pattern "${raw}"`);
    return raw.toLowerCase();
  }
  return normalizeDatabaseName(raw);
}

function backupAddress(a: string): string {
  splitAddress(a);
  if (a.includes(',') || /\s/.test(a)) throw new TxlineError('INVALID_ARGUMENT', `Invalid address "${a}"`);
  return a.trim();
}

/** `neo4j-admin database backup ...` for this version. */
export function backupArgv(a: BackupArgs): string[] {
  if (a.databases.length === 0) throw new TxlineError('USAGE', 'name at least one database to back up');
  const o = new Options('database backup', BACKUP_OPTIONS, backupOptionsFor(a.version), a.version);
  o.value('from', a.from.length ? a.from.map(backupAddress).join(',') : undefined)
    .value('to-path', location('--to-path', a.toPath))
    .value('type', a.type)
    .bool('compress', a.compress)
    .bool('keep-failed', a.keepFailed)
    .value('temp-path', a.tempPath === undefined ? undefined : location('--temp-path', a.tempPath))
    .flag('prefer-diff-as-parent', a.preferDiffAsParent)
    .flag('verbose', a.verbose);
  return ['database', 'backup', ...o.argv, ...a.databases.map(databaseArgument)];
}

/** `neo4j-admin backup inspect <path> --format=TABULAR ...` (with `--show-metadata` where the version needs it). */
export function inspectArgv(a: InspectArgs): string[] {
  if (!atLeast(a.version, '5.25')) throw new TxlineError('NOT_SUPPORTED', `neo4j-admin backup inspect is new in Neo4j 5.25; this is ${a.version.text}`);
  if (a.latestBackup && a.latestChain) throw new TxlineError('USAGE', '--latest-backup and --latest-chain cannot be used together');
  const accepted = inspectOptionsFor(a.version);
  const o = new Options('backup inspect', INSPECT_OPTIONS, accepted, a.version);
  o.value('format', 'TABULAR')
    .flag('show-metadata', accepted.has('show-metadata'))
    .value('database', a.database === undefined ? undefined : normalizeDatabaseName(a.database))
    .flag('empty', a.empty)
    .flag('latest-backup', a.latestBackup)
    .flag('latest-chain', a.latestChain);
  return ['backup', 'inspect', location('the backup path', a.path), ...o.argv];
}

/** "yyyy-MM-dd HH:mm:ss" in UTC, as `--restore-until` takes a time; a time between seconds cannot be said. */
export function restoreUntilTime(ms: number): string {
  if (!Number.isFinite(ms) || ms % 1000 !== 0) {
    throw new TxlineError('INVALID_ARGUMENT', `neo4j-admin takes a restore time in whole seconds; ${new Date(ms).toISOString()} is between two`);
  }
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
}

/** The exclusive point after transaction `lastIncluded`: the database then ends at lastIncluded. */
export function untilAfterTx(lastIncluded: number): RestorePoint {
  if (!Number.isSafeInteger(lastIncluded) || lastIncluded < 1) throw new TxlineError('TX_INVALID', `a restored database ends at a transaction ID of 1 or more, not ${lastIncluded}`);
  return { kind: 'tx', before: lastIncluded + 1 };
}

function untilValue(p: RestorePoint | undefined): string | undefined {
  if (!p || p.kind === 'latest') return undefined;
  if (p.kind === 'tx') {
    if (!Number.isSafeInteger(p.before) || p.before < 1) throw new TxlineError('TX_INVALID', `--restore-until takes a transaction ID of 1 or more, not ${p.before}`);
    return String(p.before);
  }
  return restoreUntilTime(p.before);
}

/** `neo4j-admin database restore ...` (offline, on one server) for this version. */
export function restoreArgv(a: RestoreArgs): string[] {
  if (a.fromPaths.length === 0) throw new TxlineError('USAGE', '--from-path needs at least one artifact or folder');
  const o = new Options('database restore', RESTORE_OPTIONS, restoreOptionsFor(a.version), a.version);
  o.value('from-path', a.fromPaths.map((p) => location('--from-path', p, { list: true })).join(','))
    .value('restore-until', untilValue(a.until))
    .bool('overwrite-destination', a.overwriteDestination)
    .value('source-database', a.sourceDatabase === undefined ? undefined : normalizeDatabaseName(a.sourceDatabase))
    .value('temp-path', a.tempPath === undefined ? undefined : location('--temp-path', a.tempPath))
    .flag('verbose', a.verbose);
  return ['database', 'restore', ...o.argv, normalizeDatabaseName(a.database)];
}

/** A Cypher statement and its parameters: values travel as parameters, never inside the text. */
export interface CypherStatement {
  query: string;
  params: Record<string, string | Integer | DateTime<number>>;
}

/**
 * `CREATE DATABASE $name OPTIONS {existingData: 'use', seedURI: $seedURI[, seedRestoreUntil: $seedRestoreUntil]}`
 * on `system`: the supported way to restore into a cluster. `existingData: 'use'` is required in Cypher 5 and
 * only deprecated in Cypher 25, so it is always there. The seed (an artifact, or a folder holding a chain) must
 * be reachable from every server: a shared folder (file:// URI) or object storage.
 */
export function seedDatabaseStatement(a: { version: Neo4jVersion; database: string; seed: string; until?: RestorePoint }): CypherStatement {
  const name = normalizeDatabaseName(a.database);
  const seedURI = /^(s3|gs|azb):\/\//.test(a.seed) ? plainValue('the seed URI', a.seed) : pathToFileURL(location('the seed', a.seed)).href;
  const params: CypherStatement['params'] = { name, seedURI };
  let options = "existingData: 'use', seedURI: $seedURI";
  if (a.until && a.until.kind !== 'latest') {
    if (!seedFeaturesFor(a.version).seedRestoreUntil) {
      throw new TxlineError('NOT_SUPPORTED', `seeding up to a transaction or time (seedRestoreUntil) is new in Neo4j 2025.01; this is ${a.version.text}`);
    }
    if (a.until.kind === 'tx') {
      untilValue(a.until);
      params.seedRestoreUntil = int(a.until.before);
    } else {
      restoreUntilTime(a.until.before);
      const d = new Date(a.until.before);
      params.seedRestoreUntil = new DateTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), 0, 0);
    }
    options += ', seedRestoreUntil: $seedRestoreUntil';
  }
  return { query: `CREATE DATABASE $name OPTIONS {${options}}`, params };
}

/**
 * The shortest secret looked for: Neo4j's own minimum password length (dbms.security.auth_minimum_password_length,
 * 8 by default). A shorter one (`neo4j`, `backup`) would be found in ordinary arguments, a database's name say,
 * and refuse every run.
 */
const SECRET_MIN = 8;

/**
 * Throws when a secret (a password, a token) of SECRET_MIN characters or more is in any argument: a last check
 * before a process is started (no builder takes one).
 */
export function assertArgvFree(argv: readonly string[], secrets: ReadonlyArray<string | null | undefined>): void {
  for (const s of secrets) {
    if (s && s.length >= SECRET_MIN && argv.some((x) => x.includes(s))) {
      throw new TxlineError('INTERNAL', "an argument for neo4j-admin contains the cluster's password (a name or path that happens to hold it?); nothing was started");
    }
  }
}
