/**
 * A job's progress as a bar: by bytes when the total is known, else by transactions, else indeterminate
 * (a pulsing bar) while it runs.
 */
import { formatBytes, formatNumber } from '@/lib/format';
import type { JobProgress as Progress, JobStatus } from '@/lib/db/schema';

export function progressFraction(p: Progress | null | undefined): number | null {
  if (!p) return null;
  if (p.phase === 'done') return 1;
  if (p.bytesTotal && p.bytesTotal > 0 && p.bytesDone !== undefined) return Math.min(1, p.bytesDone / p.bytesTotal);
  if (p.txTotal && p.txTotal > 0 && p.txDone !== undefined) return Math.min(1, p.txDone / p.txTotal);
  return null;
}

function progressText(p: Progress | null | undefined): string {
  if (!p) return 'starting';
  const parts = [p.phase];
  if (p.bytesDone !== undefined) parts.push(p.bytesTotal ? `${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}` : formatBytes(p.bytesDone));
  if (p.txDone !== undefined) parts.push(p.txTotal ? `${formatNumber(p.txDone)} of ${formatNumber(p.txTotal)} tx` : `${formatNumber(p.txDone)} tx`);
  return parts.join(' · ');
}

const BAR_TONE: Partial<Record<JobStatus, string>> = {
  succeeded: 'bg-emerald-600',
  failed: 'bg-red-600',
  cancelled: 'bg-zinc-400',
  interrupted: 'bg-amber-500',
};

export function JobProgressBar({ progress, status, label }: { progress: Progress | null | undefined; status: JobStatus; label: string }) {
  const f = status === 'succeeded' ? 1 : progressFraction(progress);
  const running = status === 'running';
  const pct = f === null ? null : Math.round(f * 100);
  return (
    <div className="space-y-1">
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        aria-valuetext={running ? `${pct === null ? '' : `${pct}% · `}${progressText(progress)}` : status}
        className="h-2 w-full overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
      >
        <div
          className={`h-full rounded-full transition-[width] duration-300 ${running ? 'bg-teal-600 dark:bg-teal-500' : (BAR_TONE[status] ?? 'bg-zinc-400')} ${running && f === null ? 'w-1/3 animate-pulse' : ''}`}
          style={f === null ? undefined : { width: `${Math.max(2, (f ?? 0) * 100)}%` }}
        />
      </div>
      {running ? <div className="text-xs text-zinc-600 tabular-nums dark:text-zinc-400">{progressText(progress)}</div> : null}
    </div>
  );
}
