/**
 * Visible replication lag: member-3 applies every transaction no sooner than a second after its commit, so
 * while writes run it reports a negative replicationLag, and 0 once writes stop and it has caught up.
 * Replication can be paused and resumed per member, and the lag changed at run time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseStatus } from '../../lib/cluster/client';
import { dbStatus, JSON_HEADERS, rawHttp, startTestCluster, waitFor, waitForConvergence, writeLoop, type TestCluster } from '../helpers/cluster';

const LAG_MS = 1000;
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 3, secondaries: 1, lagMs: { 'member-3': LAG_MS } });
});

afterAll(async () => {
  await cluster?.stop();
});

/** Writes one small transaction about every `everyMs` until stopped; returns the acknowledged IDs. */
function steadyWrites(everyMs: number) {
  let stopped = false;
  const acked: number[] = [];
  const done = (async () => {
    for (let i = 0; !stopped; i++) {
      const r = await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['Tick'], properties: { i, at: Date.now() } }]);
      acked.push(r.txId);
      await sleep(everyMs);
    }
  })();
  return {
    acked,
    async stop() {
      stopped = true;
      await done;
    },
  };
}

describe('replication lag', () => {
  it('a member with a 1 s lag shows a negative replicationLag while writes run, and 0 after it catches up', async () => {
    const lagged = cluster.clients['member-3'];
    expect(await lagged.replication()).toEqual({ paused: false, lagMs: LAG_MS });
    const samples: Array<{ at: number; st: DatabaseStatus }> = [];
    const writes = steadyWrites(20);
    try {
      await waitFor('member-3 to report a negative lag while writes run', async () => {
        const st = await dbStatus(lagged, 'neo4j');
        if (st) samples.push({ at: Date.now(), st });
        return (st?.replicationLag ?? 0) < 0 && st?.lastCommittedTxn !== undefined && st.lastCommittedTxn > 0;
      });
      // keep sampling for a while: the lag stays visible (about a second's worth of transactions)
      const until = Date.now() + 1500;
      await waitFor('more samples', async () => {
        const st = await dbStatus(lagged, 'neo4j');
        if (st) samples.push({ at: Date.now(), st });
        return Date.now() >= until;
      });
      const metrics = await lagged.metrics();
      const m = /^neo4j_database_neo4j_cluster_replication_lag\{[^}]*\} (-?\d+)$/m.exec(metrics);
      expect(Number(m?.[1])).toBeLessThan(0);
    } finally {
      await writes.stop();
    }
    // never did member-3 hold a transaction less than LAG_MS after its commit
    for (const { at, st } of samples) {
      if (st.lastCommitTime !== null) expect(at - st.lastCommitTime).toBeGreaterThanOrEqual(LAG_MS - 5);
    }
    // and the lag was visible most of the time, not in a lucky sample
    expect(samples.filter((s) => s.st.replicationLag < 0).length).toBeGreaterThan(samples.length / 2);
    // it is behind right after the writes stop, and catches up (lag 0) on its own a moment later
    const last = Math.max(...writes.acked);
    await waitFor('member-3 to catch up with lag 0', async () => {
      const st = await dbStatus(lagged, 'neo4j');
      return st?.lastCommittedTxn === last && st.replicationLag === 0;
    });
    const [a, b] = await Promise.all([cluster.writer.digest('neo4j'), lagged.digest('neo4j')]);
    expect(b).toEqual(a);
  });

  it('the lag can be changed at run time', async () => {
    const lagged = cluster.clients['member-3'];
    expect(await lagged.replication({ lagMs: 0 })).toEqual({ paused: false, lagMs: 0 });
    const r = await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['Quick'], properties: {} }]);
    const t0 = Date.now();
    await waitFor('member-3 to apply it without the old lag', async () => (await dbStatus(lagged, 'neo4j'))?.lastCommittedTxn === r.txId);
    expect(Date.now() - t0).toBeLessThan(LAG_MS);
    expect(await lagged.replication({ lagMs: LAG_MS })).toEqual({ paused: false, lagMs: LAG_MS });
  });

  it('paused replication holds a follower where it is, shows its lag, and resumes to catch up', async () => {
    const follower = cluster.clients['member-2'];
    await waitForConvergence(cluster, 'neo4j');
    const res = await rawHttp(follower.address, 'POST', '/admin/replication', JSON.stringify({ paused: true }), JSON_HEADERS);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ paused: true, lagMs: 0 });
    expect(await follower.replication()).toEqual({ paused: true, lagMs: 0 });
    const heldAt = (await dbStatus(follower, 'neo4j'))?.lastCommittedTxn ?? -1;

    const w = writeLoop(cluster.writer, 'neo4j', (i) => [{ op: 'createNode', labels: ['WhilePaused'], properties: { i } }], { count: 100, concurrency: 4 });
    await w.done;
    expect(w.errors).toEqual([]);
    const writerLast = (await dbStatus(cluster.writer, 'neo4j'))?.lastCommittedTxn ?? 0;
    await waitFor('the paused follower to show a lag of 100', async () => (await dbStatus(follower, 'neo4j'))?.replicationLag === -(writerLast - heldAt));
    expect((await dbStatus(follower, 'neo4j'))?.lastCommittedTxn).toBe(heldAt);
    expect(await follower.nodes('neo4j', 'WhilePaused')).toEqual([]);
    // the other members are not affected
    await waitFor('member-3 to go on (with its lag)', async () => (await dbStatus(cluster.clients['member-3'], 'neo4j'))?.lastCommittedTxn === writerLast);

    await follower.replication({ paused: false });
    await waitFor('the follower to catch up after resume', async () => {
      const st = await dbStatus(follower, 'neo4j');
      return st?.lastCommittedTxn === writerLast && st.replicationLag === 0;
    });
    expect(await follower.nodes('neo4j', 'WhilePaused')).toHaveLength(100);
    const [a, b] = await Promise.all([cluster.writer.digest('neo4j'), follower.digest('neo4j')]);
    expect(b).toEqual(a);
  });

  it('pausing a lagged member cuts its wait short: what it had received is not applied until resume', async () => {
    const lagged = cluster.clients['member-3'];
    await waitForConvergence(cluster, 'neo4j');
    const before = (await dbStatus(lagged, 'neo4j'))?.lastCommittedTxn ?? -1;
    const r = await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['Held'], properties: {} }]);
    // member-3 has (or will have) the record in hand, waiting for its lag; pause now
    await lagged.replication({ paused: true });
    const pausedAt = Date.now();
    // well past the lag, it still has not applied it
    await waitFor('the lag to pass', () => Date.now() - pausedAt > LAG_MS + 300);
    expect((await dbStatus(lagged, 'neo4j'))?.lastCommittedTxn).toBe(before);
    await lagged.replication({ paused: false });
    await waitFor('member-3 to apply it after resume', async () => (await dbStatus(lagged, 'neo4j'))?.lastCommittedTxn === r.txId);
  });
});
