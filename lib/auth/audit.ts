/**
 * The audit log: append-only (the catalog refuses UPDATE and DELETE on it, see drizzle/), one row per
 * login, failed login, backup, restore, aggregate, delete, user or setting change, cluster control, and
 * every refused action.
 */
import { and, desc, eq, gte, like, lte, type SQL } from 'drizzle-orm';
import type { Catalog } from '../db';
import { auditEvents, type AuditEventRow } from '../db/schema';

export interface AuditEntry {
  username: string | null;
  address: string | null;
  action: string;
  target?: string | null;
  outcome: 'ok' | 'denied' | 'failed';
  detail?: string | null;
}

export function recordAudit(db: Catalog, e: AuditEntry, now = Date.now()): void {
  db.insert(auditEvents)
    .values({ at: now, username: e.username, address: e.address, action: e.action, target: e.target ?? null, outcome: e.outcome, detail: e.detail?.slice(0, 2000) ?? null })
    .run();
}

export interface AuditFilter {
  username?: string;
  action?: string;
  outcome?: 'ok' | 'denied' | 'failed';
  from?: number;
  to?: number;
  limit?: number;
  beforeId?: number;
}

export function listAudit(db: Catalog, f: AuditFilter = {}): AuditEventRow[] {
  const where: SQL[] = [];
  if (f.username) where.push(eq(auditEvents.username, f.username));
  if (f.action) where.push(like(auditEvents.action, `${f.action.replace(/[%_]/g, '')}%`));
  if (f.outcome) where.push(eq(auditEvents.outcome, f.outcome));
  if (f.from !== undefined) where.push(gte(auditEvents.at, f.from));
  if (f.to !== undefined) where.push(lte(auditEvents.at, f.to));
  if (f.beforeId !== undefined) where.push(lte(auditEvents.id, f.beforeId - 1));
  return db
    .select()
    .from(auditEvents)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(Math.min(500, f.limit ?? 100))
    .all();
}
