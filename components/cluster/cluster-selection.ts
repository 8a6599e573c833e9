/**
 * The cluster page's choice of cluster, database and window, and how it is read from the address bar.
 * Plain functions: the server page and the client dashboard both use them.
 */
import { isLagWindow, type LagWindow } from '@/components/charts/chart-utils';
import type { ClusterReport } from '@/lib/monitor/cluster-report';

export interface ClusterSelection {
  clusterId: number;
  database: string;
  window: LagWindow;
}

const DEFAULT_DATABASE = 'neo4j';

/** The databases any member hosts, user databases first and `system` last, plus `keep` if it is gone. */
export function databaseNames(report: ClusterReport | undefined, keep?: string): string[] {
  const names = new Set(report?.members.flatMap((m) => m.databases.map((d) => d.name)) ?? []);
  if (keep) names.add(keep);
  return [...names].sort((a, b) => (a === b ? 0 : a === 'system' ? 1 : b === 'system' ? -1 : a.localeCompare(b)));
}

/** The wanted database if the cluster has it, else neo4j, else the first one. */
export function pickDatabase(names: string[], wanted?: string | null): string {
  if (wanted && names.includes(wanted)) return wanted;
  if (names.includes(DEFAULT_DATABASE)) return DEFAULT_DATABASE;
  return names[0] ?? DEFAULT_DATABASE;
}

type Params = Record<string, string | string[] | undefined>;

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** ?cluster=&database=&window= read defensively: anything unknown falls back to the defaults. */
export function selectionFromParams(
  params: Params,
  clusters: Array<{ id: number; report: ClusterReport }>,
): ClusterSelection | null {
  const wantedId = Number(first(params.cluster));
  const cluster = clusters.find((c) => c.id === wantedId) ?? clusters[0];
  if (!cluster) return null;
  const w = first(params.window);
  const wantedDb = first(params.database);
  const names = databaseNames(cluster.report);
  // A database named in the address is kept even when no member hosts it now: its history still charts.
  const database = wantedDb && /^[a-z0-9.-]{1,63}$/.test(wantedDb) ? wantedDb : pickDatabase(names);
  return { clusterId: cluster.id, database, window: isLagWindow(w) ? w : '5m' };
}

export function selectionToSearch(s: ClusterSelection): string {
  return new URLSearchParams({ cluster: String(s.clusterId), database: s.database, window: s.window }).toString();
}
