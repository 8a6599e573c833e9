import type { Metadata } from 'next';
import { Suspense } from 'react';
import { connection } from 'next/server';
import { DatabasesTable, DatabasesTableSkeleton } from '@/components/databases/databases-table';
import { parseOverviewQuery } from '@/lib/dashboard/overview-query';
import { requireCaller } from '@/lib/server/auth';

export const metadata: Metadata = { title: 'Databases' };

export default async function DatabasesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await connection();
  await requireCaller('/databases');
  const params = await searchParams;
  const folder = params.folder;
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Databases</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Every database of the registered clusters and every database with backups in the folder. Open one to see its
          backup chains, take a backup, verify or restore.
        </p>
      </div>
      <Suspense fallback={<DatabasesTableSkeleton />}>
        <DatabasesTable folderId={typeof folder === 'string' ? folder : null} query={parseOverviewQuery(params)} />
      </Suspense>
    </div>
  );
}
