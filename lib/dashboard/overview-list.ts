/**
 * The overview's list of databases at any size: search by name, filter by cluster and by trouble, one page at
 * a time. The query lives in the page's URL (`?q=&cluster=&trouble=&page=`) so a view is linkable and
 * survives a reload, and the overview's poll (GET /api/overview) sends the same parameters: each answer is
 * one page, never the whole fleet.
 *
 * The list is every database each cluster reports (clusters in registration order, names sorted, `system`
 * last), then those only found in the folder's backups. A database is in trouble when it has open alerts, has no
 * backups in the folder, its latest chain is broken (no intact chain to restore), or it is unverified (no
 * passed restore drill in 48 h, or its last drill failed). Only what a filter needs is computed: the cheap
 * signals (alerts, backups, drills) for every database, a database's chains (./backup-facts.ts, cached) only
 * when the broken-chain test must look at it and for the page shown.
 */
import type { LastDrills } from '../db/queries/drills';
import { verificationOf, type Verification } from '../db/queries/drills';
import type { ClusterSnapshot } from '../monitor/collector';
import type { Catalog } from '../db';
import { databasesInTrouble } from '../alerts/store';
import { listClusters } from '../db/queries/clusters';
import { lastDrills } from '../db/queries/drills';
import { latestRestores } from '../db/queries/jobs';
import { backedUpNames, backupFactsMany, knownFacts, NO_BACKUPS, warmFacts } from './backup-facts';
import { overviewFrom, type DatabaseOverview } from './overview';
import { currentRestore, restoreKey, restoresByTarget, type RestoredFrom } from './restores';
import type { OverviewQuery, TroubleKind } from './overview-query';

export { OVERVIEW_PAGE_SIZE, TROUBLE_KINDS, DEFAULT_QUERY, parseOverviewQuery, overviewSearchParams, type OverviewQuery, type TroubleKind } from './overview-query';

/** One database on the overview: its overview, where it is, the restore that made it, its drills, its troubles. */
export type OverviewDatabase = DatabaseOverview & { clusterId: number | null; restoredFrom: RestoredFrom | null; verification: Verification; troubles: TroubleKind[] };

export interface ListEntry {
  clusterId: number | null;
  database: string;
}

/** Every database of the overview, in its order (see the header). */
export function listEntries(snapshots: readonly ClusterSnapshot[], backedUp: readonly string[]): ListEntry[] {
  const out: ListEntry[] = [];
  const seen = new Set<string>();
  for (const c of snapshots) {
    const names = [...new Set(c.report.members.flatMap((m) => m.databases.map((d) => d.name)))].sort(systemLast);
    for (const database of names) {
      seen.add(database);
      out.push({ clusterId: c.cluster.id, database });
    }
  }
  for (const database of backedUp.filter((n) => !seen.has(n)).sort(systemLast)) out.push({ clusterId: null, database });
  return out;
}

export function systemLast(a: string, b: string): number {
  if (a === 'system' || b === 'system') return a === 'system' ? (b === 'system' ? 0 : 1) : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What the trouble filter asks of a database: the cheap signals, and its chains' state only when needed. */
export interface TroubleSignals {
  /** open alerts of the database (on its cluster, or folder-wide) */
  alerts: (e: ListEntry) => boolean;
  hasBackups: (e: ListEntry) => boolean;
  verification: (e: ListEntry) => Verification;
  /** its latest chain is broken or it has no intact chain; null while its chains are not read yet (asked last) */
  broken: (e: ListEntry) => boolean | null;
}

/**
 * The kinds of trouble of a database (only `only`'s, when given), and whether its chains were still unread
 * (`pending`: it may be broken too). With 'any', its chains are not asked once a cheap signal settled it.
 */
export function troublesOf(e: ListEntry, s: TroubleSignals, only: TroubleKind | 'any' | null = null): { kinds: TroubleKind[]; pending: boolean } {
  const kinds: TroubleKind[] = [];
  const want = (k: TroubleKind) => only === null || only === 'any' || only === k;
  if (want('alerts') && s.alerts(e)) kinds.push('alerts');
  const backups = s.hasBackups(e);
  if (want('no-backups') && !backups) kinds.push('no-backups');
  if (want('unverified')) {
    const v = s.verification(e);
    if (v.stale || v.lastFailed) kinds.push('unverified');
  }
  let pending = false;
  if (want('broken') && backups && !(only === 'any' && kinds.length > 0)) {
    const broken = s.broken(e);
    if (broken === null) pending = true;
    else if (broken) kinds.push('broken');
  }
  return { kinds, pending };
}

export interface ListPage {
  /** the page's databases, in order */
  entries: ListEntry[];
  /** databases in the overview, before any search or filter */
  total: number;
  /** databases the search and filters keep */
  matched: number;
  /** the page shown (the last one when the asked page is past it), 1-based */
  page: number;
  pages: number;
  pageSize: number;
  /** databases the trouble filter could not judge yet (their chains are being read): the list may grow */
  pending: number;
}

/** Search, filter and page the overview's list; `unread` gets the databases whose chains the filter needed. */
export function pageOf(all: readonly ListEntry[], q: OverviewQuery, signals: TroubleSignals, unread: ListEntry[] = []): ListPage {
  const pageSize = q.size;
  const needle = q.q.toLowerCase();
  const kept = all.filter((e) => {
    if (needle !== '' && !e.database.toLowerCase().includes(needle)) return false;
    if (q.cluster !== null && (q.cluster === 'backups' ? e.clusterId !== null : e.clusterId !== q.cluster)) return false;
    if (q.trouble === null) return true;
    const t = troublesOf(e, signals, q.trouble);
    if (t.pending) unread.push(e);
    return t.kinds.length > 0;
  });
  const pages = Math.max(1, Math.ceil(kept.length / pageSize));
  const page = Math.min(q.page, pages);
  return { entries: kept.slice((page - 1) * pageSize, page * pageSize), total: all.length, matched: kept.length, page, pages, pageSize, pending: unread.length };
}

/**
 * What the overview's list reads once per request: its entries, the signals the trouble filter asks, and the
 * overview of each entry of a page (its backups' facts, its cluster's report, the restore that made it, its
 * drills, its troubles). `trouble` is every database with open alerts.
 */
export function overviewListing(db: Catalog, { clusters, folderId }: { clusters: readonly ClusterSnapshot[]; folderId: number }) {
  const backedUp = backedUpNames(db, { folderId: folderId });
  const withBackups = new Set(backedUp);
  const entries = listEntries(clusters, backedUp);
  const names = new Map(listClusters(db).map((c) => [c.id, c.name]));
  const trouble = databasesInTrouble(db);
  const alerting = new Set(trouble.map((t) => `${t.cluster ?? ''}\u0000${t.database}`));
  const alertsOf = (e: ListEntry) =>
    alerting.has(`\u0000${e.database}`) || (e.clusterId !== null && alerting.has(`${names.get(e.clusterId) ?? ''}\u0000${e.database}`));
  const now = Date.now();
  const verification = verificationLookup(lastDrills(db), now);
  const known = knownFacts(db, { folderId });
  const signals: TroubleSignals = {
    alerts: alertsOf,
    hasBackups: (e) => withBackups.has(e.database),
    verification,
    broken: (e) => {
      const f = known(e.database);
      return f ? f.health === 'broken' || (f.artifactCount > 0 && !f.restorable) : null;
    },
  };
  // the databases of a page have their facts read: their own troubles are judged on them
  const withFacts: TroubleSignals = { ...signals, broken: (e) => signals.broken(e) ?? false };
  const reports = new Map(clusters.map((c) => [c.cluster.id, c.report]));
  /** the overview of each entry given (one cache check for all of them) */
  const overviews = (list: readonly ListEntry[]): OverviewDatabase[] => {
    const facts = backupFactsMany(db, { folderId: folderId, databases: list.filter((e) => withBackups.has(e.database)).map((e) => e.database) });
    const restores = list.some((e) => e.clusterId !== null) ? restoresByTarget(latestRestores(db)) : new Map<string, RestoredFrom>();
    return list.map((e) => {
      const o = overviewFrom(e.database, facts.get(e.database) ?? NO_BACKUPS, e.clusterId === null ? null : (reports.get(e.clusterId) ?? null));
      const restoredFrom = e.clusterId === null ? null : currentRestore(restores.get(restoreKey(e.clusterId, e.database)), o.writerStoreId);
      return { ...o, clusterId: e.clusterId, restoredFrom, verification: verification(e), troubles: troublesOf(e, withFacts).kinds };
    });
  };
  /** one page of the list; the chains the trouble filter needed and did not have are read in the background (the next poll has them) */
  const page = (q: OverviewQuery): ListPage => {
    const unread: ListEntry[] = [];
    const p = pageOf(entries, q, signals, unread);
    if (unread.length) warmFacts(db, { folderId, databases: unread.map((e) => e.database) });
    return p;
  };
  return { entries, signals, overviews, page, trouble, names };
}

/** Verification of a database from the newest drills of every database (lastDrills), by cluster and name. */
export function verificationLookup(drills: readonly LastDrills[], now: number): (e: ListEntry) => Verification {
  const by = new Map(drills.map((d) => [`${d.clusterId ?? ''}\u0000${d.database}`, d]));
  return (e) => verificationOf(by.get(`${e.clusterId ?? ''}\u0000${e.database}`), now);
}
