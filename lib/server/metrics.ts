/**
 * Txline's own Prometheus metrics (GET /api/metrics), read from the catalog on each scrape:
 *
 *   txline_jobs{kind,status}                               jobs the dashboard started, by kind and status
 *   txline_last_backup_timestamp_seconds{folder,database}  time of the newest artifact per folder and database
 *   txline_last_backup_age_seconds{folder,database}        seconds since then
 *   txline_member_replication_lag{cluster,member,database} transactions behind the writer (the collector's
 *                                                          latest sample, within the last five minutes)
 *   txline_member_online{cluster,member,database}          1 when that sample found the database online
 *   txline_backup_last_success_timestamp_seconds{cluster,database,type}
 *                                                          when the last backup JOB that succeeded ended (not
 *                                                          the newest artifact's time: an artifact copied in,
 *                                                          or a job that failed after writing, does not count)
 *   txline_backup_duration_seconds{cluster,database,type}  how long that job ran
 *   txline_backup_size_bytes{cluster,database,type}        the size of the artifact it wrote
 *   txline_job_failures_total{cluster,database,kind}       jobs that failed or were interrupted (cluster "" for
 *                                                          a job on a backup folder only: verify, delete, prune)
 *   txline_schedule_next_run_timestamp_seconds{cluster,database,type}
 *                                                          the next run of each enabled schedule's cron
 *                                                          (`database`: the schedule's name or glob)
 *   process_*, nodejs_*                                    the server process (prom-client's default metrics)
 *
 * `type` is the backup taken (full or diff; an `auto` run says which it became). Every family is exported with
 * its HELP and TYPE lines even before its first sample, so a scraper and its rules see it from the start.
 *
 * Who may scrape is the guard's 'metrics.scrape' rule (lib/auth/guard.ts). Node-only, pure of Next.js.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Catalog } from '../db';
import { listSchedules } from '../db/queries/schedules';
import { nextOf } from '../schedules/plan';

const FRESH_MS = 5 * 60_000;

/**
 * The process metrics' registry: one per process (prom-client's collectors hold event-loop and GC observers,
 * so they are set up once, not per scrape), kept on globalThis so a reloaded module does not add a second.
 */
function processRegistry(): Registry {
  const g = globalThis as { __txlineProcessMetrics?: Registry };
  if (!g.__txlineProcessMetrics) {
    const r = new Registry();
    collectDefaultMetrics({ register: r });
    g.__txlineProcessMetrics = r;
  }
  return g.__txlineProcessMetrics;
}

export async function txlineMetrics(db: Catalog, now = Date.now()): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  const jobs = new Gauge({ name: 'txline_jobs', help: 'Jobs the dashboard started, by kind and status', labelNames: ['kind', 'status'], registers: [registry] });
  const lastBackup = new Gauge({ name: 'txline_last_backup_timestamp_seconds', help: 'Time of the newest backup artifact', labelNames: ['folder', 'database'], registers: [registry] });
  const backupAge = new Gauge({ name: 'txline_last_backup_age_seconds', help: 'Seconds since the newest backup artifact', labelNames: ['folder', 'database'], registers: [registry] });
  const lag = new Gauge({ name: 'txline_member_replication_lag', help: 'Transactions a member is behind the writer (latest sample)', labelNames: ['cluster', 'member', 'database'], registers: [registry] });
  const online = new Gauge({ name: 'txline_member_online', help: '1 when the latest sample found the database online on the member', labelNames: ['cluster', 'member', 'database'], registers: [registry] });
  const backupLabels = ['cluster', 'database', 'type'] as const;
  const lastSuccess = new Gauge({
    name: 'txline_backup_last_success_timestamp_seconds',
    help: 'When the last backup job that succeeded ended (by backup type taken)',
    labelNames: backupLabels,
    registers: [registry],
  });
  const duration = new Gauge({ name: 'txline_backup_duration_seconds', help: 'How long the last backup job that succeeded ran', labelNames: backupLabels, registers: [registry] });
  const size = new Gauge({ name: 'txline_backup_size_bytes', help: 'Size of the artifact the last backup job that succeeded wrote', labelNames: backupLabels, registers: [registry] });
  const failures = new Counter({
    name: 'txline_job_failures_total',
    help: 'Jobs that failed or were interrupted, by cluster (empty for folder-only jobs), database and kind',
    labelNames: ['cluster', 'database', 'kind'],
    registers: [registry],
  });
  const nextRun = new Gauge({
    name: 'txline_schedule_next_run_timestamp_seconds',
    help: "The next run of an enabled schedule's cron (database: the schedule's name or glob)",
    labelNames: backupLabels,
    registers: [registry],
  });

  const alertsFiring = new Gauge({ name: 'txline_alerts_firing', help: 'Open alerts (firing or acknowledged, not resolved) per condition', labelNames: ['alert'], registers: [registry] });

  const sql = db.$client;
  for (const r of sql.prepare("SELECT condition AS alert, count(*) AS n FROM alerts WHERE state != 'resolved' GROUP BY condition").all() as Array<{ alert: string; n: number }>) {
    alertsFiring.set({ alert: r.alert }, r.n);
  }
  for (const r of sql.prepare('SELECT kind, status, count(*) AS n FROM jobs GROUP BY kind, status').all() as Array<{ kind: string; status: string; n: number }>) {
    jobs.set({ kind: r.kind, status: r.status }, r.n);
  }
  const newest = sql
    .prepare('SELECT f.name AS folder, a.database AS database, max(a.time) AS time FROM artifacts a JOIN backup_folders f ON f.id = a.folder_id GROUP BY a.folder_id, a.database')
    .all() as Array<{ folder: string; database: string; time: number }>;
  for (const r of newest) {
    lastBackup.set({ folder: r.folder, database: r.database }, r.time / 1000);
    backupAge.set({ folder: r.folder, database: r.database }, Math.max(0, (now - r.time) / 1000));
  }
  // SQLite takes the bare columns from the row holding max(ts)
  const samples = sql
    .prepare(
      `SELECT c.name AS cluster, l.member_id AS member, l.database AS database, max(l.ts) AS ts, l.replication_lag AS lag, l.online AS online
       FROM lag_samples l JOIN clusters c ON c.id = l.cluster_id
       WHERE l.resolution = 's' AND l.ts > ?
       GROUP BY l.cluster_id, l.database, l.member_id`,
    )
    .all(now - FRESH_MS) as Array<{ cluster: string; member: string; database: string; ts: number; lag: number; online: number }>;
  for (const r of samples) {
    const labels = { cluster: r.cluster, member: r.member, database: r.database };
    lag.set(labels, r.lag);
    online.set(labels, r.online ? 1 : 0);
  }

  // the last backup job that succeeded per cluster, database and type taken (bare columns: the max(ended_at) row)
  const succeeded = sql
    .prepare(
      `SELECT coalesce(c.name, '') AS cluster, j.database AS database,
              coalesce(json_extract(j.result, '$.results[0].type'), json_extract(j.params, '$.type'), 'auto') AS type,
              max(j.ended_at) AS endedAt, j.started_at AS startedAt, j.folder_id AS folderId,
              json_extract(j.result, '$.results[0].artifact') AS artifact, json_extract(j.result, '$.bytesDone') AS bytesDone
       FROM jobs j LEFT JOIN clusters c ON c.id = j.cluster_id
       WHERE j.kind = 'backup' AND j.status = 'succeeded' AND j.ended_at IS NOT NULL
       GROUP BY j.cluster_id, j.database, type`,
    )
    .all() as Array<{ cluster: string; database: string; type: string; endedAt: number; startedAt: number | null; folderId: number | null; artifact: string | null; bytesDone: number | null }>;
  const artifactSize = sql.prepare('SELECT file_size AS size FROM artifacts WHERE folder_id = ? AND file = ?');
  for (const r of succeeded) {
    const labels = { cluster: r.cluster, database: r.database, type: r.type };
    lastSuccess.set(labels, r.endedAt / 1000);
    if (r.startedAt !== null) duration.set(labels, Math.max(0, (r.endedAt - r.startedAt) / 1000));
    // the artifact as indexed; once it is gone (pruned), what the job reported writing
    const indexed = r.folderId !== null && r.artifact ? (artifactSize.get(r.folderId, r.artifact) as { size: number } | undefined) : undefined;
    const bytes = indexed?.size ?? r.bytesDone;
    if (typeof bytes === 'number') size.set(labels, bytes);
  }

  const failed = sql
    .prepare(
      `SELECT coalesce(c.name, '') AS cluster, j.database AS database, j.kind AS kind, count(*) AS n
       FROM jobs j LEFT JOIN clusters c ON c.id = j.cluster_id
       WHERE j.status IN ('failed', 'interrupted')
       GROUP BY j.cluster_id, j.database, j.kind`,
    )
    .all() as Array<{ cluster: string; database: string; kind: string; n: number }>;
  for (const r of failed) failures.inc({ cluster: r.cluster, database: r.database, kind: r.kind }, r.n);

  const clusterNames = new Map((sql.prepare('SELECT id, name FROM clusters').all() as Array<{ id: number; name: string }>).map((c) => [c.id, c.name]));
  for (const s of listSchedules(db)) {
    const next = nextOf(s, now);
    for (const type of ['full', 'diff'] as const) {
      const t = next[type];
      if (t !== null) nextRun.set({ cluster: clusterNames.get(s.clusterId) ?? '', database: s.databaseGlob, type }, t / 1000);
    }
  }

  const all = Registry.merge([registry, processRegistry()]);
  return { contentType: all.contentType, body: await all.metrics() };
}
