'use client';

/**
 * The overview's clusters: one region per registered cluster ("Cluster <name>") with its members table,
 * all kept live by one poll of GET /api/cluster?all=1 (about once a second, shared with the cluster page).
 */
import { useQuery } from '@tanstack/react-query';
import { Badge } from '@/components/ui/badge';
import { NoClusterRegistered } from './cluster-empty-state';
import { clusterOrigin, clustersQuery, type ClusterEntry } from './clusters-query';
import { MembersTable } from './members-table';

export function OverviewClusters({ initialClusters, renderedAt }: { initialClusters: ClusterEntry[]; renderedAt: number }) {
  const query = useQuery({ ...clustersQuery(), initialData: initialClusters, initialDataUpdatedAt: renderedAt });
  const clusters = query.data;
  if (clusters.length === 0) return <NoClusterRegistered />;
  return (
    <div className="space-y-6">
      {clusters.map((c) => (
        <section key={c.id} aria-label={`Cluster ${c.name}`} data-testid="overview-cluster" data-cluster-id={c.id} data-name={c.name} className="space-y-2">
          {clusters.length > 1 || !c.startedHere ? (
            <h3 className="flex items-center gap-2 text-base font-semibold">
              {c.name} <Badge tone={c.startedHere ? 'info' : 'neutral'}>{clusterOrigin(c)}</Badge>
            </h3>
          ) : null}
          <MembersTable report={c.report} error={query.error} fetching={query.isFetching} />
        </section>
      ))}
    </div>
  );
}
