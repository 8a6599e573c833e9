/**
 * The alert facts and the metrics of many databases, on a real catalog file (issue 17's fleet): what the
 * per-database queries rewritten for speed say is what the plain queries say: the first lag sample of a series is
 * the oldest of every resolution, a database's failure streak counts from its newest jobs on its own cluster, its
 * bytes are summed per folder, the newest backup per folder and database is the plain GROUP BY's; the monitor's
 * evaluation in slices finds what the evaluation at once finds; label values with quotes, backslashes and newlines
 * are escaped so that the strict reader takes the text.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherFacts } from '../../lib/alerts/facts';
import { AlertMonitor } from '../../lib/alerts/monitor';
import { listRules, rulesFor } from '../../lib/alerts/rules';
import { openCatalog, type Catalog } from '../../lib/db';
import { txlineMetrics } from '../../lib/server/metrics';
import { parsePrometheusText } from '../helpers/prom-text';

const HOUR = 3_600_000;
const NOW = Math.floor(Date.now() / HOUR) * HOUR;
const DATABASES = 60;
const name = (i: number) => `db${String(i).padStart(3, '0')}`;

let dir: string;
let db: Catalog;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-facts-fleet-'));
  db = openCatalog(path.join(dir, 'catalog.sqlite'));
  const sql = db.$client;
  sql.transaction(() => {
    const cluster = sql.prepare("INSERT INTO clusters (name, kind, started_here, addresses) VALUES (?, 'txline', 0, '[]')");
    cluster.run('east');
    cluster.run('west');
    const folder = sql.prepare('INSERT INTO backup_folders (name, path, is_default) VALUES (?, ?, ?)');
    folder.run('main', path.join(dir, 'main'), 1);
    // a folder name a scraper must read back exactly
    folder.run('odd "name" \\ with\nnewline', path.join(dir, 'odd'), 0);
    const art = sql.prepare(`INSERT INTO artifacts (folder_id, file, database, database_id, store_id, time, full, compressed, lowest_tx, highest_tx, tip_tx, tx_count,
      parent, parent_last_tx_checksum, last_tx_checksum, recovered, size_bytes, raw_bytes, sha256, file_size, file_mtime_ms, indexed_at)
      VALUES (?, ?, ?, 'id', 'store', ?, 1, 0, 1, 10, 10, 10, NULL, NULL, 10, 1, ?, 1, 'x', 1, 1, ?)`);
    const sample = sql.prepare(`INSERT INTO lag_samples (cluster_id, member_id, database, resolution, ts, last_committed_txn, replication_lag, online) VALUES (?, ?, ?, ?, ?, 100, ?, 1)`);
    const job = sql.prepare(`INSERT INTO jobs (kind, status, cluster_id, folder_id, database, params, args, log, error, created_at, started_at, ended_at) VALUES (?, ?, ?, 1, ?, '{}', '[]', '', ?, ?, ?, ?)`);
    for (let i = 1; i <= DATABASES; i++) {
      const d = name(i);
      for (let k = 0; k < 4; k++) art.run(1, `${d}-${k}.backup`, d, NOW - (10 - k) * HOUR, 1000 * i + k, NOW);
      if (i % 3 === 0) for (let k = 0; k < 2; k++) art.run(2, `${d}-${k}.backup`, d, NOW - (20 - k) * HOUR, 7 * i + k, NOW);
      const clusterId = (i % 2) + 1;
      // hours from 3 days ago, minutes from 5 hours ago, seconds of the last two minutes: the oldest is an hour's
      for (const m of ['member-1', 'member-2']) {
        for (let h = 0; h < 3; h++) sample.run(clusterId, m, d, 'h', NOW - (72 - h + i) * HOUR, -h);
        for (let k = 0; k < 5; k++) sample.run(clusterId, m, d, 'm', NOW - 5 * HOUR + k * 60_000, -k);
        for (let s = 0; s < 120; s += 10) sample.run(clusterId, m, d, 's', NOW - 120_000 + s * 1000, -(s % 7));
      }
      // jobs: successes, then i % 4 failures in a row (newest last); the other cluster's failures do not count
      for (let k = 0; k < 5; k++) job.run('backup', 'succeeded', clusterId, d, null, NOW - (30 - k) * HOUR, NOW - (30 - k) * HOUR, NOW - (30 - k) * HOUR + 1000);
      for (let k = 0; k < i % 4; k++) job.run('backup', 'failed', clusterId, d, `failure ${k}`, NOW - (10 - k) * HOUR, NOW - (10 - k) * HOUR, NOW - (10 - k) * HOUR + 1000);
      job.run('backup', 'failed', 3 - clusterId, d, 'elsewhere', NOW - HOUR, NOW - HOUR, NOW - HOUR + 1000);
    }
  })();
});

afterAll(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const rules = () => {
  const rows = listRules(db);
  return (d: string) => rulesFor(rows, d);
};

describe('the alert facts of many databases', () => {
  it('say what the plain queries say, database by database', () => {
    const sql = db.$client;
    const facts = gatherFacts({ db, reports: new Map(), drills: [], rulesFor: rules(), now: NOW });
    const mine = facts.filter(({ facts: f }) => f.cluster !== null);
    // every database on its own cluster (samples and jobs) and on the other (a job there)
    expect(mine).toHaveLength(DATABASES * 2);
    for (let i = 1; i <= DATABASES; i++) {
      const d = name(i);
      const cluster = i % 2 === 1 ? 'west' : 'east';
      const clusterId = cluster === 'east' ? 1 : 2;
      const f = mine.find((x) => x.facts.database === d && x.facts.cluster === cluster)?.facts;
      expect(f, d).toBeDefined();
      const firstSample = (sql.prepare('SELECT min(ts) AS t FROM lag_samples WHERE cluster_id = ? AND database = ?').get(clusterId, d) as { t: number }).t;
      const firstJob = (sql.prepare('SELECT min(created_at) AS t FROM jobs WHERE cluster_id = ? AND database = ?').get(clusterId, d) as { t: number }).t;
      expect(firstSample).toBe(NOW - (72 + i) * HOUR);
      expect(f?.firstSeenAt).toBe(Math.min(firstSample, firstJob));
      expect(f?.failureStreaks).toEqual(i % 4 === 0 ? [] : [expect.objectContaining({ kind: 'backup', count: i % 4, error: `failure ${(i % 4) - 1}` })]);
      const bytes = (sql.prepare('SELECT sum(size_bytes) AS n FROM artifacts WHERE database = ?').get(d) as { n: number }).n;
      expect(f?.storage?.bytes).toBe(bytes);
      expect(f?.storage?.locations.map((l) => l.name)).toEqual(i % 3 === 0 ? ['main', 'odd "name" \\ with\nnewline'] : ['main']);
      expect(f?.lastSuccessAt).toBe(NOW - 7 * HOUR); // the newest artifact (after the last successful job)
      // the other cluster's view of it: one failure there
      const other = mine.find((x) => x.facts.database === d && x.facts.cluster !== cluster)?.facts;
      expect(other?.failureStreaks).toEqual([expect.objectContaining({ kind: 'backup', count: 1, error: 'elsewhere' })]);
    }
  });

  it('are evaluated in slices with the findings of an evaluation at once', async () => {
    const monitor = new AlertMonitor({ db, env: { catalog: path.join(dir, 'catalog.sqlite'), publicUrl: null }, collector: { latest: new Map() } }, { intervalMs: 60_000, now: () => NOW });
    const atOnce = monitor.evaluate(NOW);
    expect(atOnce.length).toBeGreaterThan(0); // the failure streaks fire
    const expected = monitor.lastFindings;
    monitor.lastFindings = [];
    monitor.evaluateSoon();
    const deadline = Date.now() + 30_000;
    while (monitor.lastFindings.length === 0) {
      if (Date.now() > deadline) throw new Error('the evaluation in slices did not end within 30 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(monitor.lastFindings).toEqual(expected);
    monitor.stop();
  });
});

describe('the metrics of many databases', () => {
  it('give the newest backup of every folder and database, with label values escaped', async () => {
    const m = await txlineMetrics(db, NOW);
    const families = parsePrometheusText(m.body);
    const newest = db.$client
      .prepare('SELECT f.name AS folder, a.database AS database, max(a.time) AS time FROM artifacts a JOIN backup_folders f ON f.id = a.folder_id GROUP BY a.folder_id, a.database')
      .all() as Array<{ folder: string; database: string; time: number }>;
    const samples = families.get('txline_last_backup_timestamp_seconds')?.samples ?? [];
    expect(samples).toHaveLength(newest.length);
    expect(newest.length).toBe(DATABASES + DATABASES / 3);
    for (const r of newest) expect(samples.find((s) => s.labels.folder === r.folder && s.labels.database === r.database)?.value, `${r.folder} ${r.database}`).toBe(r.time / 1000);
    expect(families.get('txline_last_backup_age_seconds')?.samples.find((s) => s.labels.database === name(3) && s.labels.folder.startsWith('odd'))?.value).toBe(19 * 3600);
    expect(families.get('txline_job_failures_total')?.samples.find((s) => s.labels.cluster === 'east' && s.labels.database === name(2))?.value).toBe(2);
  });

  it('follow the jobs: a newer success, and a deleted one (the last successes are kept between scrapes)', async () => {
    const last = async () =>
      parsePrometheusText((await txlineMetrics(db, NOW)).body)
        .get('txline_backup_last_success_timestamp_seconds')
        ?.samples.find((s) => s.labels.database === name(5) && s.labels.cluster === 'west')?.value;
    expect(await last()).toBe((NOW - 26 * HOUR + 1000) / 1000);
    const sql = db.$client;
    const id = Number(
      sql
        .prepare("INSERT INTO jobs (kind, status, cluster_id, folder_id, database, params, args, log, created_at, started_at, ended_at) VALUES ('backup', 'succeeded', 2, 1, ?, '{}', '[]', '', ?, ?, ?)")
        .run(name(5), NOW - HOUR, NOW - HOUR, NOW - HOUR + 5000).lastInsertRowid,
    );
    expect(await last()).toBe((NOW - HOUR + 5000) / 1000);
    sql.prepare('DELETE FROM jobs WHERE id = ?').run(id);
    expect(await last()).toBe((NOW - 26 * HOUR + 1000) / 1000);
  });
});
