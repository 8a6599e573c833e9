/**
 * Server component: every registered cluster (the embedded one and those added in Settings) with its latest
 * report from the collector, so the first paint has data; the client list keeps them all live.
 */
import { clusterEntries } from '@/lib/dashboard/cluster-entries';
import { clusterSnapshots } from '@/lib/dashboard/data';
import { serverContext } from '@/lib/server/context';
import type { ClusterEntry } from './clusters-query';
import { OverviewClusters } from './overview-clusters';

export async function ClusterMembers() {
  const snaps = await clusterSnapshots(serverContext());
  const clusters: ClusterEntry[] = clusterEntries(snaps);
  // eslint-disable-next-line react-hooks/purity -- a server component renders once per request: the time the page was read
  return <OverviewClusters initialClusters={clusters} renderedAt={Date.now()} />;
}
