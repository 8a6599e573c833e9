/**
 * `txline cluster start`, `txline workload` and the internal `txline member`.
 */
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { clusterTokenVar } from '../../env';
import { TxlineError, describeError } from '../../errors';
import { createLogger } from '../../log';
import { splitAddress } from '../../net/address';
import { ClusterSupervisor, parseLagSpec } from '../../cluster/supervisor';
import { checkWorkloadTarget, runWorkload } from '../../cluster/workload';
import { normalizeDatabaseName } from '../../graph/names';
import { trustGivenAddresses } from '../../cluster/token';
import { parseDuration, parseNonNegativeInt, parsePort, parsePositiveInt } from '../args';
import { registerClusterCatalogCommands } from './cluster-catalog';

export function registerClusterCommands(program: Command): void {
  const cluster = program.command('cluster').description('Run the embedded cluster; register, list and watch clusters (the catalog the dashboard shares)');
  registerClusterCatalogCommands(cluster);

  cluster
    .command('start')
    .description('Start the embedded cluster in the foreground (Ctrl-C stops every member)')
    .option('--members <n>', 'number of members', parsePositiveInt('--members'), 3)
    .option('--secondaries <n>', 'how many of them are secondaries (default: 1 with 3 or more members, else 0)', parseNonNegativeInt('--secondaries'))
    .option('--base-port <port>', 'port of member 1; member N listens on base + 10*(N-1); 0 picks free ports', parsePort, 6362)
    .option('--host <host>', 'loopback address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'data folder of the cluster', 'data/cluster')
    .option('--databases <names>', 'comma-separated databases to create besides system', 'neo4j')
    .option('--lag-ms <spec>', 'per-member apply delay, e.g. member-2=200,member-3=1500', '')
    .option('--tx-log-retention <policy>', 'transaction log retention: "N files", "N[K|M|G] size", "N txs", "N hours", "N days"', '2 days')
    .option('--tx-log-rotation-size <size>', 'rotate transaction log segments at this size', '1M')
    .option('--control-port <port>', 'port of the control API (stop/start members); 0 picks a free one', parsePort, 0)
    .action(async (o) => {
      const log = createLogger('cluster');
      const sup = new ClusterSupervisor({
        dataDir: path.resolve(o.dataDir),
        members: o.members,
        secondaries: o.secondaries,
        basePort: o.basePort,
        host: o.host,
        databases: String(o.databases).split(',').filter(Boolean).map(normalizeDatabaseName),
        lagMs: parseLagSpec(o.lagMs),
        txLogRetention: o.txLogRetention,
        txLogRotationSize: o.txLogRotationSize,
        output: 'console',
        controlPort: o.controlPort,
        token: clusterTokenVar(),
      });
      await runUntilSignal(async () => {
        await sup.start();
        const info = sup.info();
        for (const m of info.members) log.info(`${m.id} ${m.mode.padEnd(9)} http://${m.address}${m.boltAddress ? ` bolt://${m.boltAddress}` : ''}`);
        log.info(`Bolt (neo4j://${info.members[0]?.boltAddress ?? '?'}): user neo4j, password in ${sup.boltPasswordFile}`);
        log.info(`control API on http://${info.control}; cluster file ${path.join(sup.dataDir, 'cluster.json')}; token in ${path.join(sup.dataDir, 'token')}; Ctrl-C stops the cluster`);
      }, () => sup.stop(), log);
    });

  program
    .command('workload')
    .description('Write a steady stream of realistic graph transactions')
    .option('--server <host:port>', 'a member of the cluster (writes follow the writer)', parseAddress, '127.0.0.1:6362')
    .option('--database <name>', 'database to write to', parseDatabaseName, 'neo4j')
    .option('--rate <tx/s>', 'transactions per second', parsePositiveInt('--rate'), 20)
    .addOption(
      new Option('--duration <time>', 'how long to run, e.g. 60s, 5m; "forever" runs until Ctrl-C')
        .argParser((raw: string) => (raw.trim() === 'forever' ? Infinity : parseDuration(raw)))
        .default(60_000, '60s'),
    )
    .option('--seed <n>', 'seed of the random choices', parseNonNegativeInt('--seed'))
    .addHelpText('after', '\nExit codes: 0 when transactions were committed, 1 when the server cannot be reached at start, the database does not exist, or every transaction failed, 2 on bad options.')
    .action(async (o: { server: string; database: string; rate: number; duration: number; seed?: number }) => {
      const log = createLogger('workload');
      trustGivenAddresses([o.server]); // TXLINE_CLUSTER_TOKEN, when the user set it (see cluster/token.ts)
      await checkWorkloadTarget(o.server, o.database);
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      process.once('SIGTERM', () => controller.abort());
      const stats = await runWorkload({
        server: o.server,
        database: o.database,
        rate: o.rate,
        durationMs: o.duration,
        signal: controller.signal,
        seed: o.seed,
        log: (l) => log.warn(l),
      });
      log.info(`committed ${stats.committed} transactions (${stats.failed} failed) in ${(stats.elapsedMs / 1000).toFixed(1)} s; last transaction ${stats.lastTxId}`);
      if (stats.committed === 0 && stats.lastError) {
        const e = stats.lastError;
        // the code of what went wrong when it is a failure (exit 1); a usage-type code here is the workload's own bug
        throw new TxlineError(e.exitCode === 1 ? e.code : 'INTERNAL', `every transaction failed (${stats.failed}); the last one: ${e.message}`, { cause: e });
      }
    });

  program
    .command('member', { hidden: true })
    .description('Run one member process (started by `txline cluster start`)')
    .addOption(new Option('--config <file>', 'member configuration file').makeOptionMandatory())
    .action(async (o) => {
      // Loaded here: a member's HTTP server and metrics are not what other commands need at start.
      const { runMember } = await import('../../cluster/member-main');
      await runMember(o.config);
    });
}

/**
 * Calls `onGone` once when this process's parent goes away (it is re-parented: `process.ppid` changes).
 * `npx txline …` runs node under npm and a shell; a SIGTERM to npm ends npm without passing it on, and the
 * orphan would otherwise keep its cluster running. Returns a function that stops watching.
 */
export function watchParent(onGone: () => void, intervalMs = 500): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** `--server`: host:port, checked as the member client will use it. */
function parseAddress(raw: string): string {
  try {
    splitAddress(raw);
  } catch (e) {
    throw new InvalidArgumentError(describeError(e));
  }
  return raw.trim();
}

function parseDatabaseName(raw: string): string {
  try {
    return normalizeDatabaseName(raw);
  } catch (e) {
    throw new InvalidArgumentError(describeError(e));
  }
}

/** Runs `start`, then waits for SIGINT/SIGTERM (or the parent process to go away) and runs `stop`. */
export async function runUntilSignal(start: () => Promise<void>, stop: () => Promise<void>, log?: { info(m: string): void }): Promise<void> {
  let stopping: Promise<void> | null = null;
  let unwatch: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    const handler = (why: string) => {
      if (stopping) return;
      log?.info(`stopping (${why})`);
      unwatch();
      stopping = stop().finally(resolve);
    };
    process.on('SIGINT', () => handler('SIGINT'));
    process.on('SIGTERM', () => handler('SIGTERM'));
    unwatch = watchParent(() => handler('the parent process went away'));
  });
  try {
    await start();
  } catch (e) {
    unwatch();
    // the start-up error is the one to report; stop() only cleans up what did start
    await stop().catch(() => undefined);
    throw e;
  }
  await done;
}
