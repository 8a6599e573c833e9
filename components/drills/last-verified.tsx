/**
 * "Last verified": when a database's newest chain was last proven by a restore drill, at which point and with
 * what RTO; flagged when it never was, or was more than 48 hours ago, and when the newest drill failed.
 * Shared by the overview's cards and the database page (server-rendered; the age keeps itself current).
 */
import Link from 'next/link';
import { RelativeAge } from '@/components/backups/relative-age';
import { jobHref } from '@/components/jobs/jobs-query';
import { Badge } from '@/components/ui/badge';
import type { Verification } from '@/lib/db/queries/drills';
import { formatDuration, formatNumber } from '@/lib/format';

function pointText(p: { pointKind: string; pointTx: number | null }): string {
  const tx = p.pointTx === null ? '' : ` ${formatNumber(p.pointTx)}`;
  return p.pointKind === 'latest' ? `newest point, tx${tx}` : p.pointKind === 'random' ? `random point, tx${tx}` : `tx${tx}`;
}

export function LastVerified({ verification: v, now }: { verification: Verification; now: number }) {
  const p = v.lastPassed;
  return (
    <span
      data-testid="last-verified"
      data-stale={v.stale}
      data-verified-at={p?.finishedAt ?? undefined}
      data-rto-ms={p?.rtoMs ?? undefined}
      data-failed={v.lastFailed ? true : undefined}
      className="flex flex-wrap items-center justify-end gap-x-2 gap-y-1"
    >
      {p ? (
        <>
          <RelativeAge time={p.finishedAt} now={now} />
          <span className="text-zinc-500">
            · {pointText(p)} · RTO <span className="tabular-nums" data-testid="last-verified-rto">{p.rtoMs === null ? '—' : formatDuration(p.rtoMs)}</span>
          </span>
        </>
      ) : (
        <span className="text-zinc-500">never</span>
      )}
      {v.stale ? <Badge tone="warn">{p ? 'over 48 h ago' : 'never verified'}</Badge> : null}
      {v.lastFailed ? (
        <span title={v.lastFailed.problem ?? undefined}>
          <Badge tone="bad">
            last drill failed: {v.lastFailed.failedCheck ?? 'error'}
            {v.lastFailed.artifact ? ` (${v.lastFailed.artifact})` : ''}
          </Badge>
          {v.lastFailed.jobId !== null ? (
            <Link href={jobHref(v.lastFailed.jobId)} className="ml-1 text-xs text-teal-700 hover:underline dark:text-teal-400">
              job #{v.lastFailed.jobId}
            </Link>
          ) : null}
        </span>
      ) : null}
    </span>
  );
}
