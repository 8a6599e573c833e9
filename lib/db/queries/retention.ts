/** Retention policies in the catalog (lib/retention applies them): one per backup folder and database (or '*'). */
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Catalog } from '../index';
import { retentionPolicies, type RetentionPolicyRow } from '../schema';

/** The database of a policy that covers every database of its folder. */
export const EVERY_DATABASE = '*';

export function listRetentionPolicies(db: Catalog, { folderId }: { folderId?: number } = {}): RetentionPolicyRow[] {
  return db
    .select()
    .from(retentionPolicies)
    .where(folderId !== undefined ? eq(retentionPolicies.folderId, folderId) : undefined)
    .orderBy(asc(retentionPolicies.folderId), asc(retentionPolicies.database))
    .all();
}

export function getRetentionPolicy(db: Catalog, { id }: { id: number }): RetentionPolicyRow | undefined {
  return db.select().from(retentionPolicies).where(eq(retentionPolicies.id, id)).get();
}

/** The policy that applies to a database's backups in a folder: its own, else the folder's '*' one. */
export function policyFor(db: Catalog, { folderId, database }: { folderId: number; database: string }): RetentionPolicyRow | undefined {
  const rows = db
    .select()
    .from(retentionPolicies)
    .where(and(eq(retentionPolicies.folderId, folderId), inArray(retentionPolicies.database, [database, EVERY_DATABASE])))
    .all();
  return rows.find((r) => r.database === database) ?? rows.find((r) => r.database === EVERY_DATABASE);
}

export interface RetentionPolicyFields {
  folderId: number;
  database: string;
  keepFull: number | null;
  keepDays: number | null;
  keepWeekly: number | null;
  createdBy: string | null;
}

/** Creates or replaces the policy of a folder and database. */
export function upsertRetentionPolicy(db: Catalog, f: RetentionPolicyFields, now: number): { row: RetentionPolicyRow; created: boolean } {
  const cur = db
    .select()
    .from(retentionPolicies)
    .where(and(eq(retentionPolicies.folderId, f.folderId), eq(retentionPolicies.database, f.database)))
    .get();
  if (cur) {
    const row = db.update(retentionPolicies).set({ ...f, updatedAt: now }).where(eq(retentionPolicies.id, cur.id)).returning().get();
    return { row, created: false };
  }
  return { row: db.insert(retentionPolicies).values({ ...f, updatedAt: now }).returning().get(), created: true };
}

export function removeRetentionPolicy(db: Catalog, { id }: { id: number }): void {
  db.delete(retentionPolicies).where(eq(retentionPolicies.id, id)).run();
}
