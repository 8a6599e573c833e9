/**
 * Indexing a Neo4j cluster's backup folder (its registered `--location`): Neo4j's artifacts are Neo4j's format,
 * so Txline does not read them; it lists them with the cluster's own `neo4j-admin backup inspect <location>
 * --format=TABULAR --empty` (with --show-metadata where the version needs it) and indexes each row.
 *
 * Invariants:
 * - Only what inspect lists is indexed: a partial file left by a failed run (which inspect does not list) never
 *   appears in the catalog, however it is named. Rows of artifacts inspect no longer lists are removed.
 * - What inspect does not say is not invented: no store ID before 2025.09 (the database ID stands for it, or
 *   the `STORE ID HASH` column when printed), no checksums (0 on both sides of a link), no commit times (null),
 *   no SHA-256 (''), RECOVERED absent before 2025.06 is false. A differential's parent is the latest earlier
 *   backup of the same database and store whose highest transaction is the one just before its lowest
 *   (contiguity, DESIGN.md's chain rule); without one, it has none and its chain shows as broken.
 * - neo4j-admin runs only when the folder changed (its `*.backup` names, sizes and mtimes) since the last
 *   listing that succeeded, with no shell, the password never on its argv, bounded in time (a minute).
 * - A cluster that cannot be reached or a neo4j-admin that fails leaves the rows as they were, and the
 *   folder's scan error says why.
 * - The location is the one the cluster was registered with (taken as given on the command line, confined by
 *   TXLINE_BACKUP_ROOTS when registered from the browser); Txline only lists and stats its files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeError } from '../errors';
import { catalogConnection } from '../sources';
import { inspectArgv } from '../sources/neo4j/argv';
import { runAdmin } from '../sources/neo4j/backup-runner';
import { runOnSystem } from '../sources/neo4j/bolt';
import { adminExitError } from '../sources/neo4j/exit';
import { parseInspectTabular, type Neo4jInspectRow } from '../sources/neo4j/inspect';
import { boltSettings, neo4jSettings } from '../sources/neo4j/kind';
import { parseComponents } from '../sources/neo4j/version';
import type { Catalog } from './index';
import { artifactStampsOfFolder, deleteArtifacts, upsertArtifact, type NewArtifactRow } from './queries/artifacts';
import { markScanned } from './queries/clusters';
import { clusters, type BackupFolderRow, type ClusterRow } from './schema';
import { eq } from 'drizzle-orm';

export interface Neo4jScanResult {
  folderId: number;
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  problems: Array<{ file: string; message: string }>;
}

/** The registered neo4j cluster whose location is this folder, if any. */
export function neo4jClusterOfFolder(db: Catalog, folder: Pick<BackupFolderRow, 'path'>): ClusterRow | undefined {
  const want = path.resolve(folder.path);
  return db
    .select()
    .from(clusters)
    .where(eq(clusters.kind, 'neo4j'))
    .all()
    .find((c) => c.location !== null && path.resolve(c.location) === want);
}

/** The folder's `*.backup` files (name, size, mtime), the fingerprint neo4j-admin is run again on. */
async function listBackups(dir: string): Promise<Map<string, { size: number; mtimeMs: number }>> {
  const out = new Map<string, { size: number; mtimeMs: number }>();
  for (const e of await fs.promises.readdir(dir, { withFileTypes: true })) {
    if (!e.name.endsWith('.backup')) continue;
    try {
      const st = await fs.promises.stat(path.join(dir, e.name));
      if (st.isFile()) out.set(e.name, { size: st.size, mtimeMs: Math.trunc(st.mtimeMs) });
    } catch {
      continue; // gone between the listing and the stat: the next scan sees it
    }
  }
  return out;
}

const fingerprint = (files: Map<string, { size: number; mtimeMs: number }>) =>
  [...files.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([n, s]) => `${n}:${s.size}:${s.mtimeMs}`)
    .join('\n');

/** per catalog, per folder: the fingerprint of the last listing that succeeded */
const listedByCatalog = new WeakMap<Catalog, Map<number, string>>();

/**
 * Catalog rows from inspect's rows (pure): see the header for what is filled and how parents are found.
 * `files` gives each file's size and mtime; a row whose file is not in the folder is left out.
 */
export function neo4jArtifactRows(folderId: number, dir: string, rows: readonly Neo4jInspectRow[], files: ReadonlyMap<string, { size: number; mtimeMs: number }>, now = Date.now()): NewArtifactRow[] {
  const here = rows.filter((r) => r.path !== null && path.resolve(path.dirname(r.path)) === path.resolve(dir) && files.has(r.file));
  const sorted = [...here].sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || a.highestTx - b.highestTx || a.file.localeCompare(b.file));
  const out: NewArtifactRow[] = [];
  for (const r of sorted) {
    const storeId = r.extra['STORE ID HASH'] || r.databaseId;
    const empty = !r.full && r.highestTx === 0;
    const earlier = out.filter((p) => p.database === r.database && p.storeId === storeId && !(!p.full && p.highestTx === 0));
    let parent: NewArtifactRow | undefined;
    if (!r.full) parent = empty ? earlier.at(-1) : earlier.filter((p) => p.tipTx === r.lowestTx - 1).at(-1);
    const tipTx = empty ? (parent?.tipTx ?? 0) : r.highestTx;
    const f = files.get(r.file) as { size: number; mtimeMs: number };
    out.push({
      folderId,
      file: r.file,
      database: r.database,
      databaseId: r.databaseId,
      storeId,
      time: Date.parse(r.time),
      full: r.full,
      compressed: r.compressed,
      lowestTx: r.lowestTx,
      highestTx: r.highestTx,
      tipTx,
      txCount: empty ? 0 : r.highestTx - r.lowestTx + 1,
      parent: parent?.file ?? null,
      parentLastTxChecksum: r.full ? null : 0,
      lastTxChecksum: 0,
      firstCommitTime: null,
      lastCommitTime: null,
      recovered: r.recovered ?? false,
      memberId: null,
      memberAddress: null,
      sizeBytes: f.size,
      rawBytes: f.size,
      sha256: '',
      nodes: null,
      relationships: null,
      fileSize: f.size,
      fileMtimeMs: f.mtimeMs,
      indexedAt: now,
    });
  }
  return out;
}

/** Lists the folder with the cluster's neo4j-admin and brings its rows in line (see the header). */
export async function scanNeo4jFolder(db: Catalog, folder: BackupFolderRow, cluster: ClusterRow, e: { catalog: string }): Promise<Neo4jScanResult> {
  const result: Neo4jScanResult = { folderId: folder.id, added: 0, updated: 0, removed: 0, unchanged: 0, problems: [] };
  const dir = path.resolve(folder.path);
  let listed = listedByCatalog.get(db);
  if (!listed) listedByCatalog.set(db, (listed = new Map()));
  const stamps = artifactStampsOfFolder(db, { folderId: folder.id });
  const fail = (why: string) => {
    listed.delete(folder.id);
    markScanned(db, { id: folder.id, error: `not listed by neo4j-admin of ${cluster.name}: ${why}` });
    result.unchanged = stamps.length;
    return result;
  };
  let files: Map<string, { size: number; mtimeMs: number }>;
  try {
    files = await listBackups(dir);
  } catch (err) {
    return fail(`cannot read ${dir}: ${describeError(err)}`);
  }
  const print = fingerprint(files);
  if (listed.get(folder.id) === print) {
    result.unchanged = stamps.length;
    markScanned(db, { id: folder.id, error: null });
    return result;
  }
  let rows: Neo4jInspectRow[];
  try {
    const c = catalogConnection(cluster);
    const n = neo4jSettings(c);
    const settings = boltSettings(c, e);
    const version = parseComponents(await runOnSystem(settings, 'CALL dbms.components()', { timeoutMs: 10_000 })).version;
    const ran = await runAdmin(n.neo4jAdmin, 'backup inspect', inspectArgv({ version, path: dir, empty: true }), { secrets: [settings.password], timeoutMs: 60_000, keep: 'all' });
    const err = adminExitError(ran);
    if (err) throw err;
    rows = parseInspectTabular(ran.stdout);
  } catch (err) {
    return fail(describeError(err));
  }
  const next = neo4jArtifactRows(folder.id, dir, rows, files);
  const known = new Map(stamps.map((s) => [s.file, s]));
  db.transaction(() => {
    for (const r of next) {
      const cur = known.get(r.file);
      if (cur && cur.fileSize === r.fileSize && cur.fileMtimeMs === r.fileMtimeMs) {
        result.unchanged++;
        continue;
      }
      if (cur) result.updated++;
      else result.added++;
      upsertArtifact(db, r);
    }
    const keep = new Set(next.map((r) => r.file));
    const gone = stamps.filter((s) => !keep.has(s.file)).map((s) => s.id);
    if (gone.length) deleteArtifacts(db, { ids: gone });
    result.removed = gone.length;
  });
  const unlisted = [...files.keys()].filter((f) => !next.some((r) => r.file === f));
  for (const f of unlisted) result.problems.push({ file: f, message: `${path.join(dir, f)} is not listed by neo4j-admin backup inspect (a partial or foreign file): not indexed` });
  listed.set(folder.id, print);
  markScanned(db, { id: folder.id, error: result.problems.length ? `skipped: ${result.problems.map((p) => p.message).join('; ')}` : null });
  return result;
}
