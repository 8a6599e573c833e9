/**
 * What a finished job reports, read from its result (the CLI's result line, stored as JSON): a backup's
 * artifact and a restore's outcome. The result is untyped today, so each field is checked before use; this is
 * the one place in the browser that reads `job.result`, to be wired to the typed job protocol's results.
 */
import type { JobRow } from '@/lib/db/schema';

/** What a finished backup wrote (its result's first artifact), if it says. */
export function backupOutcome(job: Pick<JobRow, 'kind' | 'result'>): { artifact: string | null; type: string | null; fallbackReason: string | null } | null {
  if (job.kind !== 'backup' || !job.result || !Array.isArray(job.result.results)) return null;
  const r = (job.result.results as Array<Record<string, unknown>>)[0];
  if (!r) return null;
  return {
    artifact: typeof r.artifact === 'string' ? r.artifact : null,
    type: typeof r.type === 'string' ? r.type : null,
    fallbackReason: typeof r.fallbackReason === 'string' ? r.fallbackReason : null,
  };
}

export interface RestoreResult {
  database: string | null;
  restoredTx: number;
  replayed: number;
  storeId: string | null;
  chain: string[];
  digest: { lastCommittedTxn: number; nodes: number; relationships: number; contentHash: string } | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The job's result as a restore result, or null when it is not one. */
export function asRestoreResult(result: Record<string, unknown> | null | undefined): RestoreResult | null {
  if (!result) return null;
  const restoredTx = num(result.restoredTx);
  if (restoredTx === null) return null;
  const d = result.digest as Record<string, unknown> | undefined;
  const digest =
    d && typeof d === 'object' && typeof d.contentHash === 'string'
      ? { lastCommittedTxn: num(d.lastCommittedTxn) ?? restoredTx, nodes: num(d.nodes) ?? 0, relationships: num(d.relationships) ?? 0, contentHash: d.contentHash }
      : null;
  return {
    database: typeof result.database === 'string' ? result.database : null,
    restoredTx,
    replayed: num(result.replayed) ?? 0,
    storeId: typeof result.storeId === 'string' ? result.storeId : null,
    chain: Array.isArray(result.chain) ? result.chain.filter((c): c is string => typeof c === 'string') : [],
    digest,
  };
}
