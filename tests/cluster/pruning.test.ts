/**
 * Transaction-log pruning on a real cluster with small segments (4K) and retention "2 files":
 * lowestAvailableTxn rises, older IDs answer 410 TX_PRUNED, what is left streams whole, and a follower that
 * needs pruned transactions catches up by copying the store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest, readBody } from '../../lib/cluster/client';
import type { ClientOp } from '../../lib/graph/ops';
import { RecordStreamDecoder, decodeOps } from '../../lib/graph/record';
import { convergedDigests, dbStatus, rawHttp, startTestCluster, waitFor, writeLoop, type TestCluster } from '../helpers/cluster';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2, secondaries: 0, txLogRotationSize: '4K', txLogRetention: '2 files' });
});

afterAll(async () => {
  await cluster?.stop();
});

async function write(n: number, tag: string): Promise<number> {
  const w = writeLoop(cluster.writer, 'neo4j', (i): ClientOp[] => [
    { op: 'createNode', labels: ['Item'], properties: { tag, i, text: `item ${i} of ${tag}`.padEnd(80, '.') } },
  ], { count: n, concurrency: 8 });
  await w.done;
  expect(w.errors).toEqual([]);
  return Math.max(...w.acked.map((a) => a.txId));
}

function segmentCount(member: string): number {
  const dir = path.join(cluster.dir, member, 'databases', 'neo4j', 'txlog');
  return fs.readdirSync(dir).filter((n) => /^tx-\d+\.log$/.test(n)).length;
}

describe('pruning with "2 files" of 4K', () => {
  it('raises lowestAvailableTxn; older transactions answer 410 TX_PRUNED; the rest streams whole', async () => {
    const last = await write(400, 'first');
    const st = await dbStatus(cluster.writer, 'neo4j');
    expect(st?.lastCommittedTxn).toBe(last);
    const lowest = st?.lowestAvailableTxn ?? 0;
    expect(lowest).toBeGreaterThan(1);
    // two files of ~4K hold a few dozen of these transactions, not hundreds
    expect(last - lowest + 1).toBeLessThan(150);
    // "2 files" as Neo4j means it: two segment files on disk, the one being written included
    expect(segmentCount('member-1')).toBeLessThanOrEqual(2);

    for (const from of [1, lowest - 1]) {
      const res = await rawHttp(cluster.writer.address, 'GET', `/db/neo4j/tx?from=${from}`);
      expect(res.status, `from=${from}`).toBe(410);
      expect(res.json).toMatchObject({ code: 'TX_PRUNED', lowestAvailableTxn: lowest, message: expect.any(String) });
    }

    // from the lowest available transaction, every record up to the last one, chained and readable
    const res = await rawRequest(cluster.writer.address, `/db/neo4j/tx?from=${lowest}`);
    expect(res.statusCode).toBe(200);
    expect(Number(res.headers['x-txline-lowest-available'])).toBe(lowest);
    expect(Number(res.headers['x-txline-last-committed'])).toBe(last);
    const raw = await readBody(res);
    const dec = new RecordStreamDecoder('test');
    const recs = dec.push(raw);
    dec.end();
    expect(recs.map((r) => r.txId)).toEqual(Array.from({ length: last - lowest + 1 }, (_, i) => lowest + i));
    expect(decodeOps(recs[recs.length - 1])[0]).toMatchObject({ op: 'createNode', labels: ['Item'] });

    // the metrics say the same
    const metrics = await cluster.writer.metrics();
    expect(metrics).toMatch(new RegExp(`^neo4j_database_neo4j_log_lowest_available_tx_id\\{[^}]*\\} ${lowest}$`, 'm'));

    // and the window moves up with more writes
    await write(200, 'more');
    expect((await dbStatus(cluster.writer, 'neo4j'))?.lowestAvailableTxn).toBeGreaterThan(lowest);
  });

  it('pruning survives a restart of the writer', async () => {
    const before = await dbStatus(cluster.writer, 'neo4j');
    await cluster.sup.restartMember('member-1');
    const after = await dbStatus(cluster.writer, 'neo4j');
    expect(after?.lastCommittedTxn).toBe(before?.lastCommittedTxn);
    expect(after?.lowestAvailableTxn).toBe(before?.lowestAvailableTxn);
    await waitFor('the follower to reach the writer again', async () => (await dbStatus(cluster.clients['member-2'], 'neo4j'))?.lastCommittedTxn === after?.lastCommittedTxn);
  });

  it('a follower that needs pruned transactions catches up by copying the store', async () => {
    const follower = cluster.clients['member-2'];
    await follower.replication({ paused: true });
    expect(await follower.replication()).toMatchObject({ paused: true });
    const pausedAt = (await dbStatus(follower, 'neo4j'))?.lastCommittedTxn ?? 0;
    const last = await write(400, 'while-paused');
    // the follower stays where it was, and sees that it is behind
    await waitFor('the paused follower to report its lag', async () => ((await dbStatus(follower, 'neo4j'))?.replicationLag ?? 0) <= -(last - pausedAt));
    expect((await dbStatus(follower, 'neo4j'))?.lastCommittedTxn).toBe(pausedAt);
    // what it needs next is gone from the writer's log
    const writerLowest = (await dbStatus(cluster.writer, 'neo4j'))?.lowestAvailableTxn ?? 0;
    expect(writerLowest).toBeGreaterThan(pausedAt + 1);
    const pruned = await rawHttp(cluster.writer.address, 'GET', `/db/neo4j/tx?from=${pausedAt + 1}`);
    expect(pruned.status).toBe(410);

    const logFile = path.join(cluster.dir, 'member-2', 'member.log');
    const logBefore = fs.readFileSync(logFile, 'utf8').length;
    await follower.replication({ paused: false });
    const ds = await convergedDigests(cluster, 'neo4j');
    expect(ds['member-2']).toEqual(ds['member-1']);
    const fst = await dbStatus(follower, 'neo4j');
    expect(fst?.replicationLag).toBe(0);
    expect(fst?.storeId).toBe((await dbStatus(cluster.writer, 'neo4j'))?.storeId);
    // it got there by a store copy, not by transactions the writer no longer has (the log reaches the
    // file through a pipe, so it may come a moment after the status)
    await waitFor('the follower to log its store copy', () => {
      const log = fs.readFileSync(logFile, 'utf8').slice(logBefore);
      return /copying store of neo4j from the writer/.test(log) && /store copy of neo4j installed at transaction \d+/.test(log);
    });
    // and then follows the stream again, transaction by transaction
    const more = await write(30, 'after-copy');
    await waitFor('the follower to follow the stream after the copy', async () => (await dbStatus(follower, 'neo4j'))?.lastCommittedTxn === more);
    const items = await follower.nodes('neo4j', 'Item', 5000);
    expect(items.filter((n) => n.properties.tag === 'after-copy')).toHaveLength(30);
    expect(items.filter((n) => n.properties.tag === 'while-paused')).toHaveLength(400);
  });
});
