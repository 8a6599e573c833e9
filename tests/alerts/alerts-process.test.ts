/**
 * Alerts through the server's real start-up path (lib/server/startup.ts) on a real cluster, with the alert
 * monitor evaluating every 200 ms: a backup that fails (its only source is a closed port) fires the
 * job_failed alert, delivered to a receiver on 127.0.0.1 with a valid signature; the next successful backup
 * resolves it, and the resolved change is delivered too. Both changes are in the audit log.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../lib/auth/audit';
import { listAlerts } from '../../lib/alerts/store';
import { addTarget, listDeliveries } from '../../lib/alerts/webhooks';
import { clusterDatabases } from '../../lib/dashboard/commands/shared';
import { defaultFolder, listClusters } from '../../lib/db/queries/clusters';
import { parseEnv } from '../../lib/env';
import { startServer, type ServerContext } from '../../lib/server/startup';
import { startTestCluster, tempDir, waitFor, type TestCluster } from '../helpers/cluster';
import { unusedPort, writeTx } from '../helpers/engine';
import { startReceiver, type Receiver } from './receiver';

const SECRET = 'process-test-signing-secret';

describe('alerts in the server', () => {
  let cluster: TestCluster;
  let dir: string;
  let ctx: ServerContext;
  let receiver: Receiver;

  beforeAll(async () => {
    cluster = await startTestCluster();
    dir = tempDir('alerts');
    await writeTx(cluster.writer, 'neo4j', 10);
    receiver = await startReceiver();
    ctx = startServer(
      parseEnv({
        TXLINE_DATA_DIR: dir,
        TXLINE_CLUSTER_FILE: path.join(cluster.dir, 'cluster.json'),
        TXLINE_ADMIN_PASSWORD: 'alerts-test-password',
        TXLINE_COLLECT_MS: '200',
        TXLINE_ALERT_MS: '200',
        TXLINE_PUBLIC_URL: 'http://txline.test',
      }),
    );
  });

  afterAll(async () => {
    ctx?.stop();
    await ctx?.alerts.idle();
    await receiver?.close();
    await cluster?.stop();
    ctx?.db.$client.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fires on a failed backup with a signed webhook, and resolves after the next success', async () => {
    const { db, runner } = ctx;
    addTarget(db, ctx.env.catalog, { name: 'receiver', url: receiver.url, secret: SECRET, by: 'admin' });
    const clusterId = listClusters(db)[0].id;
    const folder = defaultFolder(db);
    if (!folder) throw new Error('no default folder');
    await waitFor('the collector to see neo4j', () => clusterDatabases(ctx, clusterId).has('neo4j'), 15_000);
    const base = { database: 'neo4j', toPath: folder.path, type: 'full' as const, compress: true, preferDiffAsParent: false, confineToRoots: [] };

    const failing = runner.start({ kind: 'backup', database: 'neo4j', clusterId, folderId: folder.id, params: {}, input: { ...base, from: [`127.0.0.1:${await unusedPort()}`] }, createdBy: 'tester' });
    if (!failing.ok) throw new Error(failing.error);
    expect((await runner.wait(failing.jobId))?.status).toBe('failed');
    await waitFor('a firing webhook', () => receiver.received.some((r) => r.body.state === 'firing'), 15_000);

    const firing = receiver.received.filter((r) => r.body.state === 'firing');
    expect(firing.map((r) => r.body.alert)).toEqual(['job_failed']); // nothing else fired
    const got = firing[0];
    expect(got.headers['x-txline-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(got.raw).digest('hex')}`);
    expect(Object.keys(got.body).sort()).toEqual(['alert', 'cluster', 'database', 'since', 'state', 'threshold', 'url', 'value']);
    const open = listAlerts(db, { state: 'firing' });
    expect(open).toHaveLength(1);
    expect(got.body).toMatchObject({ alert: 'job_failed', state: 'firing', cluster: 'embedded', database: 'neo4j', value: 1, threshold: 1, url: `http://txline.test/alerts?alert=${open[0].id}` });
    expect(Date.parse(got.body.since as string)).toBe(open[0].since);
    expect(open[0].message).toContain(`job #${failing.jobId}`);

    const good = runner.start({ kind: 'backup', database: 'neo4j', clusterId, folderId: folder.id, params: {}, input: { ...base, from: cluster.addresses }, createdBy: 'tester' });
    if (!good.ok) throw new Error(good.error);
    expect((await runner.wait(good.jobId))?.status).toBe('succeeded');
    await waitFor('a resolved webhook', () => receiver.received.some((r) => r.body.state === 'resolved'), 15_000);
    const resolved = receiver.received.find((r) => r.body.state === 'resolved');
    expect(resolved?.body).toMatchObject({ alert: 'job_failed', database: 'neo4j', value: 0 });
    expect(resolved?.headers['x-txline-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(resolved?.raw ?? '').digest('hex')}`);
    expect(listAlerts(db, { state: 'firing' })).toEqual([]);
    expect(listAlerts(db)[0]).toMatchObject({ state: 'resolved', condition: 'job_failed' });

    const audit = listAudit(db, { action: 'alert.' });
    expect(audit.map((a) => a.action).sort()).toEqual(['alert.firing', 'alert.resolved']);
    expect(audit.every((a) => a.username === 'alerts')).toBe(true);
    await ctx.alerts.idle();
    expect(listDeliveries(db).map((d) => [d.event, d.outcome])).toEqual([
      ['resolved', 'ok'],
      ['firing', 'ok'],
    ]);
  });
});
