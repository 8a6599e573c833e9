/**
 * Txline's own Prometheus metrics (GET /api/metrics), read from the catalog on each scrape:
 *
 *   txline_jobs{kind,status}                               jobs the dashboard started, by kind and status
 *   txline_last_backup_timestamp_seconds{folder,database}  time of the newest artifact per folder and database
 *   txline_last_backup_age_seconds{folder,database}        seconds since then
 *   txline_member_replication_lag{cluster,member,database} transactions behind the writer (the collector's
 *                                                          latest sample, within the last five minutes)
 *   txline_member_online{cluster,member,database}          1 when that sample found the database online
 *
 * Who may scrape is the guard's 'metrics.scrape' rule (lib/auth/guard.ts). Node-only, pure of Next.js.
 */
import { Gauge, Registry } from 'prom-client';
import type { Catalog } from '../db';

const FRESH_MS = 5 * 60_000;

export async function txlineMetrics(db: Catalog, now = Date.now()): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  const jobs = new Gauge({ name: 'txline_jobs', help: 'Jobs the dashboard started, by kind and status', labelNames: ['kind', 'status'], registers: [registry] });
  const lastBackup = new Gauge({ name: 'txline_last_backup_timestamp_seconds', help: 'Time of the newest backup artifact', labelNames: ['folder', 'database'], registers: [registry] });
  const backupAge = new Gauge({ name: 'txline_last_backup_age_seconds', help: 'Seconds since the newest backup artifact', labelNames: ['folder', 'database'], registers: [registry] });
  const lag = new Gauge({ name: 'txline_member_replication_lag', help: 'Transactions a member is behind the writer (latest sample)', labelNames: ['cluster', 'member', 'database'], registers: [registry] });
  const online = new Gauge({ name: 'txline_member_online', help: '1 when the latest sample found the database online on the member', labelNames: ['cluster', 'member', 'database'], registers: [registry] });

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
  return { contentType: registry.contentType, body: await registry.metrics() };
}
