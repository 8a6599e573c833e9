/**
 * A job's progress, the same on every page: the phase in words and the percentage, a bar (determinate when
 * the phase counts something, pulsing otherwise) and the counters in words. A finished job shows a full bar,
 * or where it stopped when it did not succeed. `compact` (table cells) leaves the counters out; they stay in
 * the bar's accessible value.
 */
import type { JobStatus } from '@/lib/db/schema';
import { phaseLabel, progressDetail, progressFraction, type ProgressLine } from './job-progress';

export function JobProgressBar({ progress, status, label, compact = false }: { progress: ProgressLine | null | undefined; status: JobStatus; label: string; compact?: boolean }) {
  if (status !== 'running') {
    if (status === 'succeeded') return <Bar fraction={1} label={label} phase="Finished" tone="done" compact={compact} />;
    return <span className="text-sm text-zinc-500 dark:text-zinc-400">{progress ? `stopped at: ${phaseLabel(progress.phase)}` : '—'}</span>;
  }
  return (
    <Bar
      fraction={progressFraction(progress)}
      label={label}
      phase={progress ? phaseLabel(progress.phase) : 'Starting'}
      detail={progress ? progressDetail(progress) : null}
      tone="running"
      compact={compact}
    />
  );
}

function Bar({ fraction, label, phase, detail, tone, compact }: { fraction: number | null; label: string; phase: string; detail?: string | null; tone: 'running' | 'done'; compact: boolean }) {
  const pct = fraction === null ? null : Math.round(fraction * 100);
  return (
    <div className={compact ? 'min-w-40' : 'w-full'} data-testid="job-progress" data-phase={phase}>
      <div className="flex items-baseline justify-between gap-2 text-xs text-zinc-600 dark:text-zinc-400">
        <span className="truncate">{phase}</span>
        {pct !== null ? <span className="font-mono tabular-nums">{pct}%</span> : null}
      </div>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct ?? undefined}
        aria-valuetext={[pct === null ? null : `${pct}%`, phase, detail].filter(Boolean).join(', ')}
        className={`mt-1 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800 ${compact ? 'h-1.5' : 'h-2.5'}`}
      >
        <div
          className={`h-full rounded-full transition-[width] duration-500 ${tone === 'done' ? 'bg-emerald-600 dark:bg-emerald-500' : 'bg-teal-600 dark:bg-teal-500'} ${pct === null ? 'w-1/3 animate-pulse' : ''}`}
          style={pct === null ? undefined : { width: `${Math.max(2, pct)}%` }}
        />
      </div>
      {detail && !compact ? <div className="mt-1 text-xs text-zinc-500 tabular-nums dark:text-zinc-400">{detail}</div> : null}
    </div>
  );
}
