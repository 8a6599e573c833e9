/**
 * "Restored from neo4j at tx 128 on <time>": where a restored database's contents came from (the restore job
 * that made it, lib/dashboard/restores.ts), on its overview card and its page, linked to the source database
 * and to the job.
 */
import Link from 'next/link';
import { jobHref } from '@/components/jobs/jobs-query';
import { UtcTime } from '@/components/ui/utc-time';
import type { RestoredFrom as Restore } from '@/lib/dashboard/restores';
import { formatNumber } from '@/lib/format';

export function RestoredFrom({ restore, sourceHref, className = '' }: { restore: Restore; sourceHref: string; className?: string }) {
  return (
    <p
      data-testid="restored-from"
      data-source={restore.source}
      data-tx={restore.tx}
      data-job-id={restore.jobId}
      className={`text-sm text-zinc-600 dark:text-zinc-400 ${className}`}
    >
      restored from{' '}
      <Link href={sourceHref} className="font-medium text-teal-800 hover:underline focus-visible:underline dark:text-teal-300">
        {restore.source}
      </Link>{' '}
      at tx <span className="font-mono tabular-nums">{formatNumber(restore.tx)}</span> on <UtcTime value={restore.at} />{' '}
      <Link href={jobHref(restore.jobId)} className="text-xs text-teal-700 hover:underline dark:text-teal-400">
        (job #{restore.jobId})
      </Link>
    </p>
  );
}
