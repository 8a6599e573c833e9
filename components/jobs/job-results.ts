/**
 * What a finished job reports, read from its stored result (the CLI's result line) through the job protocol
 * (lib/jobs/protocol.ts): typed for the job's kind, or null when the job is of another kind or has no result
 * of its kind's shape. The one place in the browser that reads `job.result`.
 */
import type { JobRow } from '@/lib/db/schema';
import { jobResult, type JobKind, type JobResult } from '@/lib/jobs/protocol';

/** The job's result, typed, when the job is of `kind` and its result has that kind's shape. */
export function resultOf<K extends JobKind>(job: Pick<JobRow, 'kind' | 'result'>, kind: K): JobResult<K> | null {
  return job.kind === kind ? jobResult(kind, job.result) : null;
}

/** What a backup run did for one database: the artifact it wrote, its type, why it fell back to a full. */
export type BackupOutcome = JobResult<'backup'>['results'][number];

/** What a finished backup did (its result's first database: a dashboard backup job backs up one), if it says. */
export function backupOutcome(job: Pick<JobRow, 'kind' | 'result'>): BackupOutcome | null {
  return resultOf(job, 'backup')?.results[0] ?? null;
}

const TYPE_WORDS = { full: 'full', diff: 'differential' } as const;

/**
 * What kind of backup a backup job takes, in words, for the line that follows it: "full" or "differential" as
 * asked; for auto, "auto → full" / "auto → differential" once the job shows what it became (its result, or
 * while it runs its phase: the store is copied for a full, transactions for a differential), else "auto".
 * Null for a job of another kind.
 */
export function backupTypeLabel(job: Pick<JobRow, 'kind' | 'result' | 'params' | 'progress'>): string | null {
  if (job.kind !== 'backup') return null;
  const asked = job.params.type;
  if (asked === 'full' || asked === 'diff') return TYPE_WORDS[asked];
  const became = backupOutcome(job)?.type ?? (job.progress?.phase === 'store' ? 'full' : job.progress?.phase === 'transactions' ? 'diff' : undefined);
  return became ? `auto → ${TYPE_WORDS[became]}` : 'auto';
}
