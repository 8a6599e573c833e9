/**
 * A registered cluster as the cluster pages show it (GET /api/cluster?all=1, the overview, the cluster page):
 * its name, its kind (the protocol) and whether this server started it, the member controls it offers (its
 * kind's capabilities: the UI shows only those) and its latest report.
 */
import type { Capability, ClusterKindName } from '../sources/kind';
import type { ClusterReport } from '../monitor/cluster-report';
import type { ClusterSnapshot } from '../monitor/collector';
import { catalogConnection, kindOf } from '../sources';

export interface ClusterEntry {
  id: number;
  name: string;
  kind: ClusterKindName;
  /** the kind, for people ("Txline member API") */
  kindLabel: string;
  /** this server started it (the embedded cluster) */
  startedHere: boolean;
  controlAddress: string | null;
  capabilities: Capability[];
  /** why the cluster offers no member controls (its kind's reason), else null */
  controlsNote: string | null;
  report: ClusterReport;
}

export function clusterEntries(snaps: Iterable<ClusterSnapshot>): ClusterEntry[] {
  return [...snaps].map(({ cluster, report }) => {
    const c = catalogConnection(cluster);
    const kind = kindOf(c);
    return {
      id: cluster.id,
      name: cluster.name,
      kind: kind.name,
      kindLabel: kind.label,
      startedHere: cluster.startedHere,
      controlAddress: cluster.controlAddress,
      capabilities: [...kind.capabilities(c)],
      controlsNote: kind.capabilities(c).size === 0 ? (kind.noControlsReason ?? null) : null,
      report,
    };
  });
}
