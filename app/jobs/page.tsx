import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import { Suspense } from 'react';
import { JobsFilters } from '@/components/jobs/jobs-filters';
import { JobsSkeleton } from '@/components/jobs/jobs-skeleton';
import { JobsTable } from '@/components/jobs/jobs-table';
import { JOBS_PAGE_SIZE, type JobFilters } from '@/components/jobs/jobs-query';
import { isValidDatabaseName, normalizeDatabaseName } from '@/lib/graph/names';
import { jobDatabases, jobsPage, type JobsPage as Page } from '@/lib/db/queries/jobs';
import { JOB_STATUSES, type JobStatus } from '@/lib/db/schema';
import { formatNumber } from '@/lib/format';
import { pagePermissions } from '@/lib/server/auth';
import { serverContext } from '@/lib/server/context';

export const metadata: Metadata = { title: 'Jobs' };

type SearchParams = Promise<{ [key: string]: string | string[] | undefined }>;

function filtersOf(sp: { [key: string]: string | string[] | undefined }): JobFilters {
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';
  const database = one(sp.database).trim();
  const status = one(sp.status);
  const before = Number(one(sp.before));
  return {
    database: database && isValidDatabaseName(database) ? normalizeDatabaseName(database) : undefined,
    status: (JOB_STATUSES as readonly string[]).includes(status) ? (status as JobStatus) : undefined,
    before: Number.isSafeInteger(before) && before > 0 ? before : undefined,
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
      <Suspense key={`${filters.database ?? ''}/${filters.status ?? ''}/${filters.before ?? ''}`} fallback={<JobsSkeleton />}>
        <JobsList filters={filters} canCancel={can['job.cancel']} />
      </Suspense>
    </div>
  );
}

async function Filters({ filters }: { filters: JobFilters }) {
  const ctx = serverContext();
  const databases = new Set(jobDatabases(ctx.db));
  if (filters.database) databases.add(filters.database);
  return <JobsFilters databases={[...databases].sort()} statuses={JOB_STATUSES} database={filters.database ?? ''} status={filters.status ?? ''} />;
}

async function JobsList({ filters, canCancel }: { filters: JobFilters; canCancel: boolean }) {
  const ctx = serverContext();
  const page = jobsPage(ctx.db, { database: filters.database, status: filters.status, before: filters.before, limit: JOBS_PAGE_SIZE });
  return (
    <div className="space-y-3">
      {/* eslint-disable-next-line react-hooks/purity -- a server component renders once per request: the time the page was read */}
      <JobsTable initialJobs={page.jobs} filters={{ ...filters, limit: JOBS_PAGE_SIZE }} renderedAt={Date.now()} canCancel={canCancel} />
      <JobsPager page={page} filters={filters} />
    </div>
  );
}

/** Newer and older pages of the list, keeping the filters. */
function JobsPager({ page, filters }: { page: Page; filters: JobFilters }) {
  if (page.total <= page.jobs.length && page.offset === 0) return null;
  const href = (before: number | null) => {
    const q = new URLSearchParams();
    if (filters.database) q.set('database', filters.database);
    if (filters.status) q.set('status', filters.status);
    if (before !== null) q.set('before', String(before));
    const s = q.toString();
    return s ? `/jobs?${s}` : '/jobs';
  };
  const link = 'rounded-md border border-zinc-300 px-3 py-1.5 font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-500 dark:border-zinc-700 dark:hover:bg-zinc-800';
  const off = 'rounded-md border border-zinc-200 px-3 py-1.5 text-zinc-400 dark:border-zinc-800 dark:text-zinc-600';
  const from = page.jobs.length ? page.offset + 1 : page.offset;
  return (
    <nav aria-label="Pages of jobs" data-testid="jobs-pager" className="flex flex-wrap items-center justify-between gap-3 text-sm">
      <span className="text-zinc-600 dark:text-zinc-400" data-testid="jobs-page-range">
        Jobs {formatNumber(from)}–{formatNumber(page.offset + page.jobs.length)} of {formatNumber(page.total)}, newest first
      </span>
      <span className="flex gap-2">
        {page.newer !== undefined ? (
          <>
            <Link href={href(null)} className={link}>
              Newest
            </Link>
            <Link href={href(page.newer)} className={link} rel="prev">
              ← Newer
            </Link>
          </>
        ) : (
          <span className={off} aria-disabled="true">
            ← Newer
          </span>
        )}
        {page.older !== null ? (
          <Link href={href(page.older)} className={link} rel="next">
            Older →
          </Link>
        ) : (
          <span className={off} aria-disabled="true">
            Older →
          </span>
        )}
      </span>
    </nav>
  );
}
