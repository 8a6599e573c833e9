/**
 * Lag samples: one row per member, database and second, downsampled as they age so that charts read a
 * bounded number of rows: per second for an hour, per minute for a week, per hour for 90 days.
 */
import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Catalog } from '../index';
import { lagSamples, type LagResolution, type LagSampleRow } from '../schema';

export const RETENTION_MS: Record<LagResolution, number> = { s: 3_600_000, m: 7 * 86_400_000, h: 90 * 86_400_000 };
const BUCKET_MS: Record<Exclude<LagResolution, 's'>, number> = { m: 60_000, h: 3_600_000 };

export function insertLagSamples(db: Catalog, rows: Array<Omit<LagSampleRow, 'resolution'>>): void {
  if (rows.length === 0) return;
  db.insert(lagSamples)
    .values(rows.map((r) => ({ ...r, resolution: 's' as const })))
    .onConflictDoNothing()
    .run();
}

export type LagWindow = '5m' | '1h' | '24h';

export const WINDOWS: Record<LagWindow, { ms: number; resolution: LagResolution }> = {
  '5m': { ms: 5 * 60_000, resolution: 's' },
  '1h': { ms: 3_600_000, resolution: 's' },
  '24h': { ms: 86_400_000, resolution: 'm' },
};

export interface LagPoint {
  ts: number;
  memberId: string;
  lastCommittedTxn: number;
  replicationLag: number;
  online: boolean;
}

/** The samples of one database over a window, oldest first (for the 24 h window, minute averages, plus the last hour's seconds folded to minutes). */
export function lagSeries(db: Catalog, { clusterId, database, window, now = Date.now() }: { clusterId: number; database: string; window: LagWindow; now?: number }): LagPoint[] {
  const w = WINDOWS[window];
  const since = now - w.ms;
  const base = (res: LagResolution, from: number) =>
    db
      .select({ ts: lagSamples.ts, memberId: lagSamples.memberId, lastCommittedTxn: lagSamples.lastCommittedTxn, replicationLag: lagSamples.replicationLag, online: lagSamples.online })
      .from(lagSamples)
      .where(and(eq(lagSamples.clusterId, clusterId), eq(lagSamples.database, database), eq(lagSamples.resolution, res), gte(lagSamples.ts, from)))
      .orderBy(asc(lagSamples.ts))
      .all();
  if (w.resolution === 's') {
    const rows = base('s', since);
    // An hour of seconds is 3,600 points per member: fold to 10-second buckets for the chart.
    return window === '1h' ? bucket(rows, 10_000) : rows;
  }
  const minutes = base('m', since);
  const lastMinute = minutes.length ? minutes[minutes.length - 1].ts + 60_000 : since;
  return [...minutes, ...bucket(base('s', lastMinute), 60_000)];
}

/**
 * Folds points into buckets of `ms` per member: the lag averaged over the samples where the member answered
 * (offline samples carry no lag), online when it answered at least once in the bucket, the highest transaction.
 * The same rule as downsampleLag's SQL.
 */
export function bucket(rows: LagPoint[], ms: number): LagPoint[] {
  const out = new Map<string, LagPoint & { n: number; lagSum: number }>();
  for (const r of rows) {
    const ts = Math.floor(r.ts / ms) * ms;
    const k = `${ts}|${r.memberId}`;
    let cur = out.get(k);
    if (!cur) out.set(k, (cur = { ...r, ts, n: 0, lagSum: 0, online: false }));
    else cur.lastCommittedTxn = Math.max(cur.lastCommittedTxn, r.lastCommittedTxn);
    if (r.online) {
      cur.n++;
      cur.lagSum += r.replicationLag;
      cur.online = true;
    }
  }
  return [...out.values()].map(({ n, lagSum, ...p }) => ({ ...p, replicationLag: n > 0 ? Math.round(lagSum / n) : 0 })).sort((a, b) => a.ts - b.ts);
}

/**
 * Folds samples older than their resolution's retention into the next coarser one and deletes what is
 * past the last retention. Idempotent; runs in one transaction. A bucket's lag is the average over the
 * samples where the member answered, and the bucket is online when the member answered at least once.
 */
export function downsampleLag(db: Catalog, now = Date.now()): { folded: number; deleted: number } {
  let folded = 0;
  let deleted = 0;
  db.transaction((tx) => {
    for (const [from, to] of [
      ['s', 'm'],
      ['m', 'h'],
    ] as const) {
      const cutoff = Math.floor((now - RETENTION_MS[from]) / BUCKET_MS[to]) * BUCKET_MS[to];
      const r = tx.run(sql`
        INSERT OR REPLACE INTO lag_samples (cluster_id, member_id, database, resolution, ts, last_committed_txn, replication_lag, online)
        SELECT cluster_id, member_id, database, ${to}, ts - (ts % ${BUCKET_MS[to]}) AS bucket,
               max(last_committed_txn), coalesce(cast(round(avg(CASE WHEN online THEN replication_lag END)) as integer), 0), max(online)
        FROM lag_samples WHERE resolution = ${from} AND ts < ${cutoff}
        -- (bound numbers are REAL in SQLite: % truncates to integers, / would not)
        GROUP BY cluster_id, member_id, database, bucket`);
      folded += r.changes;
      deleted += tx.delete(lagSamples).where(and(eq(lagSamples.resolution, from), lt(lagSamples.ts, cutoff))).run().changes;
    }
    deleted += tx.delete(lagSamples).where(and(eq(lagSamples.resolution, 'h'), lt(lagSamples.ts, now - RETENTION_MS.h))).run().changes;
  });
  return { folded, deleted };
}
