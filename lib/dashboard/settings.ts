/**
 * What the settings page reads of the registered clusters. A remote cluster's token never leaves the server:
 * the page gets only whether one is set.
 */
import type { Catalog } from '../db';
import { listClusters } from '../db/queries/clusters';
import { clusterKind, type ClusterKindName } from '../sources';
import type { ClusterSnapshot } from '../monitor/collector';

export interface ClusterSettingsItem {
  id: number;
  name: string;
  /** the protocol it speaks, and for people */
  kind: ClusterKindName;
  kindLabel: string;
  /** this server started it (the embedded cluster) */
  startedHere: boolean;
  addresses: string[];
  controlAddress: string | null;
  createdAt: number;
  /** whether the cluster has a token of its own (a remote one, set in Settings) */
  hasToken: boolean;
  /** members that answered the latest status round, of how many (null: not probed yet) */
  reachable: { up: number; of: number } | null;
}

export function clusterSettingsItems(db: Catalog, latest: ReadonlyMap<number, ClusterSnapshot>): ClusterSettingsItem[] {
  return listClusters(db).map((c) => {
    const report = latest.get(c.id)?.report;
    return {
      id: c.id,
      name: c.name,
      kind: c.kind,
      kindLabel: clusterKind(c.kind).label,
      startedHere: c.startedHere,
      addresses: c.addresses,
      controlAddress: c.controlAddress,
      createdAt: c.createdAt,
      hasToken: c.token !== null && c.token !== '',
      reachable: report ? { up: report.members.filter((m) => m.reachable).length, of: report.members.length } : null,
    };
  });
}
