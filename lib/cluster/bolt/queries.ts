/**
 * The admin queries the embedded Bolt server runs, recognised by shape (not a Cypher parser), and their
 * columns as Neo4j 5 documents them (operations manual: "Monitor servers", "Listing databases").
 *
 * Recognised (keywords in any case, whitespace free, one trailing semicolon allowed):
 *   SHOW SERVERS [YIELD * | YIELD col, ...]
 *   SHOW DATABASES [YIELD * | YIELD col, ...]
 *   SHOW DATABASE <name> [YIELD * | YIELD col, ...]          (name plain or in backquotes)
 *   CALL dbms.components() [YIELD col, ...] [RETURN col, ...]   (RETURN: the yielded columns, no expressions)
 *   CREATE DATABASE <name> [IF NOT EXISTS] [OPTIONS {existingData: 'use', seedURI: <uri>, seedRestoreUntil: <point>}]
 *          [WAIT|NOWAIT]
 *   DROP DATABASE <name> [IF EXISTS] [WAIT|NOWAIT]
 * Anything else, WHERE, ORDER BY and friends included, is refused with Neo.ClientError.Statement.SyntaxError
 * naming what is supported: a query is answered exactly or not at all, never approximately.
 *
 * Parameters: a database name and each OPTIONS value may be a `$param` of the RUN message (the way drivers and
 * Txline's own seeding send them), or a literal: a quoted string, an integer, `datetime('2026-01-02T03:04:05Z')`.
 * seedRestoreUntil is a transaction ID (an integer) or a point in time (a DateTime parameter, a datetime(...)
 * literal, or 'YYYY-MM-DD HH:MM:SS' in UTC); a time is kept as that UTC text, in whole seconds (what txline's
 * --restore-until takes); a time between two seconds is refused rather than rounded. A parameter that is missing
 * or of the wrong type is Neo.ClientError.Statement.ParameterMissing / ArgumentError, as Neo4j answers.
 */
import { BoltFailure } from './server';
import { Structure, type PackValue } from './packstream';

export const SERVER_COLUMNS = [
  'serverId',
  'name',
  'address',
  'httpAddress',
  'httpsAddress',
  'state',
  'health',
  'hosting',
  'requestedHosting',
  'tags',
  'allowedDatabases',
  'deniedDatabases',
  'modeConstraint',
  'version',
] as const;
export const SERVER_DEFAULT_COLUMNS = ['name', 'address', 'state', 'health', 'hosting'] as const;

export const DATABASE_COLUMNS = [
  'name',
  'type',
  'aliases',
  'access',
  'databaseID',
  'serverID',
  'address',
  'role',
  'writer',
  'requestedStatus',
  'currentStatus',
  'statusMessage',
  'default',
  'home',
  'currentPrimariesCount',
  'currentSecondariesCount',
  'requestedPrimariesCount',
  'requestedSecondariesCount',
  'creationTime',
  'lastStartTime',
  'lastStopTime',
  'store',
  'lastCommittedTxn',
  'replicationLag',
  'constituents',
  'options',
] as const;
export const DATABASE_DEFAULT_COLUMNS = ['name', 'type', 'aliases', 'access', 'address', 'role', 'writer', 'requestedStatus', 'currentStatus', 'statusMessage', 'default', 'home', 'constituents'] as const;

export const COMPONENT_COLUMNS = ['name', 'versions', 'edition'] as const;

export type AdminQuery =
  | { kind: 'servers'; columns: string[] }
  | { kind: 'databases'; name: string | null; columns: string[] }
  | { kind: 'components'; columns: string[] }
  | {
      kind: 'create-database';
      name: string;
      ifNotExists: boolean;
      /** 'use' when given (required with a seed in Cypher 5, deprecated in Cypher 25); null when absent */
      existingData: string | null;
      seedURI: string | null;
      /** a transaction ID, or a UTC time 'YYYY-MM-DD HH:MM:SS' */
      seedRestoreUntil: number | string | null;
    }
  | { kind: 'drop-database'; name: string; ifExists: boolean };

export const SYNTAX_ERROR = 'Neo.ClientError.Statement.SyntaxError';

const SUPPORTED =
  'SHOW SERVERS [YIELD *], SHOW DATABASES [YIELD *], SHOW DATABASE <name> [YIELD *], CALL dbms.components(), ' +
  "CREATE DATABASE <name> [OPTIONS {seedURI: '...', seedRestoreUntil: ...}], DROP DATABASE <name>";

function unsupported(query: string, why?: string): BoltFailure {
  const shown = query.length > 200 ? `${query.slice(0, 200)}…` : query;
  return new BoltFailure(SYNTAX_ERROR, `${why ? `${why}. ` : ''}The embedded Txline cluster's Bolt server runs only these admin queries: ${SUPPORTED}; not: ${shown}`);
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NAME = '(`[^`]{1,63}`|\\$[A-Za-z_][A-Za-z0-9_]{0,62}|[A-Za-z0-9][A-Za-z0-9._-]{0,62})';
const ARGUMENT_ERROR = 'Neo.ClientError.Statement.ArgumentError';

type Params = Readonly<Record<string, PackValue>>;

/** The value of `$name` in the RUN message's parameters. */
function param(raw: string, params: Params): PackValue {
  const key = raw.slice(1);
  if (!Object.hasOwn(params, key)) throw new BoltFailure('Neo.ClientError.Statement.ParameterMissing', `Expected parameter(s): ${key}`);
  return params[key];
}

/** `*`, a column list, or nothing (the default columns); anything else is refused. */
function yieldColumns(raw: string | undefined, all: readonly string[], defaults: readonly string[], query: string): string[] {
  if (raw === undefined) return [...defaults];
  const t = raw.trim();
  if (t === '*') return [...all];
  const cols = t.split(',').map((c) => c.trim());
  if (!cols.every((c) => IDENT.test(c))) throw unsupported(query, 'Only YIELD * or YIELD with a list of columns is supported (no WHERE, RETURN, ORDER BY, SKIP or LIMIT)');
  for (const c of cols) if (!all.includes(c)) throw unsupported(query, `Unknown column \`${c}\` (columns: ${all.join(', ')})`);
  return cols;
}

/** A database name as written: plain, in backquotes, or a string parameter. */
function nameOf(raw: string, params: Params): string {
  if (raw.startsWith('`')) return raw.slice(1, -1);
  if (!raw.startsWith('$')) return raw;
  const v = param(raw, params);
  if (typeof v !== 'string') throw new BoltFailure(ARGUMENT_ERROR, `Expected the database name ${raw} to be a String, got ${typeName(v)}`);
  return v;
}

function typeName(v: PackValue): string {
  if (v === null) return 'NULL';
  if (v instanceof Structure) return `a structure 0x${v.signature.toString(16)}`;
  if (Array.isArray(v)) return 'a List';
  return typeof v === 'object' ? 'a Map' : typeof v === 'number' || typeof v === 'bigint' ? 'a Number' : typeof v === 'string' ? 'a String' : 'a Boolean';
}

export function parseAdminQuery(text: string, params: Params = {}): AdminQuery {
  const q = text.trim().replace(/;\s*$/, '').replace(/\s+/g, ' ').trim();
  let m = /^SHOW SERVERS(?: YIELD (.+))?$/i.exec(q);
  if (m) return { kind: 'servers', columns: yieldColumns(m[1], SERVER_COLUMNS, SERVER_DEFAULT_COLUMNS, q) };
  m = /^SHOW DATABASES(?: YIELD (.+))?$/i.exec(q);
  if (m) return { kind: 'databases', name: null, columns: yieldColumns(m[1], DATABASE_COLUMNS, DATABASE_DEFAULT_COLUMNS, q) };
  m = new RegExp(`^SHOW DATABASE ${NAME}(?: YIELD (.+))?$`, 'i').exec(q);
  if (m) return { kind: 'databases', name: nameOf(m[1], params), columns: yieldColumns(m[2], DATABASE_COLUMNS, DATABASE_DEFAULT_COLUMNS, q) };
  m = /^CALL dbms\.components\(\s*\)(?: YIELD ([^]+?))?(?: RETURN ([^]+))?$/i.exec(q);
  if (m) {
    const yielded = yieldColumns(m[1], COMPONENT_COLUMNS, COMPONENT_COLUMNS, q);
    const returned = m[2] === undefined ? yielded : yieldColumns(m[2], yielded, yielded, q);
    return { kind: 'components', columns: returned };
  }
  m = new RegExp(`^CREATE DATABASE ${NAME}( IF NOT EXISTS)?(?: OPTIONS ?\\{(.*)\\})?(?: (?:WAIT|NOWAIT))?$`, 'i').exec(q);
  if (m) return { kind: 'create-database', name: nameOf(m[1], params), ifNotExists: !!m[2], ...parseSeedOptions(m[3] ?? '', q, params) };
  m = new RegExp(`^DROP DATABASE ${NAME}( IF EXISTS)?(?: (?:WAIT|NOWAIT))?$`, 'i').exec(q);
  if (m) return { kind: 'drop-database', name: nameOf(m[1], params), ifExists: !!m[2] };
  throw unsupported(q);
}

const OPTION_VALUE = String.raw`'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\d+|\$[A-Za-z_][A-Za-z0-9_]*|datetime\(\s*(?:'[^']*'|"[^"]*"|\$[A-Za-z_][A-Za-z0-9_]*)\s*\)`;

/** `existingData: 'use', seedURI: …, seedRestoreUntil: …` (literals or parameters); other options are refused. */
function parseSeedOptions(body: string, query: string, params: Params): { existingData: string | null; seedURI: string | null; seedRestoreUntil: number | string | null } {
  const out = { existingData: null as string | null, seedURI: null as string | null, seedRestoreUntil: null as number | string | null };
  const re = new RegExp(String.raw`\s*([A-Za-z]+)\s*:\s*(${OPTION_VALUE})\s*(,|$)`, 'y');
  const seen = new Set<string>();
  let pos = 0;
  while (pos < body.length) {
    re.lastIndex = pos;
    const m = re.exec(body);
    if (!m) throw unsupported(query, 'OPTIONS must be a map of existingData, seedURI and seedRestoreUntil, each a literal or a $parameter');
    const [, key, raw] = m;
    if (seen.has(key)) throw new BoltFailure(ARGUMENT_ERROR, `Duplicate option ${key}`);
    seen.add(key);
    if (key === 'seedRestoreUntil') out.seedRestoreUntil = restorePoint(raw, params);
    else if (key === 'seedURI' || key === 'existingData') {
      const v = literalOrParam(raw, params);
      if (typeof v !== 'string') throw new BoltFailure(ARGUMENT_ERROR, `Could not create database with specified ${key}: expected a String, got ${typeName(v)}`);
      if (key === 'existingData' && v !== 'use') throw new BoltFailure(ARGUMENT_ERROR, `Could not create database with specified existingData '${v.slice(0, 40)}'. Expected 'use'.`);
      out[key] = v;
    } else throw unsupported(query, `Option ${key} is not supported (only existingData, seedURI and seedRestoreUntil)`);
    pos = re.lastIndex;
    if (m[3] === '') break;
  }
  return out;
}

function literalOrParam(raw: string, params: Params): PackValue {
  if (raw.startsWith('$')) return param(raw, params);
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** A transaction ID, or a UTC time in whole seconds ('YYYY-MM-DD HH:MM:SS'). */
function restorePoint(raw: string, params: Params): number | string {
  const call = /^datetime\(\s*(.*?)\s*\)$/.exec(raw);
  const v = literalOrParam(call ? call[1] : raw, params);
  const bad = (why: string) => new BoltFailure(ARGUMENT_ERROR, `Could not create database with specified seedRestoreUntil: ${why}`);
  if (typeof v === 'number' && !call) {
    if (!Number.isSafeInteger(v) || v < 1) throw bad(`a transaction ID is an integer of 1 or more, got ${v}`);
    return v;
  }
  if (v instanceof Structure) return dateTimeStructure(v, bad);
  if (typeof v !== 'string') throw bad(`expected a transaction ID or a datetime, got ${typeName(v)}`);
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$/.test(v) && !call) return v.replace('T', ' ');
  // an ISO 8601 datetime with its offset (datetime('2026-01-02T03:04:05Z'))
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(v)) throw bad(`'${v.slice(0, 60)}' is not a datetime with an offset (e.g. 2026-01-02T03:04:05Z)`);
  const ms = Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (!Number.isFinite(ms)) throw bad(`'${v.slice(0, 60)}' is not a valid datetime`);
  if (/\.\d*[1-9]/.test(v)) throw bad('a point between two seconds cannot be restored to (give whole seconds)');
  return utcText(ms);
}

/** A Bolt DateTime: 0x49 (seconds since the epoch in UTC, nanoseconds, offset) or the legacy 0x46 (local seconds). */
function dateTimeStructure(s: Structure, bad: (why: string) => BoltFailure): string {
  const [seconds, nanos, offset] = s.fields;
  if ((s.signature !== 0x49 && s.signature !== 0x46) || typeof seconds !== 'number' || typeof nanos !== 'number' || typeof offset !== 'number') {
    throw bad('expected a DateTime with an offset (a DateTime with a zone name is not supported)');
  }
  if (nanos !== 0) throw bad('a point between two seconds cannot be restored to (give whole seconds)');
  const utcSeconds = s.signature === 0x49 ? seconds : seconds - offset;
  return utcText(utcSeconds * 1000);
}

function utcText(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new BoltFailure(ARGUMENT_ERROR, 'seedRestoreUntil is out of range');
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
}
