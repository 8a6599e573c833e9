/**
 * The `neo4j` cluster kind: a real Neo4j cluster watched over Bolt (./bolt.ts) and backed up by the DBA's own
 * neo4j-admin. Server-only (Node). See ./index.ts's design note for the whole plan.
 *
 * Invariants:
 * - A neo4j cluster is never the default one (the CLI names it with --cluster=<name>).
 * - No member controls: Neo4j has no "pause replication", and Txline does not run Neo4j's processes
 *   (NEO4J_NO_CONTROLS says so; the UI shows it where the controls would be).
 * - The sealed password is opened here only, with the key beside the catalog, just before the driver needs it.
 * - status() never throws: an unreachable URI, a refused login or a missing privilege is the report's problem.
 * - Neo4j's artifacts are its own format: the engine's container, chains and payload checks do not apply
 *   (openSource and payloadFormat refuse with NOT_SUPPORTED, naming what to use instead).
 */
import { TxlineError, describeError } from '../../errors';
import type { TxlineEnv } from '../../env';
import type { PayloadFormat } from '../../engine/format';
import type { Capability, ClusterConnection, ClusterKind, Neo4jConnection } from '../kind';
import type { ClusterReport } from '../report';
import type { BoltSettings } from './bolt';
import { openPassword } from './secret';
import { checkBoltUri } from './uri';

const NONE: ReadonlySet<Capability> = new Set();

/** Why a Neo4j cluster has no member controls (shown where they would be). */
export const NEO4J_NO_CONTROLS = 'Neo4j has no pause of replication, and Txline does not run a Neo4j cluster’s processes: manage its servers with Neo4j’s own tools.';

/** Why Txline cannot list the transactions of a Neo4j cluster's backups or count a point (shown in the restore wizard). */
export const NEO4J_ARTIFACTS_UNREADABLE =
  "A Neo4j cluster's backups are in Neo4j's own format, written by neo4j-admin: Txline cannot list their transactions or count the graph at a point.";

const notSupported = (what: string) => (): never => {
  throw new TxlineError('NOT_SUPPORTED', `${what} of a Neo4j cluster's backups is neo4j-admin's work (neo4j-admin database check, backup aggregate), not Txline's engine`);
};

/** Neo4j's payloads are not Txline's container: the engine cannot rebuild or check them. */
const neo4jPayload: PayloadFormat = {
  buildStore: notSupported('Rebuilding a store'),
  checkFullStore: notSupported('Checking a full backup'),
  checkDiff: notSupported('Checking a differential backup'),
  readTransactions: notSupported('Listing the transactions'),
  countsAt: notSupported('Counting the graph at a point'),
};

/** The connection's Neo4j settings; a row of another kind (or missing its fields) is INVALID_ARGUMENT. */
export function neo4jSettings(c: ClusterConnection): Neo4jConnection {
  if (c.kind !== 'neo4j' || !c.neo4j) throw new TxlineError('INVALID_ARGUMENT', 'this cluster has no Neo4j connection settings (URI, user, password): register it again with --kind=neo4j');
  return c.neo4j;
}

/** What the driver needs: the URI, the user and the opened password (this process only). */
export function boltSettings(c: ClusterConnection, e: Pick<TxlineEnv, 'catalog'>): BoltSettings {
  const n = neo4jSettings(c);
  return { uri: n.uri, user: n.user, password: openPassword(e.catalog, { uri: n.uri, user: n.user, sealed: n.passwordSealed }) };
}

/** The cluster's report for the dashboard and `txline cluster status`; never throws. */
export async function neo4jStatus(c: ClusterConnection, e: TxlineEnv, opts: { timeoutMs?: number } = {}): Promise<ClusterReport & { controlAddress: null; version: string | null; edition: string | null }> {
  const checkedAt = new Date().toISOString();
  const source = { kind: 'addresses' as const, addresses: c.addresses };
  try {
    // (the driver and its value types are loaded when a Neo4j cluster is first asked, not at every start)
    const [{ readTopology }, { toClusterReport }] = await Promise.all([import('./bolt'), import('./topology')]);
    const t = await readTopology(boltSettings(c, e), { timeoutMs: opts.timeoutMs ?? 5000 });
    const report = toClusterReport(t.topology, { source, checkedAt });
    return { ...report, controlAddress: null, version: t.components.version.text, edition: t.components.edition };
  } catch (err) {
    const code = err instanceof TxlineError ? `${err.code}: ` : '';
    return { source, checkedAt, members: [], problem: `${code}${describeError(err)}`, controlAddress: null, version: null, edition: null };
  }
}

export const neo4jKind: ClusterKind = {
  name: 'neo4j',
  label: 'Neo4j (Bolt + neo4j-admin)',
  payloadFormat: neo4jPayload,

  noControlsReason: NEO4J_NO_CONTROLS,
  artifactsUnreadableReason: NEO4J_ARTIFACTS_UNREADABLE,
  capabilities: () => NONE,

  checkAddress: (address) => void checkBoltUri(`neo4j://${address}`),

  defaultConnection: () => {
    throw new TxlineError('NOT_SUPPORTED', 'a Neo4j cluster is never the default cluster: name it with --cluster=<name> (txline cluster list)');
  },

  openSource: () => {
    throw new TxlineError('NOT_SUPPORTED', "Txline's engine does not back up or restore a Neo4j cluster itself: neo4j-admin does (txline database backup --cluster=<name>)");
  },

  status: (c, e, opts) => neo4jStatus(c, e, { timeoutMs: opts?.timeoutMs }),

  // A job on a Neo4j cluster names it (--cluster=<name>): the CLI child reads the cluster, and opens its sealed
  // password, from the catalog itself (TXLINE_CATALOG). So the job is given no addresses and no token: nothing
  // secret reaches a child's argv or environment.
  jobAccess: () => ({ addresses: [], token: null }),

  control: async () => {
    throw new TxlineError('NOT_SUPPORTED', NEO4J_NO_CONTROLS);
  },
};
