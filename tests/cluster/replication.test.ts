/**
 * A real three-member cluster (writer, follower, secondary): a thousand transactions converge on every
 * member, a follower killed with SIGKILL mid-stream catches up after a restart, metrics report the right
 * transaction, and databases created on the writer appear everywhere.
 */
import { randomUUID } from 'node:crypto';
import { decompress } from 'zstd-napi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, readBody } from '../../lib/cluster/client';
import type { ClientOp } from '../../lib/graph/ops';
import {
  convergedDigests,
  dbStatus,
  JSON_HEADERS,
  rawHttp,
  startTestCluster,
  waitFor,
  waitForConvergence,
  writeLoop,
  type TestCluster,
} from '../helpers/cluster';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 3, secondaries: 1 });
});

afterAll(async () => {
  await cluster?.stop();
});

function expectAllEqualToWriter(ds: Record<string, { contentHash: string; lastCommittedTxn: number; nodes: number; relationships: number }>) {
  const w = ds['member-1'];
  for (const [id, d] of Object.entries(ds)) expect(d, `${id} differs from the writer`).toEqual(w);
}

describe('replication on a three-member cluster', () => {
  it('starts with system and neo4j on every member, one writer, a follower and a secondary', async () => {
    const roles: Record<string, string> = {};
    for (const [id, c] of Object.entries(cluster.clients)) {
      const st = await c.status();
      expect(st.member.id).toBe(id);
      expect(st.databases.map((d) => d.name)).toEqual(['neo4j', 'system']);
      for (const d of st.databases) {
        expect(d.status).toBe('online');
        expect(d.databaseId).toMatch(/^[0-9a-f-]{36}$/);
      }
      roles[id] = `${st.member.mode}/${st.databases[0].role}`;
    }
    expect(roles).toEqual({ 'member-1': 'primary/writer', 'member-2': 'primary/follower', 'member-3': 'secondary/secondary' });
    // every member holds the same database (same database and store IDs) as the writer
    const w = await dbStatus(cluster.writer, 'neo4j');
    for (const c of Object.values(cluster.clients)) {
      const d = await dbStatus(c, 'neo4j');
      expect(d?.databaseId).toBe(w?.databaseId);
      expect(d?.storeId).toBe(w?.storeId);
    }
  });

  it('1,000 concurrent transactions are all acknowledged and every member converges to the writer\'s digest', async () => {
    const start = (await dbStatus(cluster.writer, 'neo4j'))?.lastCommittedTxn ?? 0;
    // phase 1: 600 people, 16 clients at a time
    const p1 = writeLoop(cluster.writer, 'neo4j', (i): ClientOp[] => [
      { op: 'createNode', ref: '$p', labels: ['Person'], properties: { serial: i, name: `person ${i}`, tags: ['a', `t${i % 7}`] } },
    ], { count: 600, concurrency: 16 });
    await p1.done;
    expect(p1.errors).toEqual([]);
    expect(p1.acked).toHaveLength(600);
    const people = p1.acked.sort((a, b) => a.i - b.i).map((a) => a.ids.$p);
    // phase 2: 400 transactions of every kind over those people, none touching a node another one deletes
    const p2 = writeLoop(cluster.writer, 'neo4j', (i): ClientOp[] => {
      const a = people[i % 500];
      const b = people[(i * 7 + 3) % 500];
      switch (i % 5) {
        case 0:
          return [
            { op: 'createNode', ref: '$c', labels: ['Company'], properties: { name: `company ${i}` } },
            { op: 'createRelationship', ref: '$w', type: 'WORKS_AT', start: a, end: '$c', properties: { role: 'engineer' } },
            { op: 'setProperties', relationship: '$w', properties: { since: 2000 + (i % 20) } },
          ];
        case 1:
          return [{ op: 'createRelationship', type: 'KNOWS', start: a, end: b, properties: { since: i } }];
        case 2:
          return [
            { op: 'setProperties', node: a, properties: { score: i / 10, city: 'Malmö' } },
            { op: 'removeProperty', node: b, key: 'tags' },
          ];
        case 3:
          return [{ op: 'addLabels', node: a, labels: ['Busy'] }, { op: 'removeLabels', node: b, labels: ['Person'] }];
        default:
          // the people 500..579 are deleted (detached), one each
          return [{ op: 'deleteNode', node: people[500 + Math.floor(i / 5)] }];
      }
    }, { count: 400, concurrency: 16 });
    await p2.done;
    expect(p2.errors).toEqual([]);
    expect(p2.acked).toHaveLength(400);

    // every acknowledged transaction has its own ID, and they are exactly the next 1,000
    const txIds = [...p1.acked, ...p2.acked].map((a) => a.txId).sort((x, y) => x - y);
    expect(txIds).toEqual(Array.from({ length: 1000 }, (_, i) => start + i + 1));

    const ds = await convergedDigests(cluster, 'neo4j');
    expectAllEqualToWriter(ds);
    expect(ds['member-1'].lastCommittedTxn).toBe(start + 1000);
    // 600 people + 80 companies - 80 deleted; 80 WORKS_AT + 80 KNOWS, none touching a deleted person
    expect(ds['member-1'].nodes).toBe(600);
    expect(ds['member-1'].relationships).toBe(160);
    // and the content is what the clients wrote, read on the secondary
    const secondary = cluster.clients['member-3'];
    const companies = await secondary.nodes('neo4j', 'Company', 1000);
    expect(companies).toHaveLength(80);
    const busy = await secondary.nodes('neo4j', 'Busy', 1000);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.every((n) => n.labels.includes('Busy'))).toBe(true);
  });

  it('a follower killed with SIGKILL mid-stream comes back and converges to the writer\'s digest', async () => {
    const follower = cluster.clients['member-2'];
    const before = (await dbStatus(follower, 'neo4j'))?.lastCommittedTxn ?? 0;
    const w = writeLoop(cluster.writer, 'neo4j', (i): ClientOp[] => [
      { op: 'createNode', ref: '$n', labels: ['Stream'], properties: { i } },
      { op: 'createRelationship', type: 'NEXT', start: '$n', end: '$n', properties: {} },
    ], { concurrency: 4 });
    try {
      // the follower is applying the stream
      await waitFor('the follower to apply part of the stream', async () => ((await dbStatus(follower, 'neo4j'))?.lastCommittedTxn ?? 0) >= before + 50);
      await cluster.sup.killMember('member-2');
      expect(cluster.sup.member('member-2').state).toBe('stopped');
      await expect(follower.status(1000)).rejects.toThrow();
      // the writer goes on without it
      const ackedAtKill = w.acked.length;
      await waitFor('the writer to commit more while the follower is down', () => w.acked.length >= ackedAtKill + 150);
      await cluster.sup.startMember('member-2');
      const ackedAtRestart = w.acked.length;
      await waitFor('more writes after the follower is back', () => w.acked.length >= ackedAtRestart + 100);
    } finally {
      await w.stop();
    }
    expect(w.errors).toEqual([]);
    const ds = await convergedDigests(cluster, 'neo4j');
    expectAllEqualToWriter(ds);
    expect(ds['member-2'].lastCommittedTxn).toBeGreaterThanOrEqual(before + w.acked.length);
    const streamNodes = await follower.nodes('neo4j', 'Stream', 100_000);
    expect(streamNodes.map((n) => n.properties.i).sort((a, b) => Number(a) - Number(b))).toEqual(
      w.acked.map((a) => a.i).sort((a, b) => a - b),
    );
  });

  it('GET /metrics reports the last committed transaction of each database', async () => {
    await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['Metric'], properties: {} }]);
    const target = await waitForConvergence(cluster, 'neo4j');
    for (const [id, c] of Object.entries(cluster.clients)) {
      const res = await rawHttp(c.address, 'GET', '/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      const m = /^neo4j_database_neo4j_transaction_last_committed_tx_id(\{[^}]*\})? (\d+)$/m.exec(res.text);
      expect(m, `${id}: metric missing in\n${res.text.slice(0, 500)}`).not.toBeNull();
      expect(Number(m?.[2])).toBe(target);
      expect(m?.[1]).toContain(`member="${id}"`);
      expect(res.text).toMatch(/^# TYPE neo4j_database_neo4j_transaction_last_committed_tx_id gauge$/m);
      expect(res.text).toMatch(/^neo4j_database_system_transaction_last_committed_tx_id\{[^}]*\} 0$/m);
      expect(res.text).toMatch(/^neo4j_database_neo4j_cluster_replication_lag\{[^}]*\} 0$/m);
    }
  });

  it('a database created on the writer appears on every member; bad and duplicate names are refused', async () => {
    const created = await rawHttp(cluster.writer.address, 'POST', '/admin/databases', JSON.stringify({ name: 'sales' }), JSON_HEADERS);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'sales', databaseId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    await waitFor('sales on every member', async () => {
      for (const c of Object.values(cluster.clients)) {
        const d = await dbStatus(c, 'sales');
        if (!d || d.status !== 'online' || d.databaseId !== created.json.databaseId) return false;
      }
      return true;
    });
    const r = await cluster.writer.commit('sales', [{ op: 'createNode', labels: ['Deal'], properties: { value: 100 } }]);
    expect(r.txId).toBe(1);
    const ds = await convergedDigests(cluster, 'sales');
    expectAllEqualToWriter(ds);
    expect(ds['member-3'].nodes).toBe(1);
    // neo4j is untouched by it
    expect((await cluster.clients['member-3'].nodes('neo4j', 'Deal')).length).toBe(0);
    await waitFor('metrics for sales', async () => (await cluster.writer.metrics()).includes('neo4j_database_sales_transaction_last_committed_tx_id{member="member-1"} 1'));

    for (const bad of ['../etc', 'a/b', '1sales', '', 'sales..x', 'x'.repeat(64), 'with space']) {
      const res = await rawHttp(cluster.writer.address, 'POST', '/admin/databases', JSON.stringify({ name: bad }), JSON_HEADERS);
      expect(res.status, `name ${JSON.stringify(bad)}`).toBe(400);
      expect(res.json).toMatchObject({ code: 'INVALID_NAME', message: expect.any(String) });
    }
    for (const body of ['{}', JSON.stringify({ name: 42 }), 'null']) {
      const res = await rawHttp(cluster.writer.address, 'POST', '/admin/databases', body, JSON_HEADERS);
      expect(res.status, body).toBe(400);
    }
    const dup = await rawHttp(cluster.writer.address, 'POST', '/admin/databases', JSON.stringify({ name: 'Sales' }), JSON_HEADERS);
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ code: 'DATABASE_EXISTS' });
    const onFollower = await rawHttp(cluster.clients['member-2'].address, 'POST', '/admin/databases', JSON.stringify({ name: 'hr' }), JSON_HEADERS);
    expect(onFollower.status).toBe(409);
    expect(onFollower.json).toMatchObject({ code: 'NOT_WRITER', writer: cluster.writer.address });
    expect((await cluster.clients['member-2'].status()).databases.map((d) => d.name)).not.toContain('hr');
  });

  it('a database dropped on the writer goes from every member and from the metrics', async () => {
    await cluster.writer.dropDatabase('sales');
    await waitFor('sales gone from every member', async () => {
      for (const c of Object.values(cluster.clients)) {
        if ((await c.status()).databases.some((d) => d.name === 'sales')) return false;
      }
      return true;
    });
    for (const c of Object.values(cluster.clients)) {
      const metrics = await c.metrics();
      expect(metrics).not.toContain('neo4j_database_sales_');
      expect(metrics).toContain('neo4j_database_neo4j_transaction_last_committed_tx_id');
    }
    const res = await rawHttp(cluster.writer.address, 'GET', '/db/sales/digest');
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ code: 'DATABASE_NOT_FOUND' });
  });

  it('a database stopped on the writer refuses writes with 503 and comes back where it was', async () => {
    const before = await cluster.writer.digest('neo4j');
    await cluster.writer.stopDatabase('neo4j');
    expect((await dbStatus(cluster.writer, 'neo4j'))?.status).toBe('offline');
    const refused = await rawHttp(cluster.writer.address, 'POST', '/db/neo4j/tx', JSON.stringify({ ops: [{ op: 'createNode' }] }), JSON_HEADERS);
    expect(refused.status).toBe(503);
    expect(refused.json).toMatchObject({ code: 'DATABASE_OFFLINE', message: expect.any(String) });
    await cluster.writer.startDatabase('neo4j');
    expect(await cluster.writer.digest('neo4j')).toEqual(before);
    const r = await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['AfterStart'], properties: {} }]);
    expect(r.txId).toBe(before.lastCommittedTxn + 1);
    const ds = await convergedDigests(cluster, 'neo4j');
    expectAllEqualToWriter(ds);
  });

  it('a store snapshot installed under a new store ID (the restore path) reaches every member', async () => {
    const snapRes = await rawRequest(cluster.writer.address, '/db/neo4j/store');
    expect(snapRes.statusCode).toBe(200);
    const snapTx = Number(snapRes.headers['x-txline-tx']);
    const snapshot = await readBody(snapRes);
    expect(snapshot.length).toBe(Number(snapRes.headers['content-length']));
    expect(Number(snapRes.headers['x-txline-store-bytes'])).toBe(snapshot.length);
    // the same store compressed by the member (?compress=zstd) decodes to the very same bytes
    const zRes = await rawRequest(cluster.writer.address, '/db/neo4j/store?compress=zstd');
    expect(zRes.statusCode).toBe(200);
    expect(zRes.headers['x-txline-encoding']).toBe('zstd');
    expect(Number(zRes.headers['x-txline-tx'])).toBe(snapTx);
    const z = await readBody(zRes);
    expect(z.length).toBeLessThan(snapshot.length);
    expect(Number(zRes.headers['x-txline-store-bytes'])).toBe(snapshot.length);
    expect(Buffer.from(decompress(z)).equals(snapshot)).toBe(true);
    const source = await cluster.writer.digest('neo4j');
    expect(snapTx).toBe(source.lastCommittedTxn);

    // restore as a new database
    const storeId = randomUUID();
    const put = await rawRequest(cluster.writer.address, `/admin/db/restored/store?storeId=${storeId}`, { method: 'PUT', body: snapshot });
    const putBody = JSON.parse((await readBody(put)).toString('utf8'));
    expect(put.statusCode, JSON.stringify(putBody)).toBe(200);
    expect(putBody).toMatchObject({ name: 'restored', storeId, lastCommittedTxn: snapTx });
    const ds = await convergedDigests(cluster, 'restored');
    for (const [id, d] of Object.entries(ds)) expect(d, id).toEqual({ ...source });
    for (const c of Object.values(cluster.clients)) expect((await dbStatus(c, 'restored'))?.storeId).toBe(storeId);
    // the restored history goes on from the snapshot's transaction, with a log that starts there
    const st = await dbStatus(cluster.writer, 'restored');
    expect(st?.lowestAvailableTxn).toBe(snapTx + 1);
    const next = await cluster.writer.commit('restored', [{ op: 'createNode', labels: ['Restored'], properties: {} }]);
    expect(next.txId).toBe(snapTx + 1);
    expectAllEqualToWriter(await convergedDigests(cluster, 'restored'));
    await cluster.writer.dropDatabase('restored');
  });
});
