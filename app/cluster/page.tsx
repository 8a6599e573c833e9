import type { Metadata } from 'next';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { ClusterDashboard } from '@/components/cluster/cluster-dashboard';
import { ClusterDashboardSkeleton } from '@/components/cluster/cluster-dashboard-skeleton';
import { selectionFromParams } from '@/components/cluster/cluster-selection';
import type { ClusterEntry } from '@/components/cluster/clusters-query';
import { clusterEntries } from '@/lib/dashboard/cluster-entries';
import { clusterSnapshots, lagData } from '@/lib/dashboard/data';
import { requireCaller } from '@/lib/server/auth';
import { serverContext } from '@/lib/server/context';

export const metadata: Metadata = { title: 'Cluster' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function ClusterPage({ searchParams }: { searchParams: SearchParams }) {
  // Live data: render at request time, never at build time.
  await connection();
  await requireCaller('/cluster');
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Cluster</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          How far each member is behind the writer, live, and how fast the writer commits. Lag is counted in
          transactions; times are UTC.
        </p>
      </div>
      <Suspense fallback={<ClusterDashboardSkeleton />}>
        <ClusterView searchParams={searchParams} />
      </Suspense>
    </div>
  );
}

/** Reads the first data on the server (the collector's latest reports and the chosen lag window). */
async function ClusterView({ searchParams }: { searchParams: SearchParams }) {
  const ctx = serverContext();
  const [params, snaps] = await Promise.all([searchParams, clusterSnapshots(ctx)]);
  const clusters: ClusterEntry[] = clusterEntries(snaps);
  const selection = selectionFromParams(params, clusters);
  // eslint-disable-next-line react-hooks/purity -- a server component renders once per request: the time the page was read
  const renderedAt = Date.now();
  const initialLag = selection ? lagData(ctx, { clusterId: selection.clusterId, database: selection.database, window: selection.window, now: renderedAt }) : null;
  return (
    <ClusterDashboard
      initialClusters={clusters}
      initialSelection={selection ?? { clusterId: 0, database: 'neo4j', window: '5m' }}
      initialLag={initialLag}
      renderedAt={renderedAt}
    />
  );
}
