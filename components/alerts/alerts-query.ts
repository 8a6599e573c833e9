/**
 * The alert counts query (GET /api/alerts), one key for the header's badge and for what invalidates it (an
 * acknowledgement). Polls every five seconds.
 */
import { queryOptions } from '@tanstack/react-query';
import { getJson } from '@/components/ui/get-json';

export const alertKeys = { counts: ['alerts', 'counts'] as const };

export const alertCountsQuery = () =>
  queryOptions({
    queryKey: alertKeys.counts,
    queryFn: ({ signal }) => getJson<{ firing: number; acknowledged: number }>('/api/alerts', signal),
    refetchInterval: 5000,
    staleTime: 2000,
  });
