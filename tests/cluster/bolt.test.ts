/**
 * The embedded cluster over Bolt, as the real neo4j-driver (6.3) sees it: a routing driver (neo4j://) and
 * direct ones (bolt://) against real member processes. Topology and lag come from the members themselves:
 * SHOW DATABASES' lastCommittedTxn is each member's own /status figure, and replicationLag grows negative while
 * a member's replication is paused.
 */
import fs from 'node:fs';
import path from 'node:path';
import neo4j, { type Driver, type Record as Neo4jRecord } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NEO4J_VERSION } from '../../lib/cluster/bolt/member-backend';
import { DATABASE_COLUMNS, SERVER_COLUMNS } from '../../lib/cluster/bolt/queries';
import { dbStatus, startTestCluster, waitForConvergence, type TestCluster } from '../helpers/cluster';

let cluster: TestCluster;
let password: string;
const drivers: Driver[] = [];

beforeAll(async () => {
  cluster = await startTestCluster({ members: 3, secondaries: 1 });
  password = fs.readFileSync(path.join(cluster.dir, 'bolt-password'), 'utf8').trim();
});

afterAll(async () => {
  await Promise.all(drivers.map((d) => d.close()));
  await cluster?.stop();
});

function bolt(id: string): string {
  const m = cluster.sup.member(id);
  if (!m.boltAddress) throw new Error(`${id} has no Bolt address in cluster.json`);
  return m.boltAddress;
}

function driver(uri: string, pass = password, user = 'neo4j'): Driver {
  const d = neo4j.driver(uri, neo4j.auth.basic(user, pass), { connectionTimeout: 5000, connectionAcquisitionTimeout: 10_000, maxTransactionRetryTime: 0 });
  drivers.push(d);
  return d;
}

const rows = (records: Neo4jRecord[]) => records.map((r) => r.toObject() as Record<string, unknown>);
const int = (v: unknown) => (neo4j.isInt(v) ? (v as { toNumber(): number }).toNumber() : v);

async function showDatabases(d: Driver, db = 'neo4j') {
  const r = await d.executeQuery('SHOW DATABASES YIELD *', {}, { database: 'system' });
  expect(r.keys).toEqual([...DATABASE_COLUMNS]);
  return rows(r.records)
    .filter((x) => x.name === db)
    .map((x): Record<string, unknown> => ({ ...x, lastCommittedTxn: int(x.lastCommittedTxn), replicationLag: int(x.replicationLag) }));
}

async function commit(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['Bolt'], properties: { i } }]);
}

describe('the embedded cluster over Bolt', () => {
  it('gives each member a Bolt address, in cluster.json and in its /status', async () => {
    for (const [id, client] of Object.entries(cluster.clients)) {
      const st = await client.status();
      expect(st.member.boltAddress).toBe(bolt(id));
      expect(st.member.boltAddress).not.toBe(st.member.address);
    }
    expect(fs.statSync(path.join(cluster.dir, 'bolt-password')).mode & 0o777).toBe(0o600);
  });

  it('accepts a direct driver on every member and a routing driver, with the right password only', async () => {
    for (const id of ['member-1', 'member-2', 'member-3']) {
      const d = driver(`bolt://${bolt(id)}`);
      await d.verifyConnectivity();
      const info = await d.getServerInfo();
      expect(info.protocolVersion).toMatchObject({ major: 5, minor: 4 });
      expect(info.agent).toBe(`Neo4j/${DEFAULT_NEO4J_VERSION}`);
    }
    await driver(`neo4j://${bolt('member-2')}`).verifyConnectivity();
    await expect(driver(`bolt://${bolt('member-1')}`, `${password}x`).verifyConnectivity()).rejects.toMatchObject({ code: 'Neo.ClientError.Security.Unauthorized' });
    await expect(driver(`neo4j://${bolt('member-3')}`, 'wrong-password').verifyConnectivity()).rejects.toMatchObject({ code: 'Neo.ClientError.Security.Unauthorized' });
    await expect(driver(`bolt://${bolt('member-1')}`, password, 'admin').verifyConnectivity()).rejects.toMatchObject({ code: 'Neo.ClientError.Security.Unauthorized' });
  });

  it('lists every member with SHOW SERVERS YIELD *, wherever the driver is routed', async () => {
    const d = driver(`neo4j://${bolt('member-3')}`);
    for (const routing of [neo4j.routing.WRITE, neo4j.routing.READ]) {
      const r = await d.executeQuery('SHOW SERVERS YIELD *', {}, { database: 'system', routing });
      expect(r.keys).toEqual([...SERVER_COLUMNS]);
      const servers = rows(r.records);
      expect(servers.map((s) => [s.name, s.address, s.state, s.health, s.modeConstraint])).toEqual([
        ['member-1', bolt('member-1'), 'Enabled', 'Available', 'PRIMARY'],
        ['member-2', bolt('member-2'), 'Enabled', 'Available', 'PRIMARY'],
        ['member-3', bolt('member-3'), 'Enabled', 'Available', 'SECONDARY'],
      ]);
      for (const s of servers) expect(s.hosting).toEqual(expect.arrayContaining(['neo4j', 'system']));
    }
    const short = await d.executeQuery('show servers;', {}, { database: 'system' });
    expect(short.keys).toEqual(['name', 'address', 'state', 'health', 'hosting']);
  });

  it("reports each member's own lastCommittedTxn in SHOW DATABASES, and a replicationLag that grows negative while replication is paused", async () => {
    await commit(3);
    const target = await waitForConvergence(cluster, 'neo4j');
    const d = driver(`neo4j://${bolt('member-1')}`);
    let dbs = await showDatabases(d);
    expect(dbs.map((x) => [x.serverID, x.address, x.role, x.writer, x.currentStatus])).toEqual([
      ['member-1', bolt('member-1'), 'primary', true, 'online'],
      ['member-2', bolt('member-2'), 'primary', false, 'online'],
      ['member-3', bolt('member-3'), 'secondary', false, 'online'],
    ]);
    for (const x of dbs) {
      const own = await dbStatus(cluster.clients[x.serverID as string], 'neo4j');
      expect(x.lastCommittedTxn).toBe(own?.lastCommittedTxn);
      expect(x.lastCommittedTxn).toBe(target);
      expect(x.replicationLag).toBe(0);
      expect(x.databaseID).toBe(own?.databaseId);
    }

    const paused = cluster.clients['member-3'];
    await paused.replication({ paused: true });
    try {
      await commit(4);
      dbs = await showDatabases(d);
      const behind = dbs.find((x) => x.serverID === 'member-3');
      expect(behind?.lastCommittedTxn).toBe(target);
      expect(behind?.replicationLag).toBe(-4);
      expect(dbs.find((x) => x.serverID === 'member-1')?.lastCommittedTxn).toBe(target + 4);
      await commit(3);
      dbs = await showDatabases(d);
      expect(dbs.find((x) => x.serverID === 'member-3')?.replicationLag).toBe(-7);
      for (const x of dbs) expect(x.replicationLag as number).toBeLessThanOrEqual(0);
    } finally {
      await paused.replication({ paused: false });
    }
    const caughtUp = await waitForConvergence(cluster, 'neo4j');
    expect(caughtUp).toBe(target + 7);
    dbs = await showDatabases(driver(`bolt://${bolt('member-3')}`));
    expect(dbs.map((x) => [x.lastCommittedTxn, x.replicationLag])).toEqual([
      [target + 7, 0],
      [target + 7, 0],
      [target + 7, 0],
    ]);
  });

  it('answers SHOW DATABASE <name>, the default columns, and reads in explicit transactions', async () => {
    const d = driver(`neo4j://${bolt('member-2')}`);
    const one = await d.executeQuery('SHOW DATABASE system YIELD *', {}, { database: 'system' });
    expect(rows(one.records).map((x) => [x.name, x.type, x.serverID])).toEqual([
      ['system', 'system', 'member-1'],
      ['system', 'system', 'member-2'],
      ['system', 'system', 'member-3'],
    ]);
    const defaults = await d.executeQuery('SHOW DATABASES', {}, { database: 'system' });
    expect(defaults.keys).toEqual(['name', 'type', 'aliases', 'access', 'address', 'role', 'writer', 'requestedStatus', 'currentStatus', 'statusMessage', 'default', 'home', 'constituents']);
    expect(rows(defaults.records).filter((x) => x.name === 'neo4j' && x.default === true && x.home === true)).toHaveLength(3);
    const session = d.session({ database: 'system', defaultAccessMode: neo4j.session.READ });
    try {
      const inTx = await session.executeRead((tx) => tx.run('SHOW DATABASES YIELD name, serverID, lastCommittedTxn'));
      expect(inTx.records.length).toBe(6);
      expect(inTx.records[0].keys).toEqual(['name', 'serverID', 'lastCommittedTxn']);
    } finally {
      await session.close();
    }
  });

  it('answers dbms.components() on any database', async () => {
    const d = driver(`neo4j://${bolt('member-1')}`);
    for (const database of [undefined, 'system']) {
      const r = await d.executeQuery('CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition', {}, { database });
      expect(rows(r.records)).toEqual([{ name: 'Neo4j Kernel', versions: [DEFAULT_NEO4J_VERSION], edition: 'enterprise' }]);
    }
  });

  it('refuses other queries with a clean FAILURE, and the session stays usable', async () => {
    const d = driver(`bolt://${bolt('member-2')}`);
    const session = d.session({ database: 'system' });
    try {
      await expect(session.run('MATCH (n) RETURN count(n)')).rejects.toMatchObject({ code: 'Neo.ClientError.Statement.SyntaxError', message: expect.stringContaining('SHOW SERVERS') });
      await expect(session.run("SHOW DATABASES YIELD * WHERE name = 'neo4j'")).rejects.toMatchObject({ code: 'Neo.ClientError.Statement.SyntaxError' });
      const ok = await session.run('SHOW SERVERS');
      expect(ok.records).toHaveLength(3);
    } finally {
      await session.close();
    }
    await expect(d.executeQuery('SHOW DATABASES', {}, { database: 'neo4j' })).rejects.toMatchObject({ code: 'Neo.ClientError.Statement.NotSystemDatabaseError' });
    await expect(d.executeQuery('SHOW DATABASES', {}, { database: 'nope' })).rejects.toMatchObject({ code: 'Neo.ClientError.Database.DatabaseNotFound' });
    const after = await d.executeQuery('CALL dbms.components()', {}, { database: 'system' });
    expect(after.records).toHaveLength(1);
  });

  it('serves many connections at once', async () => {
    const d = neo4j.driver(`bolt://${bolt('member-1')}`, neo4j.auth.basic('neo4j', password), { maxConnectionPoolSize: 60, connectionTimeout: 5000 });
    drivers.push(d);
    const sessions = Array.from({ length: 60 }, () => d.session({ database: 'system' }));
    try {
      const results = await Promise.all(sessions.map((s) => s.run('SHOW SERVERS YIELD name')));
      expect(results.every((r) => r.records.length === 3)).toBe(true);
    } finally {
      await Promise.all(sessions.map((s) => s.close()));
    }
  });

  it('shows a database stopped on one member as offline there, with its last transaction and a NULL lag', async () => {
    const follower = cluster.clients['member-2'];
    await follower.stopDatabase('neo4j');
    try {
      const own = await dbStatus(follower, 'neo4j');
      expect(own?.status).toBe('offline');
      const dbs = await showDatabases(driver(`neo4j://${bolt('member-1')}`));
      expect(dbs.find((x) => x.serverID === 'member-2')).toMatchObject({
        currentStatus: 'offline',
        requestedStatus: 'offline',
        writer: false,
        lastCommittedTxn: own?.lastCommittedTxn,
        replicationLag: null,
        currentPrimariesCount: neo4j.int(1),
      });
      expect(dbs.find((x) => x.serverID === 'member-1')).toMatchObject({ currentStatus: 'online', writer: true, replicationLag: 0 });
    } finally {
      await follower.startDatabase('neo4j');
    }
  });

  it('shows a stopped member as Unavailable, within a bounded time, and routes around it', async () => {
    await cluster.sup.stopMember('member-2');
    try {
      const d = driver(`bolt://${bolt('member-1')}`);
      const started = Date.now();
      const servers = rows((await d.executeQuery('SHOW SERVERS YIELD *', {}, { database: 'system' })).records);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(servers.map((s) => [s.name, s.health])).toEqual([
        ['member-1', 'Available'],
        ['member-2', 'Unavailable'],
        ['member-3', 'Available'],
      ]);
      const dbs = await showDatabases(d);
      const gone = dbs.find((x) => x.serverID === 'member-2');
      expect(gone).toMatchObject({ currentStatus: 'unknown', lastCommittedTxn: null, replicationLag: null });
    } finally {
      await cluster.sup.startMember('member-2');
    }
  });
});
