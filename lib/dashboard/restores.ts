/**
 * Where a restore came from and where it went, read from its job row (no table of its own): the wizard files
 * a restore under its target (the job's database) and keeps the source database in `params.database`; the
 * result line says the transaction the restored database ends at and the new store ID it was given. Pure, safe
 * on server and client; rows without these (older or failed jobs) answer what they have, or null.
 */
import type { JobRow } from '../db/schema';
import { jobResult } from '../jobs/protocol';

export interface RestoreRoute {
  /** the database restored from (null when the row does not say) */
  source: string | null;
  /** the database restored into */
  target: string;
}

export function restoreRoute(job: Pick<JobRow, 'kind' | 'database' | 'params'>): RestoreRoute | null {
  if (job.kind !== 'restore') return null;
  const source = job.params?.database;
  return { source: typeof source === 'string' && source !== '' ? source : null, target: job.database };
}

/** "restored from neo4j at tx 128 on <time>": a succeeded restore, as a restored database's card says it. */
export interface RestoredFrom {
  jobId: number;
  source: string;
  target: string;
  clusterId: number | null;
  /** the transaction the restored database ended at */
  tx: number;
  /** when the restore finished (ms since the epoch) */
  at: number;
  /** the store ID the restore gave the database */
  storeId: string;
}

export function restoredFrom(job: Pick<JobRow, 'id' | 'kind' | 'status' | 'database' | 'params' | 'result' | 'endedAt' | 'startedAt' | 'createdAt' | 'clusterId'>): RestoredFrom | null {
  if (job.kind !== 'restore' || job.status !== 'succeeded') return null;
  const route = restoreRoute(job);
  const r = jobResult('restore', job.result);
  // a Neo4j cluster's restore (seeded or by neo4j-admin) reports its copies, not a restored transaction
  if (!route?.source || !r || !('restoredTx' in r)) return null;
  return { jobId: job.id, source: route.source, target: route.target, clusterId: job.clusterId, tx: r.restoredTx, at: job.endedAt ?? job.startedAt ?? job.createdAt, storeId: r.storeId };
}

/**
 * The restore that made a database what it is now: its newest succeeded restore, unless the cluster reports
 * another store ID for it (it was restored again outside Txline, or dropped and created anew). When the cluster
 * does not report a store ID the newest restore is taken at its word.
 */
export function currentRestore(latest: RestoredFrom | null | undefined, writerStoreId: string | null): RestoredFrom | null {
  if (!latest) return null;
  if (writerStoreId && writerStoreId !== latest.storeId) return null;
  return latest;
}

/** The newest restore per cluster and database (the rows newest first, as latestRestores answers them). */
export function restoresByTarget(rows: ReadonlyArray<Parameters<typeof restoredFrom>[0]>): Map<string, RestoredFrom> {
  const out = new Map<string, RestoredFrom>();
  for (const row of rows) {
    const r = restoredFrom(row);
    if (!r) continue;
    const key = restoreKey(r.clusterId, r.target);
    if (!out.has(key)) out.set(key, r);
  }
  return out;
}

export function restoreKey(clusterId: number | null, database: string): string {
  return `${clusterId ?? ''}:${database}`;
}
