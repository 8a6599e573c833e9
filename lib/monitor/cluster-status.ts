/**
 * The state of a cluster for the dashboard, asked through its kind (lib/sources): never throws because a
 * member is down. Server-only (Node).
 */
import { env, type TxlineEnv } from '../env';
import { catalogConnection, DEFAULT_KIND, clusterKind, kindOf, type StatusOptions } from '../sources';
import type { ClusterReport } from './cluster-report';

export type { StatusOptions };

/** The cluster the environment names (TXLINE_CLUSTER_ADDRESSES, else the embedded cluster's cluster.json). */
export async function getClusterStatus(e: TxlineEnv = env(), opts: StatusOptions = {}): Promise<ClusterReport> {
  const kind = clusterKind(DEFAULT_KIND);
  const { controlAddress: _, ...report } = await kind.status(kind.defaultConnection(e), e, opts);
  return report;
}

/** The status of a cluster registered in the catalog, with its own token (or the environment's where it belongs). */
export async function getCatalogClusterStatus(
  cluster: Parameters<typeof catalogConnection>[0],
  e: TxlineEnv = env(),
  opts: StatusOptions = {},
): Promise<ClusterReport & { controlAddress: string | null }> {
  const c = catalogConnection(cluster);
  return kindOf(c).status(c, e, opts);
}
