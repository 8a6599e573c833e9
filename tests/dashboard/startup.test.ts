/**
 * A server restart through the real start-up path (lib/server/startup.ts, what `txline serve` runs): a server
 * process is killed (kill -9) while its backup job runs; the job's `txline` process goes away with it and
 * cleans up its temporary artifact; the next server start marks the job interrupted, and the database
 * is free for a new job, which runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJob, listJobs } from '../../lib/db/queries/jobs';
import { parseEnv } from '../../lib/env';
import { startServer, type ServerContext } from '../../lib/server/startup';
import { startTestCluster, tempDir, waitFor, type TestCluster } from '../helpers/cluster';
import { leftovers, throttleProxy, writeTx, type ThrottleProxy } from '../helpers/engine';

const CHILD = path.join(import.meta.dirname, 'server-process.ts');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('server start-up after a killed server', () => {
  let cluster: TestCluster;
  let dir: string;
  let proxy: ThrottleProxy;
  let server: ChildProcess | null = null;
  let ctx: ServerContext | null = null;
  let vars: Record<string, string>;
  const backups = () => path.join(dir, 'backups');

  beforeAll(async () => {
    cluster = await startTestCluster();
    dir = tempDir('startup');
    proxy = await throttleProxy(cluster.addresses[0]);
    await writeTx(cluster.writer, 'neo4j', 10);
    vars = {
      TXLINE_DATA_DIR: dir,
      TXLINE_CLUSTER_FILE: path.join(cluster.dir, 'cluster.json'),
      TXLINE_CLUSTER_ADDRESSES: '',
      TXLINE_BACKUP_DIR: '',
      TXLINE_CATALOG: '',
      TXLINE_ADMIN_PASSWORD: 'startup-test-password',
      TXLINE_COLLECT_MS: '500',
    };
  });

  afterAll(async () => {
    ctx?.stop();
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    await proxy?.close();
    await cluster?.stop();
    ctx?.db.$client.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('marks the job interrupted, and the database takes a new job', async () => {
    proxy.hold(0); // the backup's store stream stalls: the job is running when its server dies
    server = spawn(process.execPath, ['--import', 'tsx', CHILD, 'neo4j', backups(), proxy.address], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...vars },
    });
    let stderr = '';
    server.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const lines = readline.createInterface({ input: server.stdout as NodeJS.ReadableStream });
    const started = await new Promise<{ ok: boolean; jobId: number; error?: string }>((resolve, reject) => {
      lines.on('line', (l) => {
        if (l.startsWith('{')) resolve(JSON.parse(l));
      });
      server?.on('exit', (code) => reject(new Error(`the server process exited (${code}): ${stderr}`)));
    });
    expect(started, stderr).toMatchObject({ ok: true });

    // Its catalog, read alongside: the job runs and its txline process has a temporary artifact open.
    const { catalogAt } = await import('../../lib/db');
    const env = parseEnv(vars);
    const db = catalogAt(env.catalog);
    await waitFor('the temporary artifact', () => leftovers(backups()).length > 0, 60_000);
    const running = getJob(db, { id: started.jobId });
    expect(running).toMatchObject({ status: 'running', kind: 'backup', database: 'neo4j' });
    const jobPid = running?.pid as number;
    expect(alive(jobPid)).toBe(true);

    server.kill('SIGKILL');
    await new Promise((r) => server?.once('exit', r));
    // the job's process notices its parent is gone, removes its temporary artifact and exits
    await waitFor(`the job's process ${jobPid} to exit`, () => !alive(jobPid), 30_000);
    expect(leftovers(backups())).toEqual([]);
    expect(getJob(db, { id: started.jobId })?.status).toBe('running'); // nobody has said otherwise yet
    proxy.release();

    // The next start.
    ctx = startServer(env);
    expect(ctx.db).toBe(db);
    expect(ctx.interruptedAtStart).toBe(1);
    expect(getJob(db, { id: started.jobId })).toMatchObject({ status: 'interrupted', pid: null, error: expect.stringContaining('server stopped') });
    expect(listJobs(db, { status: 'running' })).toEqual([]);

    // neo4j is not blocked by the dead job: a new backup starts and succeeds
    const folderId = running?.folderId as number;
    const next = ctx.runner.start({
      kind: 'backup',
      database: 'neo4j',
      clusterId: running?.clusterId ?? null,
      folderId,
      params: {},
      input: { database: 'neo4j', toPath: backups(), type: 'full', compress: true, preferDiffAsParent: false, from: [], confineToRoots: [] },
      env: { TXLINE_CLUSTER_ADDRESSES: cluster.addresses.join(',') },
      createdBy: 'test',
    });
    expect(next.ok, JSON.stringify(next)).toBe(true);
    if (!next.ok) return;
    expect((await ctx.runner.wait(next.jobId))?.status).toBe('succeeded');
    // and the start-up's collector samples the cluster at TXLINE_COLLECT_MS
    await waitFor('a report of the embedded cluster', () => (ctx?.collector.latest.size ?? 0) > 0, 10_000);
  });
});
