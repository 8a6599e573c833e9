/**
 * The shape of a cluster status report: what GET /api/cluster answers and what the dashboard renders. The
 * shapes are the cluster kinds' (lib/sources/report.ts); types only (plus pure helpers), so client components
 * can import it without pulling in Node code.
 */
import type { ClusterReport, MemberReport } from '../sources/report';

export type { ClusterReport, ClusterSource, DatabaseStatus, MemberReport } from '../sources/report';

/** The member that is the writer of a database, if any reachable member says so. */
export function writerOf(report: ClusterReport, database: string): MemberReport | undefined {
  return report.members.find((m) => m.databases.some((d) => d.name === database && d.role === 'writer'));
}
