import { ChartSkeleton } from '@/components/charts/chart-empty';
import { MembersTableSkeleton } from './members-table-skeleton';

/** The cluster page while its first data loads: selectors, two charts, the member table. */
export function ClusterDashboardSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading the cluster" className="space-y-6">
      <div className="flex gap-4">
        <div className="h-9 w-40 animate-pulse rounded-md bg-zinc-200 dark:bg-zinc-800" />
        <div className="h-9 w-64 animate-pulse rounded-md bg-zinc-200 dark:bg-zinc-800" />
      </div>
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="rounded-lg border border-zinc-200 bg-white p-4 lg:col-span-2 dark:border-zinc-800 dark:bg-zinc-900">
          <ChartSkeleton label="Loading the lag chart" />
        </div>
        <div className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
          <ChartSkeleton label="Loading the commit rate chart" />
        </div>
      </div>
      <MembersTableSkeleton />
    </div>
  );
}
