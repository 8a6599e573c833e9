/**
 * Scheduled restore drills: every database a backup schedule covers is drilled by the schedule's drill cron
 * (`drill_cron`, read in the schedule's zone; null: DEFAULT_DRILL_CRON, daily; '': none), at the newest point of
 * its newest chain in the schedule's folder, as an ordinary drill job (startDrill: the same runner and checks
 * as "Drill now"), created by "schedule" and audited as `drill.start`.
 *
 * - A drill is due at the first occurrence after the database's last drill (any drill: "Drill now" counts) or
 *   the schedule's creation, so a server that was down makes up one drill, not one per missed day.
 * - One drill per occurrence: once started, the occurrence is handled here until the drill's row is in the
 *   catalog; one refused (no backups yet, a folder outside the roots) is tried again at the next occurrence; a
 *   database with a running job waits.
 */
import { recordAudit } from '../auth/audit';
import { startDrill } from '../dashboard/commands/drill';
import { clusterDatabases, type CommandContext } from '../dashboard/commands/shared';
import { lastDrills } from '../db/queries/drills';
import { getJob } from '../db/queries/jobs';
import type { ScheduleRow } from '../db/schema';
import { createLogger } from '../log';
import { drillCronOf, nextDrillAfter } from './drill-cron';
import { matchGlob } from './plan';
import { SCHEDULE_USER, type JobSlots } from './scheduler';

export class DrillScheduler {
  /**
   * per schedule and database: the occurrence looked for (computed when what it follows changes: the newest
   * drill, the schedule), and the job started for it
   */
  private readonly next = new Map<string, { after: number; at: number | null; handled: boolean; jobId?: number }>();
  private readonly log = createLogger('schedules');

  constructor(
    private readonly ctx: CommandContext,
    /** shared with the scheduler's backups and prunes: a drill starts only while one is free */
    private readonly slots: JobSlots,
  ) {}

  /**
   * The slots prunes and backups leave free for drills: one when a due drill waited for a slot at the last tick
   * and none started, so drills and backups take turns: backups that keep falling due (diffs every 15 minutes
   * of more databases than the slots get through) do not hold drills back for good, nor do 500 daily drills
   * backups.
   */
  reserve = 0;

  /** Starts the drills due at `now`; returns the started jobs' IDs. */
  tick(schedules: ScheduleRow[], now: number): number[] {
    const started: number[] = [];
    let waited = false;
    try {
      return this.startDue(schedules, now, started, () => (waited = true));
    } finally {
      // drills and backups take turns: a slot is kept for drills only when one waited and none started now
      this.reserve = waited && started.length === 0 ? 1 : 0;
    }
  }

  private startDue(schedules: ScheduleRow[], now: number, started: number[], waiting: () => void): number[] {
    const byCluster = new Map<number, Map<string, number>>();
    const lastOf = (clusterId: number) => {
      let m = byCluster.get(clusterId);
      if (!m) {
        m = new Map(lastDrills(this.ctx.db, { clusterId }).map((d) => [d.database, d.last.startedAt]));
        byCluster.set(clusterId, m);
      }
      return m;
    };
    const live = new Set<string>();
    for (const s of schedules) {
      if (!s.enabled || drillCronOf(s) === null) continue;
      const reported = clusterDatabases(this.ctx, s.clusterId);
      if (reported.size === 0) continue;
      for (const database of matchGlob(s.databaseGlob, reported)) {
        const key = `${s.id}\u0000${database}\u0000${s.updatedAt ?? ''}`;
        live.add(key);
        const after = Math.max(lastOf(s.clusterId).get(database) ?? 0, s.createdAt);
        let n = this.next.get(key);
        if (!n || n.after !== after) {
          n = { after, at: nextDrillAfter(s, after), handled: false };
          this.next.set(key, n);
        }
        if (n.handled && n.jobId !== undefined && getJob(this.ctx.db, { id: n.jobId })?.status !== 'running') {
          // its job is over and recorded no drill (a newer drill would have moved `after`): cancelled, or the
          // process died; the next occurrence drills again
          n = { after, at: nextDrillAfter(s, n.at ?? now), handled: false };
          this.next.set(key, n);
        }
        if (n.handled || n.at === null || n.at > now) continue;
        if (!this.slots.free) {
          waiting(); // due: started once one of the scheduler's jobs is over (the others leave it one)
          continue;
        }
        const jobId = this.startOne(s, database, n.at);
        if (jobId === 'wait') continue;
        if (jobId === null) n.at = nextDrillAfter(s, n.at); // refused: the next occurrence tries again
        else {
          n.handled = true;
          n.jobId = jobId;
          this.slots.took(jobId);
          started.push(jobId);
        }
      }
    }
    for (const k of this.next.keys()) if (!live.has(k)) this.next.delete(k);
    return started;
  }

  private startOne(s: ScheduleRow, database: string, dueAt: number): number | 'wait' | null {
    const note = { schedule: s.databaseGlob, scheduleId: s.id, dueAt: new Date(dueAt).toISOString() };
    const r = startDrill(this.ctx, { clusterId: s.clusterId, folderId: s.folderId, database, point: 'latest' }, SCHEDULE_USER, note);
    if (!r.ok && r.code === 'JOB_RUNNING') return 'wait';
    const what = `restore drill by schedule "${s.databaseGlob}" due ${new Date(dueAt).toISOString()}`;
    recordAudit(this.ctx.db, {
      username: SCHEDULE_USER,
      address: null,
      action: 'drill.start',
      target: `database=${database} clusterId=${s.clusterId}`,
      outcome: r.ok ? 'ok' : 'failed',
      detail: r.ok ? `job #${r.jobId}: ${what}` : `${what}: ${r.error}`,
    });
    if (!r.ok) {
      this.log.warn(`could not start the ${what} of ${database}: ${r.error}`);
      return null;
    }
    this.log.info(`started job #${r.jobId}: ${what} of ${database}`);
    return r.jobId;
  }
}
