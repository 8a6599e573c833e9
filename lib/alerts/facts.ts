/**
 * The facts the alert conditions are evaluated on (./conditions.ts), read from the catalog (jobs, artifacts,
 * lag samples, schedules, folders), the collector's latest cluster reports, the storage locations' free space
 * and the restore drills. One call reads everything for every database Txline knows: those the clusters
 * report now, those with lag samples in the last ten minutes (a cluster that stopped answering still has its
 * databases watched), and those with jobs in the last 30 days.
 *
 * At a fleet's size (5,000 databases) that is tens of thousands of queries: each is an index seek or a short
 * range (the first sample of a series is the least of three seeks, one per resolution; a database's recent
 * jobs and its bytes per folder are ranges of indexes made for them), and factsOf hands the databases out one at
 * a time so that the monitor can let requests in between them (./monitor.ts).
 */
import fs from 'node:fs';
import type { Catalog } from '../db';
import { listClusters, listFolders } from '../db/queries/clusters';
import { listSchedules } from '../db/queries/schedules';
import type { ClusterReport } from '../monitor/cluster-report';
import { globCovers } from '../schedules/plan';
import { scheduleRpoMs, withLagSeconds, type DatabaseFacts } from './conditions';
import type { DrillOutcome } from './drills';
import type { RuleSet } from './rules';

/** The job kinds whose failures the job_failed condition counts. */
export const WATCHED_JOB_KINDS = ['backup', 'restore', 'aggregate', 'verify', 'prune'] as const;

const DAY = 86_400_000;

export interface Subject {
  clusterId: number | null;
  cluster: string | null;
  database: string;
}

export interface FactsInput {
  db: Catalog;
  /** the collector's latest report per cluster id */
  reports: Map<number, ClusterReport>;
  drills: DrillOutcome[];
  rulesFor: (database: string) => RuleSet;
  now: number;
}

export function gatherFacts(input: FactsInput): Array<{ facts: DatabaseFacts; rules: RuleSet }> {
  return [...factsOf(input)];
}

/** The facts of every database, one database at a time (the catalog is read as each is asked for). */
export function* factsOf({ db, reports, drills, rulesFor, now }: FactsInput): Generator<{ facts: DatabaseFacts; rules: RuleSet }> {
  const sql = db.$client;
  const names = new Map(listClusters(db).map((c) => [c.id, c.name]));
  const subjects = new Map<string, Subject>();
  const add = (clusterId: number | null, database: string) => {
    if (clusterId !== null && !names.has(clusterId)) return; // a cluster removed since
    const k = `${clusterId ?? ''}|${database}`;
    if (!subjects.has(k)) subjects.set(k, { clusterId, cluster: clusterId === null ? null : (names.get(clusterId) ?? null), database });
  };
  for (const [clusterId, report] of reports) for (const m of report.members) for (const d of m.databases) add(clusterId, d.name);
  for (const r of sql.prepare("SELECT DISTINCT cluster_id AS c, database AS d FROM lag_samples WHERE resolution = 's' AND ts > ?").all(now - 10 * 60_000) as Array<{ c: number; d: string }>) add(r.c, r.d);
  const kinds = WATCHED_JOB_KINDS.map((k) => `'${k}'`).join(',');
  for (const r of sql.prepare(`SELECT DISTINCT cluster_id AS c, database AS d FROM jobs WHERE kind IN (${kinds}) AND created_at > ?`).all(now - 30 * DAY) as Array<{ c: number | null; d: string }>) add(r.c, r.d);

  const schedules = listSchedules(db);
  const folders = listFolders(db);
  const free = new Map<string, number | null>();
  const freeOf = (p: string): number | null => {
    if (!free.has(p)) free.set(p, freeBytes(p));
    return free.get(p) ?? null;
  };

  const q = {
    lastBackupJob: sql.prepare("SELECT max(ended_at) AS t FROM jobs WHERE kind = 'backup' AND status = 'succeeded' AND database = ? AND cluster_id IS ?"),
    newestArtifact: sql.prepare('SELECT max(time) AS t FROM artifacts WHERE database = ?'),
    // min(ts) over every resolution would read the whole series: the least of one seek per resolution
    firstSample: sql.prepare(
      `SELECT min(t) AS t FROM (${['s', 'm', 'h'].map((r) => `SELECT min(ts) AS t FROM lag_samples WHERE cluster_id IS @c AND database = @d AND resolution = '${r}'`).join(' UNION ALL ')})`,
    ),
    firstJob: sql.prepare('SELECT min(created_at) AS t FROM jobs WHERE database = ? AND cluster_id IS ?'),
    recentJobs: sql.prepare(`SELECT id, kind, status, error FROM jobs WHERE database = ? AND cluster_id IS ? AND kind IN (${kinds}) AND status NOT IN ('running', 'cancelled') ORDER BY id DESC LIMIT 200`),
    lag: sql.prepare('SELECT member_id AS memberId, ts, last_committed_txn AS lastCommittedTxn, replication_lag AS replicationLag, online FROM lag_samples WHERE cluster_id = ? AND database = ? AND resolution = ? AND ts >= ? ORDER BY ts'),
    chainEnd: sql.prepare('SELECT tip_tx AS tip FROM artifacts WHERE database = ? AND store_id = ? AND NOT (full = 0 AND highest_tx = 0) ORDER BY time DESC LIMIT 1'),
    bytes: sql.prepare('SELECT folder_id AS folderId, sum(size_bytes) AS bytes FROM artifacts WHERE database = ? GROUP BY folder_id'),
  };

  for (const s of subjects.values()) {
    const rules = rulesFor(s.database);
    const t = (stmt: { get: (...a: unknown[]) => unknown }, ...args: unknown[]) => ((stmt.get(...args) as { t: number | null } | undefined)?.t ?? null);
    const lastJob = t(q.lastBackupJob, s.database, s.clusterId);
    const lastArtifact = t(q.newestArtifact, s.database);
    const firsts = [t(q.firstSample, { c: s.clusterId, d: s.database }), t(q.firstJob, s.database, s.clusterId)].filter((x): x is number => x !== null);
    const covering = s.clusterId === null ? [] : schedules.filter((x) => x.clusterId === s.clusterId && globCovers(x.databaseGlob, s.database));

    // failures since the last success, per kind (the jobs come newest first)
    const streaks = new Map<string, { kind: string; count: number; jobId: number; error: string | null; done: boolean }>();
    for (const j of q.recentJobs.all(s.database, s.clusterId) as Array<{ id: number; kind: string; status: string; error: string | null }>) {
      const st = streaks.get(j.kind) ?? { kind: j.kind, count: 0, jobId: j.id, error: j.error, done: false };
      if (!st.done) {
        if (j.status === 'succeeded') st.done = true;
        else st.count++;
      }
      streaks.set(j.kind, st);
    }

    // lag: per-second samples while the window fits in the hour they are kept, else per-minute averages
    const minutes = rules.lag.settings.minutes;
    const windowStart = now - minutes * 60_000 - 5000;
    const lagRows =
      s.clusterId === null
        ? []
        : (q.lag.all(s.clusterId, s.database, minutes <= 55 ? 's' : 'm', windowStart) as Array<{ memberId: string; ts: number; lastCommittedTxn: number; replicationLag: number; online: number }>).map((r) => ({
            ...r,
            online: r.online === 1,
          }));

    // fallback: what the online members of the current store still hold against the chain's end
    let fallback: DatabaseFacts['fallback'] = null;
    const report = s.clusterId === null ? undefined : reports.get(s.clusterId);
    const online = report?.members.flatMap((m) => (m.reachable ? m.databases.filter((d) => d.name === s.database && d.status === 'online') : [])) ?? [];
    const storeId = online.find((d) => d.storeId)?.storeId;
    if (storeId) {
      const end = q.chainEnd.get(s.database, storeId) as { tip: number } | undefined;
      if (end) fallback = { chainEnd: end.tip, lowestAvailable: online.map((d) => d.lowestAvailableTxn) };
    }

    // storage: the database's artifacts in every location, and the free space of those locations and of its schedules'
    const perFolder = q.bytes.all(s.database) as Array<{ folderId: number; bytes: number }>;
    const used = new Set([...perFolder.map((r) => r.folderId), ...covering.map((x) => x.folderId)]);
    const locations = folders.filter((f) => used.has(f.id)).map((f) => ({ name: f.name, freeBytes: freeOf(f.path) }));
    const storage = locations.length ? { bytes: perFolder.reduce((n, r) => n + r.bytes, 0), locations } : null;

    const facts: DatabaseFacts = {
      cluster: s.cluster,
      database: s.database,
      lastSuccessAt: Math.max(lastJob ?? -Infinity, lastArtifact ?? -Infinity) === -Infinity ? null : Math.max(lastJob ?? -Infinity, lastArtifact ?? -Infinity),
      firstSeenAt: firsts.length ? Math.min(...firsts) : null,
      scheduleRpoMs: covering.length ? scheduleRpoMs(covering, now) : null,
      failureStreaks: [...streaks.values()].filter((x) => x.count > 0).map(({ kind, count, jobId, error }) => ({ kind, count, jobId, error })),
      lag: withLagSeconds(lagRows, windowStart),
      lagWindowStart: windowStart,
      fallback,
      storage,
      drills: drills.filter((d) => d.database === s.database && (d.cluster === null || d.cluster === s.cluster)).sort((a, b) => b.at - a.at),
    };
    yield { facts, rules };
  }
}

/** Free bytes of a local folder's file system (null for object storage, or when it cannot be read). */
function freeBytes(p: string): number | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) return null;
  try {
    const st = fs.statfsSync(p);
    return st.bavail * st.bsize;
  } catch {
    return null; // a folder that is gone is the indexer's to report; no free-space alert is guessed
  }
}
