/**
 * /api/metrics: who may scrape (the guard's scrape rule over real sockets: the token from anywhere, loopback
 * without one, a remote or forged request refused) and what it serves (jobs by status, last backup age per
 * database, lag per member from the catalog).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPeerHook, PEER_HEADER } from '../../lib/auth/client-address';
import { decide, scrapeFactsFrom } from '../../lib/auth/guard';
import { openCatalog, type Catalog } from '../../lib/db';
import { ensureFolder, upsertEmbeddedCluster } from '../../lib/db/queries/clusters';
import { createJob, finishJob } from '../../lib/db/queries/jobs';
import { insertLagSamples } from '../../lib/db/queries/lag';
import { artifacts } from '../../lib/db/schema';
import { txlineMetrics } from '../../lib/server/metrics';
import { parsePrometheusText } from '../helpers/prom-text';

const TOKEN = 'the-metrics-token-for-tests';
const NOW = Date.now();

function seed(db: Catalog): void {
  const cluster = upsertEmbeddedCluster(db, { addresses: ['127.0.0.1:1', '127.0.0.1:2'], controlAddress: null });
  const folder = ensureFolder(db, { name: 'default', path: '/backups', isDefault: true });
  const base = { kind: 'backup' as const, database: 'neo4j', clusterId: cluster.id, folderId: folder.id, params: {}, args: [], createdBy: 'otto' };
  for (const status of ['succeeded', 'succeeded', 'failed'] as const) finishJob(db, createJob(db, base), { status, exitCode: status === 'failed' ? 1 : 0, log: '' });
  createJob(db, { ...base, kind: 'restore', database: 'other' });
  const artifact = (file: string, database: string, time: number) => ({
    folderId: folder.id, file, database, databaseId: 'db-1', storeId: 'store-1', time, full: true, compressed: false, lowestTx: 1, highestTx: 10, tipTx: 10, txCount: 10,
    parent: null, parentLastTxChecksum: null, lastTxChecksum: 1, recovered: false, sizeBytes: 1, rawBytes: 1, sha256: 'x', fileSize: 1, fileMtimeMs: time, indexedAt: time,
  });
  db.insert(artifacts).values([artifact('a.backup', 'neo4j', NOW - 3_600_000), artifact('b.backup', 'neo4j', NOW - 60_000), artifact('c.backup', 'other', NOW - 7_200_000)]).run();
  const sample = (memberId: string, ts: number, replicationLag: number, online = true) => ({ clusterId: cluster.id, memberId, database: 'neo4j', ts, lastCommittedTxn: 100 - replicationLag, replicationLag, online });
  insertLagSamples(db, [sample('m1', NOW - 2000, 0), sample('m2', NOW - 2000, 9), sample('m1', NOW - 1000, 0), sample('m2', NOW - 1000, 4), sample('m3', NOW - 1000, 0, false), sample('m4', NOW - 10 * 60_000, 50)]);
}

describe('/api/metrics', () => {
  let db: Catalog;
  const servers: http.Server[] = [];
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

  /** A server answering as the route does: the guard's scrape decision, then the metrics. */
  async function start(host: string, metricsToken: string | undefined): Promise<string> {
    const server = http.createServer((req, res) => {
      const h = { get: (n: string) => [req.headers[n]].flat().join(', ') || null };
      const d = decide(null, 'metrics.scrape', scrapeFactsFrom(h, { trustedProxies: [], metricsToken }));
      if (!d.ok) {
        res.writeHead(d.status, { 'content-type': 'application/json' }).end(JSON.stringify({ message: d.error }));
        return;
      }
      void txlineMetrics(db, NOW).then((m) => res.writeHead(200, { 'content-type': m.contentType }).end(m.body));
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, host, r));
    return `http://${host}:${(server.address() as AddressInfo).port}/api/metrics`;
  }

  function scrape(url: string, headers: Record<string, string> = {}, localAddress?: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      http
        .get(url, { headers, localAddress }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString('utf8')));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
  }

  beforeAll(() => {
    installPeerHook();
    db = openCatalog(':memory:');
    seed(db);
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    db?.$client.close();
  });

  it('serves jobs by status, the last backup age per database and the lag per member', async () => {
    const { body, contentType } = await txlineMetrics(db, NOW);
    expect(contentType).toMatch(/^text\/plain/);
    expect(parsePrometheusText(body).get('txline_jobs')?.samples).toHaveLength(3);
    expect(body).toContain('txline_jobs{kind="backup",status="succeeded"} 2');
    expect(body).toContain('txline_jobs{kind="backup",status="failed"} 1');
    expect(body).toContain('txline_jobs{kind="restore",status="running"} 1');
    expect(body).toContain('txline_last_backup_age_seconds{folder="default",database="neo4j"} 60');
    expect(body).toContain('txline_last_backup_age_seconds{folder="default",database="other"} 7200');
    expect(body).toContain(`txline_last_backup_timestamp_seconds{folder="default",database="neo4j"} ${(NOW - 60_000) / 1000}`);
    expect(body).toContain('txline_member_replication_lag{cluster="embedded",member="m2",database="neo4j"} 4');
    expect(body).toContain('txline_member_replication_lag{cluster="embedded",member="m1",database="neo4j"} 0');
    expect(body).toContain('txline_member_online{cluster="embedded",member="m3",database="neo4j"} 0');
    // a member not sampled for ten minutes is not reported as if current
    expect(body).not.toContain('member="m4"');
  });

  it('lets loopback scrape without a token, and anyone with the right token', async () => {
    if (!external) throw new Error('this test needs a non-loopback IPv4 interface to connect from');
    const loopback = await start('127.0.0.1', TOKEN);
    const remote = await start(external, TOKEN);
    const fromLoopback = await scrape(loopback);
    expect(fromLoopback.status).toBe(200);
    expect(fromLoopback.body).toContain('txline_jobs{kind="backup",status="succeeded"} 2');
    expect((await scrape(remote, { authorization: `Bearer ${TOKEN}` }, external)).status).toBe(200);
  });

  it('refuses a remote scrape without the token, a wrong token, and forged loopback headers', async () => {
    if (!external) throw new Error('this test needs a non-loopback IPv4 interface to connect from');
    const remote = await start(external, TOKEN);
    const noTokenConfigured = await start(external, undefined);
    const loopback = await start('127.0.0.1', TOKEN);
    const refused = await scrape(remote, {}, external);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body).message).toContain(`this one is from ${external}`);
    expect((await scrape(remote, { authorization: 'Bearer not-the-metrics-token-at-all' }, external)).status).toBe(403);
    expect((await scrape(loopback, { authorization: 'Bearer not-the-metrics-token-at-all' })).status).toBe(403);
    const forged = { 'x-forwarded-for': '127.0.0.1', 'x-real-ip': '127.0.0.1', [PEER_HEADER]: '127.0.0.1' };
    expect((await scrape(remote, forged, external)).status).toBe(401);
    expect((await scrape(noTokenConfigured, forged, external)).status).toBe(401);
  });
});
