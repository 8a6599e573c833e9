'use client';

/**
 * The live cluster page: the chosen cluster, database and window (kept in the URL), lag per member and the
 * writer's commit rate on charts, and the member table with its controls. The server renders the first
 * data; react-query polls /api/cluster?all=1 every second and /api/lag as often as the window needs.
 */
import { useQuery } from '@tanstack/react-query';
import { useCan } from '@/components/auth/permissions';
import { useCallback, useMemo, useState } from 'react';
import { ChartSkeleton, ChartEmpty } from '@/components/charts/chart-empty';
import { seriesColor } from '@/components/charts/chart-utils';
import { CommitRateChart } from '@/components/charts/commit-rate-chart';
import { LagChart } from '@/components/charts/lag-chart';
import { UtcTime } from '@/components/ui/utc-time';
import type { LagData } from '@/lib/dashboard/data';
import { formatNumber, withNote } from '@/lib/format';
import { ClusterEmptyState, ClusterNotRunning, NoClusterRegistered } from './cluster-empty-state';
import { databaseNames, pickDatabase, selectionToSearch, type ClusterSelection } from './cluster-selection';
import { ClusterToolbar } from './cluster-toolbar';
import { clusterOrigin, clustersQuery, lagQuery, type ClusterEntry } from './clusters-query';
import { MemberStatusTable } from './member-status-table';

export function ClusterDashboard({
  initialClusters,
  initialSelection,
  initialLag,
  renderedAt,
}: {
  initialClusters: ClusterEntry[];
  initialSelection: ClusterSelection;
  initialLag: LagData | null;
  renderedAt: number;
}) {
  const clustersQ = useQuery({ ...clustersQuery(), initialData: initialClusters, initialDataUpdatedAt: renderedAt });
  const clusters = clustersQ.data;
  const [selection, setSelection] = useState(initialSelection);
  const cluster = clusters.find((c) => c.id === selection.clusterId) ?? clusters[0];

  const change = (next: Partial<ClusterSelection>) => {
    const s = { ...selection, ...next };
    if (next.clusterId !== undefined && next.clusterId !== selection.clusterId && next.database === undefined) {
      s.database = pickDatabase(databaseNames(clusters.find((c) => c.id === next.clusterId)?.report), selection.database);
    }
    setSelection(s);
    syncUrl(s);
  };

  if (!cluster) return <NoClusterRegistered />;

  const databases = databaseNames(cluster.report, selection.database);
  return (
    <div className="space-y-6">
      <ClusterToolbar clusters={clusters} databases={databases} selection={{ ...selection, clusterId: cluster.id }} onChange={change} />
      <LiveLine cluster={cluster} error={clustersQ.error} />
      {cluster.report.members.length === 0 ? (
        <ClusterEmptyState report={cluster.report} />
      ) : (
        <ClusterBody cluster={cluster} selection={{ ...selection, clusterId: cluster.id }} initialSelection={initialSelection} initialLag={initialLag} renderedAt={renderedAt} />
      )}
    </div>
  );
}

function ClusterBody({
  cluster,
  selection,
  initialSelection,
  initialLag,
  renderedAt,
}: {
  cluster: ClusterEntry;
  selection: ClusterSelection;
  initialSelection: ClusterSelection;
  initialLag: LagData | null;
  renderedAt: number;
}) {
  const sameAsServer =
    selection.clusterId === initialSelection.clusterId && selection.database === initialSelection.database && selection.window === initialSelection.window;
  const lagQ = useQuery({
    ...lagQuery(selection),
    initialData: sameAsServer && initialLag ? initialLag : undefined,
    initialDataUpdatedAt: renderedAt,
  });
  const lag = lagQ.data;

  // One colour per member, the same on the chart, its legend and the table.
  const memberIds = useMemo(
    () => [...new Set([...cluster.report.members.map((m) => m.id), ...(lag?.members ?? [])])].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
    [cluster.report.members, lag?.members],
  );
  const colorOf = useCallback((id: string) => seriesColor(Math.max(0, memberIds.indexOf(id))), [memberIds]);
  const noneReachable = cluster.report.members.every((m) => !m.reachable);

  return (
    <>
      {noneReachable && cluster.report.source.kind === 'embedded' ? <ClusterNotRunning clusterFile={cluster.report.source.clusterFile} /> : null}
      <section aria-labelledby="lag-heading" className="space-y-3">
        <h2 id="lag-heading" className="sr-only">
          Lag and commit rate of {selection.database}
        </h2>
        {lagQ.error ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            The lag could not be updated ({lagQ.error.message}){lag ? '; the charts show the last answer.' : '.'}
          </p>
        ) : null}
        <div className="grid gap-4 lg:grid-cols-3">
          <div className="rounded-lg border border-zinc-200 bg-white p-4 lg:col-span-2 dark:border-zinc-800 dark:bg-zinc-900">
            {lag ? <LagChart lag={lag} window={selection.window} colorOf={colorOf} /> : lagQ.error ? <ChartEmpty>No lag data.</ChartEmpty> : <ChartSkeleton label="Loading the lag chart" />}
          </div>
          <div className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
            {lag ? <CommitRateChart lag={lag} window={selection.window} /> : lagQ.error ? <ChartEmpty>No commit data.</ChartEmpty> : <ChartSkeleton label="Loading the commit rate chart" />}
          </div>
        </div>
      </section>
      <section aria-labelledby="members-heading" className="space-y-3">
        <h2 id="members-heading" className="text-lg font-semibold">
          Members · <span className="font-mono">{selection.database}</span>
        </h2>
        <MemberStatusTable cluster={cluster} database={selection.database} colorOf={colorOf} />
        {cluster.capabilities.includes('stopMember') ? <ControlsHint /> : null}
      </section>
    </>
  );
}

function ControlsHint() {
  const canControl = useCan('cluster.control');
  return (
    <p className="text-sm text-zinc-600 dark:text-zinc-400">
      {canControl
        ? 'Pause a member’s replication to watch its lag grow while the writer commits, then resume it and watch it catch up. Stopping a member stops its process; start it again from here.'
        : 'Pausing replication and stopping or starting members needs the admin role.'}
    </p>
  );
}

function LiveLine({ cluster, error }: { cluster: ClusterEntry; error: Error | null }) {
  const reachable = cluster.report.members.filter((m) => m.reachable).length;
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-zinc-600 dark:text-zinc-400">
      <span>
        {withNote(cluster.name, clusterOrigin(cluster))} · {formatNumber(reachable)} of {formatNumber(cluster.report.members.length)} members reachable
      </span>
      <span role="status" aria-live="polite" className="flex items-center gap-2">
        <span aria-hidden="true" className={`size-2 rounded-full ${error ? 'bg-red-500' : 'bg-teal-600'}`} />
        {error ? (
          <span className="text-red-700 dark:text-red-400">
            Update failed ({error.message}); showing the state of <UtcTime value={cluster.report.checkedAt} />
          </span>
        ) : (
          <span>
            Live · updated <UtcTime value={cluster.report.checkedAt} />
          </span>
        )}
      </span>
    </div>
  );
}

/** Keeps the choice in the address bar (shareable, survives a reload) without a server round trip. */
function syncUrl(s: ClusterSelection): void {
  window.history.replaceState(window.history.state, '', `${window.location.pathname}?${selectionToSearch(s)}`);
}
