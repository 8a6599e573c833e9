/**
 * GET /db/{name}/nodes?label=L returns every matching node (the fixed contract), well past 1,000; `limit` and
 * `after` page through them when asked; on the writer and on a follower alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientOp } from '../../lib/graph/ops';
import { rawHttp, startTestCluster, waitForConvergence, type TestCluster } from '../helpers/cluster';

const MANY = 2500;
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2, secondaries: 0 });
  // 2,500 nodes labelled Many in three transactions, and some others in between
  for (const [from, to] of [[0, 1000], [1000, 2000], [2000, MANY]]) {
    const ops: ClientOp[] = [];
    for (let i = from; i < to; i++) ops.push({ op: 'createNode', labels: ['Many'], properties: { i } });
    ops.push({ op: 'createNode', labels: ['Other'], properties: { from } });
    await cluster.writer.commit('neo4j', ops);
  }
  await waitForConvergence(cluster, 'neo4j');
});

afterAll(async () => {
  await cluster?.stop();
});

describe('GET /db/{name}/nodes', () => {
  it(`returns all ${MANY} nodes with a label, in ID order, on every member`, async () => {
    for (const c of Object.values(cluster.clients)) {
      const res = await rawHttp(c.address, 'GET', '/db/neo4j/nodes?label=Many');
      expect(res.status, res.text.slice(0, 200)).toBe(200);
      const nodes = res.json as Array<{ id: number; labels: string[]; properties: { i: number } }>;
      expect(nodes).toHaveLength(MANY);
      expect(nodes.map((n) => n.properties.i)).toEqual(Array.from({ length: MANY }, (_, i) => i));
      expect(nodes.every((n) => n.labels.includes('Many'))).toBe(true);
      const ids = nodes.map((n) => n.id);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect((await c.nodes('neo4j', 'Many')).length).toBe(MANY);
    }
  });

  it('returns every node without a label', async () => {
    const res = await rawHttp(cluster.writer.address, 'GET', '/db/neo4j/nodes');
    expect(res.status).toBe(200);
    expect(res.json).toHaveLength(MANY + 3);
  });

  it('pages with limit and after when asked', async () => {
    const first = (await rawHttp(cluster.writer.address, 'GET', '/db/neo4j/nodes?label=Many&limit=1000')).json as Array<{ id: number }>;
    expect(first).toHaveLength(1000);
    const pages = [first];
    for (;;) {
      const after = pages[pages.length - 1].at(-1)?.id;
      const page = (await rawHttp(cluster.writer.address, 'GET', `/db/neo4j/nodes?label=Many&limit=1000&after=${after}`)).json as Array<{ id: number }>;
      if (page.length === 0) break;
      pages.push(page);
    }
    expect(pages.map((p) => p.length)).toEqual([1000, 1000, 500]);
    const all = (await rawHttp(cluster.writer.address, 'GET', '/db/neo4j/nodes?label=Many')).json as Array<{ id: number }>;
    expect(pages.flat().map((n) => n.id)).toEqual(all.map((n) => n.id));
  });
});
