/**
 * Every registered cluster with its latest report (GET /api/cluster?all=1) and one database's lag over a
 * window (GET /api/lag), polled while the cluster page is open. Both keys start with the feature name so a
 * mutation can invalidate them: ['cluster', ...] and ['lag', ...].
 */
import { queryOptions } from '@tanstack/react-query';
import { LAG_WINDOWS, type LagWindow } from '@/components/charts/chart-utils';
import { getJson } from '@/components/ui/get-json';
import type { LagData } from '@/lib/dashboard/data';
import type { ClusterEntry } from '@/lib/dashboard/cluster-entries';

export type { ClusterEntry };

/** "embedded" for the cluster this server started, "remote" for one at given addresses. */
export function clusterOrigin(c: { startedHere: boolean }): 'embedded' | 'remote' {
  return c.startedHere ? 'embedded' : 'remote';
}

export function clustersQuery() {
  return queryOptions({
    queryKey: ['cluster', 'all'] as const,
    queryFn: ({ signal }) => getJson<{ clusters: ClusterEntry[] }>('/api/cluster?all=1', signal).then((b) => b.clusters),
    refetchInterval: 1_000,
    staleTime: 500,
    // The next poll is the retry; the last data stays on screen with the error beside it.
    retry: false,
  });
}

export function lagQuery({ clusterId, database, window }: { clusterId: number; database: string; window: LagWindow }) {
  const { pollMs } = LAG_WINDOWS[window];
  const params = new URLSearchParams({ cluster: String(clusterId), database, window });
  return queryOptions({
    queryKey: ['lag', clusterId, database, window] as const,
    queryFn: ({ signal }) => getJson<LagData>(`/api/lag?${params}`, signal),
    refetchInterval: pollMs,
    staleTime: pollMs / 2,
    retry: false,
  });
}
