import type { Metadata } from 'next';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { IfCan } from '@/components/auth/permissions';
import { AddClusterForm } from '@/components/settings/add-cluster-form';
import { AddFolderForm } from '@/components/settings/add-folder-form';
import { AddNeo4jClusterForm } from '@/components/settings/add-neo4j-cluster-form';
import { ClusterList } from '@/components/settings/cluster-list';
import { FolderList, type FolderItem } from '@/components/settings/folder-list';
import { SettingsListSkeleton } from '@/components/settings/settings-skeleton';
import { databasesWithBackups } from '@/lib/db/queries/artifacts';
import { clusterSettingsItems } from '@/lib/dashboard/settings';
import { listFolders } from '@/lib/db/queries/clusters';
import { requireCaller } from '@/lib/server/auth';
import { serverContext } from '@/lib/server/context';

export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  // The catalog changes at run time: render per request.
  await connection();
  const caller = await requireCaller('/settings');
  const readOnly = (
    <p className="text-sm text-zinc-600 dark:text-zinc-400">Changing settings needs the admin role (you are {caller.role}).</p>
  );
  return (
    <div className="space-y-10">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">The clusters Txline watches and the folders it keeps backups in.</p>
      </div>
      <section aria-labelledby="clusters-heading" className="space-y-4">
        <div>
          <h2 id="clusters-heading" className="text-lg font-semibold">
            Clusters
          </h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Every member is asked for its status once a second; the Cluster page charts their lag.
          </p>
        </div>
        <Suspense fallback={<SettingsListSkeleton label="Loading clusters" />}>
          <Clusters />
        </Suspense>
        <IfCan action="settings.write" fallback={readOnly}>
          <AddClusterForm />
        </IfCan>
        <IfCan action="settings.write">
          <AddNeo4jClusterForm neo4jAdmins={serverContext().env.neo4jAdmins ?? []} roots={serverContext().env.backupRoots} />
        </IfCan>
      </section>
      <section aria-labelledby="folders-heading" className="space-y-4">
        <div>
          <h2 id="folders-heading" className="text-lg font-semibold">
            Backup folders
          </h2>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            The artifact files are the truth: Txline indexes each folder on start, every 15 seconds, and after every job.
          </p>
        </div>
        <Suspense fallback={<SettingsListSkeleton label="Loading backup folders" />}>
          <Folders />
        </Suspense>
        <IfCan action="settings.write" fallback={readOnly}>
          <AddFolderForm roots={serverContext().env.backupRoots} />
        </IfCan>
      </section>
    </div>
  );
}

async function Clusters() {
  const ctx = serverContext();
  return <ClusterList clusters={clusterSettingsItems(ctx.db, ctx.collector.latest)} />;
}

async function Folders() {
  const ctx = serverContext();
  const items: FolderItem[] = listFolders(ctx.db).map((f) => {
    const dbs = databasesWithBackups(ctx.db, { folderId: f.id });
    return {
      id: f.id,
      name: f.name,
      path: f.path,
      isDefault: f.isDefault,
      lastScanAt: f.lastScanAt,
      lastScanError: f.lastScanError,
      artifacts: dbs.reduce((n, d) => n + d.count, 0),
      databases: dbs.length,
    };
  });
  return <FolderList folders={items} />;
}
