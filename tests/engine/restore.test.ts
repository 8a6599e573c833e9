/**
 * Restore correctness, the way pgBackRest tests it: a writer commits a varied workload with marker nodes
 * (label Marker, property n) at known transaction IDs, recording the writer's digest right before and right after
 * each marker, while backups run on a schedule (a full, then differentials that land wherever the writes are). Then
 * every marker is restored by ID (--restore-until=markerTx+1 includes it, =markerTx excludes it) and by time (the
 * next whole UTC second after the marker's commit): exactly the earlier markers exist and the restored digest
 * equals the one recorded at that transaction, on every member. The same from a folder aggregated half-way, and
 * under another database name. After a restore into the source database, its next backup is a full with a new
 * store ID and the old timeline stays restorable.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Digest } from '../../lib/graph/store';
import { txlinePayload } from '../../lib/sources/txline/format';
import { aggregate } from '../../lib/engine/aggregate';
import { listArtifacts } from '../../lib/engine/artifact';
import { backupDatabases, type BackupOptions } from '../../lib/engine/backup';
import { chainTo } from '../../lib/engine/chain';
import { formatUtc, type RestorePoint } from '../../lib/engine/restore-plan';
import { inspect } from '../../lib/engine/inspect';
import { silentLog } from '../../lib/engine/progress';
import { restore } from '../../lib/engine/restore';
import { TxlineSource } from '../../lib/sources/txline/source';
import { dbStatus, digests, startTestCluster, tempFolders, waitFor, waitForConvergence, type TestCluster } from '../helpers/cluster';
import { backupOptions, captureLog, runTxline, sourceFor, verifyFolder, Workload } from '../helpers/engine';

let cluster: TestCluster;
const { folder, removeAll } = tempFolders('restore');

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2, secondaries: 0, databases: ['neo4j', 'lagdb'] });
});

afterAll(async () => {
  await cluster?.stop();
  removeAll();
});

interface Marker {
  n: number;
  tx: number;
  commitTime: number;
  /** the writer's digest at tx - 1 and at tx */
  before: Digest;
  after: Digest;
  /** the first whole second after the marker's commit; nothing else was committed before it */
  untilTime: number;
}

async function backupOk(toPath: string, over: Partial<BackupOptions> = {}) {
  const r = await backupDatabases(backupOptions(cluster, toPath, over));
  expect(r.results.map((x) => x.error?.message ?? 'ok')).toEqual(r.results.map(() => 'ok'));
  expect(r.exitCode).toBe(0);
  return r.results[0];
}

async function restoreTo(fromPath: string, target: string, point: RestorePoint) {
  return restore({ fromPaths: [fromPath], sourceDatabase: 'neo4j', target, point, overwrite: true, source: sourceFor(cluster), log: silentLog });
}

async function markerNs(db: string): Promise<number[]> {
  const nodes = await cluster.writer.nodes(db, 'Marker', 10_000);
  return nodes.map((n) => n.properties.n as number).sort((a, b) => a - b);
}

/** Every member holds the same content as the writer, which equals `want`. */
async function expectRestored(db: string, want: Digest, markers: number[], what: string) {
  const all = await digests(cluster, db);
  for (const [id, d] of Object.entries(all)) expect(d, `${what}: ${id}`).toEqual(want);
  expect(await markerNs(db), what).toEqual(markers);
}

const markers: Marker[] = [];
let plain: string; // every backup of the run
let aggregated: string; // the same backups, with the chain aggregated half-way
let aggregateTip = 0;
let firstFullTip = 0;
let lastTip = 0;

describe('restore to every marker', () => {
  it('writes markers while backups run on a schedule', async () => {
    plain = folder('plain');
    aggregated = folder('aggregated');
    const work = new Workload(cluster.writer, 'neo4j', 7);
    const K = 7;
    let writing = true;

    const writer = (async () => {
      try {
        for (let n = 1; n <= K; n++) {
          await work.write(8 + n * 3);
          const before = await cluster.writer.digest('neo4j');
          const { txId } = await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['Marker'], properties: { n } }]);
          const after = await cluster.writer.digest('neo4j');
          const st = await dbStatus(cluster.writer, 'neo4j');
          expect(before.lastCommittedTxn).toBe(txId - 1);
          expect(after.lastCommittedTxn).toBe(txId);
          expect(st?.lastCommittedTxn).toBe(txId);
          const commitTime = st?.lastCommitTime as number;
          const untilTime = Math.floor(commitTime / 1000) * 1000 + 1000;
          markers.push({ n, tx: txId, commitTime, before, after, untilTime });
          // nothing more is committed before the next whole second: a time restore to it ends at this marker
          await waitFor(`the clock to pass ${new Date(untilTime).toISOString()}`, () => Date.now() > untilTime + 1, 2000);
          await work.write(3);
        }
      } finally {
        writing = false;
      }
    })();

    // Backups on a schedule while the writer runs: a full after the first marker, then differentials.
    await waitFor('the first marker', () => markers.length >= 1, 20_000);
    let deleted = 0;
    while (writing) {
      await backupOk(plain);
      await backupOk(aggregated);
      if (aggregateTip === 0 && markers.length >= K / 2) {
        // half-way: fold the chain so far into one recovered full; the old chain goes
        const was = listArtifacts(aggregated).artifacts.map((a) => a.file).sort();
        const r = await aggregate({ fromPath: aggregated, databases: ['neo4j'], keepOld: false, format: txlinePayload, log: silentLog });
        expect(r.exitCode).toBe(0);
        aggregateTip = r.results[0].artifact?.tipTx ?? -1;
        expect(r.results[0].artifact).toMatchObject({ full: true, recovered: true, lowestTx: 1, highestTx: aggregateTip, parent: null });
        expect([...r.results[0].deleted].sort()).toEqual(was);
        expect(listArtifacts(aggregated).artifacts.map((a) => a.file)).toEqual([r.results[0].artifact?.file]);
        deleted = was.length;
      }
      await sleep(200);
    }
    await writer;
    // and a last one once everything is written
    await waitForConvergence(cluster, 'neo4j');
    await backupOk(plain);
    await backupOk(aggregated);
    lastTip = (await dbStatus(cluster.writer, 'neo4j'))?.lastCommittedTxn ?? -1;

    expect(markers).toHaveLength(K);
    const rows = (await inspect({ path: plain, empty: true })).rows.reverse();
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows[0]).toMatchObject({ full: true, lowestTx: 1 });
    expect(rows.slice(1).every((r) => !r.full)).toBe(true);
    firstFullTip = rows[0].highestTx;
    expect(Math.max(...rows.map((r) => r.highestTx))).toBe(lastTip);
    // backups landed between markers, not only at the end
    expect(new Set(rows.map((r) => markers.filter((m) => m.tx <= (r.highestTx || 0)).length)).size).toBeGreaterThan(2);
    expect(aggregateTip).toBeGreaterThan(firstFullTip);
    expect(await verifyFolder(plain)).toHaveLength(rows.length);
    expect(await verifyFolder(aggregated)).toHaveLength(rows.length - deleted + 1);
  });

  it('by transaction ID, including and excluding each marker, under another database name', async () => {
    for (const m of markers) {
      const earlier = markers.filter((x) => x.n < m.n).map((x) => x.n);
      for (const [until, want, ns] of [
        [m.tx + 1, m.after, [...earlier, m.n]],
        [m.tx, m.before, earlier],
      ] as const) {
        const what = `marker ${m.n} (tx ${m.tx}), --restore-until=${until}`;
        if (until - 1 < firstFullTip) {
          await expect(restoreTo(plain, 'copy', { kind: 'tx', before: until }), what).rejects.toMatchObject({
            code: 'RESTORE_POINT_OUTSIDE_CHAIN',
            message: expect.stringContaining(`transactions ${firstFullTip}..${lastTip}`),
          });
          continue;
        }
        const r = await restoreTo(plain, 'copy', { kind: 'tx', before: until });
        expect(r.restoredTx, what).toBe(until - 1);
        expect(r.install.digest, what).toEqual(want);
        await expectRestored('copy', want, [...ns], what);
      }
    }
  });

  it('by time (UTC, to the second): what was committed before the next second after each marker', async () => {
    for (const m of markers) {
      const what = `marker ${m.n} (tx ${m.tx} at ${new Date(m.commitTime).toISOString()}), --restore-until="${formatUtc(m.untilTime)}"`;
      if (m.tx < firstFullTip) {
        await expect(restoreTo(plain, 'copy', { kind: 'time', before: m.untilTime }), what).rejects.toMatchObject({ code: 'RESTORE_POINT_OUTSIDE_CHAIN' });
        continue;
      }
      const r = await restoreTo(plain, 'copy', { kind: 'time', before: m.untilTime });
      expect(r.restoredTx, what).toBe(m.tx);
      expect(r.install.digest, what).toEqual(m.after);
      await expectRestored('copy', m.after, markers.filter((x) => x.n <= m.n).map((x) => x.n), what);
    }
  });

  it('the same from the folder aggregated half-way', async () => {
    const rows = (await inspect({ path: aggregated, empty: true })).rows.reverse();
    expect(rows[0]).toMatchObject({ full: true, recovered: true, highestTx: aggregateTip });
    // after the aggregate, each differential's parent is the latest non-empty backup before it
    let parent = rows[0].file;
    for (const r of rows.slice(1)) {
      expect(r).toMatchObject({ full: false, parent });
      if (r.highestTx !== 0) parent = r.file;
    }
    for (const m of markers) {
      const what = `marker ${m.n} (tx ${m.tx}) from the aggregated folder`;
      const earlier = markers.filter((x) => x.n <= m.n).map((x) => x.n);
      if (m.tx < aggregateTip) {
        await expect(restoreTo(aggregated, 'copy', { kind: 'tx', before: m.tx + 1 }), what).rejects.toMatchObject({
          code: 'RESTORE_POINT_OUTSIDE_CHAIN',
          message: expect.stringContaining(`transactions ${aggregateTip}..${lastTip}`),
        });
        continue;
      }
      const byId = await restoreTo(aggregated, 'copy', { kind: 'tx', before: m.tx + 1 });
      expect(byId.restoredTx, what).toBe(m.tx);
      await expectRestored('copy', m.after, earlier, `${what}, by ID`);
      const byTime = await restoreTo(aggregated, 'copy', { kind: 'time', before: m.untilTime });
      expect(byTime.restoredTx, what).toBe(m.tx);
      await expectRestored('copy', m.after, earlier, `${what}, by time`);
    }
    // exactly at the aggregate's tip: the aggregate alone
    const atTip = await restoreTo(aggregated, 'copy', { kind: 'tx', before: aggregateTip + 1 });
    expect(atTip.chain).toEqual([rows[0].file]);
    expect(atTip.replayed).toBe(0);
  });

  it('the latest state, through the CLI, as a new database', async () => {
    const r = await runTxline(['database', 'restore', `--from-path=${plain}`, 'fresh'], { addresses: cluster.addresses });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Restoring neo4j as fresh to the latest transaction/);
    const want = await cluster.writer.digest('neo4j');
    expect(want.lastCommittedTxn).toBe(lastTip);
    await expectRestored('fresh', want, markers.map((m) => m.n), 'latest as fresh');
    // a new database: its own database ID; an existing one needs --overwrite-destination
    const st = (await cluster.writer.status()).databases;
    expect(st.find((d) => d.name === 'fresh')?.databaseId).not.toBe(st.find((d) => d.name === 'neo4j')?.databaseId);
    const again = await runTxline(['database', 'restore', `--from-path=${plain}`, 'fresh'], { addresses: cluster.addresses });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/database fresh already exists; replace it \(--overwrite-destination\), or restore under another name/);
  });

  it('after a restore into the source database, its next backup is a full with a new store ID; the old timeline stays intact', async () => {
    const m = markers[markers.length - 3];
    const oldStoreId = (await dbStatus(cluster.writer, 'neo4j'))?.storeId;
    const before = listArtifacts(plain).artifacts;
    const r = await restoreTo(plain, 'neo4j', { kind: 'tx', before: m.tx + 1 });
    expect(r.restoredTx).toBe(m.tx);
    await expectRestored('neo4j', m.after, markers.filter((x) => x.n <= m.n).map((x) => x.n), 'neo4j restored');
    const newStoreId = (await dbStatus(cluster.writer, 'neo4j'))?.storeId;
    expect(newStoreId).toBe(r.storeId);
    expect(newStoreId).not.toBe(oldStoreId);
    await waitForConvergence(cluster, 'neo4j');

    const log = captureLog();
    const next = await backupOk(plain, { log });
    expect(next).toMatchObject({ type: 'full', artifact: { full: true, storeId: newStoreId, lowestTx: 1, highestTx: m.tx } });
    expect(next.fallbackReason).toMatch(/store ID changed/);
    expect(log.text()).toMatch(/Falling back to a full backup of neo4j from member-\d \(127\.0\.0\.1:\d+, \w+\): the store ID changed/);

    // the old artifacts are all still there, each with its chain
    const after = listArtifacts(plain).artifacts;
    expect(after.length).toBe(before.length + 1);
    for (const a of before) {
      const c = chainTo(a, after);
      expect(c.ok, `${a.file}: ${c.ok ? '' : c.problem}`).toBe(true);
    }
    expect((await inspect({ path: plain, empty: true })).rows.map((x) => x.file).sort()).toEqual(after.map((a) => a.file).sort());
    expect((await inspect({ path: plain, latestChain: true })).rows.map((x) => x.file)).toEqual([next.artifact?.file]);
    // and the new timeline grows from the new full
    const work = new Workload(cluster.writer, 'neo4j', 99);
    const newTip = await work.write(5);
    await waitForConvergence(cluster, 'neo4j');
    // from the writer: a follower that copied the restored store after the first new write no longer holds it
    const diff = await backupOk(plain, { source: new TxlineSource({ addresses: [cluster.writer.address], resolve: false }), explicitSources: true });
    expect(diff).toMatchObject({ type: 'diff', artifact: { parent: next.artifact?.file, lowestTx: m.tx + 1, highestTx: newTip, storeId: newStoreId } });

    // the old timeline still restores its last marker (the new one never reached that transaction ID)
    const last = markers[markers.length - 1];
    const old = await restoreTo(plain, 'copy', { kind: 'tx', before: last.tx + 1 });
    expect(old.restoredTx).toBe(last.tx);
    await expectRestored('copy', last.after, markers.map((x) => x.n), 'old timeline after the restore');
  });
});


describe('restore by time when a backup came from a lagging follower', () => {
  it('uses the backup that holds a transaction committed after the time, not an earlier one that missed what the follower lacked', async () => {
    const dir = folder('lag');
    const follower = cluster.clients['member-2'];
    const fromWriter = { source: new TxlineSource({ addresses: [cluster.writer.address], resolve: false }), explicitSources: true, databases: ['lagdb'] };
    const fromFollower = { source: new TxlineSource({ addresses: [follower.address], resolve: false }), explicitSources: true, databases: ['lagdb'] };
    const work = new Workload(cluster.writer, 'lagdb', 3);
    await work.write(5);
    await backupOk(dir, fromWriter);
    // the follower holds what the full holds before it stops pulling (else its backup cannot be a differential)
    await waitForConvergence(cluster, 'lagdb');
    await follower.replication({ paused: true });
    let marker: { tx: number; untilTime: number; digest: Digest };
    try {
      const { txId } = await cluster.writer.commit('lagdb', [{ op: 'createNode', labels: ['Marker'], properties: { n: 1 } }]);
      const commitTime = (await dbStatus(cluster.writer, 'lagdb'))?.lastCommitTime as number;
      marker = { tx: txId, untilTime: Math.floor(commitTime / 1000) * 1000 + 1000, digest: await cluster.writer.digest('lagdb') };
      await waitFor('the next whole second', () => Date.now() > marker.untilTime + 1, 2000);
      // the follower has not seen the marker: this differential is empty, taken after the restore time
      const lagging = await backupOk(dir, fromFollower);
      expect(lagging).toMatchObject({ type: 'diff', artifact: { lowestTx: 0, highestTx: 0 } });
      expect(Date.parse(lagging.artifact?.time as string)).toBeGreaterThan(marker.untilTime);
    } finally {
      await follower.replication({ paused: false });
    }
    await waitForConvergence(cluster, 'lagdb');
    await work.write(2);
    await waitForConvergence(cluster, 'lagdb');
    const caughtUp = await backupOk(dir, fromFollower);
    expect(caughtUp.artifact?.highestTx).toBe(marker.tx + 2);

    const r = await restore({ fromPaths: [dir], target: 'lagcopy', point: { kind: 'time', before: marker.untilTime }, overwrite: true, source: sourceFor(cluster), log: silentLog });
    expect(r.restoredTx).toBe(marker.tx);
    await expectRestored('lagcopy', marker.digest, [1], 'time restore past a lagging backup');
  });
});
