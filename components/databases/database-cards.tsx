/**
 * The overview's databases: a card per database of every cluster, then the ones only found in backups, for
 * the chosen backup folder. Server component: reads the catalog and the collector's latest reports.
 */
import { FolderSelect } from '@/components/backups/folder-select';
import { databasesInTrouble } from '@/lib/alerts/store';
import { overviewData } from '@/lib/dashboard/data';
import { serverContext } from '@/lib/server/context';
import { DatabaseCard } from './database-card';

export async function DatabaseCards({ folderId }: { folderId: string | null }) {
  const data = await overviewData(serverContext(), folderId);
  // eslint-disable-next-line react-hooks/purity -- a server component renders once per request: the time the page was read
  const now = Date.now();
  // the running job a card's "Back up now" would collide with (see activeJobFor): same cluster, or same folder
  const runningFor = (db: (typeof data.databases)[number]) => {
    const j = data.runningJobs.find((r) => r.database === db.database && ((db.clusterId !== null && r.clusterId === db.clusterId) || r.folderId === data.folder.id));
    return j ? { id: j.id, kind: j.kind } : null;
  };
  const clusterNames = new Map(data.clusters.map((c) => [c.cluster.id, c.cluster.name]));
  const several = data.clusters.length > 1;
  // the databases with open alerts: marked on their cards
  const trouble = databasesInTrouble(serverContext().db);
  const alertsOf = (db: (typeof data.databases)[number]) =>
    trouble.find((t) => t.database === db.database && (db.clusterId === null ? t.cluster === null : t.cluster === null || t.cluster === clusterNames.get(db.clusterId))) ?? null;
  return (
    <div className="space-y-3">
      <FolderSelect folders={data.folders} current={data.folder.id} />
      {data.databases.length === 0 ? (
        <div data-testid="databases-empty" className="rounded-lg border border-dashed border-zinc-300 bg-white p-6 text-sm text-zinc-600 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-400">
          No databases to show: no registered cluster reports any, and {data.folder.name} holds no backups. Start the
          embedded cluster (<code className="font-mono">npm start</code>) or add a cluster in Settings.
        </div>
      ) : (
        <div className="grid gap-4 md:grid-cols-2">
          {data.databases.map((db) => (
            <DatabaseCard
              key={`${db.clusterId ?? 'backups'}:${db.database}`}
              db={db}
              folder={{ id: data.folder.id, name: data.folder.name, isDefault: data.folder.isDefault }}
              now={now}
              runningJob={runningFor(db)}
              clusterName={several && db.clusterId !== null ? (clusterNames.get(db.clusterId) ?? null) : null}
              alerts={alertsOf(db)}
            />
          ))}
        </div>
      )}
    </div>
  );
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
