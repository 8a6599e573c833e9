/**
 * What the restore-drill condition reads: the outcomes of restore drills, newest first, per database. The
 * drills themselves are another part of Txline (a `drills` table); this is the narrow interface the alerts
 * need, so the condition does not depend on how drills are stored.
 *
 * `catalogDrills` reads a `drills` table when the catalog has one, with the columns it finds (a database
 * column, an outcome as `status`/`outcome` text or an `ok` flag, and a time column); without that table it
 * reports nothing, and the drill condition evaluates nothing.
 */
import type { Catalog } from '../db';

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

const FAILED = new Set(['failed', 'failure', 'error', 'interrupted']);
const PASSED = new Set(['ok', 'passed', 'succeeded', 'success']);

export function catalogDrills(db: Catalog): DrillResults {
  return {
    recent(limit) {
      const sql = db.$client;
      const table = sql.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'drills'").get();
      if (!table) return [];
      const cols = new Set((sql.prepare("SELECT name FROM pragma_table_info('drills')").all() as Array<{ name: string }>).map((c) => c.name));
      const pick = (...names: string[]) => names.find((n) => cols.has(n));
      const dbCol = pick('database', 'database_name');
      const outcomeCol = pick('status', 'outcome', 'result');
      const okCol = pick('ok', 'passed');
      const atCol = pick('ended_at', 'finished_at', 'at', 'updated_at', 'created_at');
      if (!dbCol || (!outcomeCol && !okCol) || !atCol) return [];
      const clusterCol = cols.has('cluster_id') ? 'c.name' : 'NULL';
      const msgCol = pick('error', 'message', 'detail');
      const rows = sql
        .prepare(
          `SELECT d."${dbCol}" AS database, ${outcomeCol ? `d."${outcomeCol}"` : 'NULL'} AS outcome, ${okCol ? `d."${okCol}"` : 'NULL'} AS ok,
                  d."${atCol}" AS at, ${msgCol ? `d."${msgCol}"` : 'NULL'} AS message, ${clusterCol} AS cluster
           FROM drills d ${clusterCol === 'c.name' ? 'LEFT JOIN clusters c ON c.id = d.cluster_id' : ''}
           WHERE d."${atCol}" IS NOT NULL ORDER BY d."${atCol}" DESC LIMIT 2000`,
        )
        .all() as Array<{ database: string; outcome: unknown; ok: unknown; at: number; message: string | null; cluster: string | null }>;
      const per = new Map<string, number>();
      const out: DrillOutcome[] = [];
      for (const r of rows) {
        const text = typeof r.outcome === 'string' ? r.outcome.toLowerCase() : null;
        // a drill still running (or of an outcome not known here) says nothing yet
        const ok = text !== null ? (PASSED.has(text) ? true : FAILED.has(text) ? false : null) : r.ok === null ? null : Boolean(r.ok);
        if (ok === null) continue;
        const k = `${r.cluster ?? ''}|${r.database}`;
        const n = per.get(k) ?? 0;
        if (n >= limit) continue;
        per.set(k, n + 1);
        out.push({ cluster: r.cluster, database: r.database, ok, at: Number(r.at), message: r.message });
      }
      return out;
    },
  };
}
