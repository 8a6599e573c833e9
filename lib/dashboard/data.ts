/**
 * What the pages read: the collector's latest cluster reports, the catalog's artifacts and jobs, shaped by
 * overview.ts and timeline.ts. Server-only; every function takes the server context first.
 */
import { neo4jClusterOfFolder } from '../db/neo4j-indexer';
import 'server-only';
import { databasesInTrouble } from '../alerts/store';
import { defaultFolder, getFolder, listClusters, listFolders } from '../db/queries/clusters';
import { latestRestores, listJobs } from '../db/queries/jobs';
import { lastDrills, listDrills, verificationOf, type LastDrills, type Verification } from '../db/queries/drills';
import type { DrillRow } from '../db/schema';
import { lagSeries, type LagWindow } from '../db/queries/lag';
import type { JobSummaryRow } from '../db/queries/jobs';
import type { BackupFolderRow } from '../db/schema';
import type { ClusterSnapshot } from '../monitor/collector';
import type { ServerContext } from '../server/context';
import { databaseOverview, type DatabaseOverview } from './overview';
import { DEFAULT_QUERY, overviewListing, type ListPage, type OverviewDatabase, type OverviewQuery } from './overview-list';
import { databaseTimeline } from './artifact-cache';
import { currentRestore, restoreKey, restoresByTarget, type RestoredFrom } from './restores';
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
  /** per cluster, its databases and the ones only found in backups; a restored one says where it came from; when each was last verified by a drill */
  databases: OverviewDatabase[];
  runningJobs: JobSummaryRow[];
}

/**
 * What the overview's database cards show, polled by the browser (GET /api/overview) so that a database a
 * restore creates appears without a reload: one page of the list the query asks for (./overview-list.ts) with
 * its counts, the folders (names and paths only), the running jobs a card's "Back up now" would collide with,
 * every registered cluster's name (the cluster filter's choices), and the server's time.
 */
export interface OverviewCardsData {
  folder: { id: number; name: string; path: string; isDefault: boolean };
  folders: Array<{ id: number; name: string; path: string }>;
  /** the page's databases */
  databases: OverviewData['databases'];
  /** the query answered (the page: the one shown) and the list's counts */
  query: OverviewQuery;
  list: Omit<ListPage, 'entries'>;
  runningJobs: Array<Pick<JobSummaryRow, 'id' | 'kind' | 'database' | 'clusterId' | 'folderId'>>;
  /** every registered cluster */
  clusters: Array<{ id: number; name: string }>;
  /** the page's databases with open alerts (lib/alerts), per cluster name: their cards are marked in trouble */
  trouble: ReturnType<typeof databasesInTrouble>;
  now: number;
}

export async function overviewCardsData(ctx: ServerContext, folderId?: number | string | null, query: OverviewQuery = DEFAULT_QUERY): Promise<OverviewCardsData> {
  const clusters = await clusterSnapshots(ctx);
  const folder = pickFolder(ctx, folderId);
  const src = overviewListing(ctx.db, { clusters, folderId: folder.id });
  const { entries, ...list } = src.page(query);
  const shown = new Set(entries.map((e) => e.database));
  const running = listJobs(ctx.db, { status: 'running', limit: 50 });
  return {
    folder: { id: folder.id, name: folder.name, path: folder.path, isDefault: folder.isDefault },
    folders: listFolders(ctx.db).map((f) => ({ id: f.id, name: f.name, path: f.path })),
    databases: src.overviews(entries),
    query: { ...query, page: list.page },
    list,
    runningJobs: running.map((j) => ({ id: j.id, kind: j.kind, database: j.database, clusterId: j.clusterId, folderId: j.folderId })),
    clusters: [...src.names].map(([id, name]) => ({ id, name })),
    trouble: src.trouble.filter((t) => shown.has(t.database)),
    now: Date.now(),
  };
}

export interface DatabasePageData {
  database: string;
  folder: BackupFolderRow;
  folders: BackupFolderRow[];
  cluster: ClusterSnapshot | null;
  /** the page's cluster when it is a Neo4j one: its name, and whether the folder shown is its location */
  neo4j: { name: string; folderIsLocation: boolean } | null;
  overview: DatabaseOverview;
  timeline: Timeline;
  /** its recent jobs, and the restores made from it (filed under their targets) */
  jobs: JobSummaryRow[];
  /** the restore that made the database what it is now, if one did */
  restoredFrom: RestoredFrom | null;
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
  // a Neo4j cluster's location is that cluster's: its page acts on that cluster
  const owner = neo4jClusterOfFolder(ctx.db, folder);
  const cluster =
    clusters.find((c) => c.cluster.id === opts.clusterId && hosts(c)) ?? (owner ? clusters.find((c) => c.cluster.id === owner.id) : undefined) ?? clusters.find(hosts) ?? clusters[0] ?? null;
  const overview = databaseOverview(database, rows, cluster?.report ?? null, summary);
  const restores = restoresByTarget(latestRestores(ctx.db, { database }));
  return {
    database,
    folder,
    folders: listFolders(ctx.db),
    cluster,
    neo4j: cluster?.cluster.kind === 'neo4j' ? { name: cluster.cluster.name, folderIsLocation: owner?.id === cluster.cluster.id } : null,
    overview,
    timeline,
    jobs: listJobs(ctx.db, { database, withRestoresFrom: true, limit: 20 }),
    restoredFrom: overview.onCluster ? currentRestore(restores.get(restoreKey(cluster?.cluster.id ?? null, database)), overview.writerStoreId) : null,
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
  /** the server's time of the answer: the charts' window ends there (ms since the epoch) */
  now: number;
}

export function lagData(ctx: ServerContext, { clusterId, database, window, now = Date.now() }: { clusterId: number; database: string; window: LagWindow; now?: number }): LagData {
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
  return { clusterId, database, window, members, points: [...byTs.values()], commitRate, writer, offline, offlineNow, now };
}
