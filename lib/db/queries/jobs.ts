/** Jobs: every backup, restore, aggregate and verification the dashboard started. */
import { and, asc, count, desc, eq, getTableColumns, gt, inArray, lt, max, or, sql } from 'drizzle-orm';
import type { ErrorCode } from '../../errors';
import type { JobResult } from '../../jobs/protocol';
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

/** A job as lists show it: everything but its log (up to 256 KiB each). */
export type JobSummaryRow = Omit<JobRow, 'log'>;

const { log: _log, ...summaryColumns } = getTableColumns(jobs);

export interface JobListFilter {
  database?: string;
  status?: JobStatus;
  /**
   * with `database`: also the restores whose source it is (filed under their target, the job's database; the
   * source is the restore's params.database), so a restore can be traced from where it came from
   */
  withRestoresFrom?: boolean;
}

function filterOf({ database, status, withRestoresFrom }: JobListFilter) {
  const onDatabase = database
    ? withRestoresFrom
      ? or(eq(jobs.database, database), and(eq(jobs.kind, 'restore'), sql`json_extract(${jobs.params}, '$.database') = ${database}`))
      : eq(jobs.database, database)
    : undefined;
  return and(onDatabase, status ? eq(jobs.status, status) : undefined);
}

/** Jobs newest first, without their logs; `before` (a job ID) pages back: the jobs older than that one. */
export function listJobs(db: Catalog, { limit = 100, before, ...filter }: JobListFilter & { limit?: number; before?: number } = {}): JobSummaryRow[] {
  const where = and(filterOf(filter), before !== undefined ? lt(jobs.id, before) : undefined);
  return db.select(summaryColumns).from(jobs).where(where).orderBy(desc(jobs.id)).limit(limit).all();
}

/**
 * The newest succeeded restore into each database of each cluster (or of one database): what made each
 * restored database what it is, read from the jobs that did it.
 */
export function latestRestores(db: Catalog, { database }: { database?: string } = {}): JobSummaryRow[] {
  const done = and(eq(jobs.kind, 'restore'), eq(jobs.status, 'succeeded'), database ? eq(jobs.database, database) : undefined);
  const newest = db.select({ id: max(jobs.id) }).from(jobs).where(done).groupBy(jobs.clusterId, jobs.database);
  return db.select(summaryColumns).from(jobs).where(inArray(jobs.id, newest)).orderBy(desc(jobs.id)).all();
}

/** Every database some job worked on, by name. */
export function jobDatabases(db: Catalog): string[] {
  return db
    .selectDistinct({ database: jobs.database })
    .from(jobs)
    .orderBy(asc(jobs.database))
    .all()
    .map((r) => r.database);
}

/** How many jobs match a filter (for "page 2 of 7"). */
export function countJobs(db: Catalog, filter: JobListFilter = {}): number {
  return db.select({ n: count() }).from(jobs).where(filterOf(filter)).get()?.n ?? 0;
}

export interface JobsPage {
  jobs: JobSummaryRow[];
  /** jobs matching the filter, on every page */
  total: number;
  /** how many matching jobs are newer than this page's first (0 on the newest page) */
  offset: number;
  /** `before` of the next older page, or null on the oldest */
  older: number | null;
  /** `before` of the next newer page: null for the newest page itself, undefined when this is the newest */
  newer: number | null | undefined;
}

/** One page of jobs, newest first, ending before the job ID `before` (the newest page without it). */
export function jobsPage(db: Catalog, { limit, before, ...filter }: JobListFilter & { limit: number; before?: number }): JobsPage {
  const rows = listJobs(db, { ...filter, before, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const total = countJobs(db, filter);
  if (page.length === 0) return { jobs: [], total, offset: before === undefined ? 0 : total, older: null, newer: before === undefined ? undefined : null };
  const first = page[0].id;
  const newerIds = db
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(filterOf(filter), gt(jobs.id, first)))
    .orderBy(asc(jobs.id))
    .limit(limit + 1)
    .all()
    .map((r) => r.id);
  const offset = newerIds.length <= limit ? newerIds.length : (db.select({ n: count() }).from(jobs).where(and(filterOf(filter), gt(jobs.id, first))).get()?.n ?? 0);
  return {
    jobs: page,
    total,
    offset,
    older: rows.length > limit ? page[page.length - 1].id : null,
    newer: newerIds.length === 0 ? undefined : newerIds.length <= limit ? null : newerIds[limit - 1] + 1,
  };
}

/**
 * The running job a new one on `database` would collide with, if any: one on the same database of the same
 * cluster, or on the same database in the same backup folder (the engine holds one lock per folder and
 * database). The same name on another cluster, into another folder, does not collide.
 */
export function activeJobFor(db: Catalog, { database, clusterId, folderId }: { database: string; clusterId: number | null; folderId: number | null }): JobSummaryRow | undefined {
  const scope = or(clusterId !== null ? eq(jobs.clusterId, clusterId) : undefined, folderId !== null ? eq(jobs.folderId, folderId) : undefined);
  // with neither a cluster nor a folder there is nothing to tell jobs apart: any job on that name collides
  return db
    .select(summaryColumns)
    .from(jobs)
    .where(and(eq(jobs.database, database), eq(jobs.status, 'running'), scope))
    .get();
}

export function updateJob(db: Catalog, { id }: { id: number }, patch: Partial<Pick<JobRow, 'pid' | 'progress' | 'log' | 'result' | 'error' | 'cancelRequested'>>): void {
  db.update(jobs).set(patch).where(eq(jobs.id, id)).run();
}

export function finishJob(
  db: Catalog,
  { id }: { id: number },
  f: { status: JobStatus; exitCode: number | null; log: string; result?: JobResult | null; error?: string | null; errorCode?: ErrorCode | null; progress?: JobProgress | null },
): void {
  db.update(jobs)
    .set({ status: f.status, exitCode: f.exitCode, log: f.log, result: f.result ?? null, error: f.error ?? null, errorCode: f.errorCode ?? null, endedAt: Date.now(), pid: null, ...(f.progress !== undefined ? { progress: f.progress } : {}) })
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
