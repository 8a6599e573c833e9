/**
 * The member API and the supervisor's control API refuse what does not come from Txline's own clients: a
 * table of routes × requests against a real cluster (a writer, a follower, the control API on free ports).
 *
 * - no token, or a wrong one: 401 on every route but /metrics;
 * - a browser page's cross-origin "simple" request (Content-Type text/plain, an Origin: any, the server's own
 *   too, since no client of these APIs sends one): 403, with or without the token, and nothing committed,
 *   created, dropped, stopped or paused;
 * - a foreign Host (DNS rebinding) or another port, or an absolute-form target naming another server: 403,
 *   /metrics too;
 * - a JSON route given text/plain, or no Content-Type: 415; a route without a body given a text/plain one: 415;
 * - the right requests pass, under every loopback name of the member with its port.
 *
 * Then where the token comes from: a cluster started without TXLINE_CLUSTER_TOKEN generates one into its data
 * folder (mode 0600) and keeps it on restart; the CLI finds it beside cluster.json, as it finds the members.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson, type MemberStatus } from '../../lib/cluster/client';
import { ClusterSupervisor } from '../../lib/cluster/supervisor';
import { JSON_HEADERS, rawHttp, startTestCluster, TEST_TOKEN, tempFolders, waitFor, waitForDatabases, type RawResponse, type TestCluster } from '../helpers/cluster';
import { runTxline } from '../helpers/engine';

let cluster: TestCluster;
let writer: string;
let port: string;
let control: string;
const temp = tempFolders('member-auth');

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2, secondaries: 0, controlPort: 0 });
  writer = cluster.writer.address;
  port = writer.slice(writer.lastIndexOf(':') + 1);
  control = cluster.sup.info().control as string;
  await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['Before'], properties: {} }]);
});

afterAll(async () => {
  await cluster?.stop();
  temp.removeAll();
});

interface Route {
  method: string;
  path: string;
  /** what an attacker's page would send (as text/plain, so the browser sends it without a preflight) */
  body?: string;
  /** a route that reads JSON */
  json?: boolean;
}

const TX_BODY = JSON.stringify({ ops: [{ op: 'createNode', labels: ['Evil'], properties: {} }] });

const MEMBER_ROUTES: Route[] = [
  { method: 'GET', path: '/status' },
  { method: 'GET', path: '/cluster' },
  { method: 'GET', path: '/db/neo4j/nodes' },
  { method: 'GET', path: '/db/neo4j/digest' },
  { method: 'GET', path: '/db/neo4j/store' },
  { method: 'GET', path: '/db/neo4j/tx?from=1' },
  { method: 'POST', path: '/db/neo4j/tx', body: TX_BODY, json: true },
  { method: 'POST', path: '/admin/databases', body: '{"name":"evil"}', json: true },
  { method: 'DELETE', path: '/admin/db/neo4j' },
  { method: 'POST', path: '/admin/db/neo4j/stop', body: '' },
  { method: 'POST', path: '/admin/db/neo4j/start', body: '' },
  { method: 'PUT', path: '/admin/db/neo4j/store', body: 'not a store' },
  { method: 'GET', path: '/admin/replication' },
  { method: 'POST', path: '/admin/replication', body: '{"paused":true}', json: true },
  { method: 'GET', path: '/no/such/route' },
];
const METRICS: Route = { method: 'GET', path: '/metrics' };

const CONTROL_ROUTES: Route[] = [
  { method: 'GET', path: '/members' },
  { method: 'POST', path: '/members/member-2/stop', body: '' },
  { method: 'POST', path: '/members/member-2/start', body: '' },
  { method: 'POST', path: '/members/member-2/kill', body: '' },
  { method: 'GET', path: '/no/such/route' },
];

const label = (r: Route) => `${r.method} ${r.path}`;
const send = (address: string, r: Route, headers: Record<string, string | undefined>) => rawHttp(address, r.method, r.path, r.body, headers);

/** What the refused requests must not change: neo4j's last transaction and state, the databases, replication. */
async function clusterState() {
  const [w, f, replication] = await Promise.all([cluster.writer.status(), cluster.clients['member-2'].status(), cluster.clients['member-2'].replication()]);
  return {
    writer: w.databases.map((d) => [d.name, d.status, d.lastCommittedTxn, d.storeId]),
    follower: f.databases.map((d) => d.name),
    replication,
    members: cluster.sup.info().members.map((m) => [m.id, m.state, m.pid]),
  };
}

function expectRefused(res: RawResponse, status: number, code: string, what: string): void {
  expect(res.status, `${what}: ${res.text}`).toBe(status);
  expect(res.headers['content-type'], what).toMatch(/application\/json/);
  expect(res.json, `${what}: ${res.text}`).toMatchObject({ code, message: expect.any(String) });
}

describe.each([
  ['a member', () => writer, MEMBER_ROUTES],
  ['the control API', () => control, CONTROL_ROUTES],
])('%s refuses', (_what, address, routes) => {
  it.each(routes.map((r) => [label(r), r] as const))('%s without the token: 401', async (what, r) => {
    const before = await clusterState();
    const res = await send(address(), r, { authorization: undefined });
    expectRefused(res, 401, 'UNAUTHENTICATED', what);
    expect(res.json.message).toMatch(/requires the cluster token/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(await clusterState()).toEqual(before);
  });

  it.each(routes.map((r) => [label(r), r] as const))('%s with a wrong token: 401', async (what, r) => {
    const before = await clusterState();
    for (const authorization of [`Bearer ${TEST_TOKEN}x`, `Bearer ${TEST_TOKEN.slice(0, -1)}`, `Bearer ${TEST_TOKEN.toUpperCase()}`, `Basic ${TEST_TOKEN}`, 'Bearer', TEST_TOKEN]) {
      expectRefused(await send(address(), r, { authorization }), 401, 'UNAUTHENTICATED', `${what} (${authorization.slice(0, 8)}…)`);
    }
    expect(await clusterState()).toEqual(before);
  });

  it.each(routes.map((r) => [label(r), r] as const))("%s as a web page's cross-origin simple request: 403, nothing done", async (what, r) => {
    const before = await clusterState();
    const own = `http://${address()}`;
    const foreign = ['http://evil.example', 'null', `https://127.0.0.1:${port}`, 'http://127.0.0.1:1', 'http://localhost', `http://127.0.0.2:${own.split(':')[2]}`, own];
    for (const origin of foreign) {
      // as a browser sends it (no token), and even with the token
      for (const authorization of [undefined, `Bearer ${TEST_TOKEN}`]) {
        const res = await send(address(), r, { origin, authorization, 'content-type': 'text/plain;charset=UTF-8' });
        expectRefused(res, 403, 'FORBIDDEN', `${what} from ${origin}`);
        expect(res.json.message).toContain(origin);
      }
    }
    expect(await clusterState()).toEqual(before);
  });

  it.each([...routes, METRICS].map((r) => [label(r), r] as const))('%s with a foreign Host: 403', async (what, r) => {
    const before = await clusterState();
    const hosts = [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`, `localhost.evil.example:${port}`];
    // its own name on another port (or none: 80) is another server too
    for (const host of [...hosts, '127.0.0.1:1', 'localhost', `[::1]:1`]) {
      const res = await send(address(), r, { host, 'content-type': r.body ? 'application/json' : undefined });
      expectRefused(res, 403, 'FORBIDDEN', `${what} with Host ${host}`);
      expect(res.json.message).toContain(host);
    }
    expect(await clusterState()).toEqual(before);
  });

  it('an absolute-form request target naming another server: 403', async () => {
    for (const r of routes) {
      for (const server of [`evil.example:${port}`, '127.0.0.1:1']) {
        const res = await rawHttp(address(), r.method, `http://${server}${r.path}`, r.body, r.body ? JSON_HEADERS : {});
        expectRefused(res, 403, 'FORBIDDEN', `${label(r)} naming ${server}`);
      }
    }
  });
});

describe('bodies', () => {
  it.each(MEMBER_ROUTES.filter((r) => r.json).map((r) => [label(r), r] as const))('%s (a JSON route) with text/plain or no Content-Type: 415, nothing done', async (what, r) => {
    const before = await clusterState();
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
      const res = await send(writer, r, { 'content-type': contentType });
      expectRefused(res, 415, 'UNSUPPORTED_MEDIA_TYPE', `${what} as ${contentType}`);
      expect(res.json.message).toMatch(/reads JSON: send Content-Type: application\/json/);
    }
    expect(await clusterState()).toEqual(before);
  });

  it('a route without a body given a text/plain one: 415, on a member and on the control API', async () => {
    const before = await clusterState();
    for (const [address, p] of [[writer, '/admin/db/neo4j/stop'], [control, '/members/member-2/stop']]) {
      const res = await rawHttp(address, 'POST', p, 'stop', { 'content-type': 'text/plain' });
      expectRefused(res, 415, 'UNSUPPORTED_MEDIA_TYPE', p);
    }
    expect(await clusterState()).toEqual(before);
  });
});

describe('the right requests pass', () => {
  it('under every loopback name of the member with its port', async () => {
    for (const host of [writer, `localhost:${port}`, `127.0.0.2:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      const res = await rawHttp(writer, 'GET', '/status', undefined, { host });
      expect(res.status, `Host ${host}: ${res.text}`).toBe(200);
      expect(res.json.member.id).toBe('member-1');
    }
    const res = await rawHttp(writer, 'GET', `http://localhost:${port}/status`);
    expect(res.status, res.text).toBe(200);
  });

  it('a transaction with the token and JSON commits; /metrics needs no token', async () => {
    const last = (await cluster.writer.status()).databases.find((d) => d.name === 'neo4j')?.lastCommittedTxn as number;
    const res = await rawHttp(writer, 'POST', '/db/neo4j/tx', TX_BODY.replace('Evil', 'Good'), { 'content-type': 'application/json; charset=utf-8' });
    expect(res.status, res.text).toBe(200);
    expect(res.json.txId).toBe(last + 1);
    expect(await cluster.writer.nodes('neo4j', 'Evil')).toEqual([]);
    expect((await cluster.writer.nodes('neo4j', 'Good')).length).toBe(1);
    const metrics = await rawHttp(writer, 'GET', '/metrics', undefined, { authorization: undefined });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('neo4j_database_neo4j_transaction_last_committed_tx_id');
  });

  it('the control API lists, stops and starts members with the token', async () => {
    const list = await rawHttp(control, 'GET', '/members');
    expect(list.status, list.text).toBe(200);
    expect(list.json.members.map((m: { id: string }) => m.id)).toEqual(['member-1', 'member-2']);
    const stopped = await rawHttp(control, 'POST', '/members/member-2/stop', undefined, JSON_HEADERS);
    expect(stopped.status, stopped.text).toBe(200);
    expect(stopped.json).toMatchObject({ id: 'member-2', state: 'stopped' });
    const started = await rawHttp(control, 'POST', '/members/member-2/start');
    expect(started.status, started.text).toBe(200);
    expect(started.json).toMatchObject({ id: 'member-2', state: 'running' });
    await waitForDatabases(Object.values(cluster.clients), cluster.writer);
  });
});

describe('where the token comes from', () => {
  const status = (address: string, token: string | null) => requestJson<MemberStatus>(address, '/status', { token });

  // Three supervisors one after the other and three CLI runs: up to a minute on a loaded two-core machine.
  it('generated at start into the data folder (0600), kept on restart, replaced by TXLINE_CLUSTER_TOKEN; the CLI finds it beside cluster.json', { timeout: 240_000 }, async () => {
    const dir = temp.folder('generated');
    const tokenFile = path.join(dir, 'token');
    const start = async (token?: string) => {
      const sup = new ClusterSupervisor({ dataDir: dir, members: 1, secondaries: 0, basePort: 0, output: 'file', token });
      await sup.start();
      return sup;
    };

    let sup = await start();
    const generated = sup.token;
    const address = sup.info().members[0].address;
    try {
      expect(generated).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(generated).not.toBe(TEST_TOKEN);
      expect(fs.readFileSync(tokenFile, 'utf8').trim()).toBe(generated);
      expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
      expect((await status(address, generated)).member.id).toBe('member-1');
      await expect(status(address, TEST_TOKEN)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      await expect(status(address, null)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });

      // the CLI: members from cluster.json, the token from the file beside it
      const backups = temp.folder('backups');
      const fromFile = { TXLINE_CLUSTER_FILE: path.join(dir, 'cluster.json'), TXLINE_CLUSTER_ADDRESSES: '', TXLINE_CLUSTER_TOKEN: '' };
      const ok = await runTxline(['database', 'backup', `--to-path=${backups}`, 'neo4j'], { env: fromFile, addresses: [] });
      expect(ok.code, ok.stderr).toBe(0);
      expect(fs.readdirSync(backups).filter((n) => n.endsWith('.backup'))).toHaveLength(1);
      // TXLINE_CLUSTER_TOKEN comes first: a wrong one is refused by the member, a malformed one by the CLI
      const wrong = await runTxline(['database', 'backup', `--to-path=${backups}`, 'neo4j'], { env: { ...fromFile, TXLINE_CLUSTER_TOKEN: 'not-the-cluster-token' }, addresses: [] });
      expect(wrong.code, wrong.stderr).toBe(1);
      expect(wrong.stderr).toMatch(/the cluster token is wrong/);
      const malformed = await runTxline(['database', 'backup', `--to-path=${backups}`, 'neo4j'], { env: { ...fromFile, TXLINE_CLUSTER_TOKEN: 'short' }, addresses: [] });
      expect(malformed.code, malformed.stderr).toBe(2);
      expect(malformed.stderr).toMatch(/TXLINE_CLUSTER_TOKEN: must be 16 to 1024 printable characters/);
    } finally {
      await sup.stop();
    }

    // a restart keeps the token (clients that read it stay right); a looser mode is tightened
    fs.chmodSync(tokenFile, 0o644);
    sup = await start();
    try {
      expect(sup.token).toBe(generated);
      expect(fs.statSync(tokenFile).mode & 0o777).toBe(0o600);
      expect((await status(sup.info().members[0].address, generated)).member.id).toBe('member-1');
    } finally {
      await sup.stop();
    }

    // TXLINE_CLUSTER_TOKEN (passed as the option) wins, and the file follows it
    const given = 'given-token-0123456789';
    sup = await start(given);
    try {
      expect(fs.readFileSync(tokenFile, 'utf8').trim()).toBe(given);
      const m = sup.info().members[0].address;
      expect((await status(m, given)).member.id).toBe('member-1');
      await expect(status(m, generated)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    } finally {
      await sup.stop();
    }
  });

  it('a token file that holds no token is refused at start, naming the file', async () => {
    const dir = temp.folder('bad-file');
    fs.writeFileSync(path.join(dir, 'token'), 'short\n');
    const sup = new ClusterSupervisor({ dataDir: dir, members: 1, secondaries: 0, basePort: 0, output: 'file' });
    const err = await sup.start().then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(path.join(dir, 'token')) });
    await waitFor('the refused supervisor to release the folder', () => !fs.existsSync(path.join(dir, 'cluster.lock')));
  });
});
