/**
 * A member's Bolt endpoint: the Bolt server (server.ts) over the member's backend (member-backend.ts), listening
 * on loopback on the member's Bolt port. See the README ("Bolt") for the port plan and the password.
 */
import type net from 'node:net';
import type { Member } from '../member';
import { formatAddress } from '../../net/address';
import { MemberBoltBackend, type BoltAdmin } from './member-backend';
import { createBoltServer, type BoltServerOptions } from './server';

export { BOLT_PASSWORD_FILE, BOLT_PASSWORD_VAR, BOLT_USER, boltPasswordVar, ensureBoltPasswordFile } from './password';

/** Starts the member's Bolt server on config.boltPort (0: a free port); resolves with it and its address. */
export async function startMemberBolt(
  member: Member,
  opts: { password: string; admin?: BoltAdmin; server?: BoltServerOptions },
): Promise<{ server: net.Server; address: string }> {
  const backend = new MemberBoltBackend(member, { password: opts.password, admin: opts.admin });
  const server = createBoltServer(backend, { log: (m) => member.log.info(`bolt ${m}`), ...opts.server });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(member.config.boltPort ?? 0, member.config.host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return { server, address: formatAddress(member.config.host, port) };
}
