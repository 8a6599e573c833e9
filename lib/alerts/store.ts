/**
 * Alert states in the catalog: an episode (a row of `alerts`) starts firing when its condition fires, may be
 * acknowledged by an operator or admin (who, when; it keeps watching), and is resolved when the condition is
 * evaluated and no longer fires. Every change is written to the audit log: `alert.firing` and `alert.resolved`
 * by the user "alerts", `alert.acknowledge` by the person (through the guard, lib/server/action.ts).
 *
 * Invariants: at most one open (firing or acknowledged) episode per key; a resolved episode is never opened
 * again (the next firing is a new episode); a condition that says nothing (no finding) leaves its episode as it is.
 */
import { and, desc, eq, inArray, ne, sql } from 'drizzle-orm';
import { recordAudit } from '../auth/audit';
import type { Catalog } from '../db';
import { alerts, type AlertRow, type AlertState } from '../db/schema';
import { TxlineError } from '../errors';
import type { Finding } from './conditions';

export const ALERTS_USER = 'alerts';

export interface AlertEvent {
  alert: AlertRow;
  state: AlertState;
}

export function openAlerts(db: Catalog): AlertRow[] {
  return db.select().from(alerts).where(ne(alerts.state, 'resolved')).orderBy(desc(alerts.since)).all();
}

export function listAlerts(db: Catalog, { state, limit = 100 }: { state?: AlertState; limit?: number } = {}): AlertRow[] {
  return db
    .select()
    .from(alerts)
    .where(state ? eq(alerts.state, state) : undefined)
    .orderBy(desc(alerts.updatedAt))
    .limit(Math.min(500, limit))
    .all();
}

export function getAlert(db: Catalog, { id }: { id: number }): AlertRow | undefined {
  return db.select().from(alerts).where(eq(alerts.id, id)).get();
}

/** How many episodes are in each open state (the header's badge counts `firing`). */
export function alertCounts(db: Catalog): { firing: number; acknowledged: number } {
  const rows = db
    .select({ state: alerts.state, n: sql<number>`count(*)` })
    .from(alerts)
    .where(inArray(alerts.state, ['firing', 'acknowledged']))
    .groupBy(alerts.state)
    .all();
  return { firing: rows.find((r) => r.state === 'firing')?.n ?? 0, acknowledged: rows.find((r) => r.state === 'acknowledged')?.n ?? 0 };
}

const target = (a: Pick<AlertRow, 'condition' | 'cluster' | 'database' | 'id'>) => `alertId=${a.id} alert=${a.condition}${a.cluster ? ` cluster=${a.cluster}` : ''}${a.database ? ` database=${a.database}` : ''}`;

/**
 * Applies one evaluation's findings: opens an episode for each firing key without one, refreshes the value of
 * the open ones, and resolves the open episodes whose finding does not fire (and those of `gone` keys: a
 * cluster removed since). Returns the changes, for delivery.
 */
export function applyFindings(db: Catalog, findings: Finding[], now: number, gone: (a: AlertRow) => boolean = () => false): AlertEvent[] {
  const events: AlertEvent[] = [];
  db.transaction(() => {
    const open = new Map(openAlerts(db).map((a) => [a.key, a]));
    for (const f of findings) {
      const cur = open.get(f.key);
      if (f.firing && !cur) {
        const row = db
          .insert(alerts)
          .values({ key: f.key, condition: f.condition, cluster: f.cluster, database: f.database, state: 'firing', value: f.value, threshold: f.threshold, message: f.message, since: now, updatedAt: now })
          .returning()
          .get();
        recordAudit(db, { username: ALERTS_USER, address: null, action: 'alert.firing', target: target(row), outcome: 'ok', detail: f.message }, now);
        events.push({ alert: row, state: 'firing' });
      } else if (f.firing && cur) {
        if (cur.value !== f.value || cur.threshold !== f.threshold || cur.message !== f.message) {
          db.update(alerts).set({ value: f.value, threshold: f.threshold, message: f.message }).where(eq(alerts.id, cur.id)).run();
        }
      } else if (!f.firing && cur) {
        events.push(resolve(db, cur, now, f.message, { value: f.value, threshold: f.threshold }));
      }
    }
    const seen = new Set(findings.map((f) => f.key));
    for (const a of open.values()) if (!seen.has(a.key) && gone(a)) events.push(resolve(db, a, now, 'its cluster is no longer registered'));
  });
  return events;
}

/** Resolves an episode; its value becomes the one that resolved it (the message still says what fired). */
function resolve(db: Catalog, a: AlertRow, now: number, why: string, current: Pick<AlertRow, 'value' | 'threshold'> = a): AlertEvent {
  const row = db.update(alerts).set({ state: 'resolved', resolvedAt: now, updatedAt: now, value: current.value, threshold: current.threshold }).where(eq(alerts.id, a.id)).returning().get();
  recordAudit(db, { username: ALERTS_USER, address: null, action: 'alert.resolved', target: target(a), outcome: 'ok', detail: `resolved after ${Math.round((now - a.since) / 1000)} s: ${why}` }, now);
  return { alert: row, state: 'resolved' };
}

/**
 * Acknowledges a firing episode (who, when). The caller audits it (the guard's `alert.acknowledge` entry).
 * NOT_FOUND for an unknown id; NOT_SUPPORTED for one acknowledged or resolved already.
 */
export function acknowledgeAlert(db: Catalog, { id, by }: { id: number; by: string }, now = Date.now()): AlertRow {
  const a = getAlert(db, { id });
  if (!a) throw new TxlineError('NOT_FOUND', `There is no alert #${id}.`);
  if (a.state !== 'firing') throw new TxlineError('NOT_SUPPORTED', `Alert #${id} is ${a.state} already${a.acknowledgedBy ? ` (by ${a.acknowledgedBy})` : ''}.`);
  const row = db
    .update(alerts)
    .set({ state: 'acknowledged', acknowledgedBy: by, acknowledgedAt: now, updatedAt: now })
    .where(and(eq(alerts.id, id), eq(alerts.state, 'firing')))
    .returning()
    .get();
  if (!row) throw new TxlineError('NOT_SUPPORTED', `Alert #${id} changed meanwhile; reload.`);
  return row;
}

/** The databases (per cluster name) with an open episode, for the overview's cards. */
export function databasesInTrouble(db: Catalog): Array<{ cluster: string | null; database: string; firing: number; acknowledged: number; messages: string[] }> {
  const by = new Map<string, { cluster: string | null; database: string; firing: number; acknowledged: number; messages: string[] }>();
  for (const a of openAlerts(db)) {
    if (!a.database) continue;
    const k = `${a.cluster ?? ''}|${a.database}`;
    const e = by.get(k) ?? { cluster: a.cluster, database: a.database, firing: 0, acknowledged: 0, messages: [] };
    if (a.state === 'firing') e.firing++;
    else e.acknowledged++;
    e.messages.push(a.message);
    by.set(k, e);
  }
  return [...by.values()];
}
