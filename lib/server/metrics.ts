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
 *
 * A fleet (5,000 databases) has some 40,000 series: prom-client's registry takes over a second to hold and print
 * them (a label set hashed per set, then formatted), so Txline's own families are written here in the text
 * format (0.0.4: HELP and TYPE first, label values escaped) and prom-client keeps the process metrics. The newest
 * artifact per folder and database is one index seek per database (a skip-scan of the (folder, database, time)
 * index), not a read of every artifact.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Catalog } from '../db';
import { artifactsStamp } from '../db/queries/artifacts';
import { listSchedules } from '../db/queries/schedules';
import { nextOf } from '../schedules/plan';

const FRESH_MS = 5 * 60_000;

const escapeHelp = (s: string) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabel = (s: string) => (/[\\"\n]/.test(s) ? s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : s);
const formatValue = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

/** One metric family in the text format: a series per label set (set replaces, inc adds), in the order first set. */
class Family<L extends string> {
  private readonly series = new Map<string, number>();
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly type: 'gauge' | 'counter',
    private readonly labelNames: readonly L[],
  ) {}

  private key(labels: Record<L, string>): string {
    return this.labelNames.map((l) => `${l}="${escapeLabel(labels[l])}"`).join(',');
  }

  set(labels: Record<L, string>, value: number): void {
    this.series.set(this.key(labels), value);
  }

  inc(labels: Record<L, string>, by: number): void {
    const k = this.key(labels);
    this.series.set(k, (this.series.get(k) ?? 0) + by);
  }

  text(): string {
    let out = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`;
    for (const [k, v] of this.series) out += `${this.name}{${k}} ${formatValue(v)}\n`;
    return out;
  }
}

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

interface SucceededBackup {
  clusterId: number | null;
  database: string;
  type: string;
  endedAt: number;
  startedAt: number | null;
  folderId: number | null;
  artifact: string | null;
  bytesDone: number | null;
}

/**
 * Per catalog: the last succeeded backup per cluster, database and type among the jobs below `below` (every job
 * there is over: its row no longer changes), and how many succeeded backups that was counted from. A fleet has
 * a hundred thousand of them, each with its type in its JSON: read once, then only the jobs from `below` on.
 */
const succeededCaches = new WeakMap<Catalog, { below: number; count: number; last: Map<string, SucceededBackup> }>();

function lastSucceededBackups(db: Catalog): Map<string, SucceededBackup> {
  const sql = db.$client;
  const range = sql.prepare(
    `SELECT cluster_id AS clusterId, database, coalesce(json_extract(result, '$.results[0].type'), json_extract(params, '$.type'), 'auto') AS type,
            ended_at AS endedAt, started_at AS startedAt, folder_id AS folderId,
            json_extract(result, '$.results[0].artifact') AS artifact, json_extract(result, '$.bytesDone') AS bytesDone
     FROM jobs WHERE kind = 'backup' AND status = 'succeeded' AND ended_at IS NOT NULL AND id >= ? AND id < ?`,
  );
  const countBelow = (below: number) => (sql.prepare("SELECT count(*) AS n FROM jobs WHERE kind = 'backup' AND status = 'succeeded' AND id < ?").get(below) as { n: number }).n;
  const fold = (into: Map<string, SucceededBackup>, rows: SucceededBackup[]) => {
    for (const r of rows) {
      const k = `${r.clusterId ?? ''}\u0000${r.database}\u0000${r.type}`;
      const was = into.get(k);
      if (!was || r.endedAt > was.endedAt) into.set(k, r);
    }
  };
  // the jobs from the oldest one still running on may still change
  const { below } = sql.prepare("SELECT coalesce((SELECT min(id) FROM jobs WHERE status = 'running'), (SELECT coalesce(max(id), 0) + 1 FROM jobs)) AS below").get() as { below: number };
  let c = succeededCaches.get(db);
  // a job removed below the line (or a catalog replaced): read them all again
  if (c && countBelow(c.below) !== c.count) c = undefined;
  if (!c) {
    c = { below: 0, count: 0, last: new Map() };
    succeededCaches.set(db, c);
  }
  if (below > c.below) {
    fold(c.last, range.all(c.below, below) as SucceededBackup[]);
    c.below = below;
    c.count = countBelow(below);
  }
  const out = new Map(c.last);
  fold(out, range.all(c.below, Number.MAX_SAFE_INTEGER) as SucceededBackup[]);
  return out;
}

/** Per catalog: the indexed size of the artifacts looked up, kept while no artifact row changed (artifactsStamp). */
const sizeCaches = new WeakMap<Catalog, { stamp: string; sizes: Map<string, number | undefined> }>();

function artifactSizes(db: Catalog): (folderId: number, file: string) => number | undefined {
  const s = artifactsStamp(db);
  const stamp = `${s.n}/${s.maxId}/${s.indexed}/${s.verified}`;
  let c = sizeCaches.get(db);
  if (!c || c.stamp !== stamp) sizeCaches.set(db, (c = { stamp, sizes: new Map() }));
  const { sizes } = c;
  const get = db.$client.prepare('SELECT file_size AS size FROM artifacts WHERE folder_id = ? AND file = ?');
  return (folderId, file) => {
    const k = `${folderId}\u0000${file}`;
    if (!sizes.has(k)) sizes.set(k, (get.get(folderId, file) as { size: number } | undefined)?.size);
    return sizes.get(k);
  };
}

export async function txlineMetrics(db: Catalog, now = Date.now()): Promise<{ contentType: string; body: string }> {
  const jobs = new Family('txline_jobs', 'Jobs the dashboard started, by kind and status', 'gauge', ['kind', 'status']);
  const lastBackup = new Family('txline_last_backup_timestamp_seconds', 'Time of the newest backup artifact', 'gauge', ['folder', 'database']);
  const backupAge = new Family('txline_last_backup_age_seconds', 'Seconds since the newest backup artifact', 'gauge', ['folder', 'database']);
  const lag = new Family('txline_member_replication_lag', 'Transactions a member is behind the writer (latest sample)', 'gauge', ['cluster', 'member', 'database']);
  const online = new Family('txline_member_online', '1 when the latest sample found the database online on the member', 'gauge', ['cluster', 'member', 'database']);
  const backupLabels = ['cluster', 'database', 'type'] as const;
  const lastSuccess = new Family('txline_backup_last_success_timestamp_seconds', 'When the last backup job that succeeded ended (by backup type taken)', 'gauge', backupLabels);
  const duration = new Family('txline_backup_duration_seconds', 'How long the last backup job that succeeded ran', 'gauge', backupLabels);
  const size = new Family('txline_backup_size_bytes', 'Size of the artifact the last backup job that succeeded wrote', 'gauge', backupLabels);
  const failures = new Family('txline_job_failures_total', 'Jobs that failed or were interrupted, by cluster (empty for folder-only jobs), database and kind', 'counter', [
    'cluster',
    'database',
    'kind',
  ]);
  const nextRun = new Family('txline_schedule_next_run_timestamp_seconds', "The next run of an enabled schedule's cron (database: the schedule's name or glob)", 'gauge', backupLabels);
  const alertsFiring = new Family('txline_alerts_firing', 'Open alerts (firing or acknowledged, not resolved) per condition', 'gauge', ['alert']);

  const sql = db.$client;
  for (const r of sql.prepare("SELECT condition AS alert, count(*) AS n FROM alerts WHERE state != 'resolved' GROUP BY condition").all() as Array<{ alert: string; n: number }>) {
    alertsFiring.set({ alert: r.alert }, r.n);
  }
  for (const r of sql.prepare('SELECT kind, status, count(*) AS n FROM jobs GROUP BY kind, status').all() as Array<{ kind: string; status: string; n: number }>) {
    jobs.set({ kind: r.kind, status: r.status }, r.n);
  }
  // per folder, each database's name by one seek past the previous one, and its newest time by one more
  const newest = sql.prepare(
    `WITH RECURSIVE names(name) AS (
       SELECT (SELECT min(database) FROM artifacts WHERE folder_id = @folder)
       UNION ALL
       SELECT (SELECT min(database) FROM artifacts WHERE folder_id = @folder AND database > names.name) FROM names WHERE names.name IS NOT NULL
     ) SELECT name AS database, (SELECT max(time) FROM artifacts WHERE folder_id = @folder AND database = names.name) AS time FROM names WHERE name IS NOT NULL`,
  );
  for (const f of sql.prepare('SELECT id, name FROM backup_folders ORDER BY id').all() as Array<{ id: number; name: string }>) {
    for (const r of newest.all({ folder: f.id }) as Array<{ database: string; time: number }>) {
      lastBackup.set({ folder: f.name, database: r.database }, r.time / 1000);
      backupAge.set({ folder: f.name, database: r.database }, Math.max(0, (now - r.time) / 1000));
    }
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

  // the last backup job that succeeded per cluster, database and type taken
  const names = new Map((sql.prepare('SELECT id, name FROM clusters').all() as Array<{ id: number; name: string }>).map((c) => [c.id, c.name]));
  // (a removed cluster's jobs have lost their cluster: named '' like the jobs that never had one, the newest kept)
  const byLabels = new Map<string, SucceededBackup & { cluster: string }>();
  for (const r of lastSucceededBackups(db).values()) {
    const cluster = r.clusterId === null ? '' : (names.get(r.clusterId) ?? '');
    const k = `${cluster}\u0000${r.database}\u0000${r.type}`;
    const was = byLabels.get(k);
    if (!was || r.endedAt > was.endedAt) byLabels.set(k, { ...r, cluster });
  }
  const succeeded = [...byLabels.values()];
  const artifactSize = artifactSizes(db);
  for (const r of succeeded) {
    const labels = { cluster: r.cluster, database: r.database, type: r.type };
    lastSuccess.set(labels, r.endedAt / 1000);
    if (r.startedAt !== null) duration.set(labels, Math.max(0, (r.endedAt - r.startedAt) / 1000));
    // the artifact as indexed; once it is gone (pruned), what the job reported writing
    const indexed = r.folderId !== null && r.artifact ? artifactSize(r.folderId, r.artifact) : undefined;
    const bytes = indexed ?? r.bytesDone;
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

  for (const s of listSchedules(db)) {
    const next = nextOf(s, now);
    for (const type of ['full', 'diff'] as const) {
      const t = next[type];
      if (t !== null) nextRun.set({ cluster: names.get(s.clusterId) ?? '', database: s.databaseGlob, type }, t / 1000);
    }
  }

  const own = [jobs, lastBackup, backupAge, lag, online, lastSuccess, duration, size, failures, nextRun, alertsFiring].map((f) => f.text()).join('');
  const processes = processRegistry();
  return { contentType: processes.contentType, body: own + (await processes.metrics()) };
}
