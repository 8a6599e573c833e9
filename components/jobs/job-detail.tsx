'use client';

/**
 * One job in full: status and live progress, when and by whom, the command it runs, its parameters, its
 * result (a restore's digest in words) and error, and the whole log. Polls GET /api/jobs/{id} about once a
 * second until the job has finished.
 */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { CopyCommand } from '@/components/ui/copy-command';
import { ErrorHint } from '@/components/ui/error-hint';
import { UtcTime } from '@/components/ui/utc-time';
import type { JobRow } from '@/lib/db/schema';
import { formatDuration } from '@/lib/format';
import { CancelJobButton } from './cancel-job-button';
import { JobFields } from './job-fields';
import { JobLog } from './job-log';
import { jobDuration } from './job-progress';
import { JobProgressBar } from './job-progress-bar';
import { resultOf } from './job-results';
import { JobStatusBadge } from './job-status-badge';
import { jobQuery } from './jobs-query';
import { RestoreResultSummary } from './restore-result';

export function JobDetail({ initialJob, renderedAt, canCancel }: { initialJob: JobRow; renderedAt: number; canCancel: boolean }) {
  const query = useQuery({ ...jobQuery(initialJob.id), initialData: initialJob, initialDataUpdatedAt: renderedAt });
  const job = query.data;
  const running = job.status === 'running';
  const restore = resultOf(job, 'restore');
  return (
    <div className="space-y-6" data-testid="job-detail" data-status={job.status}>
      <div className="flex flex-wrap items-center gap-3">
        <JobStatusBadge status={job.status} />
        {running && canCancel ? <CancelJobButton jobId={job.id} label="Cancel job" /> : null}
        <span role="status" aria-live="polite" data-testid="job-status-line" className="text-sm text-zinc-600 dark:text-zinc-400">
          {query.error ? (
            `Update failed (${query.error.message})`
          ) : running ? (
            'Running · updating live'
          ) : job.endedAt !== null ? (
            <>
              Ended <UtcTime value={job.endedAt} /> after {formatDuration(jobDuration(job, job.endedAt))}
            </>
          ) : (
            'Ended'
          )}
        </span>
      </div>

      {running || job.progress ? (
        <Section title="Progress">
          <JobProgressBar progress={job.progress} status={job.status} label={`Progress of job #${job.id}`} />
        </Section>
      ) : null}

      {job.error ? (
        <div role="alert" data-testid="job-error" className="rounded-lg border border-red-300 bg-red-50 px-4 py-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          <p>
            <span className="font-semibold">Error: </span>
            {job.error}
          </p>
          <ErrorHint code={job.errorCode} className="mt-1" />
        </div>
      ) : null}

      <Section title="Details">
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
          <Item label="Kind">{job.kind}</Item>
          <Item label="Database">{job.database}</Item>
          <Item label="Created by">{job.createdBy ?? '—'}</Item>
          <Item label="Created">
            <UtcTime value={job.createdAt} />
          </Item>
          <Item label="Started">
            <UtcTime value={job.startedAt} />
          </Item>
          <Item label="Ended">
            <UtcTime value={job.endedAt} />
          </Item>
          <Item label="Duration">
            <span className="font-mono tabular-nums">{formatDuration(jobDuration(job, query.dataUpdatedAt))}</span>
          </Item>
          <Item label="Exit code">
            <span className="font-mono" data-testid="job-exit-code">
              {job.exitCode ?? '—'}
            </span>
          </Item>
          <Item label="Command">
            <CopyCommand args={job.args} />
          </Item>
        </dl>
      </Section>

      {restore ? (
        <Section title="Restored database">
          <RestoreResultSummary result={restore} job={job} />
        </Section>
      ) : null}

      <div className="grid gap-6 lg:grid-cols-2">
        <Section title="Parameters">
          <JobFields value={job.params} label="Parameters" />
        </Section>
        <Section title="Result">{job.result ? <JobFields value={job.result} label="Result" /> : <p className="text-sm text-zinc-500 dark:text-zinc-400">{running ? 'Not finished yet.' : 'No result was reported.'}</p>}</Section>
      </div>

      <Section title="Log">
        <JobLog log={job.log} follow={running} className="max-h-[32rem]" />
      </Section>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-label={title} className="space-y-2">
      <h2 className="text-lg font-semibold">{title}</h2>
      {children}
    </section>
  );
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd>{children}</dd>
    </>
  );
}
