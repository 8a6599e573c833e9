/**
 * What a cluster kind reports about its cluster for the dashboard (GET /api/cluster, the collector, the cluster
 * pages), whatever protocol it speaks. Types only (plus pure helpers): client components import it.
 */

import type { MemberDatabase } from '../engine/source';

/**
 * One database on one member, as the member reports it: the engine's view of it, and its last commit's time.
 * A kind that cannot always say (Neo4j: an offline copy has no position, SHOW DATABASES has no lowest available
 * transaction, a copy in `store copying` has no role) leaves role, lastCommittedTxn, replicationLag and
 * lowestAvailableTxn null: unknown, shown as "—" and skipped by charts, never guessed. The txline kind always
 * fills them.
 */
export interface DatabaseStatus extends Omit<MemberDatabase, 'member' | 'role' | 'lastCommittedTxn' | 'lowestAvailableTxn' | 'replicationLag'> {
  role: MemberDatabase['role'] | null;
  lastCommittedTxn: number | null;
  lowestAvailableTxn: number | null;
  replicationLag: number | null;
  lastCommitTime: number | null;
}

/** Where the member list came from: the cluster this server started (its cluster file), given addresses, or nowhere. */
export type ClusterSource =
  | { kind: 'embedded'; clusterFile: string; startedAt: string | null }
  | { kind: 'addresses'; addresses: string[] }
  | { kind: 'none'; clusterFile: string };

export interface MemberReport {
  /** member-N as the member names itself (or as cluster.json names it when it cannot be reached) */
  id: string;
  address: string;
  mode: 'primary' | 'secondary' | null;
  reachable: boolean;
  /** the supervisor's view of the process (a cluster this server started only) */
  processState: string | null;
  /** why the member could not be reached */
  error: string | null;
  /** round trip of the status call in milliseconds */
  latencyMs: number | null;
  databases: DatabaseStatus[];
  /** the member's replication switch; null when unknown (unreachable, or a kind without that control) */
  replication: { paused: boolean; lagMs: number } | null;
}

export interface ClusterReport {
  source: ClusterSource;
  /** ISO time at which the members were asked */
  checkedAt: string;
  members: MemberReport[];
  /** a problem with the member list itself (an unreadable cluster.json, say); members may be empty */
  problem: string | null;
}
