/**
 * The audit log records how each job ended, as its own entry naming the job and the user who started it:
 * through the server's own start-up path (lib/server/startup.ts) on a real cluster, with real `txline` child
 * processes that succeed, fail and are cancelled, and a job a previous server left running (interrupted).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../lib/auth/audit';
import * as cmd from '../../lib/dashboard/commands/backup';
import { openCatalog } from '../../lib/db';
import { defaultFolder, listClusters } from '../../lib/db/queries/clusters';
import { createJob, getJob } from '../../lib/db/queries/jobs';
import { parseEnv } from '../../lib/env';
import { startServer, type ServerContext } from '../../lib/server/startup';
import { startTestCluster, tempDir, TEST_TOKEN, waitFor, type TestCluster } from '../helpers/cluster';

describe('job outcomes in the audit log', () => {
  let cluster: TestCluster;
  let dir: string;
  let ctx: ServerContext;
  let leftRunning: number;
  let silent: net.Server;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    cluster = await startTestCluster();
    dir = tempDir('audit');
    const env = parseEnv({ TXLINE_DATA_DIR: dir, TXLINE_CLUSTER_ADDRESSES: cluster.addresses.join(','), TXLINE_CLUSTER_TOKEN: TEST_TOKEN, TXLINE_ADMIN_PASSWORD: 'the-admin-password' });
    // a previous server started a restore and went away
    const before = openCatalog(env.catalog);
    leftRunning = createJob(before, { kind: 'restore', database: 'copy', clusterId: null, folderId: null, params: {}, args: [], createdBy: 'olga' }).id;
    before.$client.close();
    ctx = startServer(env);
    // a "member" that accepts connections and never answers: a backup from it runs until cancelled
    silent = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  });

  afterAll(async () => {
    ctx?.stop();
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent?.close(r));
    await cluster?.stop();
    ctx?.db.$client.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const entries = (action: string) => listAudit(ctx.db, { action }).filter((e) => e.action === action);

  it('marks a job left running by the previous server interrupted, for the user who started it', () => {
    expect(ctx.interruptedAtStart).toBe(1);
    expect(entries('restore.interrupted')).toEqual([
      expect.objectContaining({ username: 'olga', target: `jobId=${leftRunning} database=copy`, outcome: 'failed', detail: expect.stringMatching(/^interrupted after .*: the Txline server stopped/) }),
    ]);
  });

  it('records a succeeded backup', async () => {
    const clusterId = listClusters(ctx.db)[0].id;
    const folderId = defaultFolder(ctx.db)?.id;
    const r = cmd.startBackup(ctx, { clusterId: String(clusterId), folderId: String(folderId), database: 'neo4j', type: 'full' }, 'otto');
    if (!r.ok) throw new Error(r.error);
    expect((await ctx.runner.wait(r.jobId))?.status).toBe('succeeded');
    expect(entries('backup.succeeded')).toEqual([expect.objectContaining({ username: 'otto', target: `jobId=${r.jobId} database=neo4j`, outcome: 'ok', detail: expect.stringMatching(/^succeeded after \d+\.\d s$/) })]);
  });

  it('records a failed verification with its error', async () => {
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    const r = ctx.runner.start({ kind: 'verify', database: 'nothing', clusterId: null, folderId: null, params: {}, input: { database: 'nothing', fromPath: empty, reportPath: dir, confineToRoots: [] }, createdBy: 'vera' });
    if (!r.ok) throw new Error(r.error);
    // the CLI's error line carries the engine's code; the job stores it
    expect(await ctx.runner.wait(r.jobId)).toMatchObject({ status: 'failed', errorCode: 'PATH_NOT_FOUND', error: expect.stringContaining('no backups of nothing') });
    expect(entries('verify.failed')).toEqual([
      expect.objectContaining({ username: 'vera', target: `jobId=${r.jobId} database=nothing`, outcome: 'failed', detail: expect.stringMatching(/^failed after .* \(exit code 1\): .*no backups of nothing/) }),
    ]);
  });

  it('records a cancelled backup', async () => {
    const at = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    const r = ctx.runner.start({ kind: 'backup', database: 'stalled', clusterId: null, folderId: null, params: {}, input: { database: 'stalled', toPath: dir, type: 'full', compress: true, preferDiffAsParent: false, from: [at], confineToRoots: [] }, createdBy: 'otto' });
    if (!r.ok) throw new Error(r.error);
    await waitFor('the backup to connect', () => sockets.size > 0, 30_000);
    expect(ctx.runner.cancel(r.jobId)).toEqual({ ok: true });
    expect((await ctx.runner.wait(r.jobId))?.status).toBe('cancelled');
    expect(getJob(ctx.db, { id: r.jobId })?.status).toBe('cancelled');
    expect(entries('backup.cancelled')).toEqual([expect.objectContaining({ username: 'otto', target: `jobId=${r.jobId} database=stalled`, outcome: 'failed', detail: expect.stringMatching(/^cancelled on request after/) })]);
  });
});
