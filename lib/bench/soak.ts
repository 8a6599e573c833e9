/**
 * `npm run soak`: the dashboard under a steady, realistic load for a while (10 minutes by default), to show
 * that nothing fails, no lag sample goes missing and the web server's memory does not keep growing.
 *
 * It builds the web app when it is missing or older than its sources (`npx next build`, as serve would), then
 * starts `txline serve --no-build` on a free port with a fresh data folder in the temporary folder (its
 * embedded cluster on free ports, its workload writing to neo4j), creates the databases soak1 and soak2 and
 * writes to them from here, and then, for the run:
 *   - N signed-in users (sessions made directly in the catalog, as bench:web does) each ask for a page, a lag
 *     chart, the cluster or the jobs every 1 to 2 s, the requests the dashboard's pages and polls make;
 *   - neo4j, soak1 and soak2 are backed up concurrently, each in its own loop (`txline database backup`
 *     processes writing into the server's backup folder, which the dashboard indexes);
 *   - every few minutes one of them (in turn) is restored into the scratch database soak-restore, overwritten
 *     each time, while the rest keeps running;
 *   - the web server's RSS (the `next start` process and any children) is read every 2 s, with the machine's
 *     load average; the server's CPU time is read at the start and the end;
 *   - the collector's lag samples are read from the catalog (./soak-lag.ts says what counts as lost).
 * It prints a line a minute and a summary, and fails (exit 1) when a request answered anything but 200, a
 * backup, restore or write failed, or a lag sample is missing. The data folder is kept with --keep-data, or
 * when the run fails (its serve.log holds the server's output).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import { openCatalog } from '../db';
import { ROLES, users } from '../db/schema';
import { SESSION_COOKIE, createSession } from '../auth/sessions';
import { createUser } from '../auth/users';
import { MemberClient } from '../cluster/client';
import { readClusterFile } from '../cluster/discovery';
import { freePorts } from '../cluster/supervisor';
import { readTokenFile, setClusterToken, tokenFileFor } from '../cluster/token';
import { buildReason } from '../cli/commands/serve';
import { parseEnv } from '../env';
import { TxlineError, describeError } from '../errors';
import { projectRoot, txlineBin } from '../paths';
import { CREATED, SoakRun, out, type ClusterView, type SoakOptions } from './soak-run';

export type { SoakOptions };

export async function soak(opts: SoakOptions): Promise<void> {
  await ensureBuilt(projectRoot());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-soak-'));
  const config = parseEnv({ ...process.env, TXLINE_DATA_DIR: dir, TXLINE_CLUSTER_FILE: '', TXLINE_CLUSTER_ADDRESSES: '', TXLINE_BACKUP_DIR: '', TXLINE_CATALOG: '', TXLINE_BACKUP_ROOTS: '' });
  let serve: ChildProcess | null = null;
  let passed = false;
  try {
    const cookies = await seedUsers(config.catalog, opts.users);
    const [port] = await freePorts('127.0.0.1', 1);
    serve = startServe(dir, port, config.collectIntervalMs);
    const base = `http://127.0.0.1:${port}`;
    const clusterId = await waitForServer(serve, base, cookies[0], path.join(dir, 'serve.log'));
    const cluster = await prepareCluster(config.clusterFile);
    out(`txline serve is up on ${base} (data folder ${dir}); cluster ${cluster.members.map((m) => `${m.id} ${m.address}`).join(', ')}`);
    const run = new SoakRun(opts, { base, clusterId, cookies, serve, cluster, dir, config, step: Math.max(1000, config.collectIntervalMs) });
    passed = await run.go();
  } finally {
    if (serve && serve.exitCode === null && serve.signalCode === null) {
      const exited = once(serve, 'exit');
      serve.kill('SIGTERM');
      await exited;
    }
    if (opts.keepData || !passed) out(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  if (!passed) throw new TxlineError('INTERNAL', 'soak: the run failed (see the summary above)');
}

/** Builds the web app when it is missing or older than its sources (serve runs with --no-build). */
async function ensureBuilt(root: string): Promise<void> {
  const reason = buildReason(root);
  if (!reason) return;
  out(`building the web app first (${reason}): npx next build`);
  const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
  const child = spawn(process.execPath, [nextBin, 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' } });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new TxlineError('INTERNAL', `next build failed (${signal ?? `exit code ${code}`}); fix it, then run the soak again`);
}

/** N users of every role, signed in: one session cookie each. */
async function seedUsers(catalogFile: string, n: number): Promise<string[]> {
  const db = openCatalog(catalogFile);
  try {
    const cookies: string[] = [];
    for (let i = 1; i <= n; i++) {
      const u = await createUser(db, { username: `soak-user-${i}`, password: randomBytes(18).toString('base64url'), role: ROLES[i % ROLES.length] });
      db.update(users).set({ mustChangePassword: false }).where(eq(users.id, u.id)).run();
      cookies.push(`${SESSION_COOKIE}=${createSession(db, { userId: u.id, address: '127.0.0.1' }).token}`);
    }
    return cookies;
  } finally {
    db.$client.close();
  }
}

function startServe(dir: string, port: number, collectMs: number): ChildProcess {
  const log = fs.openSync(path.join(dir, 'serve.log'), 'a');
  const args = [txlineBin(), 'serve', '--no-build', '--port', String(port), '--data-dir', dir, '--base-port', '0'];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', log, log, 'ipc'], // serve stops when this process goes away
    env: {
      ...process.env,
      TXLINE_DATA_DIR: '',
      TXLINE_CLUSTER_FILE: '',
      TXLINE_CLUSTER_ADDRESSES: '',
      TXLINE_CLUSTER_TOKEN: '', // a fresh token in the cluster's token file, which every client here reads
      TXLINE_BACKUP_DIR: '',
      TXLINE_CATALOG: '',
      TXLINE_BACKUP_ROOTS: '',
      TXLINE_COLLECT_MS: String(collectMs),
    },
  });
  fs.closeSync(log);
  return child;
}

/** Waits until the dashboard answers a signed-in /api/cluster with members; returns the cluster's ID. */
async function waitForServer(serve: ChildProcess, base: string, cookie: string, logFile: string): Promise<number> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (serve.exitCode !== null) throw new TxlineError('INTERNAL', `txline serve exited (code ${serve.exitCode}):\n${tail(logFile)}`);
    const body = await fetch(`${base}/api/cluster`, { headers: { cookie }, signal: AbortSignal.timeout(10_000) }).then(
      async (r) => (r.status === 200 ? ((await r.json()) as { clusterId: number; members: Array<{ reachable: boolean }> }) : null),
      () => null,
    );
    if (body && body.members.length > 0 && body.members.every((m) => m.reachable)) return body.clusterId;
    if (Date.now() > deadline) throw new TxlineError('INTERNAL', `txline serve did not come up within 3 minutes:\n${tail(logFile)}`);
    await sleep(500);
  }
}

function tail(file: string, chars = 4000): string {
  try {
    return fs.readFileSync(file, 'utf8').slice(-chars);
  } catch (e) {
    return `(cannot read ${file}: ${describeError(e)})`;
  }
}

/** Reads the serve's cluster (its cluster.json and token), creates soak1 and soak2, and waits until every member has them. */
async function prepareCluster(clusterFile: string): Promise<ClusterView> {
  const file = readClusterFile(clusterFile);
  if (!file) throw new TxlineError('INTERNAL', `no cluster.json at ${clusterFile}`);
  const members = file.members.map((m) => ({ id: m.id, address: m.address }));
  setClusterToken(readTokenFile(tokenFileFor(clusterFile)), members.map((m) => m.address));
  const writer = members.find((m) => m.id === file.writer)?.address;
  if (!writer) throw new TxlineError('INTERNAL', `cluster.json names no writer address (${file.writer})`);
  for (const name of CREATED) await new MemberClient(writer).createDatabase(name);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const statuses = await Promise.all(members.map((m) => new MemberClient(m.address).status().catch(() => null)));
    const ready = statuses.every((s) => s && CREATED.every((name) => s.databases.some((d) => d.name === name && d.status === 'online')));
    if (ready) return { writer, members };
    if (Date.now() > deadline) throw new TxlineError('INTERNAL', `${CREATED.join(' and ')} are not online on every member after 60 s`);
    await sleep(500);
  }
}
