/**
 * The topology of a Neo4j cluster from `SHOW SERVERS YIELD *` and `SHOW DATABASES YIELD *` (run on `system`),
 * as rows of plain objects (neo4j-driver's `record.toObject()`). Pure: no I/O.
 *
 * Invariants:
 * - Columns are read by their documented names (SHOW DATABASES: `name`, `address`, `role`, `writer`,
 *   `currentStatus`, `databaseID`, `serverID`, `lastCommittedTxn`, `replicationLag`, ...; SHOW SERVERS:
 *   `serverId`, `name`, `address`, `state`, `health`, `hosting`, ...). A column the rows do not have is
 *   unknown (null), never guessed; columns not named here are ignored; a value of the wrong type is unknown
 *   and noted in `problems`.
 * - `replicationLag` is kept as Neo4j reports it (a negative number of transactions, 0 on the writer); a copy
 *   on an offline server has NULL there (and an `unknown` status, a NULL address): it stays null.
 * - A row without a name cannot be attributed: it is skipped and noted.
 * - Without SHOW SERVERS (the user lacks the privilege, or Community edition) the members are the servers
 *   the SHOW DATABASES rows name, and the report says what is missing.
 */
import type { ClusterReport, ClusterSource, DatabaseStatus, MemberReport } from '../report';
import { RowReader, type Row } from './values';

/** One server, as `SHOW SERVERS YIELD *` reports it. */
export interface Neo4jServer {
  serverId: string | null;
  name: string | null;
  /** Bolt address (host:port); NULL in Neo4j for a server it cannot place */
  address: string | null;
  /** Free, Enabled, Cordoned, Deallocating, Deallocated, Dropped */
  state: string | null;
  /** Available, Unavailable */
  health: string | null;
  hosting: string[] | null;
  requestedHosting: string[] | null;
  /** NONE, PRIMARY, SECONDARY */
  modeConstraint: string | null;
  version: string | null;
}

/** One database on one server: a row of `SHOW DATABASES YIELD *`, keyed by Neo4j's own column names. */
export interface Neo4jDatabaseCopy {
  name: string;
  type: string | null;
  aliases: string[] | null;
  access: string | null;
  databaseID: string | null;
  serverID: string | null;
  address: string | null;
  /** primary, secondary, unknown (an offline copy) */
  role: string | null;
  writer: boolean | null;
  requestedStatus: string | null;
  /** online, offline, starting, stopping, store copying, initial, deallocating, dirty, quarantined, unknown, mixed */
  currentStatus: string | null;
  statusMessage: string | null;
  default: boolean | null;
  home: boolean | null;
  store: string | null;
  lastCommittedTxn: number | null;
  /** transactions behind the most up-to-date copy, as a negative number (0: up to date); null: unknown */
  replicationLag: number | null;
  lastStartTime: string | null;
}

export interface Neo4jTopology {
  /** null: SHOW SERVERS could not be run (see `problems`) */
  servers: Neo4jServer[] | null;
  databases: Neo4jDatabaseCopy[];
  problems: string[];
}

export function parseShowServers(rows: readonly Row[], problems: string[] = []): Neo4jServer[] {
  return rows.map((row, i) => {
    const r = new RowReader(row, `SHOW SERVERS row ${i + 1}`, problems);
    return {
      serverId: r.string('serverId'),
      name: r.string('name'),
      address: r.string('address'),
      state: r.string('state'),
      health: r.string('health'),
      hosting: r.strings('hosting'),
      requestedHosting: r.strings('requestedHosting'),
      modeConstraint: r.string('modeConstraint'),
      version: r.string('version'),
    };
  });
}

export function parseShowDatabases(rows: readonly Row[], problems: string[] = []): Neo4jDatabaseCopy[] {
  const out: Neo4jDatabaseCopy[] = [];
  rows.forEach((row, i) => {
    const where = `SHOW DATABASES row ${i + 1}`;
    const r = new RowReader(row, where, problems);
    const name = r.string('name');
    if (name === null) {
      problems.push(`${where}: it has no database name; skipped`);
      return;
    }
    out.push({
      name,
      type: r.string('type'),
      aliases: r.strings('aliases'),
      access: r.string('access'),
      databaseID: r.string('databaseID'),
      serverID: r.string('serverID'),
      address: r.string('address'),
      role: r.string('role'),
      writer: r.boolean('writer'),
      requestedStatus: r.string('requestedStatus'),
      currentStatus: r.string('currentStatus'),
      statusMessage: r.string('statusMessage'),
      default: r.boolean('default'),
      home: r.boolean('home'),
      store: r.string('store'),
      lastCommittedTxn: r.integer('lastCommittedTxn'),
      replicationLag: r.integer('replicationLag'),
      lastStartTime: r.temporal('lastStartTime'),
    });
  });
  return out;
}

/**
 * Both listings read into one topology. `servers` null: SHOW SERVERS was refused (`serversError` says why),
 * and the members come from SHOW DATABASES alone.
 */
export function parseTopology(input: { servers: readonly Row[] | null; serversError?: string; databases: readonly Row[] }): Neo4jTopology {
  const problems: string[] = [];
  const servers = input.servers ? parseShowServers(input.servers, problems) : null;
  if (!input.servers) {
    problems.unshift(
      `SHOW SERVERS could not be run${input.serversError ? ` (${input.serversError})` : ''}: servers are listed from SHOW DATABASES only, without their state and health (it needs the SHOW SERVERS privilege, Enterprise edition)`,
    );
  }
  const databases = parseShowDatabases(input.databases, problems);
  return { servers, databases, problems };
}

/**
 * A database on a member as the dashboard shows it, with what Neo4j does not report left unknown (null):
 * Neo4j has no store ID, no lowest available transaction and no last commit time in SHOW DATABASES, and an
 * offline copy has no position (report.ts's DatabaseStatus lets those be null).
 */
export type Neo4jDatabaseStatus = DatabaseStatus & {
  /** Neo4j's own status (`store copying`, `dirty`, ...) beside the online/offline the dashboard shows */
  currentStatus: string | null;
  statusMessage: string | null;
};

export type Neo4jMemberReport = Omit<MemberReport, 'databases'> & {
  databases: Neo4jDatabaseStatus[];
  /** SHOW SERVERS' state (Enabled, Cordoned, ...) and health (Available, Unavailable); null without SHOW SERVERS */
  state: string | null;
  health: string | null;
  version: string | null;
};

export type Neo4jClusterReport = Omit<ClusterReport, 'members'> & { members: Neo4jMemberReport[] };

/**
 * The dashboard's view of the topology: one member per server (SHOW SERVERS, else the servers SHOW DATABASES
 * names), each with its database copies. A member is reachable when SHOW SERVERS says it is Available; without
 * SHOW SERVERS, when one of its copies has a known status.
 */
export function toClusterReport(t: Neo4jTopology, opts: { source: ClusterSource; checkedAt: string }): Neo4jClusterReport {
  const members = new Map<string, { server: Neo4jServer | null; copies: Neo4jDatabaseCopy[] }>();
  const keyOfServer = (s: Neo4jServer) => s.serverId ?? s.name ?? s.address;
  for (const s of t.servers ?? []) {
    const key = keyOfServer(s);
    if (key !== null) members.set(key, { server: s, copies: [] });
  }
  const problems = [...t.problems];
  for (const d of t.databases) {
    const key = findServerKey(d, t.servers, members) ?? d.serverID ?? d.address;
    if (key === null) {
      problems.push(`database ${d.name}: a copy names neither its server nor its address; left out`);
      continue;
    }
    const m = members.get(key) ?? { server: null, copies: [] };
    m.copies.push(d);
    members.set(key, m);
  }
  const out: Neo4jMemberReport[] = [...members.entries()].map(([key, m]) => memberReport(key, m.server, m.copies));
  out.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  return { source: opts.source, checkedAt: opts.checkedAt, members: out, problem: problems.length ? problems.join('; ') : null };
}

/** The member a copy belongs to: by SHOW SERVERS' serverId (SHOW DATABASES' serverID), else by Bolt address. */
function findServerKey(d: Neo4jDatabaseCopy, servers: Neo4jServer[] | null, members: Map<string, unknown>): string | null {
  if (!servers) return null;
  const s = servers.find((x) => d.serverID !== null && x.serverId === d.serverID) ?? servers.find((x) => d.address !== null && x.address === d.address);
  if (!s) return null;
  const key = s.serverId ?? s.name ?? s.address;
  return key !== null && members.has(key) ? key : null;
}

function memberReport(key: string, server: Neo4jServer | null, copies: Neo4jDatabaseCopy[]): Neo4jMemberReport {
  const address = server?.address ?? copies.find((c) => c.address !== null)?.address ?? null;
  const reachable = server ? server.health === 'Available' : copies.some((c) => c.currentStatus !== null && c.currentStatus !== 'unknown');
  const mode = server?.modeConstraint === 'PRIMARY' ? 'primary' : server?.modeConstraint === 'SECONDARY' ? 'secondary' : null;
  let error: string | null = null;
  if (!reachable) {
    error = server
      ? `SHOW SERVERS reports this server ${server.health === null ? 'without a health' : `as ${server.health}`}`
      : (copies.find((c) => c.statusMessage)?.statusMessage ?? 'no copy of a database on this server has a known status');
  }
  return {
    id: server?.name ?? server?.serverId ?? key,
    address: address ?? '',
    mode,
    reachable,
    processState: null,
    error,
    latencyMs: null,
    databases: copies.map(databaseStatus).sort(byDatabaseName),
    replication: null,
    state: server?.state ?? null,
    health: server?.health ?? null,
    version: server?.version ?? null,
  };
}

function databaseStatus(c: Neo4jDatabaseCopy): Neo4jDatabaseStatus {
  let role: Neo4jDatabaseStatus['role'] = null;
  if (c.role === 'secondary') role = 'secondary';
  else if (c.role === 'primary' && c.writer !== null) role = c.writer ? 'writer' : 'follower';
  return {
    name: c.name,
    databaseId: c.databaseID,
    storeId: null,
    role,
    // `deallocating`: "still online but will eventually be offline" (the manual's database states)
    status: c.currentStatus === 'online' || c.currentStatus === 'deallocating' ? 'online' : 'offline',
    lastCommittedTxn: c.lastCommittedTxn,
    lowestAvailableTxn: null,
    replicationLag: c.replicationLag,
    lastCommitTime: null,
    currentStatus: c.currentStatus,
    statusMessage: c.statusMessage,
  };
}

/** User databases by name, `system` last (as the embedded kind lists them). */
function byDatabaseName(a: { name: string }, b: { name: string }): number {
  if (a.name === 'system' || b.name === 'system') return a.name === 'system' ? (b.name === 'system' ? 0 : 1) : -1;
  return a.name.localeCompare(b.name);
}
