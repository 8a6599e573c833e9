/**
 * The scheduler: every tick (a second by default) it finds the schedules whose crons fell due and starts
 * ordinary backup jobs through the dashboard's own command (startBackup: the same runner, folder checks and
 * job rows as "Back up now"), created by "schedule" and audited as `backup.start` "by schedule".
 *
 * - The databases of a schedule are those its glob covers among what the cluster reports now (the collector's
 *   latest snapshot); while the cluster reports no database (not seen yet, or no member answers) the
 *   occurrence waits, not handled, and is made up once when the cluster is back. A glob that covers none of the
 *   databases reported is said once (a failed `backup.start` in the audit log) until it covers one or changes.
 * - Never two jobs on one database: a run whose database has a job (the runner refuses with JOB_RUNNING) stays
 *   queued and starts once that job is over; runs due meanwhile merge into it (lib/schedules/plan.ts).
 * - An occurrence is marked handled in the catalog once none of its runs waits in the queue (markQueued), so a
 *   restart does not repeat it; occurrences missed while no scheduler ran, or whose runs still waited when it
 *   stopped, are made up once, at the first tick, as a catch-up (created by "schedule (catch-up)", `catchUp:
 *   true` in the job's parameters), for every database the glob covers.
 * - At most `maxJobs` jobs it started run at once (TXLINE_SCHEDULED_JOBS, default 4: backups, retention prunes
 *   and drills together): a glob over 5,000 databases, or the catch-ups after a night the server was down, start
 *   4 processes, not 5,000. The others wait their turn: prunes first, then the queued backups in the order they
 *   fell due, then drills; drills and backups take turns (when a due drill waited for a slot and none started,
 *   prunes and backups leave it the next one), so neither holds the other back for good. A job counts for
 *   SLOT_HOLD_MS (6 h) at most, so one that hangs does not stop every schedule. Jobs started by hand do not
 *   count and are never held back. Runs still queued when the server stops are made up at its start (above).
 * - Retention: when a scheduled backup succeeds, the retention policy that covers its database in its folder
 *   (lib/dashboard/retention.ts: the database's own, else the folder's '*') is applied as a prune job created
 *   by "schedule" and audited as `prune.start` "by schedule" (each deletion is audited as the job ends, see
 *   lib/auth/audit.ts). While the database has a job, the prune waits and starts before any queued backup of
 *   it; several backups that end meanwhile make one prune. A prune still waiting when the server stops is done
 *   after the next scheduled backup.
 */
import { recordAudit } from '../auth/audit';
import { startBackup } from '../dashboard/commands/backup';
import { policyFlags, startPrune } from '../dashboard/commands/prune';
import { EVERY_DATABASE, policyFor } from '../db/queries/retention';
import { clusterDatabases, type CommandContext } from '../dashboard/commands/shared';
import { listSchedules, markDue } from '../db/queries/schedules';
import type { ScheduleRow } from '../db/schema';
import { describeError } from '../errors';
import { createLogger } from '../log';
import { dueOf, enqueue, firstPending, matchGlob, runsFor, type QueuedRun } from './plan';
import { DrillScheduler } from './drills';

export const SCHEDULE_USER = 'schedule';

export interface SchedulerOptions {
  tickMs?: number;
  /** the clock (tests pass their own times to tick() instead) */
  now?: () => number;
  /**
   * scheduled drills start once this settles: at the server's start, the cleanup of scratch databases killed
   * drills left (lib/server/drill-leftovers.ts), which drops every `txline-drill-*` database it finds, a new
   * drill's too
   */
  drillsAfter?: Promise<unknown>;
  /** how many of the jobs it starts may run at once (default: the environment's TXLINE_SCHEDULED_JOBS) */
  maxJobs?: number;
  /** how long one of its jobs counts against maxJobs at most (default SLOT_HOLD_MS) */
  slotHoldMs?: number;
}

/** How many scheduled jobs run at once, when TXLINE_SCHEDULED_JOBS is not set. */
export const DEFAULT_SCHEDULED_JOBS = 4;

/** How long a job counts against the scheduler's slots at most: one that runs longer (hung) no longer holds the rest back. */
export const SLOT_HOLD_MS = 6 * 3600_000;

/**
 * The scheduler's jobs still running: another may start while there are fewer than `max`. A job counts until
 * it is over, or for SLOT_HOLD_MS at most (with a warning): a job that hangs does not stop every schedule.
 */
export class JobSlots {
  private readonly running = new Set<number>();
  constructor(
    private readonly runner: Pick<CommandContext['runner'], 'wait'>,
    readonly max: number,
    private readonly log: { warn(m: string): void },
    private readonly holdMs = SLOT_HOLD_MS,
  ) {}

  /** whether a job may start, leaving `reserved` slots free for others */
  freeFor(reserved: number): boolean {
    return this.running.size < this.max - reserved;
  }

  get free(): boolean {
    return this.freeFor(0);
  }

  /** Counts a job it started until the job is over (or SLOT_HOLD_MS have passed). */
  took(jobId: number): void {
    this.running.add(jobId);
    const hold = setTimeout(() => {
      if (this.running.delete(jobId)) this.log.warn(`job #${jobId} has run ${Math.round(this.holdMs / 60_000)} minutes: it no longer holds back the scheduler's other jobs (TXLINE_SCHEDULED_JOBS=${this.max})`);
    }, this.holdMs);
    hold.unref();
    const over = () => {
      clearTimeout(hold);
      this.running.delete(jobId);
    };
    this.runner.wait(jobId).then(over, over);
  }
}

export interface TickResult {
  /** jobs started this tick */
  started: Array<{ jobId: number; run: QueuedRun }>;
  /** runs still waiting: for their database's job to end, or for one of the scheduler's (maxJobs) */
  waiting: QueuedRun[];
  /** drill jobs started this tick (lib/schedules/drills.ts) */
  drills: number[];
}

/** A retention policy to apply after a scheduled backup of a database into a folder succeeded. */
export interface PendingPrune {
  folderId: number;
  database: string;
  schedule: string;
  /** the backup job after which it applies */
  afterJob: number;
}

export class Scheduler {
  readonly startedAt: number;
  private readonly queue = new Map<string, QueuedRun>();
  /** per schedule: the earliest occurrence not handled, for the schedule's state named by `key` */
  private readonly firstPending = new Map<number, { key: string; at: number | null }>();
  private timer: NodeJS.Timeout | null = null;
  /** per folder and database: the retention still to apply after a scheduled backup */
  private readonly prunes = new Map<string, PendingPrune>();
  private stopped = false;
  private readonly log = createLogger('schedules');
  private readonly now: () => number;
  private readonly drills: DrillScheduler;
  /** scheduled drills wait (SchedulerOptions.drillsAfter) */
  private drillsHeld = false;
  private readonly slots: JobSlots;
  /**
   * per schedule: the newest occurrence of each type whose runs were queued, not yet marked handled in the
   * catalog (markQueued), for the schedule's state (updatedAt) when they were
   */
  private readonly queued = new Map<number, { state: number | null; full: number | null; diff: number | null }>();
  /** schedules whose glob covered no database, with the state (updatedAt) in which that was said */
  private readonly uncovered = new Map<number, string>();

  constructor(
    private readonly ctx: CommandContext,
    private readonly opts: SchedulerOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.startedAt = this.now();
    this.slots = new JobSlots(ctx.runner, opts.maxJobs ?? ctx.env.scheduledJobs ?? DEFAULT_SCHEDULED_JOBS, this.log, opts.slotHoldMs);
    this.drills = new DrillScheduler(ctx, this.slots);
    if (opts.drillsAfter) {
      this.drillsHeld = true;
      void opts.drillsAfter.finally(() => (this.drillsHeld = false)).catch(() => undefined);
    }
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.safeTick(), this.opts.tickMs ?? 1000);
    this.timer.unref();
    this.safeTick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The prunes waiting to start (a copy). */
  pendingPrunes(): PendingPrune[] {
    return [...this.prunes.values()];
  }

  /** The runs waiting to start (a copy): for their database's job to end, or for one of the scheduler's to. */
  waiting(): QueuedRun[] {
    return [...this.queue.values()];
  }

  private safeTick(): void {
    try {
      this.tick();
    } catch (e) {
      this.log.error(`a scheduler tick failed: ${describeError(e)}`);
    }
  }

  /** One tick at `now`: queue what fell due, then start what can start. */
  tick(now = this.now()): TickResult {
    const schedules = listSchedules(this.ctx.db);
    for (const s of schedules) {
      try {
        this.queueDue(s, now);
      } catch (e) {
        this.log.error(`schedule "${s.databaseGlob}" (#${s.id}): ${describeError(e)}`);
      }
    }
    const live = new Map(schedules.map((s) => [s.id, s]));
    for (const id of this.firstPending.keys()) if (!live.has(id)) this.firstPending.delete(id);
    for (const id of this.uncovered.keys()) if (!live.has(id)) this.uncovered.delete(id);
    this.startPrunes(); // before the queued backups: a prune never waits behind the next backup of its database
    const started: TickResult['started'] = [];
    for (const [key, run] of this.queue) {
      const s = live.get(run.scheduleId);
      if (!s || !s.enabled) {
        this.queue.delete(key); // removed or disabled since it was queued
        continue;
      }
      if (!this.slots.freeFor(this.drills.reserve)) continue; // as many of its jobs run as may: it keeps its place
      const jobId = this.startRun(s, run);
      if (jobId === 'wait') continue;
      this.queue.delete(key);
      if (jobId !== null) started.push({ jobId, run });
    }
    this.markQueued(live);
    let drills: number[] = [];
    try {
      if (!this.drillsHeld) drills = this.drills.tick(schedules, now);
    } catch (e) {
      this.log.error(`scheduled drills: ${describeError(e)}`);
    }
    return { started, waiting: this.waiting(), drills };
  }

  private queueDue(row: ScheduleRow, now: number): void {
    // what was queued counts as handled here before the catalog says so (markQueued)
    const held = this.queued.get(row.id);
    if (held && held.state !== row.updatedAt) this.queued.delete(row.id); // changed since: its marks were reset
    const later = (a: number | null, b: number | null | undefined) => (b === null || b === undefined ? a : a === null ? b : Math.max(a, b));
    const s = held && held.state === row.updatedAt ? { ...row, fullDueAt: later(row.fullDueAt, held.full), diffDueAt: later(row.diffDueAt, held.diff) } : row;
    // croner's search for a rare cron's next date is not free: look again only when something can be due
    const key = `${s.updatedAt}:${s.fullDueAt}:${s.diffDueAt}:${s.enabled}`;
    let first = this.firstPending.get(s.id);
    if (!first || first.key !== key) {
      first = { key, at: firstPending(s) };
      this.firstPending.set(s.id, first);
    }
    if (first.at === null || first.at > now) return;
    const due = dueOf(s, now);
    if (due.full === null && due.diff === null) return;
    // a cluster not seen yet, or reporting no database (no member answers): the occurrence waits for it
    const reported = clusterDatabases(this.ctx, s.clusterId);
    if (reported.size === 0) return;
    const databases = matchGlob(s.databaseGlob, reported);
    if (databases.length === 0) this.coversNothing(s, due, reported);
    else this.uncovered.delete(s.id);
    for (const run of runsFor(s, due, databases, this.startedAt)) enqueue(this.queue, run);
    const mark = this.queued.get(s.id) ?? { state: s.updatedAt, full: null, diff: null };
    for (const type of ['full', 'diff'] as const) {
      const d = due[type];
      if (d !== null) mark[type] = d.at;
    }
    this.queued.set(s.id, mark);
  }

  /**
   * Marks handled in the catalog the occurrences of the schedules none of whose runs waits in the queue any more
   * (all started, merged into another schedule's, or dropped). While some wait (for a slot, or for their
   * database's job), the catalog still has the occurrence before: a server stopped meanwhile makes it up at its
   * start, as a catch-up, for every database the glob covers; those whose runs had started get another run (a
   * duplicate, not a loss).
   */
  private markQueued(live: Map<number, ScheduleRow>): void {
    // per schedule and type (a diff merged into a waiting full is made up by the full's catch-up)
    const waiting = new Set([...this.queue.values()].map((r) => `${r.scheduleId}:${r.type}`));
    for (const [id, mark] of this.queued) {
      const s = live.get(id);
      if (!s || s.updatedAt !== mark.state) {
        this.queued.delete(id); // removed or changed since (its marks were reset)
        continue;
      }
      for (const type of ['full', 'diff'] as const) {
        const at = mark[type];
        if (at === null || waiting.has(`${id}:${type}`)) continue;
        markDue(this.ctx.db, { id, type, dueAt: at, state: mark.state });
        mark[type] = null;
      }
      if (mark.full === null && mark.diff === null) this.queued.delete(id);
    }
  }

  /**
   * An occurrence fell due and the glob covers no database the cluster reports (a database dropped or renamed,
   * a glob mistyped): the occurrence is handled with nothing to run. Said once (a failed `backup.start` in the
   * audit log, a warning) until the schedule covers a database again or is changed, not at every occurrence.
   */
  private coversNothing(s: ScheduleRow, due: ReturnType<typeof dueOf>, reported: Set<string>): void {
    const state = `${s.updatedAt ?? s.createdAt}`;
    if (this.uncovered.get(s.id) === state) return;
    this.uncovered.set(s.id, state);
    const at = Math.max(due.full?.at ?? 0, due.diff?.at ?? 0);
    const names = [...reported].sort();
    const what = `schedule "${s.databaseGlob}" due ${new Date(at).toISOString()} covers no database of the cluster (it reports ${names.slice(0, 10).join(', ')}${names.length > 10 ? `, and ${names.length - 10} more` : ''}): nothing was backed up, and nothing will be until it covers one`;
    recordAudit(this.ctx.db, { username: SCHEDULE_USER, address: null, action: 'backup.start', target: `database=${s.databaseGlob} clusterId=${s.clusterId}`, outcome: 'failed', detail: what });
    this.log.warn(what);
  }

  /** Starts a queued run: its job's ID, 'wait' while its database has a job, null when it could not start. */
  private startRun(s: ScheduleRow, run: QueuedRun): number | 'wait' | null {
    const createdBy = run.catchUp ? `${SCHEDULE_USER} (catch-up)` : SCHEDULE_USER;
    const note = { schedule: s.databaseGlob, scheduleId: s.id, dueAt: new Date(run.dueAt).toISOString(), catchUp: run.catchUp };
    const r = startBackup(this.ctx, { clusterId: run.clusterId, folderId: run.folderId, database: run.database, type: run.type }, createdBy, note);
    if (!r.ok && r.code === 'JOB_RUNNING') return 'wait';
    const what = `${run.type} backup by schedule "${s.databaseGlob}" due ${new Date(run.dueAt).toISOString()}${run.catchUp ? ' (catch-up: missed while the server was down)' : ''}`;
    recordAudit(this.ctx.db, {
      username: createdBy,
      address: null,
      action: 'backup.start',
      target: `database=${run.database} clusterId=${run.clusterId}`,
      outcome: r.ok ? 'ok' : 'failed',
      detail: r.ok ? `job #${r.jobId}: ${what}` : `${what}: ${r.error}`,
    });
    if (!r.ok) {
      this.log.warn(`could not start the ${what} of ${run.database}: ${r.error}`);
      return null;
    }
    this.log.info(`started job #${r.jobId}: ${what} of ${run.database}`);
    this.slots.took(r.jobId);
    this.pruneAfter(s, run, r.jobId);
    return r.jobId;
  }

  /** Once the backup job has ended (and its folder is indexed): when it succeeded, its retention is due. */
  private pruneAfter(s: ScheduleRow, run: QueuedRun, jobId: number): void {
    this.ctx.runner.wait(jobId).then(
      (job) => {
        if (job?.status !== 'succeeded') return;
        this.prunes.set(`${run.folderId}\u0000${run.database}`, { folderId: run.folderId, database: run.database, schedule: s.databaseGlob, afterJob: jobId });
        this.startPrunes();
      },
      (e: unknown) => this.log.error(`could not follow job #${jobId} for its retention: ${describeError(e)}`),
    );
  }

  /** Starts the prunes that are due, unless this scheduler was stopped; one whose database has a job waits. */
  private startPrunes(): void {
    if (this.stopped) return;
    for (const [key, p] of this.prunes) {
      if (!this.slots.freeFor(this.drills.reserve)) return; // the others wait for one of its jobs to end
      const policy = policyFor(this.ctx.db, p);
      if (!policy) {
        this.prunes.delete(key); // no policy covers it (any more)
        continue;
      }
      const note = { schedule: p.schedule, afterJob: p.afterJob, policyId: policy.id };
      const r = startPrune(this.ctx, { folderId: p.folderId, database: p.database, policy }, SCHEDULE_USER, note);
      if (!r.ok && r.code === 'JOB_RUNNING') continue;
      this.prunes.delete(key);
      const which = policy.database === EVERY_DATABASE ? "the folder's policy for every database" : `the policy for ${policy.database}`;
      const what = `prune by schedule "${p.schedule}" after backup job #${p.afterJob}: ${policyFlags(policy)} (${which}, #${policy.id})`;
      recordAudit(this.ctx.db, {
        username: SCHEDULE_USER,
        address: null,
        action: 'prune.start',
        target: `database=${p.database} folderId=${p.folderId}`,
        outcome: r.ok ? 'ok' : 'failed',
        detail: r.ok ? `job #${r.jobId}: ${what}` : `${what}: ${r.error}`,
      });
      if (r.ok) {
        this.log.info(`started job #${r.jobId}: ${what} of ${p.database}`);
        this.slots.took(r.jobId);
      } else this.log.warn(`could not start the ${what} of ${p.database}: ${r.error}`);
    }
  }
}
