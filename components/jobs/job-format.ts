/**
 * How jobs read on screen: status tones, durations, phases and how far a job has got. Pure, shared by the
 * jobs pages and the restore wizard.
 */
import type { BadgeTone } from '@/components/ui/badge';
import type { JobProgress, JobStatus } from '@/lib/db/schema';
import { formatBytes, formatNumber } from '@/lib/format';

export const STATUS_TONE: Record<JobStatus, BadgeTone> = {
  running: 'info',
  succeeded: 'good',
  failed: 'bad',
  cancelled: 'warn',
  interrupted: 'warn',
};

/** From start to end, or to `now` while the job runs. */
export function jobDuration(job: { startedAt: number | null; endedAt: number | null; createdAt: number }, now: number): number {
  return (job.endedAt ?? now) - (job.startedAt ?? job.createdAt);
}

const PHASES: Record<string, string> = {
  'restore:store': 'Reading the full backup',
  'restore:replay': 'Replaying transactions',
  'install:stop': 'Stopping the database on every member',
  'install:install': 'Installing the restored store',
  'install:catch-up': 'Bringing the other members up to date',
  done: 'Done',
};

/** A progress phase in words ("restore:replay" -> "Replaying transactions"). */
export function phaseLabel(phase: string): string {
  return PHASES[phase] ?? phase.replace(/[:_-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}

/** How far the job has got, 0..1, or null when the phase says nothing about it. */
export function progressFraction(p: JobProgress | null | undefined): number | null {
  if (!p) return null;
  if (p.phase === 'done') return 1;
  if (p.txTotal && p.phase.endsWith(':replay')) return clamp((p.txDone ?? 0) / p.txTotal);
  if (p.bytesTotal) return clamp((p.bytesDone ?? 0) / p.bytesTotal);
  if (p.txTotal) return clamp((p.txDone ?? 0) / p.txTotal);
  return null;
}

/** The counters of a progress line in words ("12.3 MiB of 40.0 MiB", "120 of 400 transactions"). */
export function progressDetail(p: JobProgress): string | null {
  if (p.message) return p.message;
  if (p.phase.endsWith(':replay') && p.txTotal) return `${formatNumber(p.txDone ?? 0)} of ${formatNumber(p.txTotal)} transactions`;
  if (p.bytesTotal) return `${formatBytes(p.bytesDone ?? 0)} of ${formatBytes(p.bytesTotal)}`;
  if (p.txTotal) return `${formatNumber(p.txDone ?? 0)} of ${formatNumber(p.txTotal)} transactions`;
  if (p.bytesDone) return formatBytes(p.bytesDone);
  return null;
}

function clamp(x: number): number {
  return Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0));
}
