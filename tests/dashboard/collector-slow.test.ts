/**
 * One trickling member does not stall the collector: with a real cluster registered twice (one cluster of a
 * real member and a trickling one, a real HTTP server in front of a member that sends every answer one byte
 * every 500 ms; another cluster of a real member only) and the collector running at its 1 s interval, both
 * real members keep a sample every second while the trickling one is reported unreachable (slow) and offline,
 * and it never has more than one probe (its /status and /admin/replication) in flight.
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

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2, secondaries: 0 });
  fake = await trickleMember(cluster.addresses[0], { trickle: () => true });
});

afterAll(async () => {
  await fake?.close();
  await cluster?.stop();
});

describe('the collector with a trickling member', () => {
  it('keeps the cadence of the other members, of its own cluster and of another, and reports the trickling one slow', async () => {
    const db = openCatalog(':memory:');
    const [real1, real2] = cluster.addresses;
    const mixed = addRemoteCluster(db, { name: 'mixed', addresses: [real1, fake.address], token: TEST_TOKEN });
    const healthy = addRemoteCluster(db, { name: 'healthy', addresses: [real2], token: TEST_TOKEN });
    const collector = new Collector(db, parseEnv({}), { intervalMs: 1000 });
    const runMs = 6500;
    collector.start();
    try {
      await sleep(runMs);
    } finally {
      collector.stop();
    }
    const rows = db.select().from(lagSamples).all();
    const onlineSeconds = (clusterId: number, memberId: string) =>
      new Set(rows.filter((r) => r.clusterId === clusterId && r.memberId === memberId && r.online).map((r) => r.ts)).size;
    // a round a second for 6.5 s: 6 or 7 seconds sampled; one trickling member used to stop them all after the first
    expect(onlineSeconds(mixed.id, 'member-1'), `member-1 in ${JSON.stringify(rows.filter((r) => r.clusterId === mixed.id))}`).toBeGreaterThanOrEqual(6);
    expect(onlineSeconds(healthy.id, 'member-2')).toBeGreaterThanOrEqual(6);
    // the trickling member (known by its address only: it never answered): offline in every round
    const fakeRows = rows.filter((r) => r.memberId === fake.address);
    expect(new Set(fakeRows.map((r) => r.ts)).size).toBeGreaterThanOrEqual(6);
    expect(fakeRows.every((r) => !r.online)).toBe(true);
    const report = collector.latest.get(mixed.id)?.report;
    expect(report?.members.find((m) => m.address === real1)).toMatchObject({ reachable: true, id: 'member-1' });
    const slow = report?.members.find((m) => m.address === fake.address);
    expect(slow).toMatchObject({ reachable: false });
    expect(slow?.error).toMatch(/^slow: no answer to \/status within 800 ms|did not send all of its answer to GET \/status within 1\.5 s/);
    // asked again after each deadline, never piled up: one probe (two requests) in flight at most
    expect(fake.asked.filter((p) => p === '/status').length).toBeGreaterThanOrEqual(3);
    expect(fake.maxOpen()).toBeLessThanOrEqual(2);
    db.$client.close();
  }, 60_000);
});
