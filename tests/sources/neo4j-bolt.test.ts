/**
 * The neo4j kind's Source over the real neo4j-driver, against the embedded members' Bolt server (real member
 * processes): version from dbms.components(), servers and databases from SHOW SERVERS / SHOW DATABASES YIELD *,
 * positions that are the members' own; and the failures a DBA meets, each with its code and within its bound:
 * a wrong password, nothing listening, a server that accepts and never answers. The password is sealed in the
 * catalog's folder and never appears in a report or an error.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NEO4J_VERSION } from '../../lib/cluster/bolt/member-backend';
import neo4j, { type Driver } from 'neo4j-driver';
import { BoltFailure, createBoltServer, type BoltBackend } from '../../lib/cluster/bolt/server';
import type { PackValue } from '../../lib/cluster/bolt/packstream';
import { TxlineError } from '../../lib/errors';
import type { TxlineEnv } from '../../lib/env';
import { closeBoltDrivers, readTopology } from '../../lib/sources/neo4j/bolt';
import { neo4jStatus } from '../../lib/sources/neo4j/kind';
import { openPassword, sealPassword, secretKeyFile } from '../../lib/sources/neo4j/secret';
import { clusterKind, type ClusterConnection } from '../../lib/sources';
import { dbStatus, startTestCluster, tempFolders, type TestCluster } from '../helpers/cluster';

const folders = tempFolders('neo4j-bolt');
let cluster: TestCluster;
let password: string;
let boltAddress: string;
const servers: net.Server[] = [];

beforeAll(async () => {
  cluster = await startTestCluster({ members: 3, secondaries: 1 });
  password = fs.readFileSync(path.join(cluster.dir, 'bolt-password'), 'utf8').trim();
  const st = await cluster.writer.status();
  if (!st.member.boltAddress) throw new Error('member-1 has no boltAddress in its /status');
  boltAddress = st.member.boltAddress;
}, 60_000);

afterAll(async () => {
  await closeBoltDrivers();
  for (const s of servers) s.close();
  await cluster?.stop();
  folders.removeAll();
});

/** A port that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A server that accepts connections and never says a word. */
async function silentServer(): Promise<number> {
  const s = net.createServer((sock) => sock.on('error', () => sock.destroy()));
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as net.AddressInfo).port;
}

/** A driver value as PackStream sends it again (integers as bigints, temporals as their ISO text). */
function toPack(v: unknown): PackValue {
  if (v === null || v === undefined) return null;
  if (neo4j.isInt(v)) return BigInt((v as { toString(): string }).toString());
  if (Array.isArray(v)) return v.map(toPack);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (neo4j.isDateTime(v as never) || neo4j.isLocalDateTime(v as never) || neo4j.isDate(v as never)) return String(v);
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toPack(x)]));
}

/**
 * A Bolt server in front of a real member for a user without the SHOW SERVERS privilege: it refuses SHOW SERVERS
 * as Neo4j does (Neo.ClientError.Security.Forbidden) and passes everything else to the member over Bolt.
 */
async function limitedFront(memberBolt: string, memberPassword: string): Promise<{ address: string; user: string; password: string }> {
  const upstream: Driver = neo4j.driver(`bolt://${memberBolt}`, neo4j.auth.basic('neo4j', memberPassword), { connectionTimeout: 5000, maxTransactionRetryTime: 0 });
  let self = '';
  const backend: BoltBackend = {
    serverAgent: 'Neo4j/5.26.0',
    checkCredentials: (principal, credentials) => principal === 'watcher' && credentials === 'watcher-password',
    routingTable: async (db) => ({ db: db ?? 'neo4j', ttlSeconds: 300, writers: [self], readers: [self], routers: [self] }),
    async run(query, _params, db) {
      if (/^\s*SHOW\s+SERVERS\b/i.test(query)) throw new BoltFailure('Neo.ClientError.Security.Forbidden', 'Permission denied for SHOW SERVERS.');
      const r = await upstream.executeQuery(query, {}, { database: db ?? 'system' });
      return { fields: [...r.keys].map(String), rows: r.records.map((rec) => rec.keys.map((k) => toPack(rec.get(k)))) };
    },
  };
  const server = createBoltServer(backend);
  server.on('close', () => void upstream.close());
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  self = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return { address: self, user: 'watcher', password: 'watcher-password' };
}

async function codeOf(p: Promise<unknown>): Promise<TxlineError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TxlineError);
    return e as TxlineError;
  }
  throw new Error('expected a failure');
}

describe('the neo4j kind over Bolt', () => {
  it('reads version, servers and databases through a routing URI; positions are the members’ own', async () => {
    const t = await readTopology({ uri: `neo4j://${boltAddress}`, user: 'neo4j', password }, { timeoutMs: 10_000 });
    expect(t.components.version).toMatchObject({ line: 'calendar', text: DEFAULT_NEO4J_VERSION, major: 2025, minor: 10 });
    expect(t.components.edition).toBe('enterprise');
    expect(t.topology.servers).toHaveLength(3);
    expect(t.topology.problems).toEqual([]);
    const copies = t.topology.databases.filter((d) => d.name === 'neo4j');
    expect(copies).toHaveLength(3);
    expect(copies.filter((d) => d.writer)).toHaveLength(1);
    const writerTx = (await dbStatus(cluster.writer, 'neo4j'))?.lastCommittedTxn;
    expect(copies.find((d) => d.writer)?.lastCommittedTxn).toBe(writerTx);
    for (const d of copies) expect(d.replicationLag).toBeLessThanOrEqual(0);
  }, 30_000);

  it('without the SHOW SERVERS privilege, lists servers from SHOW DATABASES and says what is missing', async () => {
    const front = await limitedFront(boltAddress, password);
    const t = await readTopology({ uri: `neo4j://${front.address}`, user: front.user, password: front.password }, { timeoutMs: 10_000 });
    expect(t.topology.servers).toBeNull();
    expect(t.topology.problems[0]).toMatch(/^SHOW SERVERS could not be run \(user "watcher" may not run SHOW SERVERS YIELD \*.*Permission denied.*\): servers are listed from SHOW DATABASES only/);
    expect(t.topology.databases.filter((d) => d.name === 'neo4j')).toHaveLength(3);
  }, 30_000);

  it('refuses a wrong password as UNAUTHENTICATED, naming the user and never the password', async () => {
    const wrong = 'not-the-password-1234';
    const e = await codeOf(readTopology({ uri: `bolt://${boltAddress}`, user: 'neo4j', password: wrong }, { timeoutMs: 10_000 }));
    expect(e.code).toBe('UNAUTHENTICATED');
    expect(e.message).toContain('"neo4j"');
    expect(e.message).not.toContain(wrong);
    // asked again at once (the dashboard asks every second), the refusal is remembered, not retried
    const started = Date.now();
    const again = await codeOf(readTopology({ uri: `bolt://${boltAddress}`, user: 'neo4j', password: wrong }, { timeoutMs: 10_000 }));
    expect(again.code).toBe('UNAUTHENTICATED');
    expect(again.message).toMatch(/not tried again until .* so as not to lock the user out/);
    expect(Date.now() - started).toBeLessThan(200);
  }, 30_000);

  it('says SOURCE_UNREACHABLE within its bound when nothing listens, and when a server never answers', async () => {
    for (const port of [await closedPort(), await silentServer()]) {
      const started = Date.now();
      const e = await codeOf(readTopology({ uri: `neo4j://127.0.0.1:${port}`, user: 'neo4j', password }, { timeoutMs: 1500 }));
      expect(e.code).toBe('SOURCE_UNREACHABLE');
      expect(e.message).toContain(`127.0.0.1:${port}`);
      expect(Date.now() - started).toBeLessThan(6000);
    }
  }, 30_000);

  it('gives the dashboard a report from the sealed password: members, roles, positions; no controls', async () => {
    const dir = folders.folder('catalog');
    const catalog = path.join(dir, 'txline.sqlite');
    const uri = `neo4j://${boltAddress}`;
    const sealed = sealPassword(catalog, { uri, user: 'neo4j', password });
    expect(sealed).not.toContain(password);
    expect(fs.statSync(secretKeyFile(catalog)).mode & 0o777).toBe(0o600);
    // bound to its URI and user: moved to another server, it does not open
    expect(() => openPassword(catalog, { uri: 'neo4j://evil.example:7687', user: 'neo4j', sealed })).toThrow(/does not open/);
    const settings = { uri, user: 'neo4j', passwordSealed: sealed, neo4jAdmin: '/nonexistent/neo4j-admin', backupFrom: null, location: dir };
    const c: ClusterConnection = { kind: 'neo4j', addresses: [boltAddress], startedHere: false, token: null, neo4j: settings };
    const env = { catalog } as TxlineEnv;
    const report = await neo4jStatus(c, env, { timeoutMs: 10_000 });
    expect(report.problem).toBeNull();
    expect(report.version).toBe(DEFAULT_NEO4J_VERSION);
    expect(report.members).toHaveLength(3);
    const roles = report.members.map((m) => m.databases.find((d) => d.name === 'neo4j')?.role).sort();
    expect(roles).toEqual(['follower', 'secondary', 'writer']);
    expect(JSON.stringify(report)).not.toContain(password);
    const kind = clusterKind('neo4j');
    expect(kind.capabilities(c).size).toBe(0);
    await expect(kind.control(c, { id: 'x', address: boltAddress, reachable: true }, 'pause', env)).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    // the dashboard's jobs run txline --cluster=<name> (neo4j-admin and Bolt): no member API address or token goes to them
    expect(kind.jobAccess(c, env)).toEqual({ addresses: [], token: null });

    // a wrong password stored: the report says so, and does not throw
    const bad = { ...c, neo4j: { ...settings, passwordSealed: sealPassword(catalog, { uri, user: 'neo4j', password: 'wrong-password-99' }) } };
    const failed = await neo4jStatus(bad, env, { timeoutMs: 10_000 });
    expect(failed.members).toEqual([]);
    expect(failed.problem).toMatch(/^UNAUTHENTICATED: /);
  }, 40_000);
});
