/**
 * What the restore-drill condition reads: the outcomes of restore drills (the `drills` table that each finished
 * drill job fills, lib/db/queries/drills.ts), newest first, per database. This is the narrow interface the
 * alerts need, so the condition does not depend on how drills are stored.
 */
import { desc, eq } from 'drizzle-orm';
import type { Catalog } from '../db';
import { clusters, drills } from '../db/schema';

export interface DrillOutcome {
  cluster: string | null;
  database: string;
  ok: boolean;
  at: number;
  message: string | null;
}

export interface DrillResults {
  /** the newest drills first, at most `limit` per database */
  recent(limit: number): DrillOutcome[];
}

/** A failed drill in one line: the check that failed, the artifact to blame, and what was wrong. */
function failure(r: { failedCheck: string | null; artifact: string | null; problem: string | null }): string | null {
  const parts = [r.failedCheck ? `${r.failedCheck} check failed` : null, r.artifact ? `artifact ${r.artifact}` : null, r.problem].filter(Boolean);
  return parts.length > 0 ? parts.join(': ') : null;
}

export function catalogDrills(db: Catalog): DrillResults {
  return {
    recent(limit) {
      const rows = db
        .select({ cluster: clusters.name, database: drills.database, passed: drills.passed, at: drills.finishedAt, failedCheck: drills.failedCheck, artifact: drills.artifact, problem: drills.problem })
        .from(drills)
        .leftJoin(clusters, eq(clusters.id, drills.clusterId))
        .orderBy(desc(drills.finishedAt), desc(drills.id))
        .limit(2000)
        .all();
      const per = new Map<string, number>();
      const out: DrillOutcome[] = [];
      for (const r of rows) {
        const k = `${r.cluster ?? ''}|${r.database}`;
        const n = per.get(k) ?? 0;
        if (n >= limit) continue;
        per.set(k, n + 1);
        out.push({ cluster: r.cluster, database: r.database, ok: Boolean(r.passed), at: r.at, message: r.passed ? null : failure(r) });
      }
      return out;
    },
  };
}
