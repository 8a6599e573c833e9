/**
 * One cluster's live status (GET /api/cluster?id=N, every two seconds) and, from it, a database's writer and
 * its last committed transaction.
 */
import { queryOptions, useQuery } from '@tanstack/react-query';
import { getJson } from '@/components/ui/get-json';
import type { ClusterReport } from '@/lib/monitor/cluster-report';

export function clusterByIdQuery(clusterId: number) {
  return queryOptions({
    queryKey: ['cluster', 'status', clusterId] as const,
    queryFn: ({ signal }) => getJson<ClusterReport>(`/api/cluster?id=${clusterId}`, signal),
    refetchInterval: 2000,
    retry: false,
  });
}

export interface WriterState {
  memberId: string;
  lastTx: number;
  storeId: string | null;
}

/** The database's writer as the cluster reports it now; `initial` until the first poll answers. */
export function useWriter(clusterId: number | null, database: string, initial: WriterState | null): { writer: WriterState | null; error: Error | null } {
  const q = useQuery({ ...clusterByIdQuery(clusterId ?? 0), enabled: clusterId !== null });
  if (!q.data) return { writer: initial, error: q.error };
  for (const m of q.data.members) {
    const d = m.databases.find((x) => x.name === database && x.role === 'writer');
    if (d && d.lastCommittedTxn !== null) return { writer: { memberId: m.id, lastTx: d.lastCommittedTxn, storeId: d.storeId }, error: q.error };
  }
  return { writer: null, error: q.error };
}
