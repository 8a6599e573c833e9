/**
 * A job's progress: the phase in words, a bar (determinate when the phase counts bytes or transactions,
 * pulsing otherwise) and the counters. A finished job shows a full bar, or none when it did not succeed.
 */
import type { JobProgress, JobStatus } from '@/lib/db/schema';
import { phaseLabel, progressDetail, progressFraction } from './job-format';

export function JobProgressBar({ progress, status, compact = false }: { progress: JobProgress | null; status: JobStatus; compact?: boolean }) {
  if (status !== 'running') {
    if (status === 'succeeded') return <Bar fraction={1} label="Finished" tone="done" compact={compact} />;
    return <span className="text-sm text-zinc-500 dark:text-zinc-400">{progress ? `stopped at: ${phaseLabel(progress.phase)}` : '—'}</span>;
  }
  const fraction = progressFraction(progress);
  const label = progress ? phaseLabel(progress.phase) : 'Starting';
  const detail = progress ? progressDetail(progress) : null;
  return <Bar fraction={fraction} label={label} detail={detail} tone="running" compact={compact} />;
}

function Bar({ fraction, label, detail, tone, compact }: { fraction: number | null; label: string; detail?: string | null; tone: 'running' | 'done'; compact: boolean }) {
  const pct = fraction === null ? null : Math.round(fraction * 100);
  return (
    <div className={compact ? 'min-w-40' : 'w-full'} data-testid="job-progress" data-phase={label}>
      <div className="flex items-baseline justify-between gap-2 text-xs text-zinc-600 dark:text-zinc-400">
        <span className="truncate">{label}</span>
        {pct !== null ? <span className="font-mono tabular-nums">{pct}%</span> : null}
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        aria-valuetext={pct === null ? `${label}${detail ? `: ${detail}` : ''}` : `${pct}%${detail ? `, ${detail}` : ''}`}
        className={`mt-1 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800 ${compact ? 'h-1.5' : 'h-2.5'}`}
      >
        <div
          className={`h-full rounded-full transition-[width] duration-500 ${tone === 'done' ? 'bg-emerald-600 dark:bg-emerald-500' : 'bg-teal-600 dark:bg-teal-500'} ${pct === null ? 'w-1/3 animate-pulse' : ''}`}
          style={pct === null ? undefined : { width: `${pct}%` }}
        />
      </div>
      {detail && !compact ? <div className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">{detail}</div> : null}
    </div>
  );
}
