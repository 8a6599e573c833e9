/**
 * GET /api/cluster[?id=N]: the latest status of a cluster's members (see lib/monitor/cluster-report.ts), from
 * the collector (refreshed every second). Without an id: the first registered cluster. GET /api/cluster?all=1:
 * every cluster. Polled by the dashboard; unreachable members are part of the answer, not an error.
 */
import { connection } from 'next/server';
import { clusterEntries } from '@/lib/dashboard/cluster-entries';
import { clusterSnapshots } from '@/lib/dashboard/data';
import { errorResponse, guardedJson } from '@/lib/server/action';

export async function GET(request: Request): Promise<Response> {
  await connection();
  const url = new URL(request.url);
  return guardedJson('cluster.read', async (ctx) => {
    const snaps = await clusterSnapshots(ctx);
    if (url.searchParams.get('all')) return { clusters: clusterEntries(snaps) };
    const id = Number(url.searchParams.get('id'));
    const snap = (Number.isInteger(id) && id > 0 ? snaps.find((s) => s.cluster.id === id) : snaps[0]) ?? null;
    if (!snap) return errorResponse('NOT_FOUND', 'no such cluster');
    return { ...snap.report, clusterId: snap.cluster.id, clusterName: snap.cluster.name };
  });
}
