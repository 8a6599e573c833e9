/**
 * The `txline` cluster kind: clusters that speak Txline's member API over HTTP (the embedded cluster this
 * server starts, or members at given addresses). Its Source reads topology, stores and transactions and
 * installs restored stores; its controls pause replication on any member and stop or start the processes of
 * a cluster this server started (through the supervisor's control API).
 */
import { MemberClient, requestJson } from '../../cluster/client';
import { defaultClusterAddresses } from '../../cluster/discovery';
import { catalogClusterToken, environmentTokenFor, trustGivenAddresses } from '../../cluster/token';
import { env as processEnv } from '../../env';
import { TxlineError } from '../../errors';
import { splitAddress } from '../../net/address';
import type { Capability, ClusterConnection, ClusterKind } from '../kind';
import { txlinePayload } from './format';
import { TxlineSource } from './source';
import { findEmbedded, txlineStatus } from './status';

const ANY_MEMBER: ReadonlySet<Capability> = new Set(['pauseReplication']);
const STARTED_HERE: ReadonlySet<Capability> = new Set(['pauseReplication', 'stopMember']);

export const txlineKind: ClusterKind = {
  name: 'txline',
  label: 'Txline member API',
  payloadFormat: txlinePayload,

  capabilities: (c) => (c.startedHere && c.controlAddress ? STARTED_HERE : ANY_MEMBER),

  checkAddress: (address) => void splitAddress(address),

  defaultConnection: (e) =>
    e.clusterAddresses ? { kind: 'txline', addresses: e.clusterAddresses, startedHere: false } : { kind: 'txline', addresses: defaultClusterAddresses(e), startedHere: true },

  openSource(c, { given, resolve, env = processEnv() }) {
    // Addresses the user typed (--from, --to) get TXLINE_CLUSTER_TOKEN when the user set it (cluster/token.ts).
    if (given) trustGivenAddresses(c.addresses, env);
    return new TxlineSource({ addresses: c.addresses, resolve });
  },

  status: (c, e, opts) => txlineStatus(c, e, opts),

  jobAccess: (c, e) => ({ addresses: c.addresses, token: catalogClusterToken({ addresses: c.addresses, token: c.token }, e) }),

  locateStartedHere(e) {
    const found = findEmbedded(e.clusterFile);
    return { addresses: found.members.map((m) => m.address), controlAddress: found.controlAddress, problem: found.problem };
  },

  async control(c, member, action, e) {
    if (action === 'pause' || action === 'resume') {
      if (!member.reachable) throw new TxlineError('SOURCE_UNREACHABLE', `${member.id} cannot be reached; start it first.`);
      await new MemberClient(member.address, tokenFor(c, member.address, e)).replication({ paused: action === 'pause' });
      return `${member.id}: replication ${action === 'pause' ? 'paused' : 'resumed'}`;
    }
    if (!c.startedHere || !c.controlAddress) {
      throw new TxlineError('NOT_SUPPORTED', 'Members can only be stopped and started in the embedded cluster.');
    }
    await requestJson(c.controlAddress, `/members/${encodeURIComponent(member.id)}/${action}`, {
      method: 'POST',
      timeoutMs: 60_000,
      token: environmentTokenFor(c.controlAddress, e),
    });
    return `${member.id}: ${action === 'stop' ? 'stopped' : 'started'}`;
  },
};

/** The token a member of `c` gets: the environment's for a cluster this server started, else the cluster's own. */
function tokenFor(c: ClusterConnection, address: string, e: ReturnType<typeof processEnv>): string | null {
  return c.startedHere ? environmentTokenFor(address, e) : catalogClusterToken({ addresses: c.addresses, token: c.token }, e);
}
