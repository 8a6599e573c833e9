/**
 * The overview of every database: its backups in a folder (last full, last differential, the restorable
 * range of the latest chain, its health) next to the cluster's view of it, and a warning when the next
 * differential would fall back to a full. Pure: catalog rows and a cluster report in, view out.
 */
import type { ArtifactRow } from '../db/schema';
import type { ClusterReport } from '../monitor/cluster-report';
import { backupFactsOf, type BackupFacts } from './backup-facts';
import type { ChainHealth, ChainSummary } from './timeline';

export interface DatabaseOverview {
  database: string;
  artifactCount: number;
  /** how many of them are fulls (the rest are differentials) */
  fullCount: number;
  lastFull: { id: number; file: string; time: number; tipTx: number } | null;
  lastDiff: { id: number; file: string; time: number; tipTx: number } | null;
  /** the latest chain's restorable range */
  restorable: { fromTx: number; toTx: number; fromTime: number | null; toTime: number } | null;
  /** time of the latest restorable point (the latest backup of an intact chain) */
  lastRestorableTime: number | null;
  health: ChainHealth | 'none';
  /** the writer's last committed transaction, when the cluster reports the database */
  writerLastTx: number | null;
  /** transactions committed since the latest restorable point */
  txSinceRestorable: number | null;
  /** why the next differential would be a full, if it would */
  fallbackWarning: string | null;
  onCluster: boolean;
  /** the store ID of the latest backup (a restore gives the database a new one) */
  latestStoreId: string | null;
  /** the writer's member ID and store ID, when the cluster reports the database */
  writerMemberId: string | null;
  writerStoreId: string | null;
}

/**
 * `summary` is the chains' analysis when the caller has it already (the database page builds its timeline);
 * otherwise it is computed here, without drawing a timeline.
 */
export function databaseOverview(database: string, rows: ArtifactRow[], report: ClusterReport | null, summary?: ChainSummary): DatabaseOverview {
  return overviewFrom(database, backupFactsOf(rows, summary), report);
}

/** A database's overview from its backups' facts (./backup-facts.ts) and its cluster's report. */
export function overviewFrom(database: string, facts: BackupFacts, report: ClusterReport | null): DatabaseOverview {
  const dbs = report?.members.flatMap((m) => m.databases.filter((d) => d.name === database).map((d) => ({ ...d, member: m }))) ?? [];
  const writer = dbs.find((d) => d.role === 'writer');
  const writerLastTx = writer?.lastCommittedTxn ?? null;
  const { restorable } = facts;
  return {
    database,
    artifactCount: facts.artifactCount,
    fullCount: facts.fullCount,
    lastFull: facts.lastFull,
    lastDiff: facts.lastDiff,
    restorable,
    lastRestorableTime: restorable?.toTime ?? null,
    health: facts.health,
    writerLastTx,
    txSinceRestorable: restorable && writerLastTx !== null && writer?.storeId === facts.latestStoreId ? Math.max(0, writerLastTx - restorable.toTx) : null,
    fallbackWarning: fallbackWarning(database, facts, dbs),
    onCluster: dbs.length > 0,
    latestStoreId: facts.latestStoreId,
    writerMemberId: writer?.member.id ?? null,
    writerStoreId: writer?.storeId ?? null,
  };
}

function fallbackWarning(
  database: string,
  facts: BackupFacts,
  dbs: Array<{ storeId: string | null; lowestAvailableTxn: number | null; status: string; member: { id: string } }>,
): string | null {
  if (facts.artifactCount === 0 || dbs.length === 0) return null;
  const online = dbs.filter((d) => d.status === 'online');
  if (online.length === 0) return null;
  const storeId = online.find((d) => d.storeId)?.storeId;
  const tip = storeId ? facts.tips[storeId] : undefined;
  if (tip === undefined) {
    return `${database} has a new store ID since its latest backup (it was restored or recreated): the next backup will be a full`;
  }
  // a member that cannot say what it still holds (a Neo4j server: SHOW DATABASES has no lowest available
  // transaction) might serve the differential: no warning is guessed
  const lowests = online.map((d) => d.lowestAvailableTxn);
  if (lowests.some((l) => l === null)) return null;
  const known = lowests.filter((l): l is number => l !== null);
  const canServe = known.filter((l) => l <= tip + 1);
  if (canServe.length === 0) {
    const lowest = Math.min(...known);
    return `the next differential would fall back to a full: transactions ${tip + 1}..${lowest - 1} after the latest backup were pruned from every member's transaction log (lowest available: ${lowest})`;
  }
  return null;
}
