/**
 * A cluster kind: the protocol a cluster speaks, as one folder under lib/sources/<kind>/. Everything above
 * lib/sources (the CLI, the monitor, the dashboard, the cluster controls) reaches a cluster through its kind,
 * found in the registry (./index.ts); none of it knows a kind's wire protocol.
 *
 * - `txline`: Txline's member API (the embedded cluster this server starts, or members at given addresses).
 * - `neo4j`: a real Neo4j cluster (Bolt and neo4j-admin): ./neo4j.
 */
import type { TxlineEnv } from '../env';
import type { PayloadFormat } from '../engine/format';
import type { BackupDriver, Source } from '../engine/source';
import type { ClusterReport, MemberReport } from './report';

export const CLUSTER_KINDS = ['txline', 'neo4j'] as const;
export type ClusterKindName = (typeof CLUSTER_KINDS)[number];

/**
 * Controls a kind may offer on a member; the UI shows only those a cluster has. `pauseReplication`: stop and
 * resume pulling transactions (resume included); `stopMember`: stop and start the member's process (a cluster
 * this server started).
 */
export type Capability = 'pauseReplication' | 'stopMember';
export type MemberControl = 'pause' | 'resume' | 'stop' | 'start';

/** Which capability a control needs. */
export const CONTROL_NEEDS: Record<MemberControl, Capability> = {
  pause: 'pauseReplication',
  resume: 'pauseReplication',
  stop: 'stopMember',
  start: 'stopMember',
};

/** A cluster as the catalog (or the environment) knows it. */
export interface ClusterConnection {
  kind: ClusterKindName;
  /** member addresses (host:port) */
  addresses: string[];
  /** this server started the cluster (the embedded one): its members are read from its cluster file */
  startedHere: boolean;
  /** the cluster's own token from the catalog; null: none; undefined: the environment's (TXLINE_CLUSTER_TOKEN, the token file) */
  token?: string | null;
  /** where the processes of a cluster this server started are controlled */
  controlAddress?: string | null;
  /** a `neo4j` cluster's connection (null for the other kinds) */
  neo4j?: Neo4jConnection | null;
}

/**
 * How Txline reaches a registered Neo4j cluster. The password is sealed (./neo4j/secret.ts): only the neo4j
 * kind opens it, in the process that talks to the cluster; it is never sent to a page nor put on an argv.
 */
export interface Neo4jConnection {
  /** neo4j://host:7687 (routing) or bolt://host:7687 */
  uri: string;
  user: string;
  passwordSealed: string;
  /** the DBA's neo4j-admin executable (an absolute path) */
  neo4jAdmin: string;
  /** neo4j-admin's --from (host:port, ...); null: each server's host with port 6362 */
  backupFrom: string[] | null;
  /** the backup folder (neo4j-admin's --to-path by default) */
  location: string;
}

export interface StatusOptions {
  /** per-member bound on the status call (its whole answer) */
  timeoutMs?: number;
  /**
   * How long to wait for any member (at most timeoutMs): one still asked after it is reported slow (see
   * `inFlight`).
   */
  waitMs?: number;
  /**
   * When the probes still running were started (performance.now()), by member address, shared between calls
   * (the collector's, per cluster): a member whose last probe has not ended is not asked again, so a stuck
   * member has one request in flight at most, and is reported slow: that probe's answer, when it comes, is an
   * earlier call's and is dropped (a round's samples are stamped with the round's time, and must say how the
   * member was then).
   */
  inFlight?: Map<string, number>;
}

export interface ClusterKind {
  readonly name: ClusterKindName;
  /** for people: "Txline member API" */
  readonly label: string;
  /** What this kind's artifact payloads hold: how a chain becomes a store, and how a payload is checked. */
  readonly payloadFormat: PayloadFormat;
  /** Why this kind offers no member controls, for people (shown where the controls would be); absent: it has some. */
  readonly noControlsReason?: string;
  /**
   * Why Txline cannot read this kind's artifacts (list their transactions, count a point), for people; absent:
   * it can (payloadFormat reads them). The restore wizard offers a restore into a scratch database instead.
   */
  readonly artifactsUnreadableReason?: string;
  /** The controls this cluster offers (some depend on whether this server started it). */
  capabilities(c: ClusterConnection): ReadonlySet<Capability>;
  /** Checks one member address as this kind writes it; throws INVALID_ARGUMENT naming it. */
  checkAddress(address: string): void;
  /** The cluster the CLI works on when it is not told: from the environment (TXLINE_CLUSTER_ADDRESSES, cluster.json, ...). */
  defaultConnection(e: TxlineEnv): ClusterConnection;
  /**
   * The engine's view of a cluster: topology, stores and transactions, installs. `given` addresses (the CLI's
   * --from / --to) are tried in order; `resolve` asks them for the whole cluster.
   */
  openSource(c: ClusterConnection, opts: { given: boolean; resolve: boolean; env?: TxlineEnv }): Source & BackupDriver;
  /** Every member's state for the dashboard; never throws because a member is down. */
  status(c: ClusterConnection, e: TxlineEnv, opts?: StatusOptions): Promise<ClusterReport & { controlAddress: string | null }>;
  /**
   * For a kind whose cluster this server can start itself (the embedded cluster): where that cluster's
   * members and control API are now (empty when it is not running).
   */
  locateStartedHere?(e: TxlineEnv): { addresses: string[]; controlAddress: string | null; problem: string | null };
  /** What a job on this cluster (a CLI child process) is given to reach it: its addresses and its token (null: none). */
  jobAccess(c: ClusterConnection, e: TxlineEnv): { addresses: string[]; token: string | null };
  /** Runs a control on a member (the caller checked the capability); resolves to what happened, for people. */
  control(c: ClusterConnection, member: Pick<MemberReport, 'id' | 'address' | 'reachable'>, action: MemberControl, e: TxlineEnv): Promise<string>;
}
