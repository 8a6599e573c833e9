import type { Metadata } from 'next';
import { Suspense } from 'react';
import { connection } from 'next/server';
import { ClusterMembers } from '@/components/cluster/cluster-members';
import { MembersTableSkeleton } from '@/components/cluster/members-table-skeleton';
import { DatabaseCardsSkeleton, OverviewDatabases } from '@/components/overview/overview-databases';
import { parseOverviewQuery } from '@/lib/dashboard/overview-query';
import { requireCaller } from '@/lib/server/auth';

export const metadata: Metadata = { title: 'Overview' };

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  // Live data: render at request time, never at build time.
  await connection();
  // the proxy lets only signed-in users through; the page checks again (it reads the catalog)
  await requireCaller('/');
  const params = await searchParams;
  const folder = typeof params.folder === 'string' ? params.folder : null;
  const query = parseOverviewQuery(params);
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Overview</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Every registered cluster&apos;s members and, per database, how recent and how healthy its backups are.
        </p>
      </div>
      <section aria-labelledby="members-heading" className="space-y-3">
        <h2 id="members-heading" className="text-lg font-semibold">
          Clusters and their members
        </h2>
        <Suspense fallback={<MembersTableSkeleton />}>
          <ClusterMembers />
        </Suspense>
      </section>
      <section aria-labelledby="databases-heading" className="space-y-3">
        <h2 id="databases-heading" className="text-lg font-semibold">
          Databases and backups
        </h2>
        <Suspense fallback={<DatabaseCardsSkeleton />}>
          <OverviewDatabases folderId={folder} query={query} />
        </Suspense>
      </section>
    </div>
  );
}
