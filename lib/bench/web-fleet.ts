/**
 * The fleet case of `npm run bench:web` (`--scale=fleet`): one server for 50 clusters of 100 databases each.
 * The catalog is seeded directly, in one transaction of prepared statements (files for a million artifacts
 * would take longer to write than the run is worth):
 *
 * - 50 registered clusters `fleet-01`..`fleet-50` (kind txline) beside the embedded one, at addresses that
 *   refuse connections (127.0.0.1, ports 1..3): the collector probes them every round and finds them down,
 *   so their databases are shown from their backups ("only in backups");
 * - a backup folder `fleet` whose storage is offline (its path does not exist: the indexer cannot list it and
 *   keeps its rows, as for an unmounted share), holding 1 million artifact rows: 100,000 for the embedded
 *   cluster's `neo4j` (one chain of a full and 199 differentials after another) and 900,000 over the fleet's
 *   5,000 databases `fleetNN-dbMMM` (180 each: a daily full and 23 hourly differentials, contiguous), of which
 *   one in a hundred has a broken latest chain (a differential whose parent is missing);
 * - 10 million lag samples: the embedded cluster's `neo4j` and `system` at their steady state (an hour of
 *   seconds, a week of minutes, 90 days of hours per member), and each of the fleet's 15,000 member-database
 *   series with 2 minutes of seconds, 7 hours of minutes and 5 days of hours (what the collector keeps after
 *   downsampling, over a shorter history), ending 15 minutes ago (the fleet's clusters do not answer here, so
 *   the alert monitor, which watches databases with samples in the last 10 minutes, does not evaluate them);
 * - 100,000 backup jobs (20 per fleet database) and 500 restores, 200,000 audit events, 200 open alerts
 *   (firing) and 20,000 resolved ones, 2,000 drills.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Catalog } from '../db';

export const FLEET = { clusters: 50, databasesPerCluster: 100, bigDatabaseArtifacts: 100_000, artifactsPerDatabase: 180, chainLength: 24 } as const;

export interface FleetSeeded {
  folderId: number;
  artifacts: number;
  samples: number;
  databases: number;
  /** a fleet database's name and its cluster's ID (for the timed pages) */
  sample: { database: string; clusterId: number };
  /** seconds per part of the seeding */
  seconds: { artifacts: number; samples: number; rest: number; indexes: number; commit: number };
}

export const fleetDatabase = (c: number, d: number) => `fleet${String(c).padStart(2, '0')}-db${String(d).padStart(3, '0')}`;

const fileTime = (t: number) => new Date(t).toISOString().slice(0, 19).replace(/:/g, '-');

export function seedFleet(db: Catalog, dir: string, opts: { samples: number }): FleetSeeded {
  const sql = db.$client;
  const now = Math.floor(Date.now() / 1000) * 1000;
  // a bench's throw-away file: no journal, no syncs; secondary indexes built once at the end (sorts, not
  // millions of scattered inserts)
  sql.pragma('journal_mode = DELETE');
  sql.pragma('journal_mode = OFF');
  sql.pragma('synchronous = OFF');
  sql.pragma('cache_size = -262144');
  const rebuilt = ['artifacts_folder_db_time', 'artifacts_db_time', 'artifacts_indexed_at', 'artifacts_verified_at', 'lag_samples_resolution_ts'];
  const indexSql = rebuilt.map((name) => (sql.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?").pluck().get(name) as string));
  for (const name of rebuilt) sql.exec(`DROP INDEX ${name}`);
  const fleetPath = path.join(dir, 'fleet-offline');
  if (fs.existsSync(fleetPath)) throw new Error(`${fleetPath} must not exist (the fleet folder is offline)`);
  let artifacts = 0;
  let samples = 0;
  let folderId = 0;
  const clusterIds: number[] = [];
  const seconds = { artifacts: 0, samples: 0, rest: 0, indexes: 0, commit: 0 };
  let t = performance.now();
  const lap = () => {
    const s = (performance.now() - t) / 1000;
    t = performance.now();
    return s;
  };
  sql.transaction(() => {
    const cl = sql.prepare("INSERT INTO clusters (name, kind, started_here, addresses) VALUES (?, 'txline', 0, ?)");
    for (let c = 1; c <= FLEET.clusters; c++) {
      clusterIds.push(Number(cl.run(`fleet-${String(c).padStart(2, '0')}`, JSON.stringify(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'])).lastInsertRowid));
    }
    folderId = Number(sql.prepare("INSERT INTO backup_folders (name, path, is_default) VALUES ('fleet', ?, 0)").run(fleetPath).lastInsertRowid);

    const art = sql.prepare(`INSERT INTO artifacts (folder_id, file, database, database_id, store_id, time, full, compressed, lowest_tx, highest_tx, tip_tx, tx_count,
      parent, parent_last_tx_checksum, last_tx_checksum, first_commit_time, last_commit_time, recovered, member_id, member_address, size_bytes, raw_bytes, sha256,
      nodes, relationships, file_size, file_mtime_ms, indexed_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'member-3', '127.0.0.1:6382', ?, ?, ?, ?, ?, ?, ?, ?)`);
    const sha = '0'.repeat(64);
    /** a database's chains: `count` artifacts, a full every `chain`, `step` ms apart ending an hour ago; `breakAt`: that artifact's parent is missing */
    const chains = (database: string, count: number, chain: number, step: number, breakAt: number | null) => {
      const databaseId = randomUUID();
      const storeId = randomUUID();
      let parent: string | null = null;
      let tip = 0;
      const start = now - 3_600_000 - count * step;
      for (let i = 0; i < count; i++) {
        const full = i % chain === 0;
        const time = start + i * step;
        const file = `${database}-${fileTime(time)}.backup`;
        const lowest = full ? 1 : tip + 1;
        tip += 50;
        const p = full ? null : i === breakAt ? `${database}-missing.backup` : parent;
        art.run(folderId, file, database, databaseId, storeId, time, full ? 1 : 0, lowest, tip, tip, full ? tip : 50, p, full ? null : tip - 50, tip, full ? null : time - 50_000, time - 1000, full ? 1 : 0,
          full ? tip * 40 : 4000, full ? tip * 80 : 8000, sha, full ? tip * 2 : null, full ? tip * 3 : null, full ? tip * 40 + 9000 : 13_000, time, time + 2000);
        parent = file;
        artifacts++;
      }
    };
    chains('neo4j', FLEET.bigDatabaseArtifacts, 200, 60_000, null);
    for (let c = 1; c <= FLEET.clusters; c++) {
      for (let d = 1; d <= FLEET.databasesPerCluster; d++) {
        const broken = (c * 100 + d) % 100 === 7;
        chains(fleetDatabase(c, d), FLEET.artifactsPerDatabase, FLEET.chainLength, 3_600_000, broken ? FLEET.artifactsPerDatabase - 3 : null);
      }
    }

    seconds.artifacts = lap();
    // lag samples: one INSERT ... SELECT per database and tier, its members' rows in the primary key's order
    // (appended, not scattered); the secondary index is built once at the end (a sort, not 10 million inserts)
    const lag = sql.prepare(`INSERT OR IGNORE INTO lag_samples (cluster_id, member_id, database, resolution, ts, last_committed_txn, replication_lag, online)
      WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < @n), m(j) AS (VALUES (0), (1), (2))
      SELECT @cluster, 'member-' || (j + 1), @database, @res, @end - i * @step, 1000000 - i, CASE WHEN j = 0 THEN 0 ELSE -((i * 7 + j * 13) % 50) END, 1
      FROM k, m ORDER BY i DESC, j`);
    const series = (clusterId: number, database: string, tiers: Array<['s' | 'm' | 'h', number, number, number]>) => {
      // coarsest first: the key's order within a database is resolution 'h' < 'm' < 's'
      for (const [res, count, step, end] of [...tiers].reverse()) {
        const n = Math.min(count, Math.floor((opts.samples - samples) / 3));
        if (n <= 0) return;
        samples += lag.run({ n, cluster: clusterId, database, res, end, step }).changes;
      }
    };
    const hourAgo = Math.floor((now - 3_600_000) / 60_000) * 60_000;
    const steady: Array<['s' | 'm' | 'h', number, number, number]> = [
      ['s', 3600, 1000, now],
      ['m', 7 * 1440, 60_000, hourAgo],
      ['h', 90 * 24, 3_600_000, Math.floor((now - 7 * 86_400_000) / 3_600_000) * 3_600_000],
    ];
    for (const database of ['neo4j', 'system']) series(1, database, steady);
    // the fleet's clusters do not answer here (see the header): their history stopped 15 minutes ago
    const fleetTiers: Array<['s' | 'm' | 'h', number, number, number]> = [
      ['s', 120, 1000, now - 15 * 60_000],
      ['m', 7 * 60, 60_000, hourAgo],
      ['h', 5 * 24, 3_600_000, Math.floor((hourAgo - 7 * 3_600_000) / 3_600_000) * 3_600_000],
    ];
    // clusters in ID order, databases in name order: the key's order across series
    for (const [ci, clusterId] of clusterIds.entries()) {
      for (let d = 1; d <= FLEET.databasesPerCluster; d++) series(clusterId, fleetDatabase(ci + 1, d), fleetTiers);
    }

    seconds.samples = lap();
    // jobs: 20 backups per fleet database, and restores
    const job = sql.prepare(`INSERT INTO jobs (kind, status, cluster_id, folder_id, database, params, args, log, result, created_at, started_at, ended_at, created_by)
      VALUES (?, 'succeeded', ?, ?, ?, ?, '[]', '', ?, ?, ?, ?, 'admin')`);
    for (const [ci, clusterId] of clusterIds.entries()) {
      for (let d = 1; d <= FLEET.databasesPerCluster; d++) {
        const name = fleetDatabase(ci + 1, d);
        for (let k = 0; k < 20; k++) {
          const t = now - (20 - k) * 3_600_000;
          job.run('backup', clusterId, folderId, name, JSON.stringify({ database: name, type: 'auto' }), JSON.stringify({ results: [{ type: k === 0 ? 'full' : 'diff', artifact: `${name}-${fileTime(t)}.backup` }] }), t, t, t + 4000);
        }
      }
    }
    for (let r = 0; r < 500; r++) {
      const name = fleetDatabase((r % FLEET.clusters) + 1, (r % FLEET.databasesPerCluster) + 1);
      const t = now - r * 60_000;
      job.run('restore', clusterIds[r % FLEET.clusters], folderId, `${name}-copy`, JSON.stringify({ database: name }), JSON.stringify({ restoredTx: 1000, storeId: randomUUID() }), t, t, t + 9000);
    }

    const audit = sql.prepare("INSERT INTO audit_events (at, username, address, action, target, outcome, detail) VALUES (?, 'admin', '127.0.0.1', ?, ?, 'ok', NULL)");
    for (let i = 0; i < 200_000; i++) audit.run(now - i * 60_000, i % 3 === 0 ? 'backup.start' : 'session.sign_in', i % 3 === 0 ? fleetDatabase((i % 50) + 1, (i % 100) + 1) : 'admin');

    const alert = sql.prepare(`INSERT INTO alerts (key, condition, cluster, database, state, value, threshold, message, since, updated_at, resolved_at)
      VALUES (?, 'rpo', ?, ?, ?, 30, 24, ?, ?, ?, ?)`);
    for (let i = 0; i < 20_200; i++) {
      const c = (i % FLEET.clusters) + 1;
      const name = fleetDatabase(c, ((i * 7 + Math.floor(i / FLEET.clusters)) % FLEET.databasesPerCluster) + 1);
      const cluster = `fleet-${String(c).padStart(2, '0')}`;
      const open = i < 200;
      const t = now - i * 600_000;
      alert.run(`rpo|${cluster}|${name}`, cluster, name, open ? 'firing' : 'resolved', `${name} has no backup for 30 h (RPO 24 h)`, t, t, open ? null : t + 300_000);
    }

    const drill = sql.prepare(`INSERT INTO drills (cluster_id, folder_id, database, location, point_kind, point_tx, chain_end, passed, failed_check, problem, rto_ms, started_at, finished_at)
      VALUES (?, ?, ?, ?, 'latest', 1000, NULL, ?, ?, NULL, 12000, ?, ?)`);
    for (let i = 0; i < 2000; i++) {
      const c = (i % FLEET.clusters) + 1;
      const passed = i % 10 !== 0;
      drill.run(clusterIds[c - 1], folderId, fleetDatabase(c, ((i * 3) % FLEET.databasesPerCluster) + 1), fleetPath, passed ? 1 : 0, passed ? null : 'consistency', now - i * 3_600_000, now - i * 3_600_000 + 12_000);
    }
    seconds.rest = lap();
    for (const create of indexSql) sql.exec(create);
    seconds.indexes = lap();
  })();
  sql.pragma('optimize');
  sql.pragma('journal_mode = WAL');
  seconds.commit = lap();
  return { folderId, artifacts, samples, databases: FLEET.clusters * FLEET.databasesPerCluster, sample: { database: fleetDatabase(7, 42), clusterId: clusterIds[6] }, seconds };
}
