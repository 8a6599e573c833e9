/** Jobs: every backup, restore, aggregate and verification the dashboard started. */
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Catalog } from '../index';
import { jobs, type JobKind, type JobProgress, type JobRow, type JobStatus } from '../schema';

export function createJob(
  db: Catalog,
  j: { kind: JobKind; database: string; clusterId: number | null; folderId: number | null; params: Record<string, unknown>; args: string[]; createdBy: string | null },
): JobRow {
  return db
    .insert(jobs)
    .values({ ...j, status: 'running', startedAt: Date.now() })
    .returning()
    .get();
}

export function getJob(db: Catalog, { id }: { id: number }): JobRow | undefined {
  return db.select().from(jobs).where(eq(jobs.id, id)).get();
}

export function listJobs(db: Catalog, { limit = 100, database, status }: { limit?: number; database?: string; status?: JobStatus } = {}): JobRow[] {
  const where = and(database ? eq(jobs.database, database) : undefined, status ? eq(jobs.status, status) : undefined);
  return db.select().from(jobs).where(where).orderBy(desc(jobs.id)).limit(limit).all();
}

/** The running job on a database, if any (one at a time). */
export function activeJobFor(db: Catalog, { database }: { database: string }): JobRow | undefined {
  return db.select().from(jobs).where(and(eq(jobs.database, database), eq(jobs.status, 'running'))).get();
}

export function updateJob(db: Catalog, { id }: { id: number }, patch: Partial<Pick<JobRow, 'pid' | 'progress' | 'log' | 'result' | 'error' | 'cancelRequested'>>): void {
  db.update(jobs).set(patch).where(eq(jobs.id, id)).run();
}

export function finishJob(db: Catalog, { id }: { id: number }, f: { status: JobStatus; exitCode: number | null; log: string; result?: Record<string, unknown> | null; error?: string | null; progress?: JobProgress | null }): void {
  db.update(jobs)
    .set({ status: f.status, exitCode: f.exitCode, log: f.log, result: f.result ?? null, error: f.error ?? null, endedAt: Date.now(), pid: null, ...(f.progress !== undefined ? { progress: f.progress } : {}) })
    .where(eq(jobs.id, id))
    .run();
}

/** At server start: jobs that were running belonged to a process that is gone. */
export function markInterrupted(db: Catalog): number {
  return db
    .update(jobs)
    .set({ status: 'interrupted', endedAt: Date.now(), pid: null, error: 'the Txline server stopped while this job was running' })
    .where(inArray(jobs.status, ['running']))
    .run().changes;
}
