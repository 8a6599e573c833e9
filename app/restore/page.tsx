import type { Metadata } from 'next';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { RestoreWizardLoader, type RestoreSearch } from '@/components/restore/restore-wizard-loader';
import { RestoreWizardSkeleton } from '@/components/restore/restore-wizard-skeleton';
import { pagePermissions } from '@/lib/server/auth';

export const metadata: Metadata = { title: 'Restore' };

type SearchParams = Promise<{ [key: string]: string | string[] | undefined }>;

export default async function RestorePage({ searchParams }: { searchParams: SearchParams }) {
  await connection();
  const { caller, can } = await pagePermissions('/restore');
  const sp = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const search: RestoreSearch = { database: one(sp.database), folder: one(sp.folder), artifact: one(sp.artifact) };
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Restore</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Restore a database from its backup chain to the latest backup, one backup, a transaction ID or a UTC time — over itself or as a new database.
        </p>
      </div>
      {can['restore.start'] ? (
        <Suspense fallback={<RestoreWizardSkeleton />}>
          <RestoreWizardLoader search={search} />
        </Suspense>
      ) : (
        <div role="status" data-testid="restore-not-allowed" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          Restoring replaces or creates databases, so it needs the admin role; you are signed in as {caller.username} ({caller.role}). Ask an admin to restore, or
          follow restores on the Jobs page.
        </div>
      )}
    </div>
  );
}
