/**
 * The registry of cluster kinds (./kind.ts): the one way the CLI, the monitor and the dashboard reach a cluster.
 * Adding a kind is a folder beside ./txline and one line here.
 */
import { TxlineError } from '../errors';
import type { ClusterConnection, ClusterKind, ClusterKindName, Neo4jConnection } from './kind';
import { neo4jKind } from './neo4j/kind';
import { txlineKind } from './txline';

export type { Capability, ClusterConnection, ClusterKind, ClusterKindName, MemberControl, Neo4jConnection, StatusOptions } from './kind';
export { CLUSTER_KINDS, CONTROL_NEEDS } from './kind';

const KINDS: Record<ClusterKindName, ClusterKind> = {
  txline: txlineKind,
  neo4j: neo4jKind,
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
export function catalogConnection(row: CatalogClusterFields): ClusterConnection {
  const { kind, startedHere } = row;
  return { kind, addresses: row.addresses, startedHere, token: startedHere ? undefined : (row.token ?? null), controlAddress: row.controlAddress ?? null, neo4j: neo4jOf(row) };
}

/** The catalog row's fields a connection is made of (a `neo4j` cluster's besides: lib/db/schema.ts). */
export interface CatalogClusterFields {
  kind: ClusterKindName;
  startedHere: boolean;
  addresses: string[];
  token?: string | null;
  controlAddress?: string | null;
  uri?: string | null;
  boltUser?: string | null;
  passwordSealed?: string | null;
  neo4jAdmin?: string | null;
  backupFrom?: string[] | null;
  location?: string | null;
}

/** A `neo4j` row's connection (null when a field is missing: the kind then says to register it again). */
function neo4jOf(row: CatalogClusterFields): Neo4jConnection | null {
  if (row.kind !== 'neo4j' || !row.uri || !row.boltUser || !row.passwordSealed || !row.neo4jAdmin || !row.location) return null;
  return { uri: row.uri, user: row.boltUser, passwordSealed: row.passwordSealed, neo4jAdmin: row.neo4jAdmin, backupFrom: row.backupFrom ?? null, location: row.location };
}
