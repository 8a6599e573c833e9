/** How an artifact is named in the timeline, its tooltip, the details panel and assistive technology. */
import type { TimelineArtifact } from '@/lib/dashboard/timeline';
import { formatNumber, formatTxRange, formatUtc } from '@/lib/format';

export function typeLabel(a: Pick<TimelineArtifact, 'full' | 'empty'>): string {
  return a.full ? 'full' : a.empty ? 'empty differential' : 'differential';
}

export function txRangeLabel(a: TimelineArtifact): string {
  if (a.empty) return `none (at ${formatNumber(a.tipTx)})`;
  if (a.full && a.tipTx === 0) return 'none (the database was empty)';
  return formatTxRange(a.fromTx, a.toTx);
}

/** One sentence: what a bar is (its accessible name). */
export function describeArtifact(a: TimelineArtifact): string {
  return `${typeLabel(a)} backup ${a.file}, transactions ${txRangeLabel(a)}, ${formatUtc(a.time)}`;
}
