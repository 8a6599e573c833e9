/**
 * The overview's databases: one page of the cards of every cluster's databases, then the ones only found in
 * backups, for the chosen backup folder, searched and filtered as the page's URL says (lib/dashboard/
 * overview-list.ts). Server component: reads the catalog and the collector's latest reports for the first
 * paint; the client list (live-overview-databases.tsx) keeps the page live, so that a database created by a
 * restore appears as a card without a reload.
 */
import { overviewCardsData } from '@/lib/dashboard/data';
import type { OverviewQuery } from '@/lib/dashboard/overview-query';
import { serverContext } from '@/lib/server/context';
import { LiveOverviewDatabases } from './live-overview-databases';

export async function OverviewDatabases({ folderId, query }: { folderId: string | null; query: OverviewQuery }) {
  const data = await overviewCardsData(serverContext(), folderId, query);
  return <LiveOverviewDatabases folderParam={folderId} initial={data} />;
}

export function DatabaseCardsSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading databases" className="grid gap-4 md:grid-cols-2">
      {Array.from({ length: 2 }, (_, i) => (
        <div key={i} className="space-y-3 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
          <div className="h-5 w-32 animate-pulse rounded bg-zinc-200 dark:bg-zinc-800" />
          {Array.from({ length: 4 }, (_, j) => (
            <div key={j} className="h-4 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" />
          ))}
          <div className="h-8 w-40 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" />
        </div>
      ))}
    </div>
  );
}
