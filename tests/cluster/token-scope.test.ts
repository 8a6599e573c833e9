/**
 * The cluster token goes to its own cluster only. Two real clusters with different tokens (the embedded one,
 * found through its cluster.json and token file, and "other" with a token of its own) and a real HTTP server
 * on 127.0.0.1 that records every request's headers and answers 401 as a member without the token would:
 *
 * - the CLI sends the token file's token to cluster.json's members, never to a `--from` elsewhere; a token the
 *   user set in TXLINE_CLUSTER_TOKEN goes to the `--from` the user names (their choice);
 * - the dashboard probes and backs up each registered cluster with its own token: "other" with its token from
 *   the catalog (it refuses any other), the recording server (registered without a token) with none, though
 *   the server's environment holds the embedded cluster's token.
 */
import fs from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cmd from '../../lib/dashboard/commands';
import { openCatalog, type Catalog } from '../../lib/db';
import { addRemoteCluster, ensureFolder, upsertEmbeddedCluster } from '../../lib/db/queries/clusters';
import { parseEnv } from '../../lib/env';
import { JobRunner } from '../../lib/jobs/runner';
import { Collector } from '../../lib/monitor/collector';
import { startTestCluster, TEST_TOKEN, tempFolders, type TestCluster } from '../helpers/cluster';
import { runTxline, TXLINE_BIN } from '../helpers/engine';

const OTHER_TOKEN = 'the-other-clusters-token-0123456789';
const USER_TOKEN = 'a-token-the-user-chose-0123456789';

interface Recorder {
  address: string;
  /** every request: path and Authorization header (undefined: none) */
  seen: Array<{ path: string; authorization: string | undefined }>;
  close(): Promise<void>;
}

/** A server that records what it is sent and refuses it as a member refuses a request without the token. */
async function recorder(): Promise<Recorder> {
  const seen: Recorder['seen'] = [];
  const server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
    req.resume();
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 'UNAUTHENTICATED', message: 'this API requires the cluster token' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const temp = tempFolders('token-scope');
let embedded: TestCluster;
let other: TestCluster;
let rec: Recorder;

beforeAll(async () => {
  // what is checked is who gets which token: one member, and a writer and a follower (to pause)
  embedded = await startTestCluster({ members: 1, secondaries: 0 });
  other = await startTestCluster({ members: 2, secondaries: 0, token: OTHER_TOKEN });
  rec = await recorder();
}, 120_000);

afterAll(async () => {
  await rec?.close();
  await embedded?.stop();
  await other?.stop();
  temp.removeAll();
});

const backupsIn = (dir: string) => fs.readdirSync(dir).filter((n) => n.endsWith('.backup'));

describe('the CLI', () => {
  // the embedded cluster as a user's shell finds it: cluster.json and the token file beside it
  const fromFile = () => ({ TXLINE_CLUSTER_FILE: path.join(embedded.dir, 'cluster.json'), TXLINE_CLUSTER_ADDRESSES: '', TXLINE_CLUSTER_TOKEN: '' });

  it("sends the token file's token to cluster.json's member, not to a --from elsewhere", async () => {
    const dir = temp.folder('cli-file');
    const member = embedded.addresses[0];
    const r = await runTxline(['database', 'backup', `--from=${rec.address},${member}`, '--type=full', `--to-path=${dir}`, 'neo4j'], { env: fromFile(), addresses: [] });
    // the recording server is passed over (it refused), the member backed up
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(rec.address);
    expect(backupsIn(dir)).toHaveLength(1);
    expect(rec.seen.length).toBeGreaterThan(0);
    expect(rec.seen.filter((s) => s.authorization !== undefined)).toEqual([]);
  }, 120_000);

  it('sends TXLINE_CLUSTER_TOKEN to a --from when the user set it', async () => {
    const before = rec.seen.length;
    const r = await runTxline(['database', 'backup', `--from=${rec.address}`, `--to-path=${temp.folder('cli-chosen')}`, 'neo4j'], {
      env: { ...fromFile(), TXLINE_CLUSTER_TOKEN: USER_TOKEN },
      addresses: [],
    });
    expect(r.code, r.stderr).toBe(1);
    const sent = rec.seen.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    expect(new Set(sent.map((s) => s.authorization))).toEqual(new Set([`Bearer ${USER_TOKEN}`]));
  }, 120_000);
});

describe('the dashboard', () => {
  let db: Catalog;
  let ctx: cmd.CommandContext;
  let ids: { embedded: number; other: number; recorded: number };
  let folderId: number;
  let backups: string;

  beforeAll(async () => {
    const dir = temp.folder('dashboard');
    backups = path.join(dir, 'backups');
    fs.mkdirSync(backups);
    db = openCatalog(path.join(dir, 'txline.sqlite'));
    // The server's environment: the embedded cluster's cluster.json (and token file). Its process environment
    // also holds TXLINE_CLUSTER_TOKEN (the tests' TEST_TOKEN), which a job's child process would inherit.
    expect(process.env.TXLINE_CLUSTER_TOKEN).toBe(TEST_TOKEN);
    const env = parseEnv({ TXLINE_DATA_DIR: dir, TXLINE_CLUSTER_FILE: path.join(embedded.dir, 'cluster.json'), TXLINE_BACKUP_ROOTS: backups });
    ids = {
      embedded: upsertEmbeddedCluster(db, { addresses: embedded.addresses, controlAddress: null }).id,
      other: addRemoteCluster(db, { name: 'other', addresses: other.addresses, token: OTHER_TOKEN }).id,
      recorded: addRemoteCluster(db, { name: 'recorded', addresses: [rec.address] }).id,
    };
    folderId = ensureFolder(db, { name: 'default', path: backups, isDefault: true }).id;
    ctx = { db, env, runner: new JobRunner(db, { bin: TXLINE_BIN }), collector: new Collector(db, env, { intervalMs: 1000 }), reindex: async () => undefined };
  });

  afterAll(() => {
    ctx?.runner.stopAll();
    db?.$client.close();
  });

  it('probes each cluster with its own token: none for one registered without', async () => {
    const before = rec.seen.length;
    await ctx.collector.tick();
    const reachable = (id: number) => ctx.collector.latest.get(id)?.report.members.map((m) => [m.id, m.reachable, m.error]);
    expect(reachable(ids.embedded)).toEqual([['member-1', true, null]]);
    expect(reachable(ids.other)).toEqual([
      ['member-1', true, null],
      ['member-2', true, null],
    ]);
    expect(reachable(ids.recorded)).toEqual([[rec.address, false, expect.stringMatching(/requires the cluster token/)]]);
    const probed = rec.seen.slice(before);
    expect(probed.map((s) => s.path).sort()).toEqual(['/admin/replication', '/status']);
    expect(probed.filter((s) => s.authorization !== undefined)).toEqual([]);
    // the snapshot a page reads carries no token
    expect(JSON.stringify([...ctx.collector.latest.values()])).not.toContain(OTHER_TOKEN);
  });

  it("backs up the other cluster with its token, and controls its members with it", async () => {
    const r = cmd.startBackup(ctx, { clusterId: String(ids.other), folderId: String(folderId), database: 'neo4j', type: 'full' }, 'tester');
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    const job = await ctx.runner.wait(r.jobId);
    expect(job?.status, `${job?.error}\n${job?.log}`).toBe('succeeded');
    expect(backupsIn(backups)).toHaveLength(1);

    const paused = await cmd.controlMember(ctx, { clusterId: String(ids.other), memberId: 'member-2', action: 'pause' });
    expect(paused, JSON.stringify(paused)).toMatchObject({ ok: true });
    expect(await other.clients['member-2'].replication()).toMatchObject({ paused: true });
    expect(await cmd.controlMember(ctx, { clusterId: String(ids.other), memberId: 'member-2', action: 'resume' })).toMatchObject({ ok: true });
    expect(await other.clients['member-2'].replication()).toMatchObject({ paused: false });
  }, 120_000);

  it("gives a job on a cluster without a token none: not the server's", async () => {
    const before = rec.seen.length;
    const r = cmd.startBackup(ctx, { clusterId: String(ids.recorded), folderId: String(folderId), database: 'neo4j', type: 'full' }, 'tester');
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (!r.ok) return;
    const job = await ctx.runner.wait(r.jobId);
    expect(job?.status).toBe('failed');
    const asked = rec.seen.slice(before);
    expect(asked.length, job?.log).toBeGreaterThan(0);
    expect(asked.filter((s) => s.authorization !== undefined)).toEqual([]);
  }, 120_000);
});
