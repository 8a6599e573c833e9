/**
 * Indexing a Neo4j cluster's artifacts into the catalog from `neo4j-admin backup inspect --format=TABULAR`:
 * the parents a golden listing gives (a table of cases), and end to end with the real CLI, the stand-in
 * neo4j-admin and member processes: registering the cluster registers its location as a folder, the indexer
 * lists it with the cluster's neo4j-admin, the timeline shows an intact chain, a partial file never appears,
 * and a folder that did not change does not run neo4j-admin again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { indexAll } from '../../lib/db/indexer';
import { neo4jArtifactRows } from '../../lib/db/neo4j-indexer';
import { listArtifactsOfFolder } from '../../lib/db/queries/artifacts';
import { listFolders } from '../../lib/db/queries/clusters';
import { databaseTimeline } from '../../lib/dashboard/artifact-cache';
import { closeBoltDrivers } from '../../lib/sources/neo4j/bolt';
import { parseInspectTabular } from '../../lib/sources/neo4j/inspect';
import { fixtureText } from '../fixtures/neo4j/load';
import { startTestCluster, tempFolders, type TestCluster } from '../helpers/cluster';
import { jsonlLines, runTxline, writeTx } from '../helpers/engine';
import { addAsNeo4j } from '../helpers/neo4j';

describe('neo4jArtifactRows (golden inspect listing, 2026.08 with RECOVERED)', () => {
  const rows = parseInspectTabular(fixtureText('inspect-2026.08-recovered.txt'));
  const files = new Map(rows.map((r) => [r.file, { size: 100, mtimeMs: 1 }]));
  const out = neo4jArtifactRows(1, '/backups', rows, files, 0);
  const byFile = new Map(out.map((r) => [r.file, r]));

  it.each([
    // file, parent, tip: DESIGN.md's rule (contiguity; an empty differential keeps its parent's tip)
    ['malmo-2024-10-07T16-00-07.backup', null, 5],
    ['malmo-2024-10-07T16-00-19.backup', 'malmo-2024-10-07T16-00-07.backup', 5],
    ['malmo-2024-10-07T16-00-34.backup', 'malmo-2024-10-07T16-00-07.backup', 6],
    ['malmo-2024-10-07T16-00-44.backup', 'malmo-2024-10-07T16-00-34.backup', 7],
    ['malmo-2024-10-07T16-00-50.backup', 'malmo-2024-10-07T16-00-44.backup', 7],
    ['malmo-2024-10-07T16-01-08.backup', null, 7],
    ['malmo-2024-10-07T16-01-24.backup', null, 8],
  ])('%s: parent %s, tip %i', (file, parent, tip) => {
    expect(byFile.get(file)).toMatchObject({ parent, tipTx: tip, database: 'malmo', databaseId: '62d1820c-3ac6-4b15-a0b3-bf7e7becc8d0' });
  });

  it('fills only what inspect says: recovered as printed, no checksums, times or digest invented', () => {
    expect(byFile.get('malmo-2024-10-07T16-01-24.backup')).toMatchObject({ recovered: true, full: true, lowestTx: 1, highestTx: 8, txCount: 8, firstCommitTime: null, lastCommitTime: null, sha256: '', lastTxChecksum: 0 });
    expect(byFile.get('malmo-2024-10-07T16-01-08.backup')?.recovered).toBe(false);
    expect(byFile.get('malmo-2024-10-07T16-00-50.backup')).toMatchObject({ txCount: 0, parentLastTxChecksum: 0 });
  });

  it('a differential whose parent is not listed has none (its chain shows as broken); rows of other folders are left out', () => {
    expect(byFile.get('london-2024-10-07T16-04-05.backup')?.parent).toBe('london-2024-10-07T16-03-51.backup');
    const without = rows.filter((r) => r.file !== 'london-2024-10-07T16-03-51.backup');
    expect(neo4jArtifactRows(1, '/backups', without, files, 0).find((r) => r.file === 'london-2024-10-07T16-04-05.backup')?.parent).toBeNull();
    expect(neo4jArtifactRows(1, '/elsewhere', rows, files, 0)).toEqual([]);
    // a file the folder does not hold (gone since inspect ran) is not indexed
    expect(neo4jArtifactRows(1, '/backups', rows, new Map(), 0)).toEqual([]);
  });
});

const folders = tempFolders('neo4j-index');
let cluster: TestCluster;
let dataDir: string;
let location: string;
let standinLog: string;
let db: Catalog;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2 });
  await writeTx(cluster.writer, 'neo4j', 3);
  dataDir = folders.folder('data');
  location = path.join(dataDir, 'backups');
  standinLog = path.join(dataDir, 'standin.jsonl');
  await addAsNeo4j(cluster, { dataDir, location, cli });
  db = openCatalog(path.join(dataDir, 'txline.sqlite'));
}, 90_000);

afterAll(async () => {
  await closeBoltDrivers();
  await cluster?.stop();
  folders.removeAll();
});

function cli(args: string[], env: Record<string, string> = {}) {
  return runTxline(args, { env: { TXLINE_DATA_DIR: dataDir, STANDIN_LOG: standinLog, ...env }, timeoutMs: 120_000 });
}

const standinRuns = () => (fs.existsSync(standinLog) ? fs.readFileSync(standinLog, 'utf8').trim().split('\n').filter(Boolean).length : 0);
const confine = () => ({ backupRoots: [], backupDir: path.join(dataDir, 'default'), catalog: path.join(dataDir, 'txline.sqlite') });

describe('the indexer on a Neo4j cluster location (stand-in neo4j-admin, real members)', () => {
  it('registering the cluster registers its location as a folder; the indexer lists a full and a differential as one intact chain', async () => {
    const folder = listFolders(db).find((f) => f.path === location);
    expect(folder?.name).toBe('prod');
    const b1 = await cli(['database', 'backup', '--cluster=prod', '--progress=jsonl', 'neo4j']);
    expect(b1.code, b1.stderr).toBe(0);
    await writeTx(cluster.writer, 'neo4j', 2);
    await new Promise((res) => setTimeout(res, 1100));
    const b2 = await cli(['database', 'backup', '--cluster=prod', '--progress=jsonl', 'neo4j']);
    expect(b2.code, b2.stderr).toBe(0);
    const [full, diff] = [b1, b2].map((b) => (jsonlLines(b.stdout).find((l) => l.event === 'result') as { results: Array<{ artifact: string; highestTx: number }> }).results[0]);

    const [r] = (await indexAll(db, confine())).filter((x) => x.folderId === folder?.id);
    expect(r).toMatchObject({ added: 2, removed: 0, problems: [] });
    const rows = listArtifactsOfFolder(db, { folderId: folder?.id ?? -1 });
    expect(rows.map((x) => [x.file, x.full, x.parent, x.highestTx]).sort()).toEqual(
      [
        [full.artifact, true, null, full.highestTx],
        [diff.artifact, false, full.artifact, diff.highestTx],
      ].sort(),
    );
    const t = databaseTimeline(db, { folderId: folder?.id ?? -1, database: 'neo4j' });
    expect(t.summary.health).toBe('unverified'); // whole, and not verified by Txline (neo4j-admin's to check)
    expect(t.summary.latestChain).toHaveLength(2);
    expect(t.timeline.total).toBe(2);

    // nothing changed in the folder: neo4j-admin is not run again
    const runs = standinRuns();
    const again = (await indexAll(db, confine())).find((x) => x.folderId === folder?.id);
    expect(again).toMatchObject({ added: 0, unchanged: 2 });
    expect(standinRuns()).toBe(runs);
  }, 180_000);

  it('a partial file left by a failed run never appears in the catalog; the folder says it was skipped', async () => {
    const folder = listFolders(db).find((f) => f.path === location);
    await writeTx(cluster.writer, 'neo4j', 1);
    await new Promise((res) => setTimeout(res, 1100));
    const before = new Set(fs.readdirSync(location));
    const b = await cli(['database', 'backup', '--cluster=prod', '--progress=jsonl', 'neo4j'], { STANDIN_MODE: 'exit1-partial' });
    expect(b.code).toBe(1);
    const partial = fs.readdirSync(location).filter((f) => !before.has(f));
    expect(partial).toHaveLength(1);
    const r = (await indexAll(db, confine())).find((x) => x.folderId === folder?.id);
    expect(r?.problems.map((p) => p.file)).toEqual(partial);
    expect(listArtifactsOfFolder(db, { folderId: folder?.id ?? -1 }).map((x) => x.file)).not.toContain(partial[0]);
    expect(listFolders(db).find((f) => f.id === folder?.id)?.lastScanError).toMatch(/not listed by neo4j-admin backup inspect/);
    // the file removed, its rows stay those of the real artifacts
    fs.rmSync(path.join(location, partial[0]));
    const r2 = (await indexAll(db, confine())).find((x) => x.folderId === folder?.id);
    expect(r2).toMatchObject({ added: 0, removed: 0, problems: [] });
  }, 180_000);

  it('without the catalog path (no password to open), a Neo4j folder is not read as Txline artifacts', async () => {
    const folder = listFolders(db).find((f) => f.path === location);
    const r = (await indexAll(db, { backupRoots: [], backupDir: path.join(dataDir, 'default') })).find((x) => x.folderId === folder?.id);
    expect(r).toMatchObject({ added: 0, removed: 0 });
    expect(listArtifactsOfFolder(db, { folderId: folder?.id ?? -1 })).toHaveLength(2);
  }, 60_000);
});
