/**
 * The admin queries the embedded Bolt server runs, recognised by shape (not a Cypher parser), and their
 * columns as Neo4j 5 documents them (operations manual: "Monitor servers", "Listing databases").
 *
 * Recognised (keywords in any case, whitespace free, one trailing semicolon allowed):
 *   SHOW SERVERS [YIELD * | YIELD col, ...]
 *   SHOW DATABASES [YIELD * | YIELD col, ...]
 *   SHOW DATABASE <name> [YIELD * | YIELD col, ...]          (name plain or in backquotes)
 *   CALL dbms.components() [YIELD col, ...] [RETURN col, ...]   (RETURN: the yielded columns, no expressions)
 *   CREATE DATABASE <name> [IF NOT EXISTS] [OPTIONS {seedURI: '...', seedRestoreUntil: <tx | 'datetime'>}] [WAIT|NOWAIT]
 *   DROP DATABASE <name> [IF EXISTS] [WAIT|NOWAIT]
 * Anything else, WHERE, ORDER BY and friends included, is refused with Neo.ClientError.Statement.SyntaxError
 * naming what is supported: a query is answered exactly or not at all, never approximately.
 */
import { BoltFailure } from './server';

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
  | { kind: 'create-database'; name: string; ifNotExists: boolean; seedURI: string | null; seedRestoreUntil: number | string | null }
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
const NAME = '(`[^`]{1,63}`|[A-Za-z0-9][A-Za-z0-9._-]{0,62})';

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

function unquote(name: string): string {
  return name.startsWith('`') ? name.slice(1, -1) : name;
}

export function parseAdminQuery(text: string): AdminQuery {
  const q = text.trim().replace(/;\s*$/, '').replace(/\s+/g, ' ').trim();
  let m = /^SHOW SERVERS(?: YIELD (.+))?$/i.exec(q);
  if (m) return { kind: 'servers', columns: yieldColumns(m[1], SERVER_COLUMNS, SERVER_DEFAULT_COLUMNS, q) };
  m = /^SHOW DATABASES(?: YIELD (.+))?$/i.exec(q);
  if (m) return { kind: 'databases', name: null, columns: yieldColumns(m[1], DATABASE_COLUMNS, DATABASE_DEFAULT_COLUMNS, q) };
  m = new RegExp(`^SHOW DATABASE ${NAME}(?: YIELD (.+))?$`, 'i').exec(q);
  if (m) return { kind: 'databases', name: unquote(m[1]), columns: yieldColumns(m[2], DATABASE_COLUMNS, DATABASE_DEFAULT_COLUMNS, q) };
  m = /^CALL dbms\.components\(\s*\)(?: YIELD ([^]+?))?(?: RETURN ([^]+))?$/i.exec(q);
  if (m) {
    const yielded = yieldColumns(m[1], COMPONENT_COLUMNS, COMPONENT_COLUMNS, q);
    const returned = m[2] === undefined ? yielded : yieldColumns(m[2], yielded, yielded, q);
    return { kind: 'components', columns: returned };
  }
  m = new RegExp(`^CREATE DATABASE ${NAME}( IF NOT EXISTS)?(?: OPTIONS ?\\{(.*)\\})?(?: (?:WAIT|NOWAIT))?$`, 'i').exec(q);
  if (m) return { kind: 'create-database', name: unquote(m[1]), ifNotExists: !!m[2], ...parseSeedOptions(m[3] ?? '', q) };
  m = new RegExp(`^DROP DATABASE ${NAME}( IF EXISTS)?(?: (?:WAIT|NOWAIT))?$`, 'i').exec(q);
  if (m) return { kind: 'drop-database', name: unquote(m[1]), ifExists: !!m[2] };
  throw unsupported(q);
}

/** `seedURI: 'file:///…', seedRestoreUntil: 123` (or a quoted datetime); other options are refused. */
function parseSeedOptions(body: string, query: string): { seedURI: string | null; seedRestoreUntil: number | string | null } {
  const out = { seedURI: null as string | null, seedRestoreUntil: null as number | string | null };
  const re = /\s*([A-Za-z]+)\s*:\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\d+)\s*(,|$)/y;
  let pos = 0;
  while (pos < body.length) {
    re.lastIndex = pos;
    const m = re.exec(body);
    if (!m) throw unsupported(query, 'OPTIONS must be a map of seedURI and seedRestoreUntil with literal values');
    const raw = m[2];
    const value = /^\d+$/.test(raw) ? Number(raw) : raw.slice(1, -1).replace(/\\(.)/g, '$1');
    if (m[1] === 'seedURI' && typeof value === 'string') out.seedURI = value;
    else if (m[1] === 'seedRestoreUntil') out.seedRestoreUntil = value;
    else throw unsupported(query, `Option ${m[1]} is not supported (only seedURI and seedRestoreUntil)`);
    pos = re.lastIndex;
    if (m[3] === '') break;
  }
  return out;
}
