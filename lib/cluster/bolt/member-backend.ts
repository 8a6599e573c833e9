/**
 * What a member answers over Bolt: its cluster's routing table and the admin queries of queries.ts, with
 * values read from the members themselves.
 *
 * Every answer is built from one snapshot: this member's own status, and every peer's /status fetched in
 * parallel within `statusTimeoutMs` (a peer that does not answer in time is shown as Unavailable, its values
 * null, never guessed). `replicationLag` is the member's last committed transaction minus the writer's, both
 * from that snapshot (at most 0); when the writer cannot be reached it is the member's own figure; NULL for a
 * copy that is not online.
 *
 * The server identifies as the Neo4j version it is given (`neo4jVersion`: TXLINE_BOLT_NEO4J_VERSION, default
 * DEFAULT_NEO4J_VERSION, a calendar version), in its HELLO answer, dbms.components() and SHOW SERVERS, so that
 * drivers and tools treat it as that version; the edition is "enterprise" (clusters). Its columns and codes are
 * those of Neo4j 5.26 and later (unchanged since). What depends on the version is what Neo4j documents as
 * depending on it: seeding with seedRestoreUntil needs 2025.01 (a 5.x server refuses the option), and with a
 * seed, `existingData: 'use'` is required in Cypher 5 (5.x) and optional (deprecated) from 2025.01.
 */
import { describeError, TxlineError } from '../../errors';
import { MemberClient, type DatabaseStatus, type MemberStatus } from '../client';
import type { Member, PeerConfig } from '../member';
import { normalizeDatabaseName } from '../../graph/names';
import { credentialsMatch } from './password';
import { BoltFailure, type BoltBackend, type QueryResult, type RoutingTable } from './server';
import { parseAdminQuery, type AdminQuery } from './queries';
import type { PackValue } from './packstream';

/** The version the embedded members report unless told otherwise (TXLINE_BOLT_NEO4J_VERSION). */
export const DEFAULT_NEO4J_VERSION = '2025.10.1';
export const BOLT_NEO4J_VERSION_VAR = 'TXLINE_BOLT_NEO4J_VERSION';
/** 5.x.y, or a calendar version YYYY.MM.p from 2025.01 on: what Neo4j prints. */
const VERSION = /^(?:5\.\d{1,2}\.\d{1,3}|20\d\d\.(?:0[1-9]|1[0-2])\.\d{1,3})$/;

/** TXLINE_BOLT_NEO4J_VERSION, checked, else the default. */
export function boltNeo4jVersion(source: Record<string, string | undefined> = process.env): string {
  const v = source[BOLT_NEO4J_VERSION_VAR];
  if (v === undefined || v === '') return DEFAULT_NEO4J_VERSION;
  if (!VERSION.test(v) || (v.startsWith('20') && v < '2025.01')) {
    throw new TxlineError('INVALID_ARGUMENT', `${BOLT_NEO4J_VERSION_VAR} must be a Neo4j version such as 5.26.0 or 2025.10.1, got "${v.slice(0, 40)}"`);
  }
  return v;
}

/** Whether a version is a 5.x one (Cypher 5 only), not a calendar one. */
const isFiveX = (v: string) => v.startsWith('5.');
const ROUTING_TTL_SECONDS = 60;

interface Snapshot {
  peer: PeerConfig;
  status: MemberStatus | null;
  error: string | null;
}

export interface MemberBackendOptions {
  password: string;
  statusTimeoutMs?: number;
  /** admin operations (CREATE/DROP DATABASE); absent: those queries are refused */
  admin?: BoltAdmin;
  /** the Neo4j version to report (default: boltNeo4jVersion()) */
  neo4jVersion?: string;
}

/** Database administration over Bolt, done by the cluster's own operations (see admin.ts). */
export interface BoltAdmin {
  createDatabase(q: Extract<AdminQuery, { kind: 'create-database' }>): Promise<void>;
  dropDatabase(q: Extract<AdminQuery, { kind: 'drop-database' }>): Promise<void>;
}

export class MemberBoltBackend implements BoltBackend {
  readonly serverAgent: string;
  readonly version: string;
  private readonly statusTimeoutMs: number;

  constructor(
    private readonly member: Member,
    private readonly opts: MemberBackendOptions,
  ) {
    this.statusTimeoutMs = opts.statusTimeoutMs ?? 2000;
    this.version = opts.neo4jVersion ?? boltNeo4jVersion();
    this.serverAgent = `Neo4j/${this.version}`;
  }

  checkCredentials(principal: string, credentials: string): boolean {
    return credentialsMatch(principal, credentials, this.opts.password);
  }

  private get peers(): PeerConfig[] {
    return this.member.config.peers;
  }

  /** The home (default) database: neo4j when the cluster has it, else its first user database. */
  get homeDatabase(): string {
    const dbs = this.member.config.databases.map((d) => normalizeDatabaseName(d));
    return dbs.includes('neo4j') ? 'neo4j' : (dbs.find((d) => d !== 'system') ?? 'system');
  }

  private resolveDb(db: string | null): string {
    if (db === null) return this.homeDatabase;
    try {
      return normalizeDatabaseName(db);
    } catch {
      throw new BoltFailure('Neo.ClientError.Database.DatabaseNotFound', `Database does not exist. Database name: '${db}'.`);
    }
  }

  private requireDatabase(name: string): void {
    if (name !== 'system' && !this.member.databases.has(name)) {
      throw new BoltFailure('Neo.ClientError.Database.DatabaseNotFound', `Database does not exist. Database name: '${name}'.`);
    }
  }

  async routingTable(db: string | null): Promise<RoutingTable> {
    const name = this.resolveDb(db);
    this.requireDatabase(name);
    const bolt = (p: PeerConfig) => p.boltAddress;
    const withBolt = this.peers.filter((p) => !!p.boltAddress);
    const writers = withBolt.filter((p) => p.id === this.member.config.writer).map(bolt) as string[];
    const others = withBolt.filter((p) => p.id !== this.member.config.writer).map(bolt) as string[];
    return {
      db: name,
      ttlSeconds: ROUTING_TTL_SECONDS,
      writers,
      // a one-member cluster reads from its writer, as a single Neo4j server does
      readers: others.length > 0 ? others : writers,
      routers: withBolt.map(bolt) as string[],
    };
  }

  async run(query: string, params: Record<string, PackValue>, db: string | null): Promise<QueryResult> {
    const target = this.resolveDb(db);
    this.requireDatabase(target);
    const q = parseAdminQuery(query, params);
    if (q.kind === 'components') return project(q.columns, [{ name: 'Neo4j Kernel', versions: [this.version], edition: 'enterprise' }]);
    if (target !== 'system') {
      throw new BoltFailure(
        'Neo.ClientError.Statement.NotSystemDatabaseError',
        `This is an administration command and it should be executed against the system database: ${query.trim().slice(0, 100)}`,
      );
    }
    if (q.kind === 'create-database' || q.kind === 'drop-database') {
      const admin = this.opts.admin;
      if (!admin) throw new BoltFailure('Neo.ClientError.Statement.UnsupportedAdministrationCommand', 'database administration is not available on this server');
      if (q.kind === 'create-database') {
        this.checkSeedOptions(q);
        await admin.createDatabase(q);
      }
      else await admin.dropDatabase(q);
      return { fields: [], rows: [] };
    }
    const snap = await this.snapshot();
    if (q.kind === 'servers') return project(q.columns, this.serverRows(snap));
    let rows = this.databaseRows(snap);
    if (q.name !== null) {
      const name = this.resolveDb(q.name);
      rows = rows.filter((r) => r.name === name);
    }
    return project(q.columns, rows);
  }

  /** The seeding options as this version documents them (see the header). */
  private checkSeedOptions(q: Extract<AdminQuery, { kind: 'create-database' }>): void {
    const bad = (m: string) => new BoltFailure('Neo.ClientError.Statement.ArgumentError', m);
    if (q.existingData !== null && q.seedURI === null) throw bad("existingData: 'use' needs the store files on every server; this server has none: give a seedURI");
    if (!isFiveX(this.version)) return;
    if (q.seedRestoreUntil !== null) throw bad(`Could not create database with unrecognised option: 'seedRestoreUntil' (new in Neo4j 2025.01; this is ${this.version})`);
    if (q.seedURI !== null && q.existingData === null) throw bad("Could not create database with seedURI: existingData: 'use' is required in Cypher 5");
  }

  /** This member's status and every peer's, each peer within statusTimeoutMs. */
  async snapshot(): Promise<Snapshot[]> {
    return Promise.all(
      this.peers.map(async (peer): Promise<Snapshot> => {
        if (peer.id === this.member.config.id) return { peer, status: this.member.status(), error: null };
        try {
          return { peer, status: await new MemberClient(peer.address).status(this.statusTimeoutMs), error: null };
        } catch (e) {
          return { peer, status: null, error: describeError(e) };
        }
      }),
    );
  }

  /** Every database of the cluster: the writer's, else the union of what the reachable members host. */
  private clusterDatabases(snap: Snapshot[]): string[] {
    const writer = snap.find((s) => s.peer.id === this.member.config.writer)?.status;
    const names = new Set<string>(writer ? writer.databases.map((d) => d.name) : snap.flatMap((s) => s.status?.databases.map((d) => d.name) ?? []));
    names.add('system');
    return [...names].sort((a, b) => (a === 'system' ? -1 : b === 'system' ? 1 : a.localeCompare(b)));
  }

  private serverRows(snap: Snapshot[]): Record<string, PackValue>[] {
    const requested = this.clusterDatabases(snap);
    return snap.map(({ peer, status }) => ({
      serverId: peer.id,
      name: peer.id,
      address: peer.boltAddress ?? null,
      httpAddress: null,
      httpsAddress: null,
      state: 'Enabled',
      health: status ? 'Available' : 'Unavailable',
      hosting: status ? status.databases.filter((d) => d.status === 'online').map((d) => d.name) : [],
      requestedHosting: requested,
      tags: [],
      allowedDatabases: [],
      deniedDatabases: [],
      modeConstraint: peer.mode === 'secondary' ? 'SECONDARY' : 'PRIMARY',
      version: this.version,
    }));
  }

  private databaseRows(snap: Snapshot[]): Record<string, PackValue>[] {
    const home = this.homeDatabase;
    const writerStatus = snap.find((s) => s.peer.id === this.member.config.writer)?.status ?? null;
    const rows: Record<string, PackValue>[] = [];
    const primaries = this.peers.filter((p) => p.mode === 'primary').length;
    const secondaries = this.peers.length - primaries;
    for (const name of this.clusterDatabases(snap)) {
      const online = (mode: PeerConfig['mode']) =>
        snap.filter((s) => s.peer.mode === mode && s.status?.databases.some((d) => d.name === name && d.status === 'online')).length;
      const counts = {
        currentPrimariesCount: online('primary'),
        currentSecondariesCount: online('secondary'),
        requestedPrimariesCount: primaries,
        requestedSecondariesCount: secondaries,
      };
      const writerDb = writerStatus?.databases.find((d) => d.name === name);
      const writerLast = writerDb?.status === 'online' ? writerDb.lastCommittedTxn : undefined;
      for (const { peer, status, error } of snap) {
        const d: DatabaseStatus | undefined = status?.databases.find((x) => x.name === name);
        // NULL for a copy that is not online, as Neo4j shows it
        const lag = d === undefined || d.status !== 'online' ? null : writerLast !== undefined ? Math.min(0, d.lastCommittedTxn - writerLast) : d.replicationLag;
        rows.push({
          name,
          type: name === 'system' ? 'system' : 'standard',
          aliases: [],
          access: 'read-write',
          databaseID: d?.databaseId ?? null,
          serverID: peer.id,
          address: peer.boltAddress ?? null,
          role: !status ? 'unknown' : peer.mode === 'secondary' ? 'secondary' : 'primary',
          writer: !!d && d.role === 'writer' && d.status === 'online',
          requestedStatus: d?.status ?? writerDb?.status ?? null,
          currentStatus: !status ? 'unknown' : d ? d.status : 'starting',
          statusMessage: !status ? `Server is unavailable: ${error ?? 'no answer'}` : d ? '' : 'not yet copied from the writer',
          default: name === home,
          home: name === home,
          ...counts,
          creationTime: null,
          lastStartTime: null,
          lastStopTime: null,
          store: d ? 'txline-sqlite-1' : null,
          lastCommittedTxn: d ? d.lastCommittedTxn : null,
          replicationLag: lag,
          constituents: [],
          options: {},
        });
      }
    }
    return rows;
  }
}

function project(columns: string[], rows: Record<string, PackValue>[]): QueryResult {
  return { fields: columns, rows: rows.map((r) => columns.map((c) => (r[c] === undefined ? null : r[c]))) };
}
