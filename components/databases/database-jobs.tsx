'use client';

/**
 * A database's recent jobs with live progress: polls GET /api/jobs?database= every second while one runs
 * (every ten seconds otherwise, to notice jobs started elsewhere). When a job ends, the page's server data
 * (the timeline, the health) is refreshed. The restores made from the database are listed too (they are filed
 * under their targets), each saying where it went, so a restore can be traced from its source.
 */
import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { jobDuration } from '@/components/jobs/job-progress';
import { JobProgressBar } from '@/components/jobs/job-progress-bar';
import { backupOutcome, resultOf } from '@/components/jobs/job-results';
import { JobStatusBadge } from '@/components/jobs/job-status-badge';
import { jobDone, jobHref, jobsQuery, RECENT_JOBS, type JobSummary } from '@/components/jobs/jobs-query';
import { ErrorHint } from '@/components/ui/error-hint';
import { UtcTime } from '@/components/ui/utc-time';
import { restoreRoute } from '@/lib/dashboard/restores';
import { formatDuration, formatNumber } from '@/lib/format';
import { databaseHref } from './database-card';

export function DatabaseJobs({ database, initialJobs, renderedAt }: { database: string; initialJobs: JobSummary[]; renderedAt: number }) {
  const q = useQuery({ ...jobsQuery({ database, limit: RECENT_JOBS, withRestoresFrom: true }), initialData: initialJobs, initialDataUpdatedAt: renderedAt });
  const jobs = q.data;
  const router = useRouter();
  const known = useRef<{ running: Set<number>; maxId: number }>({
    running: new Set(initialJobs.filter((j) => !jobDone(j)).map((j) => j.id)),
    maxId: Math.max(0, ...initialJobs.map((j) => j.id)),
  });
  useEffect(() => {
    const prev = known.current;
    // a job is done (ended, and its folder indexed again: the refreshed page reads the new state): it was
    // running, or it is new and already done (it finished between two polls)
    const ended = jobs.some((j) => jobDone(j) && (prev.running.has(j.id) || j.id > prev.maxId));
    known.current = { running: new Set(jobs.filter((j) => !jobDone(j)).map((j) => j.id)), maxId: Math.max(prev.maxId, ...jobs.map((j) => j.id)) };
    if (ended) router.refresh();
  }, [jobs, router]);

  return (
    <div className="space-y-2">
      {q.error ? (
        <p role="status" className="text-sm text-red-700 dark:text-red-400">
          Update failed ({q.error.message}); showing the last known state.
        </p>
      ) : null}
      {jobs.length === 0 ? (
        <p className="rounded-lg border border-dashed border-zinc-300 bg-white p-4 text-sm text-zinc-600 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-400" data-testid="jobs-empty">
          No jobs for {database} yet. Backups, verifications and aggregations you start here appear with their progress.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Recent jobs of {database}</caption>
            <thead className="border-b border-zinc-200 bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900/60 dark:text-zinc-400">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">Job</th>
                <th scope="col" className="px-3 py-2 font-medium">Status</th>
                <th scope="col" className="w-1/4 px-3 py-2 font-medium">Progress</th>
                <th scope="col" className="px-3 py-2 font-medium">Started</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Duration</th>
                <th scope="col" className="px-3 py-2 font-medium">Outcome</th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <JobRow key={j.id} job={j} now={q.dataUpdatedAt} database={database} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** Where a restore in a database's jobs came from or went: "from neo4j" into this one, "into copy" from it. */
function RestoreWay({ job, database }: { job: JobSummary; database: string }) {
  const route = restoreRoute(job);
  if (!route || route.source === null || route.source === route.target) return null;
  const other = route.target === database ? { word: 'from', name: route.source } : { word: 'into', name: route.target };
  return (
    <span data-testid="restore-way" data-way={other.word}>
      {' '}
      {other.word}{' '}
      <Link href={databaseHref(other.name, job.folderId ?? 0, true)} className="font-medium text-teal-700 hover:underline dark:text-teal-400">
        {other.name}
      </Link>
    </span>
  );
}

function JobRow({ job, now, database }: { job: JobSummary; now: number; database: string }) {
  const outcome = backupOutcome(job);
  const restored = resultOf(job, 'restore');
  const route = restoreRoute(job);
  return (
    <tr
      data-testid="job-row"
      data-job-id={job.id}
      data-kind={job.kind}
      data-status={job.status}
      data-artifact={outcome?.artifact ?? undefined}
      data-restore-source={route?.source ?? undefined}
      data-restore-target={route?.target}
      className="border-b border-zinc-100 last:border-b-0 dark:border-zinc-800"
    >
      <th scope="row" className="px-3 py-2 font-normal whitespace-nowrap">
        <Link href={jobHref(job.id)} className="font-medium text-teal-700 hover:underline dark:text-teal-400">
          #{job.id}
        </Link>{' '}
        {job.kind}
        <RestoreWay job={job} database={database} />
      </th>
      <td className="px-3 py-2">
        <JobStatusBadge status={job.status} />
      </td>
      <td className="px-3 py-2">
        <JobProgressBar progress={job.progress} status={job.status} label={`Progress of job #${job.id}`} />
      </td>
      <td className="px-3 py-2 whitespace-nowrap text-zinc-600 dark:text-zinc-400">
        <UtcTime value={job.startedAt ?? job.createdAt} />
      </td>
      <td className="px-3 py-2 text-right tabular-nums whitespace-nowrap">{formatDuration(jobDuration(job, now))}</td>
      <td className="max-w-xs px-3 py-2 text-xs">
        {job.status === 'succeeded' && outcome?.artifact ? (
          <span>
            {outcome.type === 'diff' ? 'differential' : outcome.type} <code className="font-mono break-all">{outcome.artifact}</code>
            {outcome.fallbackReason ? <span className="block text-amber-700 dark:text-amber-400">fell back to a full: {outcome.fallbackReason}</span> : null}
          </span>
        ) : job.status === 'succeeded' && restored && 'restoredTx' in restored ? (
          <span data-testid="restore-ends-at">
            {restored.database} ends at transaction <span className="font-mono tabular-nums">{formatNumber(restored.restoredTx)}</span>
          </span>
        ) : job.error && job.status !== 'succeeded' ? (
          <>
            <span className="text-red-700 dark:text-red-400">{job.error}</span>
            <ErrorHint code={job.errorCode} className="mt-0.5" />
          </>
        ) : (
          <span className="text-zinc-500">{job.status === 'running' ? '' : 'done'}</span>
        )}
      </td>
    </tr>
  );
}
