/**
 * `txline serve` (what `npm start` runs): the dashboard with the embedded cluster and a gentle workload.
 *
 *   1. builds the Next.js app when .next/BUILD_ID is missing or older than the sources (unless --no-build);
 *   2. starts the embedded cluster in this process (ClusterSupervisor: one child process per member);
 *   3. starts a gentle workload in this process;
 *   4. runs `next start` as a child process with the data folder in its environment, and prints the URL.
 *
 * Ctrl-C / SIGTERM stops the web server, then the workload, then the cluster. Nothing outlives serve: the
 * members stop when their IPC channel to this process closes, and so does the web server (through
 * exit-with-parent.cjs, preloaded into it), even if this process is killed with SIGKILL.
 *
 * With TXLINE_CLUSTER_ADDRESSES set, or with --no-cluster, no cluster is started: the dashboard watches
 * that cluster, or the embedded cluster another process runs in the same data folder.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { ClusterSupervisor, parseLagSpec } from '../../cluster/supervisor';
import { setClusterToken } from '../../cluster/token';
import { runWorkload, type WorkloadStats } from '../../cluster/workload';
import { parseEnv, envVars, type TxlineEnv } from '../../env';
import { TxlineError, describeError } from '../../errors';
import { createLogger, type Logger } from '../../log';
import { projectRoot } from '../../paths';
import { parsePort, parsePositiveInt } from '../args';
import { watchParent } from './cluster';

export const DEFAULT_LAG = 'member-2=200,member-3=1500';
const WORKLOAD_DATABASE = 'neo4j';

export interface ServeOptions {
  build: boolean;
  /** default: $PORT or 3000 */
  port?: number;
  host: string;
  dataDir: string;
  cluster: boolean;
  basePort: number;
  members: number;
  lagMs?: string;
  workload: boolean;
  workloadRate: number;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the dashboard with the embedded cluster and a gentle workload (what `npm start` runs)')
    .option('--port <port>', 'port of the dashboard (default: $PORT or 3000)', parsePort)
    .option('--host <host>', 'address the dashboard listens on', '127.0.0.1')
    .option('--data-dir <dir>', 'data folder ($TXLINE_DATA_DIR if set); the embedded cluster lives in <dir>/cluster', process.env.TXLINE_DATA_DIR || 'data')
    .option('--no-build', 'do not build the web app first, even when the build is missing or stale')
    .option('--no-cluster', 'do not start the embedded cluster (watch one started by `txline cluster start`, or TXLINE_CLUSTER_ADDRESSES)')
    .option('--base-port <port>', 'port of member 1; member N listens on base + 10*(N-1); 0 picks free ports', parsePort, 6362)
    .option('--members <n>', 'number of members of the embedded cluster', parsePositiveInt('--members'), 3)
    .option('--lag-ms <spec>', `per-member apply delay, e.g. ${DEFAULT_LAG} (the default, for members that exist)`)
    .option('--workload-rate <tx/s>', 'transactions per second of the workload', parsePositiveInt('--workload-rate'), 5)
    .option('--no-workload', 'do not run the workload')
    .addHelpText('after', '\nEnvironment: TXLINE_DATA_DIR, TXLINE_CLUSTER_FILE, TXLINE_CLUSTER_ADDRESSES, TXLINE_CLUSTER_TOKEN, TXLINE_BACKUP_DIR, TXLINE_CATALOG, PORT.')
    .action(async (o: ServeOptions) => {
      await serve(o);
    });
}

function defaultPort(): number {
  const raw = process.env.PORT;
  if (raw === undefined || raw === '') return 3000;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new TxlineError('INVALID_ARGUMENT', `PORT must be a port number, got "${raw}"`);
  return Number(raw);
}

export async function serve(opts: ServeOptions): Promise<void> {
  const o = { ...opts, port: opts.port ?? defaultPort() };
  const log = createLogger('serve');
  const root = projectRoot();
  const config = parseEnv({ ...process.env, TXLINE_DATA_DIR: o.dataDir });
  const watchOther = config.clusterAddresses !== null;
  const runCluster = o.cluster && !watchOther;
  const clusterDir = path.dirname(config.clusterFile);
  if (runCluster && config.clusterFile !== path.join(clusterDir, 'cluster.json')) {
    throw new TxlineError('INVALID_ARGUMENT', `TXLINE_CLUSTER_FILE must name a file called cluster.json when serve runs the embedded cluster (got ${config.clusterFile})`);
  }

  await assertPortFree(o.host, o.port);
  if (o.build) await buildIfStale(root, log);

  const shutdown = new Shutdown(log);
  let sup: ClusterSupervisor | null = null;
  let workload: Promise<WorkloadStats> | null = null;
  const workloadStop = new AbortController();
  let next: ChildProcess | null = null;

  shutdown.add('web server', async () => {
    if (next) await stopChild(next, 'SIGTERM', 10_000);
  });
  shutdown.add('workload', async () => {
    workloadStop.abort();
    if (workload) {
      const s = await workload;
      log.info(`workload committed ${s.committed} transactions (${s.failed} failed)`);
    }
  });
  shutdown.add('cluster', async () => {
    if (sup) await sup.stop();
  });

  try {
    if (runCluster) {
      sup = new ClusterSupervisor({
        dataDir: clusterDir,
        members: o.members,
        basePort: o.basePort,
        host: '127.0.0.1',
        lagMs: lagFor(o),
        output: 'file',
        controlPort: 0,
        token: config.clusterToken,
      });
      log.info(`starting the embedded cluster (${o.members} members) in ${clusterDir}`);
      await sup.start();
      // for the workload, to this cluster only; the web server reads it beside cluster.json
      const control = sup.info().control;
      setClusterToken(sup.token, control ? [...sup.addresses(), control] : sup.addresses());
      for (const m of sup.info().members) log.info(`${m.id} ${m.mode.padEnd(9)} http://${m.address} (log: ${path.join(m.dataDir, 'member.log')})`);
      if (o.workload) {
        const writer = sup.member(sup.writerId).address;
        log.info(`workload: ${o.workloadRate} tx/s on ${WORKLOAD_DATABASE} through ${writer}`);
        workload = runWorkload({
          server: writer,
          database: WORKLOAD_DATABASE,
          rate: o.workloadRate,
          durationMs: Infinity,
          signal: workloadStop.signal,
          log: (line) => log.warn(line),
        });
      }
    } else {
      log.info(watchOther ? `watching ${config.clusterAddresses?.join(', ')} (TXLINE_CLUSTER_ADDRESSES); no embedded cluster` : `not starting the embedded cluster; the dashboard reads ${config.clusterFile}`);
    }

    next = startNext(root, o, config);
    next.once('exit', (code, signal) => {
      if (!shutdown.started) {
        log.error(`the web server exited unexpectedly (${signal ?? `code ${code}`})`);
        process.exitCode = 1;
        void shutdown.run('the web server exited');
      }
    });
    await Promise.race([waitForHttp(o.host, o.port, 120_000), shutdown.done]);
    if (!shutdown.started) {
      const shown = o.host === '127.0.0.1' || o.host === '0.0.0.0' ? 'localhost' : o.host;
      process.stdout.write(`\nTxline is running on http://${shown}:${o.port} (Ctrl-C stops it)\n\n`);
    }
  } catch (e) {
    log.error(describeError(e));
    process.exitCode = 1;
    void shutdown.run('start-up failed');
  }
  await shutdown.done;
}

/** The default lag, limited to the members that exist; an explicit --lag-ms is taken as given. */
function lagFor(o: ServeOptions): Record<string, number> {
  if (o.lagMs !== undefined) return parseLagSpec(o.lagMs);
  const lag = parseLagSpec(DEFAULT_LAG);
  return Object.fromEntries(Object.entries(lag).filter(([id]) => Number(id.slice('member-'.length)) <= o.members));
}

/** Stops the parts in the order they were added, once, on SIGINT/SIGTERM or when asked. */
class Shutdown {
  private steps: Array<{ name: string; run: () => Promise<void> }> = [];
  private resolveDone!: () => void;
  readonly done = new Promise<void>((r) => (this.resolveDone = r));
  started = false;

  constructor(private readonly log: Logger) {
    const onSignal = (signal: NodeJS.Signals) => {
      if (this.started) {
        this.log.warn(`${signal}: already stopping, please wait`);
        return;
      }
      void this.run(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // Orphaned (`npx txline serve` whose npm got a SIGTERM it does not pass on): stop as on a signal.
    watchParent(() => void this.run('the parent process went away'));
    // Started by another program with an IPC channel (a benchmark, a test): stop when it goes away.
    if (process.send) {
      process.once('disconnect', () => void this.run('the parent process went away'));
      process.channel?.unref();
    }
  }

  add(name: string, run: () => Promise<void>): void {
    this.steps.push({ name, run });
  }

  async run(why: string): Promise<void> {
    if (this.started) return this.done;
    this.started = true;
    this.log.info(`stopping (${why})`);
    for (const step of this.steps) {
      try {
        await step.run();
        this.log.info(`stopped the ${step.name}`);
      } catch (e) {
        process.exitCode = 1;
        this.log.error(`stopping the ${step.name} failed: ${describeError(e)}`);
      }
    }
    this.resolveDone();
  }
}

/** `next start` as a direct child (a node process, so its pid is the server's own). */
function startNext(root: string, o: ServeOptions & { port: number }, config: TxlineEnv): ChildProcess {
  const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
  if (!fs.existsSync(nextBin)) throw new TxlineError('INTERNAL', `Next.js is not installed (${nextBin} is missing): run npm install`);
  if (!fs.existsSync(path.join(root, '.next', 'BUILD_ID'))) {
    throw new TxlineError('INTERNAL', 'the web app is not built (.next/BUILD_ID is missing): run `npx next build`, or serve without --no-build');
  }
  const guard = path.join(root, 'lib', 'cli', 'exit-with-parent.cjs');
  return spawn(process.execPath, ['--require', guard, nextBin, 'start', '--port', String(o.port), '--hostname', o.host], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env,
      ...envVars(config),
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      PORT: String(o.port),
      TXLINE_PARENT_PID: String(process.pid),
    },
  });
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals, killAfterMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await exited;
  clearTimeout(timer);
}

async function assertPortFree(host: string, port: number): Promise<void> {
  const server = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TxlineError(
      'INVALID_ARGUMENT',
      code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use (is Txline already running?); choose another with --port` : `cannot listen on ${host}:${port}: ${describeError(e)}`,
    );
  } finally {
    await new Promise((r) => server.close(r));
  }
}

/** Waits until the web server answers HTTP (any status). */
async function waitForHttp(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = http.get({ host, port, path: '/api/cluster', timeout: 5000 }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new TxlineError('INTERNAL', `the web server did not answer on ${host}:${port} within ${timeoutMs / 1000} s`);
    await sleep(250);
  }
}

// ---- the build -------------------------------------------------------------------------------------------

const BUILD_INPUTS = ['app', 'components', 'lib', 'public', 'next.config.mjs', 'postcss.config.mjs', 'tsconfig.json', 'package.json'];

/** The newest modification time (ms) among the files that go into the build. */
export function newestSourceTime(root: string): number {
  let newest = 0;
  const visit = (p: string) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // an optional input (public/) that is not there
      throw e;
    }
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p)) {
        if (name === 'node_modules' || name.startsWith('.')) continue;
        visit(path.join(p, name));
      }
    } else if (st.mtimeMs > newest) {
      newest = st.mtimeMs;
    }
  };
  for (const input of BUILD_INPUTS) visit(path.join(root, input));
  return newest;
}

/** Why the app needs building, or null when .next is up to date. */
export function buildReason(root: string): string | null {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  let built: number;
  try {
    built = fs.statSync(buildId).mtimeMs;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'there is no build yet';
    throw e;
  }
  return newestSourceTime(root) > built ? 'sources changed since the last build' : null;
}

async function buildIfStale(root: string, log: Logger): Promise<void> {
  const reason = buildReason(root);
  if (!reason) return;
  log.info(`building the web app (${reason}); this takes a minute or two`);
  const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
  const child = spawn(process.execPath, [nextBin, 'build'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
  });
  const stopBuild = () => child.kill('SIGTERM');
  process.once('SIGINT', stopBuild);
  process.once('SIGTERM', stopBuild);
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  process.off('SIGINT', stopBuild);
  process.off('SIGTERM', stopBuild);
  if (code !== 0) throw new TxlineError('INTERNAL', `next build failed (${signal ?? `exit code ${code}`}); fix the error above, or run with --no-build to serve the previous build`);
}

