/**
 * Durability: the writer is killed with SIGKILL while clients write to it concurrently. After a restart every
 * acknowledged transaction is there (under the ID it was acknowledged with), nothing appears that no client
 * sent, the history goes on, and the followers converge to the writer again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientOp } from '../../lib/graph/ops';
import { convergedDigests, dbStatus, rawHttp, startTestCluster, waitFor, writeLoop, type TestCluster } from '../helpers/cluster';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 3, secondaries: 1 });
});

afterAll(async () => {
  await cluster?.stop();
});

/** Reads every node with `label` from a member, page by page. */
async function allNodes(address: string, label: string) {
  const out: Array<{ id: number; labels: string[]; properties: Record<string, unknown> }> = [];
  let after = -1;
  for (;;) {
    const res = await rawHttp(address, 'GET', `/db/neo4j/nodes?label=${label}&limit=5000${after >= 0 ? `&after=${after}` : ''}`);
    expect(res.status).toBe(200);
    out.push(...res.json);
    if (res.json.length < 5000) return out;
    after = res.json[res.json.length - 1].id;
  }
}

describe('kill -9 of the writer while clients write', () => {
  it('every acknowledged transaction survives, and the followers converge again', async () => {
    // each transaction creates one marker node (unique key) and links it to the last acknowledged marker,
    // so transactions are a few ops and depend on earlier ones
    let lastMarker: number | undefined;
    const w = writeLoop(cluster.writer, 'neo4j', (i): ClientOp[] => {
      const ops: ClientOp[] = [{ op: 'createNode', ref: '$m', labels: ['Marker'], properties: { key: `k${i}`, i, pad: 'x'.repeat(200) } }];
      if (lastMarker !== undefined) ops.push({ op: 'createRelationship', type: 'AFTER', start: '$m', end: lastMarker, properties: { i } });
      return ops;
    }, { concurrency: 8, onAck: (a) => (lastMarker = a.ids.$m) });
    let killedAt = 0;
    try {
      await waitFor('a few hundred acknowledged transactions', () => w.acked.length >= 400);
      await cluster.sup.killMember('member-1');
      killedAt = Date.now();
      // every client loop ends with an error: the member is gone
      await w.done;
    } finally {
      await w.stop();
    }
    expect(w.errors.length).toBeGreaterThan(0);
    const acked = w.acked;
    expect(acked.length).toBeGreaterThanOrEqual(400);
    const sentKeys = new Set(Array.from({ length: w.sent }, (_, i) => `k${i}`));

    await cluster.sup.startMember('member-1');
    const restartMs = Date.now() - killedAt;
    expect(restartMs).toBeLessThan(30_000);
    const st = await dbStatus(cluster.writer, 'neo4j');
    expect(st?.status).toBe('online');
    const maxAcked = Math.max(...acked.map((a) => a.txId));
    expect(st?.lastCommittedTxn).toBeGreaterThanOrEqual(maxAcked);

    // every acknowledged marker is there, with the node ID it was acknowledged with
    const nodes = await allNodes(cluster.writer.address, 'Marker');
    const byKey = new Map(nodes.map((n) => [String(n.properties.key), n]));
    const missing = acked.filter((a) => byKey.get(`k${a.i}`)?.id !== a.ids.$m);
    expect(missing.map((a) => `k${a.i} (tx ${a.txId})`)).toEqual([]);
    console.info(`writer kill -9 under 8 clients: ${acked.length} acknowledged of ${w.sent} sent, ${missing.length} lost, back online at tx ${st?.lastCommittedTxn} ${restartMs} ms after the kill`);
    // nothing that no client sent, and no key twice
    expect(byKey.size).toBe(nodes.length);
    for (const n of nodes) expect(sentKeys.has(String(n.properties.key)), `unexpected ${String(n.properties.key)}`).toBe(true);
    // and the store is whole: transaction IDs have no gap up to the last one
    const d = await cluster.writer.digest('neo4j');
    expect(d.nodes).toBe(nodes.length);
    expect(d.lastCommittedTxn).toBe(st?.lastCommittedTxn);

    // the history goes on right after the recovered transaction
    const next = await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['AfterCrash'], properties: {} }]);
    expect(next.txId).toBe((st?.lastCommittedTxn ?? 0) + 1);

    // followers (which may have been mid-pull when the writer died) converge to the writer's content
    const ds = await convergedDigests(cluster, 'neo4j');
    for (const [id, x] of Object.entries(ds)) expect(x, id).toEqual(ds['member-1']);
    await waitFor('followers to report no lag', async () => {
      for (const id of ['member-2', 'member-3']) {
        if ((await dbStatus(cluster.clients[id], 'neo4j'))?.replicationLag !== 0) return false;
      }
      return true;
    });
  });

  it('a second kill -9 right after a burst of writes, then a graceful restart, keeps everything too', async () => {
    const w = writeLoop(cluster.writer, 'neo4j', (i): ClientOp[] => [{ op: 'createNode', labels: ['Burst'], properties: { b: i } }], {
      count: 300,
      concurrency: 16,
    });
    await w.done;
    expect(w.errors).toEqual([]);
    await cluster.sup.killMember('member-1');
    await cluster.sup.startMember('member-1');
    await cluster.sup.restartMember('member-1');
    const burst = await allNodes(cluster.writer.address, 'Burst');
    expect(burst.map((n) => n.properties.b).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 300 }, (_, i) => i));
    const ds = await convergedDigests(cluster, 'neo4j');
    for (const [id, x] of Object.entries(ds)) expect(x, id).toEqual(ds['member-1']);
  });
});
