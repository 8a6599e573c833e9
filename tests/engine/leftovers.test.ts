/**
 * What engine runs leave behind, on a real cluster through the `txline` CLI: nothing. The lock file and its
 * .owner go when a run ends, whether it succeeded or failed, and none is made for a database that does not
 * exist; after a `kill -9` the next run takes the stale lock over and removes it at its end.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, tempDir, waitFor, waitForConvergence, type TestCluster } from '../helpers/cluster';
import { collect, expectOnlyArtifacts, inspectCli, runTxline, spawnTxline, throttleProxy, verifyFolder, waitForFile, writeMany, writeTx } from '../helpers/engine';

let cluster: TestCluster;
const dirs: string[] = [];
function folder(name: string): string {
  const d = tempDir(`leftovers-${name}`);
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2, secondaries: 0, databases: ['neo4j', 'big'] });
  await writeTx(cluster.writer, 'neo4j', 5);
  // a store of ~8 MB (random text: it does not compress away), so restores and checks take a moment
  await writeMany(cluster.writer, 'big', 100, (i) =>
    Array.from({ length: 10 }, (_, j) => ({ op: 'createNode' as const, labels: ['Blob'], properties: { i, j, data: randomBytes(6000).toString('base64') } })),
  );
  for (const db of ['neo4j', 'big']) await waitForConvergence(cluster, db);
});

afterAll(async () => {
  await cluster?.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const cli = (args: string[]) => runTxline(args, { addresses: cluster.addresses });

describe('lock files', () => {
  it('go with the run, after a success and after a failure; none is made for a database that does not exist', async () => {
    const dir = folder('locks');
    const ok = await cli(['database', 'backup', `--to-path=${dir}`, 'neo4j']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(expectOnlyArtifacts(dir)).toHaveLength(1);

    // a failure after the lock was taken: a differential of a database with no backup yet, without falling back
    const failed = await cli(['database', 'backup', '--type=diff', '--fallback-to-full=false', `--to-path=${dir}`, 'big']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/cannot take a differential backup of big/);
    expect(expectOnlyArtifacts(dir)).toHaveLength(1);

    // a database that does not exist, alone and beside one that does
    const empty = folder('ghost');
    const ghost = await cli(['database', 'backup', `--to-path=${empty}`, 'ghost']);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toMatch(/no reachable server hosts database ghost/);
    expect(fs.readdirSync(empty)).toEqual([]);
    const mixed = await cli(['database', 'backup', `--to-path=${empty}`, 'neo4j', 'ghost']);
    expect(mixed.code).toBe(1);
    expect((await inspectCli(empty)).map((r) => r.database)).toEqual(['neo4j']);
    expect(expectOnlyArtifacts(empty)).toHaveLength(1);

    // aggregate takes the lock too, and leaves none
    await writeTx(cluster.writer, 'neo4j', 2);
    await waitForConvergence(cluster, 'neo4j');
    expect((await cli(['database', 'backup', `--to-path=${dir}`, 'neo4j'])).code).toBe(0);
    const agg = await cli(['backup', 'aggregate', `--from-path=${dir}`, 'neo4j']);
    expect(agg.code, agg.stderr).toBe(0);
    expect(expectOnlyArtifacts(dir)).toHaveLength(1); // the aggregate (the chain it folded was deleted)
  });

  it('after kill -9 the lock and its owner stay; the next run takes them over and removes them at its end', async () => {
    const dir = folder('kill-lock');
    const proxy = await throttleProxy(cluster.clients['member-2'].address);
    proxy.hold(256 * 1024);
    try {
      const child = spawnTxline(['database', 'backup', `--from=${proxy.address}`, '--type=full', `--to-path=${dir}`, 'big'], { addresses: cluster.addresses });
      const exited = collect(child, 60_000);
      expect(await waitForFile(dir, /^\.txline-partial-big-/, child)).not.toBeNull();
      await waitFor('the backup to be writing', () => proxy.streamed() >= 192 * 1024);
      child.kill('SIGKILL');
      expect((await exited).signal).toBe('SIGKILL');
      const left = fs.readdirSync(dir).sort();
      expect(left).toEqual(expect.arrayContaining(['.txline-lock-big', '.txline-lock-big.owner']));
      const owner = JSON.parse(fs.readFileSync(path.join(dir, '.txline-lock-big.owner'), 'utf8'));
      expect(owner).toMatchObject({ pid: child.pid, what: 'backup' });

      const next = await cli(['database', 'backup', `--to-path=${dir}`, 'big']);
      expect(next.code, next.stderr).toBe(0);
      expect(next.stderr).toMatch(new RegExp(`took over the lock on big from process ${child.pid} \\(backup since [^)]+\\), which is gone`));
      expect(next.stderr).toMatch(new RegExp(`removed \\.txline-partial-big-${child.pid}-[0-9a-f]+\\.tmp, left by an interrupted backup \\(process ${child.pid}\\)`));
      expect(expectOnlyArtifacts(dir)).toHaveLength(1);
      expect(await verifyFolder(dir)).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });
});
