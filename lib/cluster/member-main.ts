/**
 * Entry point of one member process (`txline member --config FILE`). Stops on SIGTERM/SIGINT, and when the
 * process that started it goes away (the IPC channel closes), so no member outlives its cluster.
 *
 * Before it touches anything, a member takes `<its data folder>/member.lock` (holding its pid): a second
 * process on the same folder is refused while the first lives, and a lock left by a `kill -9` is taken over.
 *
 * The cluster token comes in TXLINE_CLUSTER_TOKEN (the supervisor sets it): the member requires it of every
 * caller, and sends it to its peers (the writer, when it replicates), and to no other address.
 *
 * With a Bolt port in its configuration, the member also serves Bolt (./bolt) on it, for the user `neo4j` with
 * the password in TXLINE_BOLT_PASSWORD (the supervisor gives it); without that password it serves no Bolt.
 */
import fs from 'node:fs';
import path from 'node:path';
import { clusterTokenVar } from '../env';
import { TxlineError, describeError } from '../errors';
import { Member, type MemberConfig } from './member';
import { createMemberServer } from './member-http';
import { acquirePidLock, type PidLock } from './pid-lock';
import { Replicator } from './replicator';
import { setClusterToken } from './token';
import { boltPasswordVar, startMemberBolt } from './bolt';
import { memberAdmin } from './bolt/admin';
import type net from 'node:net';

export const MEMBER_LOCK = 'member.lock';

export async function runMember(configFile: string): Promise<void> {
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as MemberConfig;
  const token = clusterTokenVar();
  if (!token) throw new TxlineError('INVALID_ARGUMENT', 'a member needs the cluster token in TXLINE_CLUSTER_TOKEN (txline cluster start gives it)');
  setClusterToken(token, config.peers.map((p) => p.address));
  const lock = acquirePidLock(
    path.join(config.dataDir, MEMBER_LOCK),
    { what: `${config.id} of ${path.dirname(config.dataDir)}`, marker: path.resolve(configFile) },
    `the data folder ${config.dataDir} is in use by another member process`,
  );
  let member: Member;
  let server: ReturnType<typeof createMemberServer>;
  let bolt: net.Server | null = null;
  try {
    member = new Member(config);
    member.openDatabases();
    server = createMemberServer(member, { token });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const password = boltPasswordVar();
    if (config.boltPort !== undefined && password !== undefined) {
      const started = await startMemberBolt(member, { password, admin: memberAdmin(member) });
      bolt = started.server;
      member.boltAddress = started.address;
    }
  } catch (e) {
    lock.release();
    throw e;
  }
  replicateUntilStopped(member, server, bolt, lock);
}

/** Starts replication, says it is ready, and stops (releasing the lock) on a signal or when the cluster goes. */
function replicateUntilStopped(member: Member, server: ReturnType<typeof createMemberServer>, bolt: net.Server | null, lock: PidLock): void {
  const config = member.config;
  const replicator = new Replicator(member);
  replicator.start();
  member.log.info(
    `${config.id} (${config.mode}${member.isWriter ? ', writer' : ''}) serving on http://${member.address}${member.boltAddress ? ` and bolt://${member.boltAddress}` : ''} with data in ${config.dataDir}`,
  );
  process.send?.({ type: 'ready', id: config.id, address: member.address, boltAddress: member.boltAddress });

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    member.log.info(`stopping (${why})`);
    server.close();
    server.closeAllConnections();
    bolt?.close();
    await replicator.stop();
    member.close();
    lock.release();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('disconnect', () => void stop('the cluster process went away'));
  process.on('uncaughtException', (e) => {
    member.log.fatal(`uncaught: ${describeError(e)}`);
    lock.release();
    process.exit(70);
  });
}
