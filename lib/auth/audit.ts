/**
 * The audit log: append-only (the catalog refuses UPDATE and DELETE on it, see drizzle/), one row per
 * login, failed login, backup, restore, aggregate, delete, user or setting change, cluster control, and
 * every refused action. A job (backup, restore, aggregate, verify) has two: `<kind>.start` when it is started
 * (by the user, from the guard), and `<kind>.<how it ended>` when it ends (succeeded, failed with the error,
 * cancelled, interrupted by a server stop), with the user who started it and `jobId=N` as the target.
 * A prune job (retention) that ended with its result adds one `artifact.pruned` entry per artifact it deleted,
 * with the file, its database, its size and the planner's reason.
 */
import { and, desc, eq, gte, like, lte, type SQL } from 'drizzle-orm';
import type { Catalog } from '../db';
import { getJob, markInterrupted } from '../db/queries/jobs';
import { auditEvents, jobs, type AuditEventRow, type JobRow } from '../db/schema';
import { jobResult } from '../jobs/protocol';

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

/** The end of a job, as its own entry. Does nothing for a job that is still running. */
export function recordJobOutcome(db: Catalog, job: JobRow, now = Date.now()): void {
  if (job.status === 'running') return;
  const ran = job.startedAt !== null && job.endedAt !== null ? ` after ${formatSeconds(job.endedAt - job.startedAt)}` : '';
  const detail =
    job.status === 'succeeded'
      ? `succeeded${ran}${job.error ? ` (${job.error})` : ''}`
      : job.status === 'failed'
        ? `failed${ran}${job.exitCode !== null ? ` (exit code ${job.exitCode})` : ''}: ${job.error ?? 'no error message'}`
        : job.status === 'cancelled'
          ? `cancelled on request${ran}`
          : `interrupted${ran}: ${job.error ?? 'the server stopped while the job was running'}`;
  recordAudit(
    db,
    {
      username: job.createdBy,
      address: null,
      action: `${job.kind}.${job.status}`,
      target: `jobId=${job.id} database=${job.database}`,
      outcome: job.status === 'succeeded' ? 'ok' : 'failed',
      detail,
    },
    now,
  );
  if (job.kind === 'prune') recordPruned(db, job, now);
}

/** One entry per artifact a prune job deleted (none for a dry run, or a job that ended without its result). */
function recordPruned(db: Catalog, job: JobRow, now: number): void {
  const r = jobResult('prune', job.result);
  if (!r || r.dryRun) return;
  for (const d of r.deleted) {
    const what = d.full ? `full backup (transactions ${d.lowestTx}..${d.highestTx})` : `differential (transactions ${d.lowestTx}..${d.highestTx})`;
    recordAudit(
      db,
      {
        username: job.createdBy,
        address: null,
        action: 'artifact.pruned',
        target: `file=${d.file} database=${d.database}`,
        outcome: 'ok',
        detail: `job #${job.id}: deleted the ${what}, ${d.sizeBytes} bytes, from ${r.folder}: ${d.reason}`,
      },
      now,
    );
  }
}

/** At server start: marks the jobs still marked running interrupted (markInterrupted) and audits each. */
export function markInterruptedAudited(db: Catalog): number {
  const running = db.select({ id: jobs.id }).from(jobs).where(eq(jobs.status, 'running')).all();
  const n = markInterrupted(db);
  for (const { id } of running) {
    const job = getJob(db, { id });
    if (job) recordJobOutcome(db, job);
  }
  return n;
}

function formatSeconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
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

const UTC_INPUT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * A time range typed in the audit page's filter (UTC, "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM[:SS]", as a
 * datetime-local input sends it): `from` is the start of what it names, `to` the end (a day, minute or second,
 * inclusive). Bad input comes back as an error naming the field.
 */
export function parseTimeRange(raw: { from?: string; to?: string }): { from?: number; to?: number; error?: string } {
  const parse = (v: string | undefined, field: string, end: boolean): number | undefined | string => {
    const t = (v ?? '').trim();
    if (t === '') return undefined;
    const m = UTC_INPUT.exec(t);
    if (!m) return `${field} must be a UTC time like 2026-05-01T14:30 (got "${t.slice(0, 40)}")`;
    const [y, mo, d, h, mi, sec] = m.slice(1).map((x) => (x === undefined ? undefined : Number(x)));
    const ms = Date.UTC(y as number, (mo as number) - 1, d, h ?? 0, mi ?? 0, sec ?? 0);
    const back = new Date(ms);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== (mo as number) - 1 || back.getUTCDate() !== d || (h ?? 0) > 23 || (mi ?? 0) > 59 || (sec ?? 0) > 59) {
      return `${field} is not a real date and time ("${t.slice(0, 40)}")`;
    }
    const span = sec !== undefined ? 1000 : mi !== undefined ? 60_000 : 86_400_000;
    return end ? ms + span - 1 : ms;
  };
  const from = parse(raw.from, 'From', false);
  const to = parse(raw.to, 'To', true);
  if (typeof from === 'string') return { error: from };
  if (typeof to === 'string') return { error: to };
  if (from !== undefined && to !== undefined && from > to) return { error: 'From must not be after To.' };
  return { from, to };
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
