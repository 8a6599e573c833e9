import type { Metadata } from 'next';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { JobsFilters } from '@/components/jobs/jobs-filters';
import { JobsSkeleton } from '@/components/jobs/jobs-skeleton';
import { JobsTable } from '@/components/jobs/jobs-table';
import type { JobFilters } from '@/components/jobs/jobs-query';
import { isValidDatabaseName, normalizeDatabaseName } from '@/lib/cluster/names';
import { listJobs } from '@/lib/db/queries/jobs';
import { JOB_STATUSES, type JobStatus } from '@/lib/db/schema';
import { pagePermissions } from '@/lib/server/auth';
import { serverContext } from '@/lib/server/context';

export const metadata: Metadata = { title: 'Jobs' };

type SearchParams = Promise<{ [key: string]: string | string[] | undefined }>;

function filtersOf(sp: { [key: string]: string | string[] | undefined }): JobFilters {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';
  const database = one(sp.database).trim();
  const status = one(sp.status);
  return {
    database: database && isValidDatabaseName(database) ? normalizeDatabaseName(database) : undefined,
    status: (JOB_STATUSES as readonly string[]).includes(status) ? (status as JobStatus) : undefined,
  };
}

export default async function JobsPage({ searchParams }: { searchParams: SearchParams }) {
  await connection();
  const sp = await searchParams;
  const filters = filtersOf(sp);
  const { can } = await pagePermissions('/jobs');
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Jobs</h1>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Every backup, restore, aggregation and verification, newest first, with its progress while it runs.</p>
        </div>
        <Suspense fallback={null}>
          <Filters filters={filters} />
        </Suspense>
      </div>
      <Suspense key={`${filters.database ?? ''}/${filters.status ?? ''}`} fallback={<JobsSkeleton />}>
        <JobsList filters={filters} canCancel={can['job.cancel']} />
      </Suspense>
    </div>
  );
}

async function Filters({ filters }: { filters: JobFilters }) {
  const ctx = serverContext();
  const databases = new Set(listJobs(ctx.db, { limit: 500 }).map((j) => j.database));
  if (filters.database) databases.add(filters.database);
  return <JobsFilters databases={[...databases].sort()} statuses={JOB_STATUSES} database={filters.database ?? ''} status={filters.status ?? ''} />;
}

async function JobsList({ filters, canCancel }: { filters: JobFilters; canCancel: boolean }) {
  const ctx = serverContext();
  const jobs = listJobs(ctx.db, { ...filters, limit: 100 }).map(({ log: _log, ...j }) => j);
  return <JobsTable initialJobs={jobs} filters={filters} renderedAt={Date.now()} canCancel={canCancel} />;
}
