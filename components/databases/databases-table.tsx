/**
 * Every database, from the clusters and from the backups in a folder, with its backup counts and chain
 * health, each linking to its page: one page of them at a time, searched and filtered as the URL says
 * (`?q=&cluster=&trouble=&page=`, the overview's query: lib/dashboard/overview-list.ts), so that a fleet of
 * thousands of databases is a table of fifty rows with the same search, filters and pager as the overview.
 * Server component.
 */
import Link from 'next/link';
import { FolderSelect } from '@/components/backups/folder-select';
import { HealthBadge } from '@/components/backups/health-badge';
import { RelativeAge } from '@/components/backups/relative-age';
import { OverviewControls } from '@/components/overview/overview-controls';
import { OverviewCount } from '@/components/overview/overview-count';
import { OverviewPager } from '@/components/overview/overview-pager';
import { Badge } from '@/components/ui/badge';
import { overviewCardsData } from '@/lib/dashboard/data';
import { OVERVIEW_PAGE_SIZE, overviewSearchParams, type OverviewQuery } from '@/lib/dashboard/overview-query';
import { formatNumber, formatTxRange } from '@/lib/format';
import { serverContext } from '@/lib/server/context';
import { databaseHref } from './database-card';

export async function DatabasesTable({ folderId, query }: { folderId: string | null; query: OverviewQuery }) {
  const data = await overviewCardsData(serverContext(), folderId, query);
  const now = data.now;
  const clusterName = new Map(data.clusters.map((c) => [c.id, c.name]));
  const { list } = data;
  // the form's hidden fields: the folder and the page size stay when the search or a filter changes
  const keep: Record<string, string> = { ...(folderId ? { folder: folderId } : {}), ...(data.query.size !== OVERVIEW_PAGE_SIZE ? { size: String(data.query.size) } : {}) };
  return (
    <div className="space-y-3">
      <FolderSelect folders={data.folders} current={data.folder.id} />
      {list.total > 0 ? <OverviewControls key={overviewSearchParams({ ...data.query, page: 1 }).toString()} query={data.query} clusters={data.clusters} keep={keep} action="/databases" /> : null}
      {list.total > 0 ? <OverviewCount list={list} query={data.query} /> : null}
      {list.total > 0 && list.matched === 0 && list.pending === 0 ? (
        <div data-testid="databases-no-match" className="rounded-lg border border-dashed border-zinc-300 bg-white p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-400">
          No database matches{data.query.q ? <> &ldquo;{data.query.q}&rdquo;</> : null}.{' '}
          <Link href={`/databases${folderId ? `?${new URLSearchParams({ folder: folderId })}` : ''}`} className="font-medium text-teal-800 underline dark:text-teal-300">
            Show every database
          </Link>
        </div>
      ) : null}
      {list.total === 0 ? (
        <div data-testid="databases-empty" className="rounded-lg border border-dashed border-zinc-300 bg-white p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-400">
          No databases yet: no registered cluster reports any and {data.folder.name} holds no backups. Start the embedded
          cluster (<code className="font-mono">npm start</code>) or add a cluster in Settings.
        </div>
      ) : data.databases.length === 0 ? null : (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Databases and their backups in {data.folder.name}</caption>
            <thead className="border-b border-zinc-200 bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900/60 dark:text-zinc-400">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">Database</th>
                <th scope="col" className="px-4 py-2 font-medium">Cluster</th>
                <th scope="col" className="px-4 py-2 text-right font-medium">Artifacts</th>
                <th scope="col" className="px-4 py-2 text-right font-medium">Full / diff</th>
                <th scope="col" className="px-4 py-2 font-medium">Last full</th>
                <th scope="col" className="px-4 py-2 font-medium">Last differential</th>
                <th scope="col" className="px-4 py-2 text-right font-medium whitespace-nowrap" title="A restore can leave the database at any transaction in this range (restore until one more)">Restorable: ends at tx</th>
                <th scope="col" className="px-4 py-2 font-medium">Health</th>
              </tr>
            </thead>
            <tbody>
              {data.databases.map((db) => (
                <tr key={`${db.clusterId ?? 'backups'}:${db.database}`} data-testid="database-row" data-database={db.database} className="border-b border-zinc-100 last:border-b-0 hover:bg-zinc-50 dark:border-zinc-800 dark:hover:bg-zinc-800/40">
                  <th scope="row" className="px-4 py-2 font-medium">
                    <Link href={databaseHref(db.database, data.folder.id, data.folder.isDefault)} className="text-teal-700 hover:underline dark:text-teal-400">
                      {db.database}
                    </Link>
                  </th>
                  <td className="px-4 py-2">{db.clusterId !== null && db.onCluster ? clusterName.get(db.clusterId) : <Badge>only in backups</Badge>}</td>
                  <td className="px-4 py-2 text-right font-mono tabular-nums" data-testid="artifact-count">
                    {formatNumber(db.artifactCount)}
                  </td>
                  <td className="px-4 py-2 text-right font-mono tabular-nums text-zinc-600 dark:text-zinc-400">
                    {formatNumber(db.fullCount)} / {formatNumber(db.artifactCount - db.fullCount)}
                  </td>
                  <td className="px-4 py-2 whitespace-nowrap">{db.lastFull ? <RelativeAge time={db.lastFull.time} now={now} /> : <span className="text-zinc-500">none</span>}</td>
                  <td className="px-4 py-2 whitespace-nowrap">{db.lastDiff ? <RelativeAge time={db.lastDiff.time} now={now} /> : <span className="text-zinc-500">none</span>}</td>
                  <td className="px-4 py-2 text-right font-mono tabular-nums whitespace-nowrap">{db.restorable ? formatTxRange(db.restorable.fromTx, db.restorable.toTx) : '—'}</td>
                  <td className="px-4 py-2">
                    <HealthBadge health={db.health} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <OverviewPager query={data.query} pages={list.pages} folder={folderId} path="/databases" />
    </div>
  );
}

export function DatabasesTableSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading databases" className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      {Array.from({ length: 4 }, (_, i) => (
        <div key={i} className="my-3 h-5 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" />
      ))}
    </div>
  );
}
