/**
 * Where backups come from and what the log says, on a real cluster (member-1 the writer, member-2 a primary
 * follower, member-3 a secondary) through the `txline` CLI: a --from secondary behind the parent (a full, saying
 * why, or a failure with --fallback-to-full=false); --verbose debug lines; and a restore while a member is down
 * (a warning naming it, exit 1, restored on the others).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberClient } from '../../lib/cluster/client';
import { dbStatus, startTestCluster, tempDir, waitFor, waitForConvergence, waitForDatabases, type TestCluster } from '../helpers/cluster';
import { inspectCli, jsonlLines, runTxline, snapshotDir, verifyFolder, writeTx } from '../helpers/engine';

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

describe('choosing the source', () => {
  it('--from=<a secondary behind the parent>: a full, saying why; with --fallback-to-full=false it fails and writes nothing', async () => {
    const dir = folder('behind');
    await waitForConvergence(cluster, 'neo4j');
    expect((await cli(['database', 'backup', `--from=${addr['member-1']}`, `--to-path=${dir}`, 'neo4j'])).code).toBe(0);
    await paused(['member-3'], async () => {
      const behindAt = (await dbStatus(cluster.clients['member-3'], 'neo4j'))?.lastCommittedTxn ?? -1;
      const tip = await writeAhead(4, ['member-3']);
      expect((await cli(['database', 'backup', `--from=${addr['member-1']}`, `--to-path=${dir}`, 'neo4j'])).code).toBe(0);
      const parent = (await inspectCli(dir))[0];
      expect(parent).toMatchObject({ full: false, highestTx: tip });

      const before = snapshotDir(dir);
      const refused = await cli(['database', 'backup', `--from=${addr['member-3']}`, '--fallback-to-full=false', `--to-path=${dir}`, 'neo4j']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `cannot take a differential backup of neo4j: member-3 is at transaction ${behindAt}, behind the parent backup ${parent.file} (transaction ${tip}), so a differential cannot follow it; not falling back to a full backup (--fallback-to-full=false) (FALLBACK_DISABLED)`,
      );
      expect(snapshotDir(dir)).toEqual(before);

      const r = await cli(['database', 'backup', `--from=${addr['member-3']}`, `--to-path=${dir}`, 'neo4j']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(
        new RegExp(`WARN.*Falling back to a full backup of neo4j from member-3 \\(${esc(addr['member-3'])}, secondary\\): member-3 is at transaction ${behindAt}, behind the parent backup ${esc(parent.file)}`),
      );
      expect((await inspectCli(dir))[0]).toMatchObject({ full: true, member: 'member-3', highestTx: behindAt });
    });
    expect(await verifyFolder(dir)).toHaveLength(3);
  });
});

describe('--verbose', () => {
  it('adds debug lines: each source considered, each range received, each artifact read or checked', async () => {
    const dir = folder('verbose');
    await waitForConvergence(cluster, 'neo4j');
    const quiet = await cli(['database', 'backup', '--compress=false', `--to-path=${dir}`, 'neo4j']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toMatch(/DEBUG/);

    const tip = await writeTx(cluster.writer, 'neo4j', 3, 'verbose');
    await waitForConvergence(cluster, 'neo4j');
    const diff = await cli(['database', 'backup', '--verbose', `--to-path=${dir}`, 'neo4j']);
    expect(diff.code, diff.stderr).toBe(0);
    for (const [id, role] of [['member-1', 'writer'], ['member-2', 'follower'], ['member-3', 'secondary']]) {
      expect(diff.stderr).toMatch(new RegExp(`DEBUG \\(txline\\): considering ${id} \\(${esc(addr[id])}\\) for neo4j: ${role}, online, transactions \\d+\\.\\.${tip} in its log, lag 0`));
    }
    expect(diff.stderr).toMatch(new RegExp(`DEBUG \\(txline\\): received transactions ${tip - 2}\\.\\.\\d+ of neo4j from member-3`));
    const full = await cli(['database', 'backup', '--verbose', '--type=full', `--to-path=${dir}`, 'neo4j']);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stderr).toMatch(/DEBUG \(txline\): received bytes 0\.\.(\d+) of \1 of the store of neo4j from member-3/);

    const rows = await inspectCli(dir);
    const restored = await cli(['database', 'restore', '--verbose', `--from-path=${path.join(dir, rows[1].file)}`, 'verbosecopy']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stderr).toMatch(/DEBUG \(txline\): rebuilding the store in /);
    for (const r of rows.slice(1)) expect(restored.stderr).toMatch(new RegExp(`DEBUG \\(txline\\): reading ${esc(r.file)}: ${r.full ? 'full' : 'differential'}`));
    const checked = await cli(['database', 'check', '--verbose', `--from-path=${dir}`, `--report-path=${dir}`, 'neo4j']);
    expect(checked.code, checked.stderr).toBe(0);
    for (const r of rows) expect(checked.stderr).toMatch(new RegExp(`DEBUG \\(txline\\): checking ${esc(r.file)}`));
  });
});

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
