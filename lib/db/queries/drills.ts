/**
 * Restore drills in the catalog: each finished drill job's outcome (lib/jobs/effects.ts), the history of a
 * database, and the last drills of every database ("last verified" on the overview and the database page; the
 * alerts read lastDrills too). A database is verified by its newest passed drill; one never verified, or last
 * verified more than STALE_AFTER_MS ago, is flagged.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import type { Catalog } from '../index';
import { drills, drillTargets, type DrillRow, type DrillTargetRow } from '../schema';

export const STALE_AFTER_MS = 48 * 3600_000;

export type NewDrill = Omit<DrillRow, 'id'>;

export function recordDrill(db: Catalog, row: NewDrill): DrillRow {
  return db.insert(drills).values(row).returning().get();
}

/** A database's drills, newest first. */
export function listDrills(db: Catalog, { clusterId, database, limit = 50 }: { clusterId?: number | null; database: string; limit?: number }): DrillRow[] {
  return db
    .select()
    .from(drills)
    .where(and(eq(drills.database, database), clusterId !== undefined && clusterId !== null ? eq(drills.clusterId, clusterId) : undefined))
    .orderBy(desc(drills.startedAt), desc(drills.id))
    .limit(limit)
    .all();
}

/** The newest drill of a database and its newest passed one. */
export interface LastDrills {
  clusterId: number | null;
  database: string;
  last: DrillRow;
  lastPassed: DrillRow | null;
}

/**
 * Per database (of a cluster, when given): its newest drill and its newest passed drill. One query per row
 * kind over the index (clusterId, database, startedAt).
 */
export function lastDrills(db: Catalog, { clusterId }: { clusterId?: number } = {}): LastDrills[] {
  const newest = (passedOnly: boolean) =>
    db
      .select()
      .from(drills)
      .where(
        and(
          clusterId !== undefined ? eq(drills.clusterId, clusterId) : undefined,
          passedOnly ? eq(drills.passed, true) : undefined,
          sql`${drills.id} = (SELECT d2.id FROM drills d2 WHERE d2.database = ${drills.database} AND d2.cluster_id IS ${drills.clusterId}${passedOnly ? sql` AND d2.passed = 1` : sql``} ORDER BY d2.started_at DESC, d2.id DESC LIMIT 1)`,
        ),
      )
      .all();
  const key = (r: Pick<DrillRow, 'clusterId' | 'database'>) => `${r.clusterId ?? ''}\u0000${r.database}`;
  const passed = new Map(newest(true).map((r) => [key(r), r]));
  return newest(false)
    .map((last) => ({ clusterId: last.clusterId, database: last.database, last, lastPassed: passed.get(key(last)) ?? null }))
    .sort((a, b) => a.database.localeCompare(b.database) || (a.clusterId ?? 0) - (b.clusterId ?? 0));
}

/** "Last verified" of one database, as the pages show it. */
export interface Verification {
  /** the newest passed drill (null: never verified) */
  lastPassed: Pick<DrillRow, 'startedAt' | 'finishedAt' | 'pointKind' | 'pointTx' | 'rtoMs' | 'jobId'> | null;
  /** the newest drill failed (after the newest passed one, or with none passed) */
  lastFailed: Pick<DrillRow, 'startedAt' | 'failedCheck' | 'artifact' | 'problem' | 'jobId'> | null;
  /** never verified, or last verified more than 48 h ago */
  stale: boolean;
}

export function verificationOf(d: LastDrills | undefined, now: number): Verification {
  const lastPassed = d?.lastPassed ?? null;
  const lastFailed = d && !d.last.passed ? d.last : null;
  return { lastPassed, lastFailed, stale: lastPassed === null || now - lastPassed.finishedAt > STALE_AFTER_MS };
}

/** The cluster a database's drills restore into, when one was chosen (null: its own cluster). */
export function getDrillTarget(db: Catalog, { clusterId, database }: { clusterId: number; database: string }): DrillTargetRow | null {
  return db.select().from(drillTargets).where(and(eq(drillTargets.clusterId, clusterId), eq(drillTargets.database, database))).get() ?? null;
}

/** Chooses the drill target of a database (`targetClusterId` null: back to its own cluster). */
export function setDrillTarget(db: Catalog, { clusterId, database, targetClusterId }: { clusterId: number; database: string; targetClusterId: number | null }, now = Date.now()): void {
  if (targetClusterId === null) {
    db.delete(drillTargets).where(and(eq(drillTargets.clusterId, clusterId), eq(drillTargets.database, database))).run();
    return;
  }
  db.insert(drillTargets)
    .values({ clusterId, database, targetClusterId, updatedAt: now })
    .onConflictDoUpdate({ target: [drillTargets.clusterId, drillTargets.database], set: { targetClusterId, updatedAt: now } })
    .run();
}
