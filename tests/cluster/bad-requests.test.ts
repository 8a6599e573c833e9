/**
 * Every bad request gets a 4xx with `{ code, message }`, and the member keeps serving: a writer and a
 * follower are sent malformed, unknown and hostile requests, then must still answer /status and commit.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbStatus, JSON_HEADERS, rawHttp, startTestCluster, TEST_TOKEN, waitFor, waitForConvergence, type RawResponse, type TestCluster } from '../helpers/cluster';

const AUTH = { authorization: `Bearer ${TEST_TOKEN}` };

let cluster: TestCluster;
let writer: string;
let follower: string;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2, secondaries: 0, controlPort: 0 });
  writer = cluster.writer.address;
  follower = cluster.clients['member-2'].address;
  // something to refer to: node 0 exists, relationship 0 exists
  await cluster.writer.commit('neo4j', [
    { op: 'createNode', ref: '$a', labels: ['Person'], properties: { name: 'Ada' } },
    { op: 'createRelationship', type: 'KNOWS', start: '$a', end: '$a', properties: {} },
  ]);
});

afterAll(async () => {
  await cluster?.stop();
});

function expectError(res: RawResponse, status: number, code: string, message?: RegExp): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  expect(res.json, res.text).toMatchObject({ code, message: expect.any(String) });
  expect(res.json.message.length).toBeGreaterThan(5);
  if (message) expect(res.json.message).toMatch(message);
}

const tx = (body: string, on = () => writer, db = 'neo4j') => rawHttp(on(), 'POST', `/db/${db}/tx`, body, JSON_HEADERS);

describe('bad requests answer 4xx with { code, message }', () => {
  it.each<[string, string, RegExp]>([
    ['malformed JSON', '{"ops": [', /malformed JSON/],
    ['JSON with a trailing comma', '{"ops": [{"op":"createNode"}],}', /malformed JSON/],
    ['an empty body', '', /empty/],
    ['a blank body', '  \n ', /empty/],
    ['JSON null', 'null', /invalid transaction/],
    ['a JSON array', '[{"op":"createNode"}]', /invalid transaction/],
    ['a JSON string', '"createNode"', /invalid transaction/],
    ['no ops', '{}', /ops/],
    ['ops not an array', '{"ops": {"op": "createNode"}}', /ops: .*expected array/],
    ['ops a string', '{"ops": "createNode"}', /ops: .*expected array/],
    ['no operations', '{"ops": []}', /at least one operation/],
    ['an unknown op', '{"ops": [{"op": "dropDatabase"}]}', /ops\.0\.op: .*createNode/],
    ['an op without a name', '{"ops": [{"labels": ["A"]}]}', /ops\.0\.op/],
    ['an unknown field', '{"ops": [{"op": "createNode", "label": "A"}]}', /Unrecognized key: "label"/],
    ['a negative node ID', '{"ops": [{"op": "deleteNode", "node": -1}]}', /ops\.0\.node/],
    ['a fractional node ID', '{"ops": [{"op": "deleteNode", "node": 0.5}]}', /ops\.0\.node: must be an ID/],
    ['a node ID as a string', '{"ops": [{"op": "deleteNode", "node": "0"}]}', /ops\.0\.node/],
    ['a huge node ID', '{"ops": [{"op": "deleteNode", "node": 1e300}]}', /ops\.0\.node/],
    ['a null property', '{"ops": [{"op": "createNode", "properties": {"a": null}}]}', /ops\.0\.properties\.a: must be/],
    ['a bad label', '{"ops": [{"op": "createNode", "labels": ["Robert\'); DROP TABLE nodes;--"]}]}', /ops\.0\.labels\.0/],
    ['a property key __proto__', '{"ops": [{"op": "createNode", "properties": {"__proto__": [1, 2], "constructor": "x", "b": 1}}]}', /ops\.0\.properties\.__proto__: "__proto__" cannot be a property key/],
    ['setting __proto__', '{"ops": [{"op": "setProperties", "node": 0, "properties": {"__proto__": {"polluted": true}}}]}', /ops\.0\.properties\.__proto__/],
  ])('POST tx with %s: 400 BAD_REQUEST', async (_what, body, message) => {
    expectError(await tx(body), 400, 'BAD_REQUEST', message);
  });

  it.each<[string, unknown[], RegExp]>([
    ['a node that does not exist', [{ op: 'setProperties', node: 999_999, properties: { a: 1 } }], /node 999999 does not exist/],
    ['a relationship that does not exist', [{ op: 'deleteRelationship', relationship: 77 }], /relationship 77 does not exist/],
    ['a relationship to a missing node', [{ op: 'createRelationship', type: 'R', start: 0, end: 5000 }], /end node 5000 does not exist/],
    ['an undefined reference', [{ op: 'deleteNode', node: '$ghost' }], /unknown reference "\$ghost"/],
    ['a reference to the wrong kind', [{ op: 'createNode', ref: '$n' }, { op: 'deleteRelationship', relationship: '$n' }], /"\$n" is a node, not a relationship/],
  ])('POST tx with %s: 422 TX_INVALID, and nothing of it is applied', async (_what, ops, message) => {
    const before = await cluster.writer.digest('neo4j');
    expectError(await tx(JSON.stringify({ ops: [{ op: 'createNode', labels: ['Partial'] }, ...ops] })), 422, 'TX_INVALID', message);
    const after = await cluster.writer.digest('neo4j');
    expect(after).toEqual(before);
    expect(await cluster.writer.nodes('neo4j', 'Partial')).toEqual([]);
  });

  it('property keys named like Object.prototype members (constructor, toString) are kept as they are', async () => {
    const res = await tx('{"ops": [{"op": "createNode", "labels": ["ProtoKeys"], "properties": {"constructor": "x", "toString": 1, "b": 1}}]}');
    expect(res.status, res.text).toBe(200);
    expect((await cluster.writer.nodes('neo4j', 'ProtoKeys')).map((n) => n.properties)).toEqual([{ b: 1, constructor: 'x', toString: 1 }]);
  });

  it('a store asked for in a compression it does not have: 400 naming the value', async () => {
    expectError(await rawHttp(writer, 'GET', '/db/neo4j/store?compress=gzip'), 400, 'BAD_REQUEST', /compress must be "zstd", got "gzip"/);
    expectError(await rawHttp(writer, 'GET', '/db/neo4j/store?compress='), 400, 'BAD_REQUEST', /compress/);
  });

  it('an unknown database: 404 DATABASE_NOT_FOUND on every endpoint', async () => {
    expectError(await tx('{"ops":[{"op":"createNode"}]}', () => writer, 'nosuchdb'), 404, 'DATABASE_NOT_FOUND', /nosuchdb/);
    for (const p of ['/db/nosuchdb/digest', '/db/nosuchdb/nodes', '/db/nosuchdb/tx?from=1', '/db/nosuchdb/store']) {
      expectError(await rawHttp(writer, 'GET', p), 404, 'DATABASE_NOT_FOUND');
      expectError(await rawHttp(follower, 'GET', p), 404, 'DATABASE_NOT_FOUND');
    }
    expectError(await rawHttp(writer, 'POST', '/admin/db/nosuchdb/stop'), 404, 'DATABASE_NOT_FOUND');
    expectError(await rawHttp(writer, 'DELETE', '/admin/db/nosuchdb'), 404, 'DATABASE_NOT_FOUND');
  });

  it.each([
    ['a slash, URL-encoded', '/db/neo4j%2F..%2Fsystem/digest'],
    ['a slash alone', '/db/a%2Fb/tx'],
    ['a backslash', '/db/neo4j%5C..%5Csystem/digest'],
    ['dots inside', '/db/neo4j..x/digest'],
    ['a NUL byte', '/db/neo4j%00/digest'],
    ['a leading digit', '/db/4neo/digest'],
    ['broken URL encoding', '/db/%ZZ/digest'],
    ['a very long name', `/db/${'a'.repeat(200)}/digest`],
  ])('a database name with %s: 400 INVALID_NAME', async (_what, p) => {
    expectError(await rawHttp(writer, p.endsWith('/tx') ? 'POST' : 'GET', p, p.endsWith('/tx') ? '{"ops":[{"op":"createNode"}]}' : undefined), 400, 'INVALID_NAME');
  });

  it.each(['/db/../digest', '/db/%2E%2E/digest', '/db/..%2Fetc/digest', '/db/neo4j/../../etc/passwd', '/../../etc/passwd'])(
    'a path with ".." (%s) never reaches a file: 4xx',
    async (p) => {
      const res = await rawHttp(writer, 'GET', p);
      expect(res.status, res.text).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.json).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      expect(res.text).not.toMatch(/root:/);
    },
  );

  it('POST tx to a follower: 409 NOT_WRITER with the writer\'s address', async () => {
    const res = await tx('{"ops":[{"op":"createNode"}]}', () => follower);
    expectError(res, 409, 'NOT_WRITER', new RegExp(writer.replace(/\./g, '\\.')));
    expect(res.json.writer).toBe(writer);
  });

  it.each<[string, string]>([
    ['from=abc', '/db/neo4j/tx?from=abc'],
    ['from missing', '/db/neo4j/tx'],
    ['from=0', '/db/neo4j/tx?from=0'],
    ['from=-1', '/db/neo4j/tx?from=-1'],
    ['from=1.5', '/db/neo4j/tx?from=1.5'],
    ['from too large', '/db/neo4j/tx?from=99999999999999999999'],
    ['wait=abc', '/db/neo4j/tx?from=1&wait=abc'],
    ['wait too long', '/db/neo4j/tx?from=1&wait=3600000'],
    ['limit=0', '/db/neo4j/nodes?limit=0'],
    ['limit=many', '/db/neo4j/nodes?limit=many'],
    ['limit too large', '/db/neo4j/nodes?limit=100000000'],
    ['after=-3', '/db/neo4j/nodes?after=-3'],
    ['a label with a quote', "/db/neo4j/nodes?label=P'erson"],
    ['an empty label', '/db/neo4j/nodes?label='],
  ])('bad query parameters (%s): 400 BAD_REQUEST', async (_what, p) => {
    expectError(await rawHttp(writer, 'GET', p), 400, 'BAD_REQUEST');
  });

  it.each(['http://x:99999/status', 'http://[zz/status', 'http://:80/status'])(
    'a request target that is no URL (%s): 400 BAD_REQUEST, on a member and on the control API',
    async (target) => {
      for (const address of [writer, follower, cluster.sup.info().control as string]) {
        expectError(await rawHttp(address, 'GET', target), 400, 'BAD_REQUEST', /invalid request target/);
      }
    },
  );

  it('an absolute-form request target that is a URL is served like its path', async () => {
    const res = await rawHttp(writer, 'GET', `http://${writer}/status`);
    expect(res.status, res.text).toBe(200);
    expect(res.json.member.id).toBe('member-1');
  });

  it('an unknown path: 404 NOT_FOUND; a wrong method: 405 METHOD_NOT_ALLOWED with Allow', async () => {
    for (const p of ['/', '/nope', '/status/extra', '/db', '/db/neo4j', '/db/neo4j/unknown', '/admin', '/metrics/x']) {
      expectError(await rawHttp(writer, 'GET', p), 404, 'NOT_FOUND');
    }
    const cases: Array<[string, string, string]> = [
      ['DELETE', '/status', 'GET'],
      ['POST', '/metrics', 'GET'],
      ['PUT', '/db/neo4j/tx', 'POST'],
      ['POST', '/db/neo4j/digest', 'GET'],
      ['GET', '/admin/databases', 'POST'],
    ];
    for (const [method, p, allowed] of cases) {
      const res = await rawHttp(writer, method, p, method === 'GET' ? undefined : '{}');
      expectError(res, 405, 'METHOD_NOT_ALLOWED');
      expect(String(res.headers.allow)).toContain(allowed);
    }
  });

  it('bad admin requests: 400', async () => {
    for (const body of ['', '{', 'null', '[]', '{"paused":"yes"}', '{"lagMs":-1}', '{"lagMs":1.5}', '{"lagMs":99999999}', '{"pause":true}']) {
      expectError(await rawHttp(follower, 'POST', '/admin/replication', body, JSON_HEADERS), 400, 'BAD_REQUEST');
    }
    expect(await cluster.clients['member-2'].replication()).toEqual({ paused: false, lagMs: 0 });
    // the writer does not replicate: pausing or delaying it is refused (as --lag-ms for it is), not ignored
    for (const body of ['{"paused":true}', '{"lagMs":500}', '{"paused":false,"lagMs":0}']) {
      expectError(await rawHttp(writer, 'POST', '/admin/replication', body, JSON_HEADERS), 400, 'BAD_REQUEST', /member-1 is the writer: it does not replicate/);
    }
    expect(await cluster.writer.replication()).toEqual({ paused: false, lagMs: 0 });
    expectError(await rawHttp(writer, 'PUT', '/admin/db/neo4j/store?storeId=not-a-uuid', 'x'), 400, 'BAD_REQUEST', /storeId must be a UUID/);
  });

  it('an upload that is not a store is refused with 400, and the database is unharmed', async () => {
    const before = await cluster.writer.digest('neo4j');
    expectError(await rawHttp(writer, 'PUT', '/admin/db/neo4j/store', Buffer.from('this is not a SQLite file at all'.repeat(100))), 400, 'BAD_REQUEST');
    expectError(await rawHttp(writer, 'PUT', '/admin/db/scratchdb/store', Buffer.alloc(0)), 400, 'BAD_REQUEST');
    expect(await cluster.writer.digest('neo4j')).toEqual(before);
    expect((await dbStatus(cluster.writer, 'neo4j'))?.status).toBe('online');
    expect((await cluster.writer.status()).databases.map((d) => d.name)).not.toContain('scratchdb');
  });

  it('a client that hangs up in the middle of a request body does not hurt the member', async () => {
    const [host, port] = writer.split(':');
    await new Promise<void>((resolve) => {
      const req = http.request({ host, port: Number(port), method: 'POST', path: '/db/neo4j/tx', headers: { ...AUTH, ...JSON_HEADERS, 'content-length': '1000' }, agent: false });
      req.on('error', () => resolve());
      req.write('{"ops": [{"op": "createNo');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    // a reader that goes away in the middle of a long poll
    await new Promise<void>((resolve) => {
      const req = http.get({ host, port: Number(port), path: '/db/neo4j/tx?from=999999&wait=5000', headers: AUTH, agent: false });
      req.on('error', () => resolve());
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    expect((await cluster.writer.status()).member.id).toBe('member-1');
  });

  it('after all of that, both members still serve, commit and replicate', async () => {
    for (const id of ['member-1', 'member-2']) {
      expect(cluster.sup.member(id).state).toBe('running');
      const res = await rawHttp(cluster.clients[id].address, 'GET', '/status');
      expect(res.status).toBe(200);
      expect(res.json.member.id).toBe(id);
    }
    const r = await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['After'], properties: { ok: true } }]);
    expect(r.txId).toBeGreaterThan(1);
    await waitForConvergence(cluster, 'neo4j');
    await waitFor('the follower to have the node', async () => (await cluster.clients['member-2'].nodes('neo4j', 'After')).length === 1);
    const [a, b] = await Promise.all([cluster.writer.digest('neo4j'), cluster.clients['member-2'].digest('neo4j')]);
    expect(b).toEqual(a);
  });
});
