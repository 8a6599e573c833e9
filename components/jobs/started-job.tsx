'use client';

/**
 * A job the user just started (or one already running), followed live: status, progress, and what it did.
 * Polls GET /api/jobs/{id} about once a second until the job ends; then, with `refreshOnFinish`, refreshes the
 * page's server data (new artifacts, health) and the job lists.
 */
import Link from 'next/link';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { ErrorHint } from '@/components/ui/error-hint';
import { JobProgressBar } from './job-progress-bar';
import { backupOutcome, backupTypeLabel } from './job-results';
import { JobStatusBadge } from './job-status-badge';
import { jobDone, jobHref, jobKeys, jobQuery } from './jobs-query';

export function StartedJob({ jobId, kind, database, refreshOnFinish = true }: { jobId: number; kind: string; database: string; refreshOnFinish?: boolean }) {
  const query = useQuery(jobQuery(jobId));
  const job = query.data;
  const router = useRouter();
  const qc = useQueryClient();
  // This line is only shown for a job that was running when the page rendered or was started since, so its
  // end (even one that came before the first poll) changes what the page shows: refresh once.
  const ended = useRef(false);
  const status = job?.status;
  // refreshed once what follows the job (indexing its folder) is done too: the page then reads the new state
  const done = job ? jobDone(job) : false;
  useEffect(() => {
    if (!done || ended.current) return;
    ended.current = true;
    void qc.invalidateQueries({ queryKey: jobKeys.all });
    if (refreshOnFinish) router.refresh();
  }, [done, qc, router, refreshOnFinish]);

  const outcome = job ? backupOutcome(job) : null;
  const typeLabel = job ? backupTypeLabel(job) : null;
  return (
    <div data-testid="started-job" data-job-id={jobId} data-status={status ?? 'loading'} data-done={done} data-artifact={outcome?.artifact ?? undefined} className="space-y-1.5 text-sm">
      <div className="flex flex-wrap items-center gap-2">
        <Link href={jobHref(jobId)} className="font-medium text-teal-700 underline-offset-2 hover:underline dark:text-teal-400">
          {kind} job #{jobId}
        </Link>
        <span className="text-zinc-600 dark:text-zinc-400">of {database}</span>
        {typeLabel ? (
          <span data-testid="backup-type" className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs font-medium text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
            {typeLabel}
          </span>
        ) : null}
        {job ? <JobStatusBadge status={job.status} /> : null}
      </div>
      {job ? <JobProgressBar progress={job.progress} status={job.status} label={`Progress of job #${jobId}`} /> : null}
      {job?.status === 'succeeded' && outcome?.artifact ? (
        <p className="text-zinc-700 dark:text-zinc-300">
          Wrote a {outcome.type === 'diff' ? 'differential' : outcome.type ?? ''} backup <code className="font-mono text-xs">{outcome.artifact}</code>
          {outcome.fallbackReason ? <span className="block text-amber-700 dark:text-amber-400">Fell back to a full: {outcome.fallbackReason}</span> : null}
        </p>
      ) : null}
      {job && job.status !== 'running' && job.status !== 'succeeded' && job.error ? (
        <div>
          <p className="text-red-700 dark:text-red-400">{job.error}</p>
          <ErrorHint code={job.errorCode} />
        </div>
      ) : null}
      {query.error ? <p className="text-red-700 dark:text-red-400">Could not follow the job: {query.error.message}</p> : null}
    </div>
  );
}
