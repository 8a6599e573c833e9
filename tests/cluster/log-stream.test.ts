/**
 * GET /db/{name}/tx over a log of many small segments: every record from the asked transaction on, in order,
 * as one stream; no listener piles up on the response per segment (Node's MaxListenersExceededWarning), and
 * readers that hang up midway leave no file descriptor behind.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, readBody } from '../../lib/cluster/client';
import type { ClientOp } from '../../lib/graph/ops';
import { RecordStreamDecoder } from '../../lib/graph/record';
import { startTestCluster, TEST_TOKEN, waitFor, writeLoop, type TestCluster } from '../helpers/cluster';

let cluster: TestCluster;
let last = 0;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 1, secondaries: 0, txLogRotationSize: '4K', txLogRetention: 'keep_all' });
  const w = writeLoop(cluster.writer, 'neo4j', (i): ClientOp[] => [{ op: 'createNode', labels: ['Item'], properties: { i, text: `item ${i}`.padEnd(200, '.') } }], {
    count: 1000,
    concurrency: 4,
  });
  await w.done;
  expect(w.errors).toEqual([]);
  last = Math.max(...w.acked.map((a) => a.txId));
});

afterAll(async () => {
  await cluster?.stop();
});

const segments = () => fs.readdirSync(path.join(cluster.dir, 'member-1', 'databases', 'neo4j', 'txlog')).filter((n) => n.endsWith('.log')).length;
const memberLog = () => fs.readFileSync(path.join(cluster.dir, 'member-1', 'member.log'), 'utf8');
const openFds = (pid: number) => fs.readdirSync(`/proc/${pid}/fd`).length;

async function records(from: number): Promise<number[]> {
  const res = await rawRequest(cluster.writer.address, `/db/neo4j/tx?from=${from}`);
  expect(res.statusCode).toBe(200);
  const dec = new RecordStreamDecoder('test');
  const ids = dec.push(await readBody(res)).map((r) => r.txId);
  dec.end();
  return ids;
}

describe('streaming a log of many segments', () => {
  it('sends every record in order, across more than 40 segments, without a listener warning', async () => {
    expect(segments()).toBeGreaterThan(40);
    for (const from of [1, 2, Math.floor(last / 2), last]) {
      expect(await records(from)).toEqual(Array.from({ length: last - from + 1 }, (_, i) => from + i));
    }
    // three readers at once
    const all = await Promise.all([records(1), records(1), records(100)]);
    expect(all.map((a) => a.length)).toEqual([last, last, last - 99]);
    expect(memberLog()).not.toMatch(/MaxListenersExceededWarning|Possible EventEmitter memory leak/);
  });

  it('a reader that hangs up midway leaves the member serving, with no file descriptor left open', async () => {
    const pid = cluster.sup.member('member-1').pid as number;
    await records(1); // warm: whatever the member opens once is open
    const before = openFds(pid);
    const [host, port] = cluster.writer.address.split(':');
    for (let i = 0; i < 10; i++) {
      await new Promise<void>((resolve) => {
        const req = http.get({ host, port: Number(port), path: '/db/neo4j/tx?from=1', headers: { authorization: `Bearer ${TEST_TOKEN}` }, agent: false }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => resolve());
      });
    }
    await waitFor('the member to close every segment it opened for those readers', () => openFds(pid) <= before, 10_000);
    expect(await records(last)).toEqual([last]);
    expect(memberLog()).not.toMatch(/MaxListenersExceededWarning|request handling failed/);
  });
});
