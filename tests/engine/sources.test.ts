/**
 * Where backups come from and what the log says about it, on a real cluster (member-1 the writer, member-2 a
 * primary follower, member-3 a secondary) through the `txline` CLI: the source order (secondaries, then
 * followers, then the writer) and --max-lag passing over lagging members, saying so; --remote-address-resolution
 * against a --from that is taken as given; a --from secondary behind the parent (a full, saying why, or a failure
 * with --fallback-to-full=false); a parent whose last-transaction checksum does not match the source (a full,
 * naming the server); --verbose debug lines; a glob with one failing database (exit 1, the others backed up);
 * and a restore while a member is down (a warning naming it, exit 1, restored on the others).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemberClient } from '../../lib/cluster/client';
import { dbStatus, startTestCluster, tempFolders, waitFor, waitForConvergence, waitForDatabases, type TestCluster } from '../helpers/cluster';
import { escapeRegExp, expectOnlyArtifacts, inspectCli, jsonlLines, resealMetadata, runTxline, snapshotDir, verifyFolder, writeTx } from '../helpers/engine';

let cluster: TestCluster;
let addr: Record<string, string>;
const { folder, removeAll } = tempFolders('sources');

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
  removeAll();
});

const cli = (args: string[]) => runTxline(args, { addresses: cluster.addresses });

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
  it('secondaries, then primary followers, then the writer; --max-lag passes over members too far behind, saying so', async () => {
    const dir = folder('order');
    await waitForConvergence(cluster, 'neo4j');
    const first = await cli(['database', 'backup', `--to-path=${dir}`, 'neo4j']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/INFO.*source order for neo4j: member-3 \(secondary, lag 0\), member-2 \(follower, lag 0\), member-1 \(writer, lag 0\)/);
    expect(first.stderr).toMatch(/Full backup of neo4j from member-3 \(127\.0\.0\.1:\d+, secondary\)/);

    await paused(['member-3'], async () => {
      await writeAhead(10, ['member-3']);
      const r = await cli(['database', 'backup', '--max-lag=5', `--to-path=${dir}`, 'neo4j']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/INFO.*passing over member-3 \(secondary\) for neo4j: 10 transactions behind the writer \(--max-lag=5\)/);
      expect(r.stderr).toMatch(/source order for neo4j: member-2 \(follower, lag 0\), member-1 \(writer, lag 0\)/);
      await paused(['member-2'], async () => {
        await writeAhead(10, ['member-2', 'member-3']);
        const w = await cli(['database', 'backup', '--max-lag=5', `--to-path=${dir}`, 'neo4j']);
        expect(w.code, w.stderr).toBe(0);
        expect(w.stderr).toMatch(/passing over member-3 \(secondary\) for neo4j: 20 transactions behind the writer \(--max-lag=5\)/);
        expect(w.stderr).toMatch(/passing over member-2 \(follower\) for neo4j: 10 transactions behind the writer \(--max-lag=5\)/);
        expect(w.stderr).toMatch(/source order for neo4j: member-1 \(writer, lag 0\)\n/);
      });
    });
    const rows = await inspectCli(dir);
    expect(rows.map((x) => [x.member, x.full]).reverse()).toEqual([
      ['member-3', true],
      ['member-2', false],
      ['member-1', false],
    ]);
    expect(await verifyFolder(dir)).toHaveLength(3);
  });

  it('--from is taken as given; with --remote-address-resolution the cluster behind it chooses', async () => {
    await waitForConvergence(cluster, 'neo4j');
    const given = folder('from-given');
    const r = await cli(['database', 'backup', `--from=${addr['member-1']}`, `--to-path=${given}`, 'neo4j']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/source order/);
    expect((await inspectCli(given))[0].member).toBe('member-1');

    const resolved = folder('from-resolved');
    const rr = await cli(['database', 'backup', `--from=${addr['member-1']}`, '--remote-address-resolution', `--to-path=${resolved}`, 'neo4j']);
    expect(rr.code, rr.stderr).toBe(0);
    expect(rr.stderr).toMatch(/source order for neo4j: member-3 \(secondary, lag 0\), member-2 \(follower, lag 0\), member-1 \(writer, lag 0\)/);
    expect((await inspectCli(resolved))[0].member).toBe('member-3');
    // =false is the default: the same as without it
    const off = folder('from-off');
    const ro = await cli(['database', 'backup', `--from=${addr['member-2']}`, '--remote-address-resolution=false', `--to-path=${off}`, 'neo4j']);
    expect(ro.code, ro.stderr).toBe(0);
    expect((await inspectCli(off))[0].member).toBe('member-2');
  });

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
        new RegExp(`WARN.*Falling back to a full backup of neo4j from member-3 \\(${escapeRegExp(addr['member-3'])}, secondary\\): member-3 is at transaction ${behindAt}, behind the parent backup ${escapeRegExp(parent.file)}`),
      );
      expect((await inspectCli(dir))[0]).toMatchObject({ full: true, member: 'member-3', highestTx: behindAt });
    });
    expect(await verifyFolder(dir)).toHaveLength(3);
  });
});

describe('fallbacks', () => {
  it("a parent whose last-transaction checksum does not match the source: a full from the named server, or a failure with --fallback-to-full=false", async () => {
    const dir = folder('checksum');
    await waitForConvergence(cluster, 'neo4j');
    expect((await cli(['database', 'backup', `--to-path=${dir}`, 'neo4j'])).code).toBe(0);
    const [parent] = await inspectCli(dir);
    await writeTx(cluster.writer, 'neo4j', 3, 'after-parent');
    await waitForConvergence(cluster, 'neo4j');
    // the parent now says its last transaction had another checksum (its metadata sealed again, so it reads back whole)
    const file = path.join(dir, parent.file);
    const meta = JSON.parse(fs.readFileSync(file).toString('utf8', 512, 512 + 8192)) as { lastTxChecksum: number };
    resealMetadata(file, { lastTxChecksum: (meta.lastTxChecksum + 1) >>> 0 });
    expect(await verifyFolder(dir)).toEqual([parent.file]);

    // compared on the parent's own last transaction when the member still holds it, else on the next one's back-link
    const tx = parent.highestTx;
    const why = `(the checksum of transaction ${tx} on member-3 does not match the parent ${escapeRegExp(parent.file)}|transaction ${tx + 1} on member-3 does not follow the parent ${escapeRegExp(parent.file)}: the checksum of transaction ${tx} differs)`;
    const before = snapshotDir(dir);
    const refused = await cli(['database', 'backup', '--fallback-to-full=false', `--to-path=${dir}`, 'neo4j']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`cannot take a differential backup of neo4j: ${why}; not falling back`));
    expect(snapshotDir(dir)).toEqual(before);

    const r = await cli(['database', 'backup', `--to-path=${dir}`, 'neo4j']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`WARN.*Falling back to a full backup of neo4j from member-3 \\(${escapeRegExp(addr['member-3'])}, secondary\\): ${why}`));
    const rows = await inspectCli(dir);
    expect(rows.map((x) => [x.full, x.lowestTx, x.highestTx])).toEqual([
      [true, 1, parent.highestTx + 3],
      [true, 1, parent.highestTx],
    ]);
    expect(expectOnlyArtifacts(dir)).toHaveLength(2);
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
      expect(diff.stderr).toMatch(new RegExp(`DEBUG \\(txline\\): considering ${id} \\(${escapeRegExp(addr[id])}\\) for neo4j: ${role}, online, transactions \\d+\\.\\.${tip} in its log, lag 0`));
    }
    expect(diff.stderr).toMatch(new RegExp(`DEBUG \\(txline\\): received transactions ${tip - 2}\\.\\.\\d+ of neo4j from member-3`));
    const full = await cli(['database', 'backup', '--verbose', '--type=full', `--to-path=${dir}`, 'neo4j']);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stderr).toMatch(/DEBUG \(txline\): received bytes 0\.\.(\d+) of \1 of the store of neo4j from member-3/);

    const rows = await inspectCli(dir);
    const restored = await cli(['database', 'restore', '--verbose', `--from-path=${path.join(dir, rows[1].file)}`, 'verbosecopy']);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stderr).toMatch(/DEBUG \(txline\): rebuilding the store in /);
    for (const r of rows.slice(1)) expect(restored.stderr).toMatch(new RegExp(`DEBUG \\(txline\\): reading ${escapeRegExp(r.file)}: ${r.full ? 'full' : 'differential'}`));
    const checked = await cli(['database', 'check', '--verbose', `--from-path=${dir}`, `--report-path=${dir}`, 'neo4j']);
    expect(checked.code, checked.stderr).toBe(0);
    for (const r of rows) expect(checked.stderr).toMatch(new RegExp(`DEBUG \\(txline\\): checking ${escapeRegExp(r.file)}`));
  });
});

describe('several databases', () => {
  it('a glob with one database failing: exit 1, the others are backed up', async () => {
    const dir = folder('glob-fail');
    for (const c of Object.values(cluster.clients)) await c.stopDatabase('gate');
    try {
      await waitFor('gate offline everywhere', async () => {
        for (const c of Object.values(cluster.clients)) if ((await dbStatus(c, 'gate'))?.status !== 'offline') return false;
        return true;
      });
      const r = await runTxline(['database', 'backup', '--progress=jsonl', `--to-path=${dir}`, 'ga*'], { addresses: cluster.addresses });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/passing over member-\d \(127\.0\.0\.1:\d+\) for gate: the database is offline there/);
      expect(r.stderr).toMatch(/ERROR.*Backup of gate failed: no server can serve a backup of gate/);
      expect(r.stderr).toMatch(/Finished full backup of gamma from member-3/);
      const result = jsonlLines(r.stdout).at(-1);
      expect(result).toMatchObject({ event: 'result', phase: 'result', exitCode: 1 });
      expect((result?.results as Array<{ database: string; ok: boolean }>).map((x) => [x.database, x.ok])).toEqual([
        ['gamma', true],
        ['gate', false],
      ]);
      expect((await inspectCli(dir)).map((x) => x.database)).toEqual(['gamma']);
      expect(expectOnlyArtifacts(dir)).toHaveLength(1);
    } finally {
      for (const c of Object.values(cluster.clients)) await c.startDatabase('gate');
      await waitForDatabases(Object.values(cluster.clients), cluster.writer);
    }
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
      expect(r.stderr).toMatch(new RegExp(`WARN.*server ${escapeRegExp(addr['member-3'])} \\(member-3\\) could not be reached: .*; copy2 is restored on the reachable members only`));
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
