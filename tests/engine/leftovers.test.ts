/**
 * What engine runs leave behind, on a real cluster through the `txline` CLI: nothing. The lock file and its
 * .owner go when a run ends, whether it succeeded or failed, and none is made for a database that does not
 * exist; after a `kill -9` the next run takes the stale lock over and removes it at its end. A killed backup's
 * temporary artifact in its --temp-path is removed by the next backup into the same --to-path (without
 * --temp-path); a backup with --temp-path leaves nothing there. Killed restores, aggregations and checks leave
 * their work folders (named with their process ID), and the next engine run removes them.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, tempFolders, waitFor, waitForConvergence, type TestCluster } from '../helpers/cluster';
import { collect, escapeRegExp, expectOnlyArtifacts, inspectCli, runTxline, spawnTxline, throttleProxy, verifyFolder, waitForFile, writeMany, writeTx } from '../helpers/engine';

let cluster: TestCluster;
const { folder, removeAll } = tempFolders('leftovers');

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
  removeAll();
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

describe('temporary files', () => {
  it('a backup with --temp-path writes its artifact through it and leaves nothing there', async () => {
    const dir = folder('temp-target');
    const temp = folder('temp-temp');
    for (const args of [['--type=full'], [], ['--compress=false', '--type=full']]) {
      const r = await cli(['database', 'backup', `--temp-path=${temp}`, `--to-path=${dir}`, ...args, 'big']);
      expect(r.code, r.stderr).toBe(0);
      expect(fs.readdirSync(temp), args.join(' ')).toEqual([]);
    }
    expect(expectOnlyArtifacts(dir)).toHaveLength(3);
    expect(await verifyFolder(dir)).toHaveLength(3);
  });

  it("a killed backup's temporary file in its --temp-path is removed by the next backup into the same --to-path", async () => {
    const dir = folder('killed-target');
    const temp = folder('killed-temp');
    const proxy = await throttleProxy(cluster.clients['member-2'].address);
    proxy.hold(256 * 1024);
    try {
      const child = spawnTxline(['database', 'backup', `--from=${proxy.address}`, '--type=full', `--temp-path=${temp}`, `--to-path=${dir}`, 'big'], { addresses: cluster.addresses });
      const exited = collect(child, 60_000);
      const partial = await waitForFile(temp, /^\.txline-partial-big-/, child);
      expect(partial).toMatch(new RegExp(`^\\.txline-partial-big-${child.pid}-[0-9a-f]+\\.tmp$`));
      await waitFor('the backup to be writing', () => proxy.streamed() >= 192 * 1024);
      child.kill('SIGKILL');
      expect((await exited).signal).toBe('SIGKILL');
      expect(fs.readdirSync(temp)).toEqual([partial]);
      expect(JSON.parse(fs.readFileSync(path.join(dir, '.txline-lock-big.owner'), 'utf8')).tempDirs).toEqual([temp]);

      // the next backup has no --temp-path: the killed run's record of it is what leads there
      const next = await cli(['database', 'backup', `--to-path=${dir}`, 'big']);
      expect(next.code, next.stderr).toBe(0);
      expect(next.stderr).toContain(`removed ${partial}, left by an interrupted backup (process ${child.pid})`);
      expect(fs.readdirSync(temp)).toEqual([]);
      expect(expectOnlyArtifacts(dir)).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });
});

describe('work folders of restore, aggregate and check', () => {
  /** Starts `args` and kills it (-9) while its work folder `txline-<kind>-pid<pid>-...` exists in `work`. */
  async function killInWork(kind: string, args: string[], work: string): Promise<string> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const child = spawnTxline(args, { addresses: cluster.addresses });
      const exited = collect(child, 60_000, args);
      const name = await waitForFile(work, new RegExp(`^txline-${kind}-pid${child.pid}-`), child, 30_000);
      if (name) child.kill('SIGKILL');
      const r = await exited;
      if (name && r.signal === 'SIGKILL') {
        expect(fs.existsSync(path.join(work, name)), `${name} is left by the killed ${kind}`).toBe(true);
        return name;
      }
      // it finished before the kill could land: its folder must be gone, then try again
      expect(r.code, r.stderr).toBe(0);
      expect(fs.readdirSync(work).filter((n) => n.includes(`-pid${child.pid}-`))).toEqual([]);
    }
    throw new Error(`could not kill ${kind} while it was working`);
  }

  it('are named with the process ID; what killed runs left is removed by the next run of any of them', async () => {
    const dir = folder('work-backups');
    expect((await cli(['database', 'backup', `--to-path=${dir}`, '--compress=false', 'big'])).code).toBe(0);
    await writeTx(cluster.writer, 'big', 3);
    await waitForConvergence(cluster, 'big');
    expect((await cli(['database', 'backup', `--to-path=${dir}`, 'big'])).code).toBe(0);

    // one work folder each (a later run cleans every kind, so the kills must not see each other's)
    const [w1, w2, w3] = [folder('work-1'), folder('work-2'), folder('work-3')];
    const restoreLeft = await killInWork('restore', ['database', 'restore', `--from-path=${dir}`, `--temp-path=${w1}`, '--overwrite-destination', 'bigcopy'], w1);
    const aggregateLeft = await killInWork('aggregate', ['backup', 'aggregate', `--from-path=${dir}`, `--temp-path=${w2}`, '--keep-old-backup', 'big'], w2);
    const checkLeft = await killInWork('check', ['database', 'check', `--from-path=${dir}`, `--temp-path=${w3}`, `--report-path=${w3}`, 'big'], w3);
    expect(fs.readdirSync(w1)).toEqual([restoreLeft]);
    expect(fs.readdirSync(w3)).toEqual([checkLeft]);
    // (a killed aggregation may also have left its temporary artifact)
    const aggregatePid = /-pid(\d+)-/.exec(aggregateLeft)?.[1];
    expect(fs.readdirSync(w2).filter((n) => !n.startsWith(`.txline-partial-big-${aggregatePid}-`))).toEqual([aggregateLeft]);

    const removed = (stderr: string, kind: string, work: string, name: string) => {
      const pid = /-pid(\d+)-/.exec(name)?.[1];
      expect(stderr).toMatch(new RegExp(`removed ${escapeRegExp(path.join(work, name))}, left by an interrupted ${kind} \\(process ${pid}\\)`));
      expect(fs.readdirSync(work)).toEqual([]);
    };
    const checked = await cli(['database', 'check', `--from-path=${dir}`, `--temp-path=${w1}`, `--report-path=${w3}`, 'big']);
    expect(checked.code, checked.stderr).toBe(0);
    removed(checked.stderr, 'restore', w1, restoreLeft);
    const restored = await cli(['database', 'restore', `--from-path=${dir}`, `--temp-path=${w3}`, '--overwrite-destination', 'bigcopy']);
    expect(restored.code, restored.stderr).toBe(0);
    removed(restored.stderr, 'check', w3, checkLeft);
    const aggregated = await cli(['backup', 'aggregate', `--from-path=${dir}`, `--temp-path=${w2}`, '--keep-old-backup', 'big']);
    expect(aggregated.code, aggregated.stderr).toBe(0);
    removed(aggregated.stderr, 'aggregate', w2, aggregateLeft);
    expect(expectOnlyArtifacts(dir)).toHaveLength(3); // the chain of two, and the aggregate
  });
});
