/**
 * The drill target of a database (drill_targets): the cluster its drills, scheduled or "Drill now", restore
 * into; its own cluster unless another is chosen (on the database page, or `txline schedule set <db>
 * --drill-to=<cluster>`). Only a cluster whose kind holds scratch databases (the Txline member API) can be
 * one; drillTargetProblem says why another cannot, and choosing one is refused with it.
 */
import type { Catalog } from '../db';
import { getCluster } from '../db/queries/clusters';
import { getDrillTarget, setDrillTarget } from '../db/queries/drills';
import type { ClusterRow } from '../db/schema';
import { TxlineError } from '../errors';

/** Why a cluster cannot take a drill's scratch database (null: it can). */
export function drillTargetProblem(cluster: Pick<ClusterRow, 'name' | 'kind'>): string | null {
  if (cluster.kind === 'txline') return null;
  if (cluster.kind === 'neo4j') {
    return `${cluster.name} is a Neo4j cluster: it would take a drill by seeding a scratch database from Neo4j's own backups (CREATE DATABASE … OPTIONS {seedURI: …}), which drills do not do yet; they restore Txline's artifacts into a cluster of the Txline member API.`;
  }
  return `${cluster.name} is a ${cluster.kind} cluster, which cannot hold a drill's scratch database; drills restore into a cluster of the Txline member API.`;
}

/** The cluster a database's drills restore into: the one chosen for it, else its own; `chosen` says which. */
export function drillTargetOf<C extends Pick<ClusterRow, 'id' | 'name' | 'kind'>>(db: Catalog, own: C, database: string): { cluster: C | ClusterRow; chosen: boolean } {
  const row = getDrillTarget(db, { clusterId: own.id, database });
  const target = row ? getCluster(db, { id: row.targetClusterId }) : undefined;
  return target ? { cluster: target, chosen: true } : { cluster: own, chosen: false };
}

/** Chooses `target` (null or `own`: its own cluster) as the drill target of `database` of `own`; NOT_SUPPORTED when it cannot be one. */
export function chooseDrillTarget(db: Catalog, own: Pick<ClusterRow, 'id'>, database: string, target: Pick<ClusterRow, 'id' | 'name' | 'kind'> | null): void {
  if (target && target.id !== own.id) {
    const problem = drillTargetProblem(target);
    if (problem) throw new TxlineError('NOT_SUPPORTED', problem);
  }
  setDrillTarget(db, { clusterId: own.id, database, targetClusterId: target && target.id !== own.id ? target.id : null });
}
