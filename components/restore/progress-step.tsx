/**
 * Steps 5 and 6: the restore job live (its phase, a progress bar, the phases passed, the log), then its
 * outcome — the restored database's last transaction, node and relationship counts and digest, or the error
 * and the log.
 */
import Link from 'next/link';
import { CancelJobButton } from '@/components/jobs/cancel-job-button';
import { JobLog } from '@/components/jobs/job-log';
import { phaseLabel } from '@/components/jobs/job-progress';
import { JobProgressBar } from '@/components/jobs/job-progress-bar';
import { JobStatusBadge } from '@/components/jobs/job-status-badge';
import { resultOf } from '@/components/jobs/job-results';
import { RestoreResultSummary } from '@/components/jobs/restore-result';
import { ErrorHint } from '@/components/ui/error-hint';
import type { JobRow } from '@/lib/db/schema';
import { formatNumber } from '@/lib/format';
import { isNeo4jRestoreResult } from '@/lib/jobs/protocol';

const PHASES = ['restore:store', 'restore:replay', 'install:stop', 'install:install', 'install:catch-up'] as const;

export function ProgressStep({ jobId, job, error }: { jobId: number; job: JobRow | undefined; error: Error | null }) {
  const phase = job?.progress?.phase ?? '';
  const at = PHASES.indexOf(phase as (typeof PHASES)[number]);
  return (
    <div className="space-y-5" data-testid="restore-progress">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span>
          Restore job{' '}
          <Link href={`/jobs/${jobId}`} className="font-mono text-teal-700 underline dark:text-teal-400">
            #{jobId}
          </Link>
        </span>
        {job ? <JobStatusBadge status={job.status} /> : null}
        {job?.status === 'running' ? <CancelJobButton jobId={jobId} label="Cancel restore" /> : null}
        <span role="status" aria-live="polite" className="text-zinc-600 dark:text-zinc-400">
          {error ? `Update failed (${error.message}); retrying` : job ? phaseLabel(phase || 'starting') : 'Starting…'}
        </span>
      </div>
      <JobProgressBar progress={job?.progress ?? null} status={job?.status ?? 'running'} label={`Progress of restore job #${jobId}`} />
      <ol className="grid gap-1 text-sm sm:grid-cols-5" aria-label="Restore phases">
        {PHASES.map((p, i) => {
          const state = phase === 'done' || i < at ? 'done' : i === at ? 'current' : 'todo';
          return (
            <li key={p} data-state={state} aria-current={state === 'current' ? 'step' : undefined} className={state === 'todo' ? 'text-zinc-400 dark:text-zinc-500' : state === 'current' ? 'font-medium' : 'text-teal-800 dark:text-teal-300'}>
              <span aria-hidden="true">{state === 'done' ? '✓ ' : state === 'current' ? '▸ ' : '· '}</span>
              {phaseLabel(p)}
            </li>
          );
        })}
      </ol>
      {job ? (
        <details open className="rounded-lg">
          <summary className="cursor-pointer text-sm font-medium">Log</summary>
          <div className="mt-2">
            <JobLog log={job.log} follow className="max-h-64" />
          </div>
        </details>
      ) : null}
    </div>
  );
}

export function ResultStep({ job, onRestart, onBack }: { job: JobRow; onRestart: () => void; onBack: () => void }) {
  const result = resultOf(job, 'restore');
  const buttons = (
    <div className="flex flex-wrap gap-3">
      <button type="button" onClick={onRestart} className="rounded-md bg-teal-700 px-4 py-2 text-sm font-medium text-white hover:bg-teal-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600">
        Start another restore
      </button>
      {job.status !== 'succeeded' ? (
        <button type="button" onClick={onBack} className="rounded-md border border-zinc-300 px-4 py-2 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-500 dark:border-zinc-700 dark:hover:bg-zinc-800">
          Back to the review
        </button>
      ) : null}
      <Link href={`/jobs/${job.id}`} className="rounded-md border border-zinc-300 px-4 py-2 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-500 dark:border-zinc-700 dark:hover:bg-zinc-800">
        Job #{job.id}
      </Link>
    </div>
  );
  if (job.status === 'succeeded' && result && !isNeo4jRestoreResult(result)) {
    return (
      <div className="space-y-5" data-testid="restore-outcome" data-status="succeeded">
        <p role="status" className="rounded-lg border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
          Restored <strong>{result.database}</strong> at transaction {formatNumber(result.restoredTx)}, replaying {formatNumber(result.replayed)}{' '}
          transaction{result.replayed === 1 ? '' : 's'}; every member now serves it.{' '}
          <Link href={`/databases/${encodeURIComponent(result.database)}`} className="underline">
            Open {result.database}
          </Link>
        </p>
        <RestoreResultSummary result={result} job={job} />
        {buttons}
      </div>
    );
  }
  return (
    <div className="space-y-5" data-testid="restore-outcome" data-status={job.status}>
      <div role="alert" className="rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
        <p className="font-semibold">The restore {job.status === 'cancelled' ? 'was cancelled' : job.status === 'interrupted' ? 'was interrupted' : 'failed'}.</p>
        <p className="mt-1" data-testid="restore-error">
          {job.error ?? 'No reason was reported; see the log.'}
        </p>
        <ErrorHint code={job.errorCode} className="mt-1" />
      </div>
      <JobLog log={job.log} follow={false} className="max-h-80" />
      {buttons}
    </div>
  );
}
