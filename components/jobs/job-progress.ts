/**
 * How far a job has got, for every page that shows one: its phase in words, the fraction done (one function,
 * so a job shows the same percentage everywhere), its counters in words, and how long it has run. Pure.
 *
 * A progress line is what `txline … --progress=jsonl` prints (lib/engine/progress.ts) and the runner keeps
 * as the job's latest progress. Its counters, as the emitters fill them:
 * - backup, full: `store` (bytes of the store copied, of its size), `finalize`, `done`;
 * - backup, differential: `transactions` (transactions received of those to fetch; bytes received but no byte
 *   total until all are in), `done`;
 * - restore and aggregate: `restore:store` / `aggregate:store` (reading the full) then `…:replay`, both counting
 *   bytes read of the whole chain's payload (one counter across both), and transactions replayed of those to
 *   replay; then `install:stop`, `install:install` (bytes of the rebuilt store sent), `install:catch-up`
 *   (members on the restored store, `membersReady` of `membersTotal`; its bytes are the whole store, sent) or
 *   `aggregate:write`; `done`;
 * - verify: `check` (bytes and transactions of the artifacts checked), `done`.
 * Any counter may be missing, or null while unknown.
 */
import type { JobProgress } from '@/lib/db/schema';
import { formatBytes, formatNumber } from '@/lib/format';

/**
 * A job's latest progress line: the stored JobProgress, whose counters may also be null, plus the members a
 * catch-up counts. Not the protocol's ProgressEvent (lib/jobs/protocol.ts): the runner stores an event with its
 * `ts` turned into `at`, and JobProgress (the stored shape) leaves counters out that the event requires.
 */
export type ProgressLine = Omit<JobProgress, 'at' | 'bytesDone' | 'txDone'> & {
  at?: number;
  bytesDone?: number | null;
  txDone?: number | null;
  membersReady?: number | null;
  membersTotal?: number | null;
};

const PHASES: Record<string, string> = {
  store: 'Copying the store',
  finalize: 'Writing the backup',
  transactions: 'Copying transactions',
  check: 'Checking artifacts',
  'restore:store': 'Reading the full backup',
  'restore:replay': 'Replaying transactions',
  'aggregate:store': 'Reading the full backup',
  'aggregate:replay': 'Replaying transactions',
  'aggregate:write': 'Writing the aggregated backup',
  'install:stop': 'Stopping the database on every member',
  'install:install': 'Installing the restored store',
  'install:catch-up': 'Bringing the other members up to date',
  'drill:plan': 'Choosing the chain and the point',
  'drill:restore': 'Restoring into a scratch database',
  'drill:reads': 'Waiting for the scratch database to serve reads',
  'drill:consistency': 'Checking the consistency of the scratch database',
  'drill:counts': 'Comparing the counts with the backups',
  'drill:cleanup': 'Dropping the scratch database',
  done: 'Done',
};

/** A progress phase in words ("restore:replay" -> "Replaying transactions"). */
export function phaseLabel(phase: string): string {
  return PHASES[phase] ?? phase.replace(/[:_-]+/g, ' ').replace(/^\w/, (c) => c.toUpperCase());
}

/** A counter's value when it is a number (counters may be missing, null, or not what they should be). */
function count(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** done / total, 0..1, or null when there is no total to measure against. */
function ratio(done: unknown, total: unknown): number | null {
  const t = count(total);
  if (t === null || t <= 0) return null;
  return Math.min(1, Math.max(0, (count(done) ?? 0) / t));
}

/**
 * How far the job has got, 0..1, or null when its current phase measures nothing (a pulsing bar).
 *
 * The counter is chosen by what it measures, not by phase name, in this order:
 * 1. members ready of members, when the line counts members (a restore's catch-up): its byte counters say the
 *    whole store has been sent, which is true but would show 100% while the other members still catch up;
 * 2. bytes of a known byte total: the one counter that covers a phase's whole work. During a restore's (or an
 *    aggregation's) rebuild, bytesTotal is the payload of the whole chain and bytesDone one counter across
 *    reading the full and replaying the differentials, so the bar rises steadily through both. Transactions
 *    would be wrong there: they start at 0 again when the replay starts (the bar would jump back from, say,
 *    90% to 0%) and they reach their total at the restore point while the rest of the last differential is
 *    still being read and verified;
 * 3. transactions of a known total: a differential backup, whose byte total is unknown until the end.
 */
export function progressFraction(p: ProgressLine | null | undefined): number | null {
  if (!p) return null;
  if (p.phase === 'done') return 1;
  return ratio(p.membersReady, p.membersTotal) ?? ratio(p.bytesDone, p.bytesTotal) ?? ratio(p.txDone, p.txTotal);
}

/**
 * The line's counters in words ("12 MiB of 40 MiB · 120 of 400 transactions"), or the engine's own message
 * for the phase ("2 of 3 members on the restored store"); null when it says nothing.
 */
export function progressDetail(p: ProgressLine): string | null {
  if (p.message) return p.message;
  const parts: string[] = [];
  const bytesDone = count(p.bytesDone) ?? 0;
  const bytesTotal = count(p.bytesTotal);
  if (bytesTotal) parts.push(`${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)}`);
  else if (bytesDone > 0) parts.push(formatBytes(bytesDone));
  const txDone = count(p.txDone) ?? 0;
  const txTotal = count(p.txTotal);
  // "0 of 400 transactions" beside the bytes of the full being read says nothing yet
  if (txTotal && (txDone > 0 || parts.length === 0)) parts.push(`${formatNumber(txDone)} of ${formatNumber(txTotal)} transactions`);
  else if (!txTotal && txDone > 0) parts.push(`${formatNumber(txDone)} transactions`);
  const membersTotal = count(p.membersTotal);
  if (membersTotal) parts.push(`${formatNumber(count(p.membersReady) ?? 0)} of ${formatNumber(membersTotal)} members ready`);
  return parts.length ? parts.join(' · ') : null;
}

/** From start to end, or to `now` while the job runs. */
export function jobDuration(job: { startedAt: number | null; endedAt: number | null; createdAt: number }, now: number): number {
  return (job.endedAt ?? now) - (job.startedAt ?? job.createdAt);
}
