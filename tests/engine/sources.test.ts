/**
 * Restoring into a cluster with a member down, on a real cluster (member-1 the writer, member-2 a primary
 * follower, member-3 a secondary) through the `txline` CLI: a warning naming the member, exit 1 (restored with
 * problems), the database restored on the reachable members, and the member catching up once it is back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberClient } from '../../lib/cluster/client';
import { dbStatus, startTestCluster, tempDir, waitFor, waitForConvergence, waitForDatabases, type TestCluster } from '../helpers/cluster';
import { inspectCli, jsonlLines, runTxline, writeTx } from '../helpers/engine';

let cluster: TestCluster;
let addr: Record<string, string>;
const dirs: string[] = [];
function folder(name: string): string {
  const d = tempDir(`sources-${name}`);
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  cluster = await startTestCluster({ members: 3, secondaries: 1, databases: ['neo4j', 'gamma', 'gate'] });
  addr = Object.fromEntries(cluster.sup.info().members.map((m) => [m.id, m.address]));
  await writeTx(cluster.writer, 'neo4j', 5);
  await writeTx(cluster.writer, 'gamma', 2);
  await writeTx(cluster.writer, 'gate', 2);
  for (const db of ['neo4j', 'gamma', 'gate']) await waitForConvergence(cluster, db);
});

afterAll(async () => {
  await cluster?.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const cli = (args: string[]) => runTxline(args, { addresses: cluster.addresses });
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const pausedNow = new Set<string>();

/** Stops replication on `ids`, runs `fn`, and resumes it (then, once none is paused, waits until every member caught up). */
async function paused<T>(ids: string[], fn: () => Promise<T>): Promise<T> {
  for (const id of ids) {
    await cluster.clients[id].replication({ paused: true });
    pausedNow.add(id);
  }
  try {
    return await fn();
  } finally {
    for (const id of ids) {
      await cluster.clients[id].replication({ paused: false });
      pausedNow.delete(id);
    }
    if (pausedNow.size === 0) for (const db of ['neo4j', 'gamma', 'gate']) await waitForConvergence(cluster, db);
  }
}

/** Writes `n` transactions; waits until every member but `behind` has them, and those know how far behind they are. */
async function writeAhead(n: number, behind: string[]): Promise<number> {
  const tip = await writeTx(cluster.writer, 'neo4j', n, 'ahead');
  await waitFor(`the members other than ${behind.join(', ')} at ${tip}`, async () => {
    for (const [id, c] of Object.entries(cluster.clients) as Array<[string, MemberClient]>) {
      const d = await dbStatus(c, 'neo4j');
      if (!d) return false;
      if (behind.includes(id) ? d.lastCommittedTxn + -d.replicationLag !== tip : d.lastCommittedTxn < tip) return false;
    }
    return true;
  });
  return tip;
}

describe('restore with a member down', () => {
  it('warns naming the member, exits 1 (restored with problems), and restores on the reachable members', async () => {
    const dir = folder('member-down');
    await waitForConvergence(cluster, 'neo4j');
    expect((await cli(['database', 'backup', `--to-path=${dir}`, 'neo4j'])).code).toBe(0);
    const [artifact] = await inspectCli(dir);
    const want = await cluster.writer.digest('neo4j');
    await cluster.sup.stopMember('member-3');
    try {
      const r = await cli(['database', 'restore', `--from-path=${dir}`, '--progress=jsonl', 'copy2']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`WARN.*server ${esc(addr['member-3'])} \\(member-3\\) could not be reached: .*; copy2 is restored on the reachable members only`));
      expect(r.stderr).toMatch(new RegExp(`INFO.*Restored copy2 at transaction ${artifact.highestTx} with new store ID [0-9a-f-]+ on 2 member\\(s\\)`));
      expect(r.stderr).toMatch(/WARN.*Restored copy2 with problems: 1 server\(s\) could not be reached/);
      const result = jsonlLines(r.stdout).at(-1);
      expect(result).toMatchObject({ event: 'result', phase: 'result', exitCode: 1, database: 'copy2', restoredTx: artifact.highestTx });
      expect(result?.problems).toEqual([expect.stringContaining('(member-3) could not be reached')]);
      for (const id of ['member-1', 'member-2']) {
        const d = await cluster.clients[id].digest('copy2');
        expect({ nodes: d.nodes, relationships: d.relationships, contentHash: d.contentHash }, id).toEqual({ nodes: want.nodes, relationships: want.relationships, contentHash: want.contentHash });
      }
    } finally {
      await cluster.sup.startMember('member-3');
    }
    // back up, the member catches up with the restored database
    await waitForDatabases(Object.values(cluster.clients), cluster.writer, 60_000);
    expect((await cluster.clients['member-3'].digest('copy2')).contentHash).toBe(want.contentHash);
  });
});
