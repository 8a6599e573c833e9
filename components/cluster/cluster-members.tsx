/**
 * Server component: asks the members for their status once, so the first paint has data, then hands the
 * report to the live (polling) table.
 */
import { getClusterStatus } from '@/lib/monitor/cluster-status';
import { MembersTable } from './members-table';

export async function ClusterMembers() {
  const report = await getClusterStatus();
  return <MembersTable initialReport={report} />;
}
