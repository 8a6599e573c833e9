/**
 * DESIGN.md's chain table on a real cluster, through the `txline` CLI: 10 transactions and a backup, three
 * times; a backup with nothing new (an empty differential, 0/0); 10 more and a --type=full backup; 10 more and
 * a backup into two copies of the folder, with and without --prefer-diff-as-parent. Then the rules around it:
 * --type=diff without a full falls back (and says why) or fails with --fallback-to-full=false, and a glob
 * backs up each matching database on its own.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectRow } from '../../lib/engine/inspect';
import { startTestCluster, tempFolders, waitForConvergence, waitForDatabases, type TestCluster } from '../helpers/cluster';
import { silentLog } from '../../lib/engine/progress';
import { restore } from '../../lib/engine/restore';
import { inspectCli, leftovers, runTxline, sourceFor, verifyFolder, writeTx } from '../helpers/engine';

let cluster: TestCluster;
const { folder, removeAll } = tempFolders('chain');

beforeAll(async () => {
  cluster = await startTestCluster({ databases: ['neo4j', 'nova', 'north', 'alpha'] });
});

afterAll(async () => {
  await cluster?.stop();
  removeAll();
});

async function backup(dir: string, ...args: string[]) {
  await waitForConvergence(cluster, args.find((a) => !a.startsWith('--')) ?? 'neo4j');
  return runTxline(['database', 'backup', `--to-path=${dir}`, ...args], { addresses: cluster.addresses });
}

async function backupOk(dir: string, ...args: string[]): Promise<string> {
  const r = await backup(dir, ...args);
  expect(r.code, r.stderr).toBe(0);
  return r.stderr;
}

/** The table as DESIGN.md writes it: artifacts named backup1.. in time order, parents by those names. */
function table(rows: InspectRow[]) {
  const ordered = [...rows].sort((a, b) => a.time.localeCompare(b.time));
  const label = new Map(ordered.map((r, i) => [r.file, `backup${i + 1}`]));
  return ordered.map((r) => ({
    artifact: label.get(r.file),
    type: r.full ? 'full' : 'diff',
    lowest: r.lowestTx,
    highest: r.highestTx,
    parent: r.parent === null ? null : (label.get(r.parent) ?? `missing ${r.parent}`),
  }));
}

describe("DESIGN.md's chain table on a real cluster", () => {
  it('backup1..backup6, with and without --prefer-diff-as-parent', async () => {
    const dir = folder('table');
    // the database starts empty: transaction IDs from 1
    expect((await cluster.writer.status()).databases.find((d) => d.name === 'neo4j')?.lastCommittedTxn).toBe(0);

    expect(await writeTx(cluster.writer, 'neo4j', 10)).toBe(10);
    expect(await backupOk(dir, 'neo4j')).toMatch(/Full backup of neo4j .*no earlier backup of neo4j/);
    expect(await writeTx(cluster.writer, 'neo4j', 10)).toBe(20);
    expect(await backupOk(dir, 'neo4j')).toMatch(/Finished differential backup of neo4j .*transactions 11\.\.20 \(10\)/);
    expect(await writeTx(cluster.writer, 'neo4j', 10)).toBe(30);
    await backupOk(dir, 'neo4j');
    // nothing written: an empty differential
    expect(await backupOk(dir, 'neo4j')).toMatch(/no new transactions \(empty differential after 30\)/);
    expect(await writeTx(cluster.writer, 'neo4j', 10)).toBe(40);
    expect(await backupOk(dir, '--type=full', 'neo4j')).toMatch(/a full backup was requested \(--type=full\)/);
    expect(await writeTx(cluster.writer, 'neo4j', 10)).toBe(50);

    const preferDir = folder('table-prefer');
    fs.cpSync(dir, preferDir, { recursive: true });
    await backupOk(dir, 'neo4j');
    await backupOk(preferDir, '--prefer-diff-as-parent', 'neo4j');

    const common = [
      { artifact: 'backup1', type: 'full', lowest: 1, highest: 10, parent: null },
      { artifact: 'backup2', type: 'diff', lowest: 11, highest: 20, parent: 'backup1' },
      { artifact: 'backup3', type: 'diff', lowest: 21, highest: 30, parent: 'backup2' },
      { artifact: 'backup4', type: 'diff', lowest: 0, highest: 0, parent: 'backup3' },
      { artifact: 'backup5', type: 'full', lowest: 1, highest: 40, parent: null },
    ];
    expect(table(await inspectCli(dir))).toEqual([...common, { artifact: 'backup6', type: 'diff', lowest: 41, highest: 50, parent: 'backup5' }]);
    expect(table(await inspectCli(preferDir))).toEqual([...common, { artifact: 'backup6', type: 'diff', lowest: 31, highest: 50, parent: 'backup3' }]);

    // with --prefer-diff-as-parent every transaction stays restorable; by default 31..39 are not
    const restoreAt = (from: string, tx: number) =>
      restore({ fromPaths: [from], target: 'table', point: { kind: 'tx', before: tx + 1 }, overwrite: true, source: sourceFor(cluster), log: silentLog });
    expect((await restoreAt(preferDir, 35)).restoredTx).toBe(35);
    await expect(restoreAt(dir, 35)).rejects.toMatchObject({ code: 'RESTORE_POINT_OUTSIDE_CHAIN', message: expect.stringMatching(/transactions 10\.\.30 .*transactions 40\.\.50/) });

    // without --empty, inspect leaves the empty differential out; every artifact reads back whole
    const rows = await runTxline(['backup', 'inspect', dir, '--json']);
    expect((JSON.parse(rows.stdout) as InspectRow[]).map((r) => r.highestTx).sort((a, b) => a - b)).toEqual([10, 20, 30, 40, 50]);
    expect(await verifyFolder(dir)).toHaveLength(6);
    expect(await verifyFolder(preferDir)).toHaveLength(6);
    // the JSON keys tools outside the project read
    const keys = ['file', 'database', 'databaseId', 'storeId', 'time', 'full', 'compressed', 'lowestTx', 'highestTx', 'recovered', 'parent', 'sizeBytes', 'sha256'];
    for (const r of await inspectCli(dir)) {
      for (const k of keys) expect(r, k).toHaveProperty(k);
      expect(r.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(r.file).toMatch(/^neo4j-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d(-\d+)?\.backup$/);
    }
    // the table form has neo4j-admin's columns
    const tableText = await runTxline(['backup', 'inspect', dir]);
    expect(tableText.stdout.split('\n')[0]).toMatch(/^\|\s+FILE \|\s+DATABASE \|\s+DATABASE ID \|\s+TIME \(UTC\) \|\s+FULL \|\s+COMPRESSED \|\s+LOWEST TX \|\s+HIGHEST TX \|\s+RECOVERED \|\s+PARENT \|$/);
    // a dozen CLI processes: more than the default minute on two busy cores
  }, 180_000);
});

describe('rules around the table', () => {
  it('--type=diff with no full falls back to a full and says why in the log', async () => {
    const dir = folder('diff-first');
    const r = await backup(dir, '--type=diff', 'nova');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/WARN.*Falling back to a full backup of nova from member-\d \(127\.0\.0\.1:\d+, \w+\): there is no earlier backup of nova in the folder/);
    const rows = await inspectCli(dir);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ database: 'nova', full: true, lowestTx: 1, parent: null });
  });

  it('--type=diff --fallback-to-full=false with no full fails: exit 1, no artifact, no temporary file', async () => {
    const dir = folder('diff-nofallback');
    for (const flag of ['--fallback-to-full=false', '--no-fallback-to-full']) {
      const r = await backup(dir, '--type=diff', flag, 'nova');
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/cannot take a differential backup of nova: there is no earlier backup of nova in the folder; not falling back to a full backup \(--fallback-to-full=false\)/);
      // nothing at all: no artifact, no temporary file, no lock file
      expect(fs.readdirSync(dir)).toEqual([]);
      expect(leftovers(dir)).toEqual([]);
    }
  });

  it('--type=auto for the first backup is a full without a warning; --type=diff after a full is a differential', async () => {
    const dir = folder('auto-first');
    await writeTx(cluster.writer, 'north', 3);
    const first = await backup(dir, 'north');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toMatch(/WARN/);
    await writeTx(cluster.writer, 'north', 2);
    const second = await backup(dir, '--type=diff', '--fallback-to-full=false', 'north');
    expect(second.code, second.stderr).toBe(0);
    expect(table(await inspectCli(dir))).toEqual([
      { artifact: 'backup1', type: 'full', lowest: 1, highest: 3, parent: null },
      { artifact: 'backup2', type: 'diff', lowest: 4, highest: 5, parent: 'backup1' },
    ]);
  });

  it('a glob matching several databases backs up each on its own', async () => {
    await writeTx(cluster.writer, 'nova', 4, 'nova');
    await writeTx(cluster.writer, 'alpha', 2, 'alpha');
    await waitForDatabases(Object.values(cluster.clients), cluster.writer);
    for (const db of ['neo4j', 'nova', 'north', 'alpha']) await waitForConvergence(cluster, db);
    const status = Object.fromEntries((await cluster.writer.status()).databases.map((d) => [d.name, d]));

    const dir = folder('glob-n');
    const r = await runTxline(['database', 'backup', `--to-path=${dir}`, 'n*'], { addresses: cluster.addresses });
    expect(r.code, r.stderr).toBe(0);
    const rows = await inspectCli(dir);
    expect(rows.map((x) => x.database).sort()).toEqual(['neo4j', 'north', 'nova']);
    for (const row of rows) {
      expect(row, row.database).toMatchObject({
        full: true,
        lowestTx: 1,
        highestTx: status[row.database].lastCommittedTxn,
        databaseId: status[row.database].databaseId,
        storeId: status[row.database].storeId,
      });
      expect(row.file.startsWith(`${row.database}-`)).toBe(true);
    }
    // the next run with the glob takes a differential of each, with each database's own parent
    await writeTx(cluster.writer, 'nova', 1, 'nova');
    await waitForConvergence(cluster, 'nova');
    const again = await runTxline(['database', 'backup', `--to-path=${dir}`, 'n*'], { addresses: cluster.addresses });
    expect(again.code, again.stderr).toBe(0);
    const after = await inspectCli(dir);
    const diffs = after.filter((x) => !x.full);
    expect(diffs.map((x) => x.database).sort()).toEqual(['neo4j', 'north', 'nova']);
    for (const d of diffs) expect(after.find((x) => x.file === d.parent)?.database).toBe(d.database);
    expect(diffs.find((x) => x.database === 'nova')).toMatchObject({ lowestTx: status.nova.lastCommittedTxn + 1, highestTx: status.nova.lastCommittedTxn + 1 });

    // "*" matches every database, system included
    const all = folder('glob-all');
    const star = await runTxline(['database', 'backup', `--to-path=${all}`, '*'], { addresses: cluster.addresses });
    expect(star.code, star.stderr).toBe(0);
    const every = (await cluster.writer.status()).databases.map((d) => d.name).sort();
    expect(every).toEqual(expect.arrayContaining(['alpha', 'neo4j', 'north', 'nova', 'system']));
    expect((await inspectCli(all)).map((x) => x.database).sort()).toEqual(every);
    expect(leftovers(all)).toEqual([]);
  });

  it('a glob that matches nothing fails with exit 1 and writes nothing', async () => {
    const dir = folder('glob-none');
    const r = await runTxline(['database', 'backup', `--to-path=${dir}`, 'zz*'], { addresses: cluster.addresses });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no database matches "zz\*"/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

