/**
 * A slow peer does not hang a backup: a trickling member (a real HTTP server in front of a real member that
 * passes its /cluster and /status through but sends the store, the transaction stream, or /status itself one
 * byte every 500 ms) fails `txline database backup --from=<it>` within 30 s of the trickle's start with exit
 * code 1, a message that names its address, and nothing written into the backup folder. With the default
 * bounds: these are what a user gets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, tempFolders, waitForConvergence, type TestCluster } from '../helpers/cluster';
import { expectOnlyArtifacts, leftovers, runTxline, writeTx } from '../helpers/engine';
import { trickleMember, type TrickleMember } from '../helpers/trickle';

let cluster: TestCluster;
const fakes: TrickleMember[] = [];
const { folder, removeAll } = tempFolders('slow-peer');

beforeAll(async () => {
  cluster = await startTestCluster({ members: 1, secondaries: 0 });
  await writeTx(cluster.writer, 'neo4j', 20);
});

afterAll(async () => {
  for (const f of fakes) await f.close();
  await cluster?.stop();
  removeAll();
});

const cli = (args: string[]) => runTxline(args, { addresses: cluster.addresses, timeoutMs: 90_000 });

async function fake(trickled: RegExp): Promise<TrickleMember> {
  const f = await trickleMember(cluster.addresses[0], { trickle: (req) => trickled.test(req.url ?? '') });
  fakes.push(f);
  return f;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('a member that trickles one byte every 500 ms', () => {
  it('fails a full backup (store stream), a differential (transaction stream) and one whose /status trickles, within 30 s, naming it, leaving nothing behind', async () => {
    const [storeFake, txFake, statusFake] = await Promise.all([fake(/^\/db\/neo4j\/store/), fake(/^\/db\/neo4j\/tx/), fake(/^\/status/)]);
    const fullDir = folder('full');
    const diffDir = folder('diff');
    const statusDir = folder('status');
    // the differential needs a parent: a full from the real member
    const seed = await cli(['database', 'backup', `--to-path=${diffDir}`, 'neo4j']);
    expect(seed.code, seed.stderr).toBe(0);
    const [parent] = expectOnlyArtifacts(diffDir);
    await writeTx(cluster.writer, 'neo4j', 5);
    await waitForConvergence(cluster, 'neo4j');

    const timed = async (args: string[]) => {
      const t0 = Date.now();
      const r = await cli(args);
      return { ...r, ms: Date.now() - t0, endedAt: Date.now() };
    };
    /** ms from `since` (which must have happened: a bound from nothing would pass) to the end of the run */
    const after = (since: number | null, r: { endedAt: number; stderr: string }, what: string) => {
      expect(since, `${what} never happened: ${r.stderr}`).not.toBeNull();
      return r.endedAt - (since as number);
    };
    const [full, diff, status] = await Promise.all([
      timed(['database', 'backup', `--from=${storeFake.address}`, '--type=full', `--to-path=${fullDir}`, 'neo4j']),
      timed(['database', 'backup', `--from=${txFake.address}`, '--type=diff', `--to-path=${diffDir}`, 'neo4j']),
      timed(['database', 'backup', `--from=${statusFake.address}`, `--to-path=${statusDir}`, 'neo4j']),
    ]);

    // each fake was really asked for what it trickles
    expect(storeFake.asked.some((p) => p.startsWith('/db/neo4j/store'))).toBe(true);
    expect(txFake.asked.some((p) => p.startsWith('/db/neo4j/tx'))).toBe(true);
    expect(statusFake.asked).toContain('/status');

    for (const [r, f, dir, what] of [
      [full, storeFake, fullDir, 'GET /db/neo4j/store'],
      [diff, txFake, diffDir, 'GET /db/neo4j/tx'],
    ] as const) {
      // from the trickle's first byte (the process's own start is not the member's doing; on a loaded
      // machine it takes seconds), and the whole run, which without the bound never ends
      expect(after(f.trickleStartedAt(), r, `the trickle of ${what}`), r.stderr).toBeLessThan(30_000);
      expect(r.ms, r.stderr).toBeLessThan(45_000);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`${escape(f.address)} is too slow: it sent only \\d+ bytes of its answer to ${escape(what)}`));
      expect(leftovers(dir), dir).toEqual([]);
    }
    expect(expectOnlyArtifacts(fullDir)).toEqual([]);
    expect(expectOnlyArtifacts(diffDir)).toEqual([parent]);

    // /status within the topology's 5 s of its asking (the process's start-up, seconds on a loaded machine,
    // is not the member's): the only server given could not be reached, and says why
    expect(after(statusFake.firstAsked('/status'), status, 'a /status'), status.stderr).toBeLessThan(15_000);
    expect(status.ms, status.stderr).toBeLessThan(45_000);
    expect(status.code, status.stderr).toBe(1);
    expect(status.stderr).toContain(`${statusFake.address} did not send all of its answer to GET /status within 5 s`);
    expect(expectOnlyArtifacts(statusDir)).toEqual([]);
  }, 120_000);
});
