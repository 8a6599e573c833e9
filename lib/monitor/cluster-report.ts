/**
 * The shape of a cluster status report: what GET /api/cluster answers and what the dashboard renders.
 * Types only (plus pure helpers), so client components can import it without pulling in Node code.
 */
import type { DatabaseStatus } from '../cluster/client';

export type { DatabaseStatus };

/** Where the member list came from: the embedded cluster's cluster.json, TXLINE_CLUSTER_ADDRESSES, or nowhere. */
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
  /** the supervisor's view of the process (embedded cluster only) */
  processState: string | null;
  /** why the member could not be reached */
  error: string | null;
  /** round trip of the /status call in milliseconds */
  latencyMs: number | null;
  databases: DatabaseStatus[];
  /** the member's replication switch (GET /admin/replication); null when unknown (unreachable, or not a Txline member) */
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

/** The member that is the writer of a database, if any reachable member says so. */
export function writerOf(report: ClusterReport, database: string): MemberReport | undefined {
  return report.members.find((m) => m.databases.some((d) => d.name === database && d.role === 'writer'));
}
