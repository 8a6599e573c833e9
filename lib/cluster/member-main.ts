/**
 * Entry point of one member process (`txline member --config FILE`). Stops on SIGTERM/SIGINT, and when the
 * process that started it goes away (the IPC channel closes), so no member outlives its cluster.
 */
import fs from 'node:fs';
import { describeError } from '../errors';
import { Member, type MemberConfig } from './member';
import { createMemberServer } from './member-http';
import { Replicator } from './replicator';

export async function runMember(configFile: string): Promise<void> {
  const config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as MemberConfig;
  const member = new Member(config);
  member.openDatabases();
  const server = createMemberServer(member);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const replicator = new Replicator(member);
  replicator.start();
  member.log.info(
    `${config.id} (${config.mode}${member.isWriter ? ', writer' : ''}) serving on http://${member.address} with data in ${config.dataDir}`,
  );
  process.send?.({ type: 'ready', id: config.id, address: member.address });

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    member.log.info(`stopping (${why})`);
    server.close();
    server.closeAllConnections();
    await replicator.stop();
    member.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('disconnect', () => void stop('the cluster process went away'));
  process.on('uncaughtException', (e) => {
    member.log.fatal(`uncaught: ${describeError(e)}`);
    process.exit(70);
  });
}
