'use client';

/**
 * The overview's database cards, one page of them, kept live: the server's first answer is the initial data,
 * then GET /api/overview is polled with the page's own query (every two seconds, like the members table beside
 * it), so a database created by a restore, or one a cluster starts reporting, appears as a card without a
 * reload, and one that is dropped goes. The search, the filters and the page live in the URL
 * (./overview-controls.tsx): a new query is a navigation, whose server render brings that query's first data.
 * A refresh of the page's server data (after a job ends) replaces the cached answer when it is newer.
 */
import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect } from 'react';
import { FolderSelect } from '@/components/backups/folder-select';
import { DatabaseCard } from '@/components/databases/database-card';
import { getJson } from '@/components/ui/get-json';
import type { OverviewCardsData } from '@/lib/dashboard/data';
import { OVERVIEW_PAGE_SIZE, overviewSearchParams, type OverviewQuery } from '@/lib/dashboard/overview-query';
import { OverviewControls } from './overview-controls';
import { OverviewCount } from './overview-count';
import { OverviewPager } from './overview-pager';

export const OVERVIEW_POLL_MS = 2000;

export function overviewCardsQuery(folderParam: string | null, query: OverviewQuery) {
  const params = overviewSearchParams(query, folderParam).toString();
  return queryOptions({
    queryKey: ['overview', 'cards', params] as const,
    queryFn: ({ signal }) => getJson<OverviewCardsData>(`/api/overview${params ? `?${params}` : ''}`, signal),
    refetchInterval: OVERVIEW_POLL_MS,
    staleTime: OVERVIEW_POLL_MS / 2,
    // the next poll is the retry; the last cards stay on screen with the error above them
    retry: false,
  });
}

export function LiveOverviewDatabases({ folderParam, initial }: { folderParam: string | null; initial: OverviewCardsData }) {
  const options = overviewCardsQuery(folderParam, initial.query);
  const q = useQuery({ ...options, initialData: initial, initialDataUpdatedAt: initial.now });
  const qc = useQueryClient();
  // router.refresh() renders the server part again with newer data: take it when the cache is older
  useEffect(() => {
    const key = overviewCardsQuery(folderParam, initial.query).queryKey;
    const cached = qc.getQueryState(key);
    if (!cached || cached.dataUpdatedAt < initial.now) qc.setQueryData(key, initial, { updatedAt: initial.now });
  }, [initial, qc, folderParam]);
  const data = q.data;
  // the running job a card's "Back up now" would collide with (see activeJobFor): same cluster, or same folder
  const runningFor = (db: OverviewCardsData['databases'][number]) => {
    const j = data.runningJobs.find((r) => r.database === db.database && ((db.clusterId !== null && r.clusterId === db.clusterId) || r.folderId === data.folder.id));
    return j ? { id: j.id, kind: j.kind } : null;
  };
  const clusterNames = new Map(data.clusters.map((c) => [c.id, c.name]));
  const several = data.clusters.length > 1;
  // the databases with open alerts: marked on their cards (an alert without a cluster is the folder's)
  const alertsOf = (db: OverviewCardsData['databases'][number]) =>
    data.trouble.find((t) => t.database === db.database && (db.clusterId === null ? t.cluster === null : t.cluster === null || t.cluster === clusterNames.get(db.clusterId))) ?? null;
  const { list, query } = data;
  // the form's hidden fields: the folder and the page size stay when the search or a filter changes
  const keep: Record<string, string> = { ...(folderParam ? { folder: folderParam } : {}), ...(query.size !== OVERVIEW_PAGE_SIZE ? { size: String(query.size) } : {}) };
  return (
    <div className="space-y-3" data-testid="database-cards" data-updated-at={q.dataUpdatedAt}>
      <FolderSelect folders={data.folders} current={data.folder.id} />
      {list.total > 0 ? <OverviewControls key={overviewSearchParams({ ...query, page: 1 }).toString()} query={query} clusters={data.clusters} keep={keep} /> : null}
      <OverviewCount list={list} query={query} />
      {q.error ? (
        <p role="status" className="text-sm text-red-700 dark:text-red-400">
          Update failed ({q.error.message}); showing the last known databases.
        </p>
      ) : null}
      {list.total === 0 ? (
        <div data-testid="databases-empty" className="rounded-lg border border-dashed border-zinc-300 bg-white p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-400">
          No databases to show: no registered cluster reports any, and {data.folder.name} holds no backups. Start the
          embedded cluster (<code className="font-mono">npm start</code>) or add a cluster in Settings.
        </div>
      ) : list.matched === 0 && list.pending === 0 ? (
        <div data-testid="databases-no-match" className="rounded-lg border border-dashed border-zinc-300 bg-white p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-400">
          No database matches{query.q ? <> &ldquo;{query.q}&rdquo;</> : null}
          {query.cluster !== null ? <> on {query.cluster === 'backups' ? 'no cluster (only in backups)' : (clusterNames.get(query.cluster) ?? `cluster #${query.cluster}`)}</> : null}
          {query.trouble ? <> among the databases in trouble</> : null}.{' '}
          <Link href={`/${folderParam ? `?${new URLSearchParams({ folder: folderParam })}` : ''}`} className="font-medium text-teal-800 underline dark:text-teal-300">
            Show every database
          </Link>
        </div>
      ) : (
        <>
          <div className="grid gap-4 md:grid-cols-2">
            {data.databases.map((db) => (
              <DatabaseCard
                key={`${db.clusterId ?? 'backups'}:${db.database}`}
                db={db}
                folder={{ id: data.folder.id, name: data.folder.name, isDefault: data.folder.isDefault }}
                now={data.now}
                runningJob={runningFor(db)}
                clusterName={several && db.clusterId !== null ? (clusterNames.get(db.clusterId) ?? null) : null}
                alerts={alertsOf(db)}
              />
            ))}
          </div>
          <OverviewPager query={query} pages={list.pages} folder={folderParam} />
        </>
      )}
    </div>
  );
}
