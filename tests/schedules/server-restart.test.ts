/**
 * Schedules through the real start-up path (lib/server/startup.ts): a server process runs a schedule that
 * fires every 2 s and takes backups; it is killed (kill -9) and stays down for several occurrences; the next
 * start makes up exactly one run, created by "schedule (catch-up)" with `catchUp: true` in its parameters (what
 * the job list shows), then runs the schedule on time again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogAt } from '../../lib/db';
import { listClusters, listFolders } from '../../lib/db/queries/clusters';
import { listJobs } from '../../lib/db/queries/jobs';
import { parseEnv } from '../../lib/env';
import { setSchedule } from '../../lib/schedules/store';
import { startServer, type ServerContext } from '../../lib/server/startup';
import { startTestCluster, tempDir, waitFor, type TestCluster } from '../helpers/cluster';
import { writeTx } from '../helpers/engine';

const CHILD = path.join(import.meta.dirname, 'server-process.ts');

describe('schedules across a server restart', () => {
  let cluster: TestCluster;
  let dir: string;
  let server: ChildProcess | null = null;
  let ctx: ServerContext | null = null;
  let vars: Record<string, string>;

  beforeAll(async () => {
    cluster = await startTestCluster();
    dir = tempDir('schedules-restart');
    await writeTx(cluster.writer, 'neo4j', 10);
    vars = {
      TXLINE_DATA_DIR: dir,
      TXLINE_CLUSTER_FILE: path.join(cluster.dir, 'cluster.json'),
      TXLINE_CLUSTER_ADDRESSES: '',
      TXLINE_BACKUP_DIR: '',
      TXLINE_CATALOG: '',
      TXLINE_BACKUP_ROOTS: '',
      TXLINE_ADMIN_PASSWORD: 'schedules-test-password',
      TXLINE_COLLECT_MS: '500',
    };
  });

  afterAll(async () => {
    ctx?.stop();
    if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    await cluster?.stop();
    ctx?.db.$client.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('makes up one run after the server was down for several occurrences', async () => {
    const env = parseEnv(vars);
    server = spawn(process.execPath, ['--import', 'tsx', CHILD], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...vars } });
    let stderr = '';
    server.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server process did not start within 60 s: ${stderr}`)), 60_000);
      readline.createInterface({ input: server?.stdout as NodeJS.ReadableStream }).on('line', (l) => {
        if (l.startsWith('{"started"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      server?.on('exit', (code) => reject(new Error(`the server process exited (${code}): ${stderr}`)));
    });
    // the schedule, set beside the running server (as `txline schedule set` does)
    const db = catalogAt(env.catalog);
    const clusterId = listClusters(db)[0].id;
    const folderId = listFolders(db).find((f) => f.isDefault)?.id as number;
    setSchedule(db, { clusterId, databaseGlob: 'neo4j', diffCron: '*/2 * * * * *', timeZone: 'UTC', enabled: true, folderId }, Date.now());
    const scheduled = () => listJobs(db, { database: 'neo4j' }).filter((j) => j.createdBy?.startsWith('schedule'));
    await waitFor('a scheduled backup by the first server', () => scheduled().some((j) => j.status === 'succeeded'), 60_000);

    server.kill('SIGKILL');
    await new Promise((r) => server?.once('exit', r));
    const downAt = Date.now();
    const before = scheduled().length;
    await new Promise((r) => setTimeout(r, 7000)); // three or four occurrences pass
    expect(scheduled().length).toBe(before); // nobody ran them

    const lastBefore = Math.max(...scheduled().map((j) => j.id));
    ctx = startServer(env);
    await waitFor('the catch-up run', () => scheduled().some((j) => j.createdBy === 'schedule (catch-up)'), 30_000);
    const catchUps = scheduled().filter((j) => j.createdBy === 'schedule (catch-up)');
    expect(catchUps).toHaveLength(1);
    expect(catchUps[0].params).toMatchObject({ catchUp: true, schedule: 'neo4j', type: 'diff' });
    // the first run of the new server, for an occurrence after the old one went down
    expect(scheduled().filter((j) => j.id > lastBefore).at(-1)?.id).toBe(catchUps[0].id);
    expect(Date.parse(catchUps[0].params.dueAt as string)).toBeGreaterThan(downAt);
    expect((await ctx.runner.wait(catchUps[0].id))?.status).toBe('succeeded');
    // then on time again, and never a second catch-up
    await waitFor('a scheduled run after the catch-up', () => scheduled().some((j) => j.createdBy === 'schedule' && j.id > catchUps[0].id), 30_000);
    expect(scheduled().filter((j) => j.createdBy === 'schedule (catch-up)')).toHaveLength(1);
    ctx.scheduler.stop();
    for (const j of listJobs(db, { status: 'running' })) await ctx.runner.wait(j.id);
  });
});
