/**
 * kill -9 of the backup CLI at random moments (24 trials): full and differential backups, compressed or not,
 * some with --keep-failed, streaming a store of a few MB through a throttling proxy so that kills land while the
 * artifact is being written (and some at any moment from start-up on). After every kill, the folder lists only
 * whole artifacts (each one's payload verifies), the lock is free, and the next backup succeeds and clears what
 * the killed process left (its temporary file, and the lock file with its owner). At the end the chain restores
 * to the writer's exact content.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listArtifacts } from '../../lib/engine/artifact';
import { backupDatabases } from '../../lib/engine/backup';
import { chainTo } from '../../lib/engine/chain';
import { inspect } from '../../lib/engine/inspect';
import { restore } from '../../lib/engine/restore';
import { silentLog } from '../../lib/engine/progress';
import { startTestCluster, tempDir, waitForConvergence, type TestCluster } from '../helpers/cluster';
import { captureLog, collect, inspectCli, sourceFor, spawnTxline, throttleProxy, verifyFolder, writeMany, type ThrottleProxy } from '../helpers/engine';

let cluster: TestCluster;
let proxy: ThrottleProxy;
let dir: string;

/** One transaction of ten nodes holding ~6 KB of random text each (it does not compress away). */
const blobTx = (i: number) =>
  Array.from({ length: 10 }, (_, j) => ({ op: 'createNode' as const, labels: ['Blob'], properties: { i, j, data: randomBytes(4500).toString('base64') } }));

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2, secondaries: 0 });
  dir = tempDir('kill');
  await writeMany(cluster.writer, 'neo4j', 60, blobTx);
  await waitForConvergence(cluster, 'neo4j');
  proxy = await throttleProxy(cluster.clients['member-2'].address);
});

afterAll(async () => {
  await proxy?.close();
  await cluster?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const TRIALS = 24;

describe('kill -9 of the backup process', () => {
  it(`never leaves a partial artifact, and the next backup succeeds (${TRIALS} trials)`, async () => {
    let seq = 0;
    const stats = { midWrite: 0, beforeWrite: 0, completedAnyway: 0, keptFailed: 0 };
    for (let i = 0; i < TRIALS; i++) {
      // a few new transactions each time, so differentials have something to write
      await writeMany(cluster.writer, 'neo4j', 3, (k) => blobTx(1000 + seq++ + k), 3);
      await waitForConvergence(cluster, 'neo4j');
      const full = i % 3 === 0;
      const compress = i % 2 === 0;
      const keepFailed = i % 5 === 0;
      // the store (~4 MB) at 8 MiB/s, a differential (~200 KB) at 400 KiB/s: half a second of writing either way
      proxy.set({ bytesPerSecond: full ? 8 * 1024 * 1024 : 400 * 1024 });
      const before = new Set(listArtifacts(dir).artifacts.map((a) => a.file));
      const args = ['database', 'backup', `--from=${proxy.address}`, `--to-path=${dir}`, `--type=${full ? 'full' : 'auto'}`, `--compress=${compress}`, `--keep-failed=${keepFailed}`, 'neo4j'];
      const child = spawnTxline(args, { addresses: cluster.addresses });
      const exited = collect(child, 60_000, args);

      let tempAtKill = false;
      if (i % 4 === 0) {
        // any moment from start-up on
        await sleep(Math.floor(Math.random() * 1500));
      } else {
        // a random moment after the temporary artifact appeared
        const deadline = Date.now() + 20_000;
        while (Date.now() < deadline && child.exitCode === null && !fs.readdirSync(dir).some((n) => n.startsWith(`.txline-partial-neo4j-${child.pid}-`))) await sleep(3);
        await sleep(Math.floor(Math.random() * 500));
      }
      tempAtKill = fs.readdirSync(dir).some((n) => n.startsWith(`.txline-partial-neo4j-${child.pid}-`));
      child.kill('SIGKILL');
      const r = await exited;
      const what = `trial ${i} (${full ? 'full' : 'auto'}, compress=${compress}, keep-failed=${keepFailed})`;
      if (r.signal !== 'SIGKILL') {
        // it finished before the kill: it must have succeeded
        expect(r.code, `${what}: ${r.stderr}`).toBe(0);
        stats.completedAnyway++;
      } else if (tempAtKill) stats.midWrite++;
      else stats.beforeWrite++;

      // only whole artifacts are listed, and each verifies
      const files = await verifyFolder(dir);
      expect((await inspect({ path: dir, empty: true })).rows.map((x) => x.file).sort(), what).toEqual([...files].sort());
      const added = files.filter((f) => !before.has(f));
      expect(added.length, what).toBeLessThanOrEqual(1);

      // the lock went with the process; the next backup succeeds and clears what the killed one left
      const log = captureLog();
      const next = await backupDatabases({
        source: sourceFor(cluster),
        explicitSources: false,
        toPath: dir,
        type: 'auto',
        preferDiffAsParent: false,
        compress: !compress,
        keepFailed: false,
        fallbackToFull: true,
        maxLag: 1000,
        databases: ['neo4j'],
        log,
      });
      expect(next.exitCode, `${what}: ${log.text()}`).toBe(0);
      const left = fs.readdirSync(dir);
      expect(left.filter((n) => n.startsWith('.txline-partial-')), what).toEqual([]);
      // the killed run's lock and owner were taken over and removed: artifacts and kept attempts only
      expect(left.filter((n) => !n.endsWith('.backup') && !/^neo4j-interrupted-\d+(-\d+)?\.backup\.failed$/.test(n)), what).toEqual([]);
      if (left.includes(`neo4j-interrupted-${child.pid}.backup.failed`)) {
        expect(keepFailed, what).toBe(true);
        stats.keptFailed++;
      }
      if (r.signal === 'SIGKILL' && tempAtKill) expect(log.text(), what).toMatch(new RegExp(`(removed|kept interrupted attempt) .txline-partial-neo4j-${child.pid}-`));
    }

    // the kills landed where they should: mostly while writing (the figures are printed for the record)
    console.info(`kill -9 of backups: ${TRIALS} trials, ${stats.midWrite} while writing the artifact, ${stats.beforeWrite} before, ${stats.completedAnyway} finished first, ${stats.keptFailed} kept with --keep-failed; no partial artifact listed`);
    expect(stats.midWrite, JSON.stringify(stats)).toBeGreaterThanOrEqual(10);
    expect(stats.midWrite + stats.beforeWrite + stats.completedAnyway).toBe(TRIALS);

    // every artifact belongs to an intact chain, and the latest restores to the writer's exact content
    const all = listArtifacts(dir).artifacts;
    for (const a of all) expect(chainTo(a, all).ok, a.file).toBe(true);
    expect((await inspectCli(dir)).length).toBe(all.length);
    const restored = await restore({ fromPaths: [dir], target: 'killcopy', point: { kind: 'latest' }, overwrite: true, source: sourceFor(cluster), log: silentLog });
    expect(restored.install.digest).toEqual(await cluster.writer.digest('neo4j'));
    // 24 CLI processes and 24 backups: more than the default minute on two busy cores
  }, 300_000);
});
