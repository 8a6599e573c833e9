/**
 * The overview's databases: a card per database of every cluster, then the ones only found in backups, for
 * the chosen backup folder. Server component: reads the catalog and the collector's latest reports for the
 * first paint; the client list (live-database-cards.tsx) keeps the cards live, so that a database created by
 * a restore appears as a card without a reload.
 */
import { overviewCardsData } from '@/lib/dashboard/data';
import { serverContext } from '@/lib/server/context';
import { LiveDatabaseCards } from './live-database-cards';

export async function DatabaseCards({ folderId }: { folderId: string | null }) {
  const data = await overviewCardsData(serverContext(), folderId);
  return <LiveDatabaseCards folderParam={folderId} initial={data} />;
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
