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
    expect(t.components.version).toMatchObject({ line: '5.x', major: 5, minor: 26 });
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

  it('refuses a wrong password as UNAUTHENTICATED, naming the user and never the password', async () => {
    const wrong = 'not-the-password-1234';
    const e = await codeOf(readTopology({ uri: `bolt://${boltAddress}`, user: 'neo4j', password: wrong }, { timeoutMs: 10_000 }));
    expect(e.code).toBe('UNAUTHENTICATED');
    expect(e.message).toContain('"neo4j"');
    expect(e.message).not.toContain(wrong);
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
    expect(report.version).toBe('5.26.0');
    expect(report.members).toHaveLength(3);
    const roles = report.members.map((m) => m.databases.find((d) => d.name === 'neo4j')?.role).sort();
    expect(roles).toEqual(['follower', 'secondary', 'writer']);
    expect(JSON.stringify(report)).not.toContain(password);
    const kind = clusterKind('neo4j');
    expect(kind.capabilities(c).size).toBe(0);
    await expect(kind.control(c, { id: 'x', address: boltAddress, reachable: true }, 'pause', env)).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });

    // a wrong password stored: the report says so, and does not throw
    const bad = { ...c, neo4j: { ...settings, passwordSealed: sealPassword(catalog, { uri, user: 'neo4j', password: 'wrong-password-99' }) } };
    const failed = await neo4jStatus(bad, env, { timeoutMs: 10_000 });
    expect(failed.members).toEqual([]);
    expect(failed.problem).toMatch(/^UNAUTHENTICATED: /);
  }, 40_000);
});
