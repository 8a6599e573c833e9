/**
 * Path confinement, escaped three ways, each refused with nothing read or written outside:
 * - a backup folder whose path holds a comma (the restore command reads `--from-path` as a list, so
 *   `<root>/old,<outside>` would be read as `<root>/old` and `<outside>`): refused when it is added, and when a
 *   catalog that already holds one is used for a restore;
 * - a folder added inside the backup root and then replaced on disk by a symlink that leads out: every
 *   dashboard command that uses it (backup, verify, aggregate, restore, delete) and the indexer check it again
 *   at that moment and refuse it;
 * - an artifact whose metadata names its database `x/../../escape` (or whose parent is a path): rejected as
 *   corrupt, naming the file, by aggregate, restore, inspect and the indexer; nothing is written outside;
 * - a `*.backup` symlink in a folder inside the root that leads to the chain's newest backup outside it: the
 *   restore, verify and aggregate jobs the dashboard starts (the real CLI, run confined to the root) skip it with
 *   a warning naming it, as the indexer does, so the restore ends where the preview said; the same CLI run by
 *   hand follows it (a path given on the command line is taken as given);
 * - a symlink planted as a lock file or its owner record: refused, by jobs and by hand, nothing written through
 *   it; and a backup job writing into a folder with symlinks under the names it would take, or whose temporary
 *   file is swapped for one, never writes or links through them.
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
import { folderLocation, readArtifact } from '../../lib/engine/artifact';
import { ArtifactWriter, UNRACED } from '../../lib/engine/artifact-writer';
import { backupDatabases } from '../../lib/engine/backup';
import { parseEnv, type TxlineEnv } from '../../lib/env';
import { JobRunner } from '../../lib/jobs/runner';
import { Collector } from '../../lib/monitor/collector';
import { startTestCluster, tempFolders, type TestCluster } from '../helpers/cluster';
import { backupOptions, jsonlLines, resealMetadata, runTxline, TXLINE_BIN, writeTx } from '../helpers/engine';

const folders = tempFolders('confinement');
let cluster: TestCluster;
let base: string;
let root: string; // TXLINE_BACKUP_ROOTS
let outside: string; // next to the root: backups of a database "secret" that nothing may read or touch
let seed: string[]; // a full and a differential of neo4j
let elsewhere: string; // next to the root too: the differential that follows the seed (`later`), and files to aim symlinks at
let later: string;
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
  const made3: string[] = [];
  for (const type of ['full', 'diff', 'diff'] as const) {
    await writeTx(cluster.writer, 'neo4j', 3);
    const r = await backupDatabases(backupOptions(cluster, made, { type, fallbackToFull: false }));
    expect(r.exitCode).toBe(0);
    made3.push(r.results[0].artifact?.path as string);
  }
  seed = made3.slice(0, 2);
  // the third, the chain's newest backup, is kept outside the root, where a folder inside links to it
  elsewhere = path.join(base, 'elsewhere');
  fs.mkdirSync(elsewhere);
  later = path.join(elsewhere, path.basename(made3[2]));
  fs.renameSync(made3[2], later);
  copySeed(outside);
  for (const f of fs.readdirSync(outside)) resealMetadata(path.join(outside, f), { database: 'secret' });
  db = openCatalog(path.join(base, 'txline.sqlite'));
  clusterId = upsertEmbeddedCluster(db, { addresses: cluster.addresses, controlAddress: null }).id;
  env = parseEnv({ TXLINE_DATA_DIR: base, TXLINE_BACKUP_ROOTS: root, TXLINE_CLUSTER_FILE: path.join(cluster.dir, 'cluster.json') });
  runner = new JobRunner(db, { bin: TXLINE_BIN });
  const collector = new Collector(db, env, { intervalMs: 1000 });
  await collector.tick();
  const reindex = async (folderId?: number) => {
    const f = folderId === undefined ? undefined : getFolder(db, { id: folderId });
    if (f) await indexFolder(db, f, env);
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
async function expectEveryUseRefused(folderId: number, message: string): Promise<void> {
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
    delete: cmd.startDeleteArtifact(ctx, { artifactId: String(artifactId) }, 'tester'),
  };
  for (const [name, r] of Object.entries(results)) {
    expect(r, name).toMatchObject({ ok: false, code: 'PATH_OUTSIDE_ROOTS', error: expect.stringContaining(message) });
  }
  expect(jobCount()).toBe(0);
  expect(runner.activeCount).toBe(0);
}

describe('a comma in a folder path', () => {
  it('is refused when the folder is added, and nothing is created', async () => {
    const before = { root: tree(root), outside: tree(outside) };
    for (const p of [`old,${outside}`, `${root}/a,b`, 'nightly,weekly']) {
      const r = await cmd.addFolder(ctx, { name: 'commas', path: p });
      expect(r, p).toMatchObject({ ok: false, fieldErrors: { path: [expect.stringContaining('contains a comma')] } });
    }
    expect({ root: tree(root), outside: tree(outside) }).toEqual(before);
  });

  it('held by an older catalog, is refused for a restore, which would read the folder outside', async () => {
    // as the catalog of an older version could hold it: <root>/old,<outside> is a folder inside the root
    const commaPath = `${root}/old,${outside}`;
    copySeed(commaPath);
    const folder = ensureFolder(db, { name: 'old', path: commaPath, isDefault: false });
    await ctx.reindex(folder.id);
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
    const added = await cmd.addFolder(ctx, { name: 'nightly', path: 'nightly' });
    expect(added).toMatchObject({ ok: true });
    if (!added.ok) return;
    const nightly = path.join(root, 'nightly');
    copySeed(nightly);
    await ctx.reindex(added.folderId);
    expect(listArtifactsOfFolder(db, { folderId: added.folderId }).map((a) => a.database)).toEqual(['neo4j', 'neo4j']);
    // Used while inside the root, it works: the preview's restore reads the folder's real path.
    const ok = cmd.previewRestore(ctx, { clusterId: String(clusterId), folderId: String(added.folderId), database: 'neo4j', point: 'latest', targetMode: 'new', newName: 'copy' });
    expect(ok).toMatchObject({ ok: true, args: expect.arrayContaining([`--from-path=${fs.realpathSync(nightly)}`]) });

    fs.renameSync(nightly, path.join(base, 'nightly-was'));
    fs.symlinkSync(outside, nightly);
    const before = tree(outside);
    await expectEveryUseRefused(added.folderId, `Cannot use the backup folder nightly: ${nightly} leads to ${fs.realpathSync(outside)}, outside the backup root ${root}`);
    // the indexer does not read it either: no backup of "secret" enters the catalog, the old rows stay
    await ctx.reindex(added.folderId);
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

  it('a parent named by a path, and a name that differs only in case, are rejected too; the indexer skips them all', async () => {
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
        const r = await indexFolder(catalog, folder, { backupRoots: [work], backupDir: work });
        expect(r.added).toBe(0);
        expect(r.problems.map((p) => p.message).sort()).toEqual([...expected].sort().map((m) => `${m} (ARTIFACT_CORRUPT)`));
      }
    } finally {
      catalog.$client.close();
    }
  });
});

describe('a *.backup symlink in a folder inside the root that leads out of it', () => {
  let linked: string; // root/linked: the seed (a full and a differential), and a symlink to `later`
  let folderId: number;
  let link: string; // the symlink, as the jobs see it (in the folder's real path)
  let warning: string;
  let seedTip: number;

  beforeAll(async () => {
    linked = path.join(root, 'linked');
    copySeed(linked);
    fs.symlinkSync(later, path.join(linked, path.basename(later)));
    const added = await cmd.addFolder(ctx, { name: 'linked', path: 'linked' });
    if (!added.ok) throw new Error(added.error);
    folderId = added.folderId;
    link = path.join(fs.realpathSync(linked), path.basename(later));
    warning = `${link} is a symlink that leads to ${fs.realpathSync(later)}, outside the backup root ${root}; skipped`;
    seedTip = readArtifact(seed[1]).tipTx;
    expect(readArtifact(later).tipTx, 'the backup outside is the newest').toBeGreaterThan(seedTip);
  });

  it('is skipped by the indexer, and by the restore, verify and aggregate jobs the dashboard starts; the CLI by hand follows it', async () => {
    const before = tree(elsewhere);
    const seedNames = seed.map((f) => path.basename(f)); // the chain, oldest first
    expect(listArtifactsOfFolder(db, { folderId }).map((a) => a.file).sort()).toEqual([...seedNames].sort());
    expect(getFolder(db, { id: folderId })?.lastScanError).toContain(`${path.join(linked, path.basename(later))} is a symlink that leads out of the backup roots`);

    // the restore plans "latest" from the catalog; its job plans again from the folder and must end at the same backup
    const restore = { clusterId: String(clusterId), folderId: String(folderId), database: 'neo4j', point: 'latest', targetMode: 'new', newName: 'from-linked' };
    const started = cmd.startRestore(ctx, restore, 'tester');
    if (!started.ok) throw new Error(started.error);
    expect(started.preview.targetTx).toBe(seedTip);
    const restored = await runner.wait(started.jobId);
    expect(restored?.status, restored?.log).toBe('succeeded');
    expect(restored?.args).toContain(`--confine-to-root=${root}`);
    expect(restored?.log).toContain(warning);
    expect(restored?.result).toMatchObject({ restoredTx: seedTip, chain: seedNames });

    const verify = cmd.startVerifyChain(ctx, { folderId: String(folderId), database: 'neo4j' }, 'tester');
    if (!verify.ok) throw new Error(verify.error);
    const verified = await runner.wait(verify.jobId);
    expect(verified?.log).toContain(warning);
    // the link is what the check found wrong with the folder; the backups it read are fine
    expect(verified?.result).toMatchObject({ checked: seedNames, problems: [`${path.basename(later)}: ${warning.replace(/; skipped$/, '')}`] });

    // by hand, without the confinement: the path given is taken as given, and the link followed
    const byHand = await runTxline(['database', 'restore', `--from-path=${linked}`, '--from-database=neo4j', 'by-hand', '--progress=jsonl'], { addresses: cluster.addresses });
    expect(byHand.code, byHand.stderr).toBe(0);
    expect(byHand.stderr).not.toContain('symlink');
    expect(jsonlLines(byHand.stdout).find((l) => l.event === 'result')).toMatchObject({ restoredTx: readArtifact(later).tipTx });

    const aggregate = cmd.startAggregate(ctx, { folderId: String(folderId), database: 'neo4j' }, 'tester');
    if (!aggregate.ok) throw new Error(aggregate.error);
    const aggregated = await runner.wait(aggregate.jobId);
    expect(aggregated?.status, aggregated?.log).toBe('succeeded');
    expect(aggregated?.log).toContain(warning);
    const written = (aggregated?.result?.results as Array<{ artifact: string; deleted: string[] }>)[0];
    expect(readArtifact(path.join(linked, written.artifact)).tipTx).toBe(seedTip);
    expect(written.deleted.sort()).toEqual([...seedNames].sort()); // the old chain; the link and what it leads to stay
    expect(fs.readdirSync(linked).sort()).toEqual([written.artifact, path.basename(later)].sort());
    expect(tree(elsewhere)).toEqual(before);
  });
});

describe('symlinks planted where Txline writes', () => {
  let victim: string; // outside the root: what a symlink in the folder leads to
  let folder: string;
  let folderId: number;

  beforeAll(async () => {
    victim = path.join(elsewhere, 'victim');
    fs.writeFileSync(victim, 'keep me\n');
    folder = path.join(root, 'planted');
    copySeed(folder);
    const added = await cmd.addFolder(ctx, { name: 'planted', path: 'planted' });
    if (!added.ok) throw new Error(added.error);
    folderId = added.folderId;
  });

  it('a symlink as the lock file or its owner record is refused, by jobs, the dashboard and by hand; nothing is written through it', async () => {
    const real = fs.realpathSync(folder);
    const lockFile = path.join(real, '.txline-lock-neo4j');
    fs.symlinkSync(victim, lockFile);
    const before = tree(elsewhere);
    const refused = `${lockFile} is a symlink; a lock file never is, so it is not followed`;

    const b = cmd.startBackup(ctx, { clusterId: String(clusterId), folderId: String(folderId), database: 'neo4j' }, 'tester');
    if (!b.ok) throw new Error(b.error);
    const job = await runner.wait(b.jobId);
    expect(job?.status).toBe('failed');
    expect(job?.log).toContain(refused);
    const artifactId = listArtifactsOfFolder(db, { folderId })[0].id;
    const d = cmd.startDeleteArtifact(ctx, { artifactId: String(artifactId) }, 'tester');
    if (!d.ok) throw new Error(d.error);
    const deleted = await runner.wait(d.jobId);
    expect(deleted?.status).toBe('failed');
    expect(deleted?.log).toContain(refused);
    const aggregate = await runTxline(['backup', 'aggregate', `--from-path=${real}`, 'neo4j']);
    expect(aggregate.code).toBe(1);
    expect(aggregate.stderr).toContain(refused);

    fs.rmSync(lockFile);
    const ownerFile = `${lockFile}.owner`;
    fs.symlinkSync(victim, ownerFile);
    const backup = await runTxline(['database', 'backup', `--to-path=${real}`, 'neo4j'], { addresses: cluster.addresses });
    expect(backup.code).toBe(1);
    expect(backup.stderr).toContain(`${ownerFile} is a symlink; a lock's owner record never is, so it is not followed`);

    expect(fs.readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(tree(elsewhere)).toEqual(before);
    expect(fs.readdirSync(folder).filter((n) => n.endsWith('.backup')).sort()).toEqual(seed.map((f) => path.basename(f)).sort());
    fs.rmSync(ownerFile);
    fs.rmSync(lockFile, { force: true }); // what the refused run created (a regular file)
  });

  it('a backup job links its artifact under a free name, past symlinks planted under the names it would take', async () => {
    // the names of backups taken in the next minute, each a symlink to the file outside
    const planted: string[] = [];
    const now = Date.now();
    for (let s = 0; s < 60; s++) {
      const iso = new Date(now + s * 1000).toISOString();
      const name = `neo4j-${iso.slice(0, 10)}T${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}.backup`;
      fs.symlinkSync(victim, path.join(folder, name));
      planted.push(name);
    }
    const before = tree(elsewhere);
    await writeTx(cluster.writer, 'neo4j', 2);
    const b = cmd.startBackup(ctx, { clusterId: String(clusterId), folderId: String(folderId), database: 'neo4j' }, 'tester');
    if (!b.ok) throw new Error(b.error);
    const job = await runner.wait(b.jobId);
    expect(job?.status, job?.log).toBe('succeeded');
    const file = ((job?.result?.results as Array<{ artifact: string }>)[0]).artifact;
    expect(file).toMatch(/-1\.backup$/); // its own name was taken by a symlink
    expect(fs.lstatSync(path.join(folder, file)).isFile()).toBe(true);
    expect(readArtifact(path.join(folder, file)).database).toBe('neo4j');
    for (const n of planted) expect(fs.lstatSync(path.join(folder, n)).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(victim, 'utf8')).toBe('keep me\n');
    expect(tree(elsewhere)).toEqual(before);
    for (const n of planted) fs.rmSync(path.join(folder, n));
  });

  it('an artifact whose temporary file is swapped for a symlink before it is sealed is not linked into place', async () => {
    const dir = folders.folder('swap');
    const w = new ArtifactWriter({ location: folderLocation(dir), lock: UNRACED, database: 'neo4j', time: new Date(), full: true, codec: 'none', keepFailed: false });
    const sink = w.payload();
    await new Promise<void>((resolve, reject) => sink.end(Buffer.alloc(4096, 1), (e?: Error | null) => (e ? reject(e) : resolve())));
    const before = tree(elsewhere);
    // someone with write access to the folder renames the temporary file away and puts a symlink in its place
    // (the writer goes on writing its own file, by its descriptor, wherever it now is)
    fs.renameSync(w.tempPath, path.join(elsewhere, 'moved-away'));
    fs.symlinkSync(later, w.tempPath);
    const { databaseId, storeId } = readArtifact(seed[0]);
    const meta = { databaseId, storeId, lowestTx: 1, highestTx: 1, txCount: 1, parent: null, parentLastTxChecksum: null, tipTx: 1, lastTxChecksum: 0 };
    await expect(w.commit({ ...meta, firstCommitTime: null, lastCommitTime: null, recovered: true, member: null, store: null })).rejects.toThrow(`${w.tempPath} was replaced while it was being committed; nothing was linked into place`);
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(path.join(elsewhere, 'moved-away'));
    expect(tree(elsewhere)).toEqual(before);
  });
});
