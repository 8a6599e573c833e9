/**
 * The registry of cluster kinds (./kind.ts): the one way the CLI, the monitor and the dashboard reach a cluster.
 * Adding a kind is a folder beside ./txline and one line here.
 */
import { TxlineError } from '../errors';
import type { ClusterConnection, ClusterKind, ClusterKindName } from './kind';
import { txlineKind } from './txline';

export type { Capability, ClusterConnection, ClusterKind, ClusterKindName, MemberControl, StatusOptions } from './kind';
export { CLUSTER_KINDS, CONTROL_NEEDS } from './kind';

const KINDS: Record<ClusterKindName, ClusterKind> = {
  txline: txlineKind,
};

/** The kind named `name`; an unknown one (a catalog written by a newer Txline, say) is INVALID_ARGUMENT. */
export function clusterKind(name: string): ClusterKind {
  const k = (KINDS as Record<string, ClusterKind | undefined>)[name];
  if (!k) throw new TxlineError('INVALID_ARGUMENT', `unknown cluster kind "${name}" (known: ${Object.keys(KINDS).join(', ')})`);
  return k;
}

/** The kind of a cluster connection. */
export function kindOf(c: Pick<ClusterConnection, 'kind'>): ClusterKind {
  return clusterKind(c.kind);
}

/** The kind the CLI talks to when it is not told (the embedded cluster's, or TXLINE_CLUSTER_ADDRESSES'). */
export const DEFAULT_KIND: ClusterKindName = 'txline';

/**
 * A cluster as the catalog registers it: its kind (the protocol), whether this server started it (then its
 * token is the environment's), its addresses and its own token.
 */
export function catalogConnection(row: { kind: ClusterKindName; startedHere: boolean; addresses: string[]; token?: string | null; controlAddress?: string | null }): ClusterConnection {
  const { kind, startedHere } = row;
  return { kind, addresses: row.addresses, startedHere, token: startedHere ? undefined : (row.token ?? null), controlAddress: row.controlAddress ?? null };
}
