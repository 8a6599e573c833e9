'use client';

/**
 * Every job with its status, a live progress bar, duration, exit code and who started it; Cancel on running
 * ones. The server renders the first list; react-query polls GET /api/jobs about once a second while any
 * job runs (every ten seconds otherwise, to notice new ones). Cancel shows for roles that may cancel. Rows carry data-testid "job-row" and
 * data-job-id for tests.
 */
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { IfCan } from '@/components/auth/permissions';
import { ErrorHint } from '@/components/ui/error-hint';
import { UtcTime } from '@/components/ui/utc-time';
import { formatDuration, formatNumber } from '@/lib/format';
import { CancelJobButton } from './cancel-job-button';
import { jobDuration } from './job-progress';
import { JobProgressBar } from './job-progress-bar';
import { JobStatusBadge } from './job-status-badge';
import { jobsQuery, type JobFilters, type JobSummary } from './jobs-query';

export function JobsTable({ initialJobs, filters, renderedAt, canCancel }: { initialJobs: JobSummary[]; filters: JobFilters; renderedAt: number; canCancel: boolean }) {
  const query = useQuery({ ...jobsQuery(filters), initialData: initialJobs, initialDataUpdatedAt: renderedAt });
  const jobs = query.data;
  const now = query.dataUpdatedAt;
  const running = jobs.filter((j) => j.status === 'running').length;
  const filtered = Boolean(filters.database || filters.status);

  if (jobs.length === 0) return <JobsEmpty filtered={filtered} />;
  return (
    <div className="space-y-3">
      <p role="status" aria-live="polite" className="flex items-center gap-2 text-sm text-zinc-600 dark:text-zinc-400">
        <span aria-hidden="true" className={`size-2 rounded-full ${query.error ? 'bg-red-500' : running ? 'bg-teal-500' : 'bg-zinc-400'}`} />
        {query.error ? (
          <span className="text-red-700 dark:text-red-400">Update failed ({query.error.message}); showing the last list.</span>
        ) : (
          <span>
            {formatNumber(jobs.length)} job{jobs.length === 1 ? '' : 's'}
            {running ? ` · ${formatNumber(running)} running, updating live` : ''}
          </span>
        )}
      </p>
      <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Backups, restores, aggregations and verifications, newest first</caption>
          <thead className="border-b border-zinc-200 bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900/60 dark:text-zinc-400">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">Job</th>
              <th scope="col" className="px-3 py-2 font-medium">Kind</th>
              <th scope="col" className="px-3 py-2 font-medium">Database</th>
              <th scope="col" className="px-3 py-2 font-medium">Status</th>
              <th scope="col" className="px-3 py-2 font-medium">Progress</th>
              <th scope="col" className="px-3 py-2 font-medium">Started (UTC)</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Duration</th>
              <th scope="col" className="px-3 py-2 text-right font-medium">Exit</th>
              <th scope="col" className="px-3 py-2 font-medium">By</th>
              <th scope="col" className="px-3 py-2 font-medium">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
            {jobs.map((j) => (
              <JobRowView key={j.id} job={j} now={now} canCancel={canCancel} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function JobRowView({ job, now, canCancel }: { job: JobSummary; now: number; canCancel: boolean }) {
  return (
    <tr data-testid="job-row" data-job-id={job.id} data-kind={job.kind} className="align-top hover:bg-zinc-50 dark:hover:bg-zinc-800/40">
      <td className="px-3 py-2">
        <Link href={`/jobs/${job.id}`} className="font-mono font-medium text-teal-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-teal-500 dark:text-teal-400">
          #{job.id}
        </Link>
      </td>
      <td className="px-3 py-2">{job.kind}</td>
      <td className="px-3 py-2 font-medium">{job.database}</td>
      <td className="px-3 py-2">
        <JobStatusBadge status={job.status} />
        {job.error && job.status !== 'running' ? (
          <>
            <div className="mt-1 max-w-64 truncate text-xs text-zinc-500 dark:text-zinc-400" title={job.error}>
              {job.error}
            </div>
            <ErrorHint code={job.errorCode} className="max-w-64" />
          </>
        ) : null}
      </td>
      <td className="px-3 py-2">
        <JobProgressBar progress={job.progress} status={job.status} label={`Progress of job #${job.id}`} compact />
      </td>
      <td className="whitespace-nowrap px-3 py-2 text-zinc-600 dark:text-zinc-400">
        <UtcTime value={job.startedAt ?? job.createdAt} />
      </td>
      <td className="whitespace-nowrap px-3 py-2 text-right font-mono tabular-nums" data-testid="job-duration">
        {formatDuration(jobDuration(job, now))}
      </td>
      <td className="px-3 py-2 text-right font-mono tabular-nums" data-testid="job-exit-code">
        {job.exitCode ?? '—'}
      </td>
      <td className="px-3 py-2 text-zinc-600 dark:text-zinc-400">{job.createdBy ?? '—'}</td>
      <td className="px-3 py-2">{job.status === 'running' && canCancel ? <CancelJobButton jobId={job.id} /> : null}</td>
    </tr>
  );
}

function JobsEmpty({ filtered }: { filtered: boolean }) {
  return (
    <div data-testid="jobs-empty" className="rounded-lg border border-dashed border-zinc-300 bg-white p-6 dark:border-zinc-700 dark:bg-zinc-900">
      {filtered ? (
        <>
          <h3 className="text-base font-semibold">No jobs match these filters</h3>
          <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
            <Link href="/jobs" className="text-teal-700 underline dark:text-teal-400">
              Show every job
            </Link>{' '}
            or choose another database or status.
          </p>
        </>
      ) : (
        <>
          <h3 className="text-base font-semibold">No jobs yet</h3>
          <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
            Jobs appear here when you start one: take a backup from the{' '}
            <Link href="/" className="text-teal-700 underline dark:text-teal-400">
              Overview
            </Link>{' '}
            or a database&apos;s page, verify or aggregate a chain
            <IfCan action="restore.start">
              , or restore through the{' '}
              <Link href="/restore" className="text-teal-700 underline dark:text-teal-400">
                Restore wizard
              </Link>
            </IfCan>
            .
          </p>
        </>
      )}
    </div>
  );
}
