/**
 * GET /metrics on a real cluster: databases whose names differ only in `-` and `.` (x-y, x.y) share the
 * Neo4j-style metric names and are told apart by a `database` label; a plain name keeps its unlabelled series;
 * no scrape ever fails, whatever databases come and go.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawHttp, startTestCluster, waitFor, waitForConvergence, type TestCluster } from '../helpers/cluster';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2, secondaries: 0 });
});

afterAll(async () => {
  await cluster?.stop();
});

async function scrape(address: string): Promise<string> {
  const res = await rawHttp(address, 'GET', '/metrics');
  expect(res.status, res.text).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  return res.text;
}

/** Every metric family is declared once (Prometheus refuses a text with a family twice). */
function expectFamiliesUnique(text: string): void {
  const types = text.split('\n').filter((l) => l.startsWith('# TYPE '));
  expect(new Set(types).size).toBe(types.length);
}

describe('metric names of databases named alike', () => {
  it('x-y and x.y both report, on the writer and on the follower, and the scrape never fails', async () => {
    await cluster.writer.createDatabase('x-y');
    await cluster.writer.createDatabase('x.y');
    await cluster.writer.commit('x-y', [{ op: 'createNode', labels: ['A'] }]);
    for (let i = 0; i < 3; i++) await cluster.writer.commit('x.y', [{ op: 'createNode', labels: ['B'] }]);
    await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['C'] }]);
    const follower = cluster.clients['member-2'];
    await waitFor('the follower to host x-y and x.y', async () => {
      const names = (await follower.status()).databases.map((d) => d.name);
      return names.includes('x-y') && names.includes('x.y');
    });
    for (const db of ['x-y', 'x.y', 'neo4j']) await waitForConvergence(cluster, db);

    for (const [id, c] of Object.entries(cluster.clients)) {
      const text = await scrape(c.address);
      expectFamiliesUnique(text);
      const m = `member="${id}"`;
      expect(text).toContain(`neo4j_database_x_y_transaction_last_committed_tx_id{database="x-y",${m}} 1\n`);
      expect(text).toContain(`neo4j_database_x_y_transaction_last_committed_tx_id{database="x.y",${m}} 3\n`);
      expect(text).toContain(`neo4j_database_x_y_status_online{database="x.y",${m}} 1\n`);
      // plain names keep Neo4j's names and no extra label
      expect(text).toMatch(new RegExp(`^neo4j_database_neo4j_transaction_last_committed_tx_id\\{${m}\\} [1-9]\\d*$`, 'm'));
      expect(text).toContain(`neo4j_database_system_transaction_last_committed_tx_id{${m}} 0\n`);
      expect(text).toContain(`neo4j_dbms_cluster_member_info{mode="primary",${m}} 1\n`);
    }
  });

  it('after dropping x.y the scrape still answers, without x.y and with x-y', async () => {
    const res = await rawHttp(cluster.writer.address, 'DELETE', '/admin/db/x.y');
    expect(res.status, res.text).toBe(200);
    await waitFor('the follower to drop x.y', async () => !(await cluster.clients['member-2'].status()).databases.some((d) => d.name === 'x.y'));
    for (const c of Object.values(cluster.clients)) {
      const text = await scrape(c.address);
      expectFamiliesUnique(text);
      expect(text).not.toContain('database="x.y"');
      expect(text).toContain('neo4j_database_x_y_transaction_last_committed_tx_id{database="x-y",');
    }
    // and a database that comes back under the other spelling reports again
    await cluster.writer.createDatabase('x.y');
    const text = await scrape(cluster.writer.address);
    expectFamiliesUnique(text);
    expect(text).toContain('neo4j_database_x_y_transaction_last_committed_tx_id{database="x.y",member="member-1"} 0\n');
  });
});
