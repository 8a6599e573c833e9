/**
 * Path confinement, escaped three ways, each refused with nothing read or written outside:
 * - a backup folder whose path holds a comma (the restore command reads `--from-path` as a list, so
 *   `<root>/old,<outside>` would be read as `<root>/old` and `<outside>`): refused when it is added, and when a
 *   catalog that already holds one is used for a restore;
 * - a folder added inside the backup root and then replaced on disk by a symlink that leads out: every
 *   dashboard command that uses it (backup, verify, aggregate, restore, delete) and the indexer check it again
 *   at that moment and refuse it;
 * - an artifact whose metadata names its database `x/../../escape` (or whose parent is a path): rejected as
 *   corrupt, naming the file, by aggregate, restore, inspect and the indexer; nothing is written outside.
 * The dashboard's commands are called as its server actions call them, on a real catalog, job runner and
 * cluster.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as cmd from '../../lib/dashboard/commands';
import { openCatalog, type Catalog } from '../../lib/db';
import { indexFolder } from '../../lib/db/indexer';
import { listArtifactsOfFolder } from '../../lib/db/queries/artifacts';
import { ensureFolder, getFolder, upsertEmbeddedCluster } from '../../lib/db/queries/clusters';
import { backupDatabases } from '../../lib/engine/backup';
import { silentLog } from '../../lib/engine/progress';
import { parseEnv, type TxlineEnv } from '../../lib/env';
import { JobRunner } from '../../lib/jobs/runner';
import { Collector } from '../../lib/monitor/collector';
import { startTestCluster, tempFolders, type TestCluster } from '../helpers/cluster';
import { resealMetadata, runTxline, sourceFor, TXLINE_BIN, writeTx } from '../helpers/engine';

const folders = tempFolders('confinement');
let cluster: TestCluster;
let base: string;
let root: string; // TXLINE_BACKUP_ROOTS
let outside: string; // next to the root: backups of a database "secret" that nothing may read or touch
let seed: string[]; // a full and a differential of neo4j
let db: Catalog;
let env: TxlineEnv;
let runner: JobRunner;
let ctx: cmd.CommandContext;
let clusterId: number;

/** Every file below `dir`, with its size and modification time. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    const st = fs.lstatSync(p);
    out[path.relative(dir, p)] = `${st.isDirectory() ? 'dir' : st.size}@${st.mtimeMs}`;
  }
  return out;
}

function copySeed(to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const f of seed) fs.copyFileSync(f, path.join(to, path.basename(f)));
}

const jobCount = () => (db.$client.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 1, secondaries: 0 });
  base = folders.folder('base');
  root = path.join(base, 'backups');
  outside = path.join(base, 'outside');
  fs.mkdirSync(root);
  const made = path.join(base, 'seed');
  fs.mkdirSync(made);
  seed = [];
  for (const type of ['full', 'diff'] as const) {
    await writeTx(cluster.writer, 'neo4j', 3);
    const r = await backupDatabases({
      source: sourceFor(cluster),
      explicitSources: false,
      toPath: made,
      type,
      preferDiffAsParent: false,
      compress: true,
      keepFailed: false,
      fallbackToFull: false,
      maxLag: 1_000_000,
      databases: ['neo4j'],
      log: silentLog,
    });
    expect(r.exitCode).toBe(0);
    seed.push(r.results[0].artifact?.path as string);
  }
  copySeed(outside);
  for (const f of fs.readdirSync(outside)) resealMetadata(path.join(outside, f), { database: 'secret' });
  db = openCatalog(path.join(base, 'txline.sqlite'));
  clusterId = upsertEmbeddedCluster(db, { addresses: cluster.addresses, controlAddress: null }).id;
  env = parseEnv({ TXLINE_DATA_DIR: base, TXLINE_BACKUP_ROOTS: root, TXLINE_CLUSTER_FILE: path.join(cluster.dir, 'cluster.json') });
  runner = new JobRunner(db, { bin: TXLINE_BIN });
  const collector = new Collector(db, env, { intervalMs: 1000 });
  await collector.tick();
  const reindex = (folderId?: number) => {
    const f = folderId === undefined ? undefined : getFolder(db, { id: folderId });
    if (f) indexFolder(db, f, env);
  };
  ctx = { db, runner, collector, env, reindex };
});

afterAll(async () => {
  runner?.stopAll();
  await cluster?.stop();
  db?.$client.close();
  folders.removeAll();
});

/** Every dashboard command that uses a folder, on `folderId`; each must be refused with `message`. */
function expectEveryUseRefused(folderId: number, message: string): void {
  const artifactId = listArtifactsOfFolder(db, { folderId })[0]?.id;
  expect(artifactId, 'the catalog holds the folder\u2019s backups from before').toBeDefined();
  const f = String(folderId);
  const c = String(clusterId);
  const restore = { clusterId: c, folderId: f, database: 'neo4j', point: 'latest', targetMode: 'new', newName: 'copy' };
  const results: Record<string, cmd.Result> = {
    backup: cmd.startBackup(ctx, { clusterId: c, folderId: f, database: 'neo4j' }, 'tester'),
    verifyChain: cmd.startVerifyChain(ctx, { folderId: f, database: 'neo4j' }, 'tester'),
    verifyArtifact: cmd.startVerifyArtifact(ctx, { artifactId: String(artifactId) }, 'tester'),
    aggregate: cmd.startAggregate(ctx, { folderId: f, database: 'neo4j' }, 'tester'),
    previewRestore: cmd.previewRestore(ctx, restore),
    restore: cmd.startRestore(ctx, restore, 'tester'),
    restoreArtifact: cmd.startRestore(ctx, { ...restore, point: 'artifact', artifactId: String(artifactId) }, 'tester'),
    delete: cmd.deleteArtifact(ctx, { artifactId: String(artifactId) }),
  };
  for (const [name, r] of Object.entries(results)) {
    expect(r, name).toMatchObject({ ok: false, error: expect.stringContaining(message) });
  }
  expect(jobCount()).toBe(0);
  expect(runner.activeCount).toBe(0);
}

describe('a comma in a folder path', () => {
  it('is refused when the folder is added, and nothing is created', () => {
    const before = { root: tree(root), outside: tree(outside) };
    for (const p of [`old,${outside}`, `${root}/a,b`, 'nightly,weekly']) {
      const r = cmd.addFolder(ctx, { name: 'commas', path: p });
      expect(r, p).toMatchObject({ ok: false, fieldErrors: { path: [expect.stringContaining('contains a comma')] } });
    }
    expect({ root: tree(root), outside: tree(outside) }).toEqual(before);
  });

  it('held by an older catalog, is refused for a restore, which would read the folder outside', () => {
    // as the catalog of an older version could hold it: <root>/old,<outside> is a folder inside the root
    const commaPath = `${root}/old,${outside}`;
    copySeed(commaPath);
    const folder = ensureFolder(db, { name: 'old', path: commaPath, isDefault: false });
    ctx.reindex(folder.id);
    expect(listArtifactsOfFolder(db, { folderId: folder.id })).toHaveLength(2);
    const before = tree(outside);
    const restore = { clusterId: String(clusterId), folderId: String(folder.id), database: 'neo4j', point: 'latest', targetMode: 'new', newName: 'copy' };
    for (const r of [cmd.previewRestore(ctx, restore), cmd.startRestore(ctx, restore, 'tester')]) {
      expect(r).toMatchObject({ ok: false, error: expect.stringContaining(`${fs.realpathSync(commaPath)} contains a comma, which the restore command would read as a list of paths`) });
    }
    expect(jobCount()).toBe(0);
    expect(tree(outside)).toEqual(before);
  });
});

describe('a folder replaced by a symlink that leads out, after it was added', () => {
  it('is refused by every command that uses it and by the indexer; nothing outside is read or changed', async () => {
    const added = cmd.addFolder(ctx, { name: 'nightly', path: 'nightly' });
    expect(added).toMatchObject({ ok: true });
    if (!added.ok) return;
    const nightly = path.join(root, 'nightly');
    copySeed(nightly);
    ctx.reindex(added.folderId);
    expect(listArtifactsOfFolder(db, { folderId: added.folderId }).map((a) => a.database)).toEqual(['neo4j', 'neo4j']);
    // Used while inside the root, it works: the preview's restore reads the folder's real path.
    const ok = cmd.previewRestore(ctx, { clusterId: String(clusterId), folderId: String(added.folderId), database: 'neo4j', point: 'latest', targetMode: 'new', newName: 'copy' });
    expect(ok).toMatchObject({ ok: true, args: expect.arrayContaining([`--from-path=${fs.realpathSync(nightly)}`]) });

    fs.renameSync(nightly, path.join(base, 'nightly-was'));
    fs.symlinkSync(outside, nightly);
    const before = tree(outside);
    expectEveryUseRefused(added.folderId, `Cannot use the backup folder nightly: ${nightly} leads to ${fs.realpathSync(outside)}, outside the backup root ${root}`);
    // the indexer does not read it either: no backup of "secret" enters the catalog, the old rows stay
    ctx.reindex(added.folderId);
    expect(listArtifactsOfFolder(db, { folderId: added.folderId }).map((a) => a.database)).toEqual(['neo4j', 'neo4j']);
    expect(getFolder(db, { id: added.folderId })?.lastScanError).toContain(`not scanned: ${nightly} leads to`);
    expect(tree(outside)).toEqual(before);
    fs.rmSync(nightly);
  });
});

describe('a database name from artifact metadata that is a path', () => {
  let work: string;
  let meta: string;

  beforeAll(() => {
    work = folders.folder('meta');
    meta = path.join(work, 'folder');
    copySeed(meta);
    for (const f of fs.readdirSync(meta)) resealMetadata(path.join(meta, f), { database: 'x/../../escape' });
  });

  const invalid = (file: string) => `${path.join(meta, path.basename(file))} is corrupt: invalid metadata (database: "x/../../escape" is not a valid database name)`;

  it('is rejected as corrupt, naming the file, by aggregate, restore and inspect; nothing is written anywhere', async () => {
    // x/../../escape, taken as a path from the folder, lands in `work`: the whole of it is compared
    const before = tree(work);
    const [folderRun, fileRun, restoreRun, inspectRun] = await Promise.all([
      runTxline(['backup', 'aggregate', `--from-path=${meta}`, 'x*']),
      runTxline(['backup', 'aggregate', `--from-path=${path.join(meta, path.basename(seed[1]))}`, 'neo4j']),
      runTxline(['database', 'restore', `--from-path=${path.join(meta, path.basename(seed[1]))}`, 'copy'], { addresses: cluster.addresses }),
      runTxline(['backup', 'inspect', meta, '--json']),
    ]);
    expect(folderRun.code, folderRun.stderr).toBe(1);
    for (const f of seed) expect(folderRun.stderr).toContain(`${invalid(f)}; skipped`);
    expect(folderRun.stderr).toContain(`no backups of x* in ${meta}`);
    expect(fileRun.code, fileRun.stderr).toBe(1);
    expect(fileRun.stderr).toContain(invalid(seed[1]));
    expect(restoreRun.code, restoreRun.stderr).toBe(1);
    expect(restoreRun.stderr).toContain(invalid(seed[1]));
    expect(inspectRun.code, inspectRun.stderr).toBe(0);
    expect(JSON.parse(inspectRun.stdout)).toEqual([]);
    for (const f of seed) expect(inspectRun.stderr).toContain(`warning: ${invalid(f)}; skipped`);
    expect(tree(work)).toEqual(before);
    expect((await cluster.writer.status()).databases.map((d) => d.name)).not.toContain('copy');
  });

  it('a parent named by a path, and a name that differs only in case, are rejected too; the indexer skips them all', () => {
    const odd = path.join(work, 'odd');
    copySeed(odd);
    const [fullName, diffName] = seed.map((f) => path.basename(f));
    resealMetadata(path.join(odd, diffName), { parent: `../${fullName}` });
    resealMetadata(path.join(odd, fullName), { database: 'NEO4J' });
    const catalog = openCatalog(path.join(work, 'c.sqlite'));
    try {
      for (const [dir, expected] of [
        [meta, seed.map((f) => invalid(f))],
        [
          odd,
          [
            `${path.join(odd, fullName)} is corrupt: invalid metadata (database: "NEO4J" is not a valid database name)`,
            `${path.join(odd, diffName)} is corrupt: invalid metadata (parent: "../${fullName}" is not an artifact file name)`,
          ],
        ],
      ] as const) {
        const folder = ensureFolder(catalog, { name: path.basename(dir), path: dir, isDefault: false });
        const r = indexFolder(catalog, folder, { backupRoots: [work], backupDir: work });
        expect(r.added).toBe(0);
        expect(r.problems.map((p) => p.message).sort()).toEqual([...expected].sort().map((m) => `${m} (ARTIFACT_CORRUPT)`));
      }
    } finally {
      catalog.$client.close();
    }
  });
});
