/**
 * A stopped database keeps its identity and position in /status: database and store IDs, last committed
 * transaction, lowest available transaction and last commit time stay what they were when it stopped, and a
 * follower behind an offline writer database reports its true replication lag.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseStatus } from '../../lib/cluster/client';
import { dbStatus, rawHttp, startTestCluster, waitFor, waitForConvergence, type TestCluster } from '../helpers/cluster';

const DB = 'x-y';
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2, secondaries: 0 });
  await cluster.writer.createDatabase(DB);
  await waitFor('the follower to host the database', async () => (await dbStatus(cluster.clients['member-2'], DB))?.status === 'online');
});

afterAll(async () => {
  await cluster?.stop();
});

async function status(id: string): Promise<DatabaseStatus> {
  const s = await dbStatus(cluster.clients[id], DB);
  if (!s) throw new Error(`${id} does not host ${DB}`);
  return s;
}

describe('/status of a stopped database', () => {
  it('keeps its IDs and transactions on the writer, and the follower behind it shows its lag', async () => {
    const follower = cluster.clients['member-2'];
    for (let i = 0; i < 2; i++) await cluster.writer.commit(DB, [{ op: 'createNode', labels: ['T'], properties: { i } }]);
    await waitForConvergence(cluster, DB);
    await follower.replication({ paused: true });
    await cluster.writer.commit(DB, [{ op: 'createNode', labels: ['T'], properties: { i: 2 } }]);
    await waitFor('the follower to see the writer at 3', async () => (await status('member-2')).replicationLag === -1);

    const online = await status('member-1');
    expect(online).toMatchObject({ status: 'online', lastCommittedTxn: 3, lowestAvailableTxn: 1, replicationLag: 0 });
    expect(online.databaseId).toMatch(/^[0-9a-f-]{36}$/);
    expect(online.lastCommitTime).toBeGreaterThan(0);

    const res = await rawHttp(cluster.writer.address, 'POST', `/admin/db/${DB}/stop`);
    expect(res.status, res.text).toBe(200);
    const offline = await status('member-1');
    expect(offline).toEqual({ ...online, status: 'offline' });

    // the follower (at 2) still sees the writer at 3: lag -1, not 0
    await new Promise((r) => setTimeout(r, 1200)); // two of the follower's status polls of the writer
    expect(await status('member-2')).toMatchObject({ status: 'online', lastCommittedTxn: 2, replicationLag: -1 });

    // stopped on the follower too: its own position stays
    const followerOnline = await status('member-2');
    expect((await rawHttp(follower.address, 'POST', `/admin/db/${DB}/stop`)).status).toBe(200);
    expect(await status('member-2')).toEqual({ ...followerOnline, status: 'offline' });

    // the metrics say the same
    const metrics = await cluster.writer.metrics();
    expect(metrics).toContain(`neo4j_database_x_y_transaction_last_committed_tx_id{database="${DB}",member="member-1"} 3\n`);
    expect(metrics).toContain(`neo4j_database_x_y_status_online{database="${DB}",member="member-1"} 0\n`);
  });

  it('after start, both carry on from where they stopped and converge', async () => {
    for (const c of Object.values(cluster.clients)) expect((await rawHttp(c.address, 'POST', `/admin/db/${DB}/start`)).status).toBe(200);
    await cluster.clients['member-2'].replication({ paused: false });
    expect((await cluster.writer.commit(DB, [{ op: 'createNode', labels: ['T'], properties: { i: 3 } }])).txId).toBe(4);
    await waitForConvergence(cluster, DB);
    expect(await status('member-2')).toMatchObject({ status: 'online', lastCommittedTxn: 4, replicationLag: 0 });
    const [a, b] = await Promise.all([cluster.writer.digest(DB), cluster.clients['member-2'].digest(DB)]);
    expect(b).toEqual(a);
  });
});
