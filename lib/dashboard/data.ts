/**
 * What the pages read: the collector's latest cluster reports, the catalog's artifacts and jobs, shaped by
 * overview.ts and timeline.ts. Server-only; every function takes the server context first.
 */
import 'server-only';
import { databasesWithBackups } from '../db/queries/artifacts';
import { defaultFolder, getFolder, listClusters, listFolders } from '../db/queries/clusters';
import { listJobs } from '../db/queries/jobs';
import { lastDrills, listDrills, verificationOf, type LastDrills, type Verification } from '../db/queries/drills';
import type { DrillRow } from '../db/schema';
import { lagSeries, type LagWindow } from '../db/queries/lag';
import type { JobSummaryRow } from '../db/queries/jobs';
import type { BackupFolderRow } from '../db/schema';
import type { ClusterSnapshot } from '../monitor/collector';
import type { ServerContext } from '../server/context';
import { databaseOverview, type DatabaseOverview } from './overview';
import { databaseArtifacts, databaseTimeline } from './artifact-cache';
import type { Timeline, TimelineOptions } from './timeline';

/**
 * Every registered cluster with its latest report: one just added (in Settings) is collected now, waiting
 * for the round in progress and, if that round began before the cluster was there, for one more.
 */
export async function clusterSnapshots(ctx: ServerContext): Promise<ClusterSnapshot[]> {
  const clusters = listClusters(ctx.db);
  for (let round = 0; round < 2 && clusters.some((c) => !ctx.collector.latest.has(c.id)); round++) await ctx.collector.tick();
  return clusters.map((c) => ctx.collector.latest.get(c.id)).filter((s): s is ClusterSnapshot => Boolean(s));
}

export function pickFolder(ctx: ServerContext, folderId?: number | string | null): BackupFolderRow {
  const id = Number(folderId);
  const f = Number.isInteger(id) && id > 0 ? getFolder(ctx.db, { id }) : undefined;
  const d = f ?? defaultFolder(ctx.db);
  if (!d) throw new Error('no backup folder is registered');
  return d;
}

export interface OverviewData {
  clusters: ClusterSnapshot[];
  folder: BackupFolderRow;
  folders: BackupFolderRow[];
  /** per cluster, its databases and the ones only found in backups; when each was last verified by a drill */
  databases: Array<DatabaseOverview & { clusterId: number | null; verification: Verification }>;
  runningJobs: JobSummaryRow[];
}

export async function overviewData(ctx: ServerContext, folderId?: number | string | null): Promise<OverviewData> {
  const clusters = await clusterSnapshots(ctx);
  const folder = pickFolder(ctx, folderId);
  const backedUp = databasesWithBackups(ctx.db, { folderId: folder.id }).map((d) => d.database);
  const seen = new Set<string>();
  const databases: OverviewData['databases'] = [];
  const now = Date.now();
  const drilled = new Map(lastDrills(ctx.db).map((d) => [`${d.clusterId}\u0000${d.database}`, d]));
  const verified = (clusterId: number | null, name: string) => verificationOf(drilled.get(`${clusterId}\u0000${name}`), now);
  for (const c of clusters) {
    const names = [...new Set(c.report.members.flatMap((m) => m.databases.map((d) => d.name)))].sort(systemLast);
    for (const name of names) {
      seen.add(name);
      const a = databaseArtifacts(ctx.db, { folderId: folder.id, database: name });
      databases.push({ ...databaseOverview(name, a.rows, c.report, a.summary), clusterId: c.cluster.id, verification: verified(c.cluster.id, name) });
    }
  }
  for (const name of backedUp.filter((n) => !seen.has(n)).sort(systemLast)) {
    const a = databaseArtifacts(ctx.db, { folderId: folder.id, database: name });
    databases.push({ ...databaseOverview(name, a.rows, null, a.summary), clusterId: null, verification: verified(null, name) });
  }
  return { clusters, folder, folders: listFolders(ctx.db), databases, runningJobs: listJobs(ctx.db, { status: 'running', limit: 50 }) };
}

export interface DatabasePageData {
  database: string;
  folder: BackupFolderRow;
  folders: BackupFolderRow[];
  cluster: ClusterSnapshot | null;
  overview: DatabaseOverview;
  timeline: Timeline;
  jobs: JobSummaryRow[];
  /** the database's restore drills on its cluster, newest first, and when it was last verified */
  drills: DrillRow[];
  verification: Verification;
}

export async function databasePageData(
  ctx: ServerContext,
  database: string,
  folderId?: number | string | null,
  opts: TimelineOptions & { clusterId?: number | null } = {},
): Promise<DatabasePageData> {
  const clusters = await clusterSnapshots(ctx);
  const folder = pickFolder(ctx, folderId);
  const { rows, summary, timeline } = databaseTimeline(ctx.db, { folderId: folder.id, database }, opts);
  const hosts = (c: ClusterSnapshot) => c.report.members.some((m) => m.databases.some((d) => d.name === database));
  // the cluster asked for (a card of the overview names it when there are several), else the first hosting it
  const cluster = clusters.find((c) => c.cluster.id === opts.clusterId && hosts(c)) ?? clusters.find(hosts) ?? clusters[0] ?? null;
  return {
    database,
    folder,
    folders: listFolders(ctx.db),
    cluster,
    overview: databaseOverview(database, rows, cluster?.report ?? null, summary),
    timeline,
    jobs: listJobs(ctx.db, { database, limit: 20 }),
    ...drillsOf(ctx, database, cluster?.cluster.id ?? null),
  };
}

function drillsOf(ctx: ServerContext, database: string, clusterId: number | null): Pick<DatabasePageData, 'drills' | 'verification'> {
  if (clusterId === null) return { drills: [], verification: verificationOf(undefined, Date.now()) };
  const last: LastDrills | undefined = lastDrills(ctx.db, { clusterId }).find((d) => d.database === database);
  return { drills: listDrills(ctx.db, { clusterId, database, limit: 100 }), verification: verificationOf(last, Date.now()) };
}

export interface LagData {
  clusterId: number;
  database: string;
  window: LagWindow;
  members: string[];
  /** one row per time with each member's lag (recharts' shape) */
  points: Array<{ ts: number } & Record<string, number>>;
  /** the writer's commits per second between consecutive points */
  commitRate: Array<{ ts: number; rate: number }>;
  writer: string | null;
  /** stretches where a member did not answer (or the database was offline): no lag is drawn there */
  offline: Array<{ memberId: string; from: number; to: number }>;
  /** members whose newest sample is offline */
  offlineNow: string[];
}

export function lagData(ctx: ServerContext, { clusterId, database, window, now }: { clusterId: number; database: string; window: LagWindow; now?: number }): LagData {
  const series = lagSeries(ctx.db, { clusterId, database, window, now });
  const members = [...new Set(series.map((p) => p.memberId))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const byTs = new Map<number, { ts: number } & Record<string, number>>();
  const offline: LagData['offline'] = [];
  const open = new Map<string, { memberId: string; from: number; to: number }>();
  const newest = new Map<string, boolean>();
  for (const p of series) {
    let row = byTs.get(p.ts);
    if (!row) byTs.set(p.ts, (row = { ts: p.ts } as { ts: number } & Record<string, number>));
    newest.set(p.memberId, p.online);
    // an offline sample has no lag: the member's line stops there (a gap), and the stretch is marked
    if (p.online) {
      row[p.memberId] = p.replicationLag;
      open.delete(p.memberId);
      continue;
    }
    const cur = open.get(p.memberId);
    if (cur) cur.to = p.ts;
    else {
      const span = { memberId: p.memberId, from: p.ts, to: p.ts };
      open.set(p.memberId, span);
      offline.push(span);
    }
  }
  const snap = ctx.collector.latest.get(clusterId);
  const writer = snap?.report.members.find((m) => m.databases.some((d) => d.name === database && d.role === 'writer'))?.id ?? null;
  const w = series.filter((p) => p.memberId === writer && p.online);
  const commitRate: LagData['commitRate'] = [];
  for (let i = 1; i < w.length; i++) {
    const dt = (w[i].ts - w[i - 1].ts) / 1000;
    if (dt > 0) commitRate.push({ ts: w[i].ts, rate: Math.max(0, (w[i].lastCommittedTxn - w[i - 1].lastCommittedTxn) / dt) });
  }
  const offlineNow = members.filter((m) => newest.get(m) === false);
  return { clusterId, database, window, members, points: [...byTs.values()], commitRate, writer, offline, offlineNow };
}

function systemLast(a: string, b: string): number {
  if (a === 'system' || b === 'system') return a === 'system' ? (b === 'system' ? 0 : 1) : -1;
  return a.localeCompare(b);
}
