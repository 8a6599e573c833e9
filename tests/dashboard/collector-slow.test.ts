/**
 * One trickling member does not stall the collector: with a real cluster registered three times (one cluster
 * of a real member and a trickling one, a real HTTP server in front of a member that sends every answer one
 * byte every 500 ms; another cluster of a real member only; a third of a real member and one whose /status
 * comes whole but 1.2 s late) and the collector running at its 1 s interval, both real members keep a sample every round (a
 * round missed now and then on a loaded machine, never two in a row) while the trickling one is reported
 * unreachable (slow) and offline in every round, with never more than one probe (its /status and
 * /admin/replication) in flight; the late one's answers, each after its round, are never recorded as a later
 * round's: it is offline throughout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../lib/db';
import { addRemoteCluster } from '../../lib/db/queries/clusters';
import { lagSamples } from '../../lib/db/schema';
import { parseEnv } from '../../lib/env';
import { Collector } from '../../lib/monitor/collector';
import { startTestCluster, TEST_TOKEN, type TestCluster } from '../helpers/cluster';
import { trickleMember, type TrickleMember } from '../helpers/trickle';

let cluster: TestCluster;
let fake: TrickleMember;
let late: TrickleMember;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2, secondaries: 0 });
  fake = await trickleMember(cluster.addresses[0], { trickle: () => true });
  late = await trickleMember(cluster.addresses[1], { trickle: (req) => req.url === '/status', lateMs: 1200 });
});

afterAll(async () => {
  await fake?.close();
  await late?.close();
  await cluster?.stop();
});

describe('the collector with a trickling member', () => {
  it('keeps the cadence of the other members, of its own cluster and of another, reports the trickling one slow and drops late answers', async () => {
    const db = openCatalog(':memory:');
    const [real1, real2] = cluster.addresses;
    const mixed = addRemoteCluster(db, { name: 'mixed', addresses: [real1, fake.address], token: TEST_TOKEN });
    const healthy = addRemoteCluster(db, { name: 'healthy', addresses: [real2], token: TEST_TOKEN });
    const lateCluster = addRemoteCluster(db, { name: 'late', addresses: [real1, late.address], token: TEST_TOKEN });
    const collector = new Collector(db, parseEnv({}), { intervalMs: 1000 });
    const startedAt = Date.now();
    collector.start();
    try {
      await sleep(7500);
    } finally {
      collector.stop();
    }
    // the rounds due from the first to the one before the last (which may still be running)
    const rounds: number[] = [];
    for (let ts = Math.floor(startedAt / 1000) * 1000; ts < Math.floor(Date.now() / 1000) * 1000; ts += 1000) rounds.push(ts);
    const rows = db.select().from(lagSamples).all();
    const sampled = (clusterId: number, memberId: string, online: boolean) =>
      new Set(rows.filter((r) => r.clusterId === clusterId && r.memberId === memberId && r.online === online).map((r) => r.ts));
    /** the most rounds in a row without a sample (one trickling member used to stop them all after the first) */
    const missedInARow = (seconds: Set<number>) => {
      let most = 0;
      let run = 0;
      for (const ts of rounds) most = Math.max(most, (run = seconds.has(ts) ? 0 : run + 1));
      return most;
    };
    const context = `rounds ${JSON.stringify(rounds)}, samples ${JSON.stringify(rows.map((r) => [r.clusterId, r.memberId, r.ts, r.online]))}`;
    expect(rounds.length, context).toBeGreaterThanOrEqual(6);
    expect(missedInARow(sampled(mixed.id, 'member-1', true)), context).toBeLessThanOrEqual(1);
    expect(missedInARow(sampled(healthy.id, 'member-2', true)), context).toBeLessThanOrEqual(1);
    // the trickling member (known by its address only: it never answered): offline, in every round alike
    expect(missedInARow(sampled(mixed.id, fake.address, false)), context).toBeLessThanOrEqual(1);
    expect(sampled(mixed.id, fake.address, true).size, context).toBe(0);
    // the late one answered (every other round), but never within its round: offline throughout, and known by
    // its address only (an answer taken in a later round would have named it member-2)
    expect(late.asked.filter((p) => p === '/status').length, context).toBeGreaterThanOrEqual(3);
    expect(rows.filter((r) => r.clusterId === lateCluster.id && r.memberId !== 'member-1' && (r.online || r.memberId !== late.address)), context).toEqual([]);
    expect(missedInARow(sampled(lateCluster.id, late.address, false)), context).toBeLessThanOrEqual(1);
    expect(collector.latest.get(lateCluster.id)?.report.members.find((m) => m.address === late.address)?.error).toMatch(/^slow: /);
    const slow = collector.latest.get(mixed.id)?.report.members.find((m) => m.address === fake.address);
    expect(slow).toMatchObject({ reachable: false });
    expect(slow?.error).toMatch(/^slow: no answer to \/status within 800 ms|^slow: still answering an earlier \/status|did not send all of its answer to GET \/status within 1\.5 s/);
    // asked again after each deadline, never piled up: one probe (two requests) in flight at most
    expect(fake.asked.filter((p) => p === '/status').length).toBeGreaterThanOrEqual(3);
    expect(fake.maxOpen()).toBeLessThanOrEqual(2);
    db.$client.close();
  }, 60_000);
});
