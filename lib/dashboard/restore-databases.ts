/**
 * The databases the restore wizard offers: every database a cluster reports or a folder holds backups of, each
 * with its cluster and its backup count per folder. While there are at most WIZARD_LIST_LIMIT, all of them (a
 * list to choose from); past that (a fleet's 5,000 names made the restore page 1 MB and 267 ms) only the one the
 * page was opened for, and the wizard asks findRestoreDatabases for those matching what the DBA types.
 *
 * Names come from the collector's snapshots and a skip-scan per folder (backedUpNames), counts from the kept
 * backup facts (backupFacts) for a few names, or one grouped read per folder for a short list.
 */
import type { Catalog } from '../db';
import { databasesWithBackups } from '../db/queries/artifacts';
import type { ClusterSnapshot } from '../monitor/collector';
import { backedUpNames, backupFacts } from './backup-facts';

/** Past this many databases the wizard asks for a typed name instead of listing them. */
export const WIZARD_LIST_LIMIT = 200;
/** How many matches a search answers. */
export const WIZARD_MATCHES = 20;

export interface WizardDatabase {
  name: string;
  clusterId: number | null;
  /** backup count per folder id (folders without any are left out) */
  backups: Record<number, number>;
}

interface Known {
  names: string[];
  onCluster: Map<string, number>;
}

/** `system` last, the rest by name. */
const byName = (a: string, b: string) => ((a === 'system') !== (b === 'system') ? (a === 'system' ? 1 : -1) : a.localeCompare(b));

function known(db: Catalog, snaps: readonly ClusterSnapshot[], folderIds: readonly number[]): Known {
  const onCluster = new Map<string, number>();
  for (const s of snaps) for (const m of s.report.members) for (const d of m.databases) if (!onCluster.has(d.name)) onCluster.set(d.name, s.cluster.id);
  const names = new Set(onCluster.keys());
  for (const folderId of folderIds) for (const n of backedUpNames(db, { folderId })) names.add(n);
  return { names: [...names].sort(byName), onCluster };
}

function entry(db: Catalog, k: Known, folderIds: readonly number[], name: string): WizardDatabase {
  const backups: Record<number, number> = {};
  for (const folderId of folderIds) {
    const n = backupFacts(db, { folderId, database: name }).artifactCount;
    if (n > 0) backups[folderId] = n;
  }
  return { name, clusterId: k.onCluster.get(name) ?? null, backups };
}

/**
 * What the wizard starts with: every database while there are at most WIZARD_LIST_LIMIT (`listed`), else only
 * `asked` when it is known; `total` is how many there are.
 */
export function wizardDatabases(db: Catalog, snaps: readonly ClusterSnapshot[], folderIds: readonly number[], asked?: string): { databases: WizardDatabase[]; total: number; listed: boolean } {
  const k = known(db, snaps, folderIds);
  if (k.names.length > WIZARD_LIST_LIMIT) {
    return { databases: asked && k.names.includes(asked) ? [entry(db, k, folderIds, asked)] : [], total: k.names.length, listed: false };
  }
  const counts = new Map<string, Record<number, number>>();
  for (const folderId of folderIds) {
    for (const d of databasesWithBackups(db, { folderId })) counts.set(d.database, { ...counts.get(d.database), [folderId]: d.count });
  }
  return { databases: k.names.map((name) => ({ name, clusterId: k.onCluster.get(name) ?? null, backups: counts.get(name) ?? {} })), total: k.names.length, listed: true };
}

/**
 * The databases whose names contain `query` (ignoring case): the exact name first, then those starting with
 * it, then the rest, each by name; at most `limit`. `matched`: how many match in all.
 */
export function findRestoreDatabases(db: Catalog, snaps: readonly ClusterSnapshot[], folderIds: readonly number[], query: string, limit = WIZARD_MATCHES): { matches: WizardDatabase[]; matched: number } {
  const q = query.trim().toLowerCase();
  if (q === '') return { matches: [], matched: 0 };
  const k = known(db, snaps, folderIds);
  const rank = (n: string) => (n.toLowerCase() === q ? 0 : n.toLowerCase().startsWith(q) ? 1 : 2);
  const hits = k.names.filter((n) => n.toLowerCase().includes(q));
  const best = hits.sort((a, b) => rank(a) - rank(b) || byName(a, b)).slice(0, limit);
  return { matches: best.map((n) => entry(db, k, folderIds, n)), matched: hits.length };
}
