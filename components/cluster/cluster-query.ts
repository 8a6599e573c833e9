/**
 * The cluster status query: GET /api/cluster, polled about once a second while the page is open.
 */
import { queryOptions } from '@tanstack/react-query';
import type { ClusterReport } from '@/lib/monitor/cluster-report';

export const CLUSTER_POLL_MS = 1000;

export async function fetchClusterReport(signal?: AbortSignal): Promise<ClusterReport> {
  const res = await fetch('/api/cluster', { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { message?: string } | null;
    throw new Error(body?.message ?? `the server answered ${res.status} ${res.statusText}`);
  }
  return (await res.json()) as ClusterReport;
}

export function clusterReportQuery() {
  return queryOptions({
    queryKey: ['cluster', 'status'] as const,
    queryFn: ({ signal }) => fetchClusterReport(signal),
    refetchInterval: CLUSTER_POLL_MS,
    // The next poll is the retry; a failed poll shows at once and the last data stays on screen.
    retry: false,
  });
}
