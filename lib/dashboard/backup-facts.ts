/**
 * What a database's backups in a folder say, as the overview needs it for every database (its count, its last
 * full and differential, the latest chain's restorable range, the chains' health, the newest non-empty tip per
 * store ID), kept between requests so that an overview of thousands of databases reads no artifact row when
 * nothing changed.
 *
 * Invariant: a kept entry was computed from the rows as they are now. Every request asks one cheap question of
 * the whole catalog (how many artifact rows, the highest ID, the newest re-index and verification: O(log n) each
 * with the indexes of migration 0010); when the answer moved, the databases whose rows were added, re-indexed or
 * verified since are dropped (three index range reads), and when rows were deleted (the count fell behind
 * what was added) everything is dropped. Entries are computed again on demand, one database at a time.
 *
 * The names of the databases with backups in a folder are read by a skip-scan of the (folder, database, time)
 * index: one seek per name, not a read of every row.
 */
import type { Catalog } from '../db';
import { describeError } from '../errors';
import { createLogger } from '../log';
import { artifactsStamp, listArtifactsByDatabase, type ArtifactsStamp } from '../db/queries/artifacts';
import type { ArtifactRow } from '../db/schema';
import { chainSummary, type ChainHealth, type ChainSummary } from './timeline';

export interface BackupFacts {
  artifactCount: number;
  /** how many of them are fulls (the rest are differentials) */
  fullCount: number;
  lastFull: { id: number; file: string; time: number; tipTx: number } | null;
  lastDiff: { id: number; file: string; time: number; tipTx: number } | null;
  /** the latest chain's restorable range */
  restorable: { fromTx: number; toTx: number; fromTime: number | null; toTime: number } | null;
  health: ChainHealth | 'none';
  /** the store ID of the latest backup (a restore gives the database a new one) */
  latestStoreId: string | null;
  /** per store ID, the tip of its newest non-empty backup (where the next differential would start) */
  tips: Record<string, number>;
}

export const NO_BACKUPS: BackupFacts = { artifactCount: 0, fullCount: 0, lastFull: null, lastDiff: null, restorable: null, health: 'none', latestStoreId: null, tips: {} };

/** The facts of one database's rows (any order); `summary` when the caller has their chainSummary already. */
export function backupFactsOf(rows: readonly ArtifactRow[], summary?: ChainSummary): BackupFacts {
  if (rows.length === 0) return NO_BACKUPS;
  const tl = summary ?? chainSummary(rows);
  // rows come from the catalog oldest first (listArtifactsByDatabase); sort only when they do not
  const inOrder = rows.every((r, i) => i === 0 || rows[i - 1].time <= r.time);
  const sorted = inOrder ? rows : [...rows].sort((a, b) => a.time - b.time);
  let lastFull: ArtifactRow | null = null;
  let lastDiff: ArtifactRow | null = null;
  let fullCount = 0;
  const tips: Record<string, number> = {};
  for (const r of sorted) {
    if (r.full) {
      fullCount++;
      lastFull = r;
    } else lastDiff = r;
    if (r.full || r.highestTx !== 0) tips[r.storeId] = r.tipTx;
  }
  const latest = sorted[sorted.length - 1];
  const ofLatest = tl.restorable.filter((x) => x.storeId === latest.storeId);
  const newest = ofLatest.length ? ofLatest.reduce((a, b) => (b.toTime > a.toTime ? b : a)) : undefined;
  const pick = (r: ArtifactRow | null) => (r ? { id: r.id, file: r.file, time: r.time, tipTx: r.tipTx } : null);
  return {
    artifactCount: rows.length,
    fullCount,
    lastFull: pick(lastFull),
    lastDiff: pick(lastDiff),
    restorable: newest ? { fromTx: newest.fromTx, toTx: newest.toTx, fromTime: newest.fromTime, toTime: newest.toTime } : null,
    health: tl.health,
    latestStoreId: latest.storeId,
    tips,
  };
}

interface FolderCache {
  stamp: ArtifactsStamp | null;
  /** bumped whenever entries are dropped: a warm-up started before stops */
  generation: number;
  /** the background warm-up in progress, if any */
  warming: boolean;
  /** the databases with backups in the folder, by name (null: read them again) */
  names: string[] | null;
  facts: Map<string, BackupFacts>;
}

const caches = new WeakMap<Catalog, Map<number, FolderCache>>();


/** The folder's cache, brought in line with the catalog (see the header). */
function folderCache(db: Catalog, folderId: number): FolderCache {
  let byFolder = caches.get(db);
  if (!byFolder) caches.set(db, (byFolder = new Map()));
  let c = byFolder.get(folderId);
  if (!c) byFolder.set(folderId, (c = { stamp: null, generation: 0, warming: false, names: null, facts: new Map() }));
  const now = artifactsStamp(db);
  const was = c.stamp;
  if (was && was.n === now.n && was.maxId === now.maxId && was.indexed === now.indexed && was.verified === now.verified) return c;
  c.stamp = now;
  c.generation++;
  if (!was) return c;
  const sql = db.$client;
  const added = (sql.prepare('SELECT count(*) AS n FROM artifacts WHERE id > ?').get(was.maxId) as { n: number }).n;
  if (now.n !== was.n + added) {
    // rows were deleted (a prune, an aggregate, a file gone): which databases is not cheap to tell
    c.names = null;
    c.facts.clear();
    return c;
  }
  const changed = sql
    .prepare(
      `SELECT database FROM artifacts WHERE folder_id = ? AND id > ?
       UNION SELECT database FROM artifacts WHERE folder_id = ? AND indexed_at >= ?
       UNION SELECT database FROM artifacts WHERE folder_id = ? AND verified_at >= ?`,
    )
    .pluck()
    .all(folderId, was.maxId, folderId, was.indexed, folderId, was.verified) as string[];
  const known = new Set(c.names ?? []);
  for (const name of changed) {
    c.facts.delete(name);
    if (!known.has(name)) c.names = null;
  }
  return c;
}

/** The names of the databases with backups in a folder, sorted (SQLite's binary order). */
export function backedUpNames(db: Catalog, { folderId }: { folderId: number }): string[] {
  const c = folderCache(db, folderId);
  c.names ??= db.$client
    .prepare(
      `WITH RECURSIVE names(name) AS (
         SELECT (SELECT min(database) FROM artifacts WHERE folder_id = @folder)
         UNION ALL
         SELECT (SELECT min(database) FROM artifacts WHERE folder_id = @folder AND database > names.name) FROM names WHERE names.name IS NOT NULL
       ) SELECT name FROM names WHERE name IS NOT NULL`,
    )
    .pluck()
    .all({ folder: folderId }) as string[];
  return c.names;
}

/**
 * The facts of one database's backups in a folder (NO_BACKUPS when it has none), from the cache or read now.
 * What it hands out is shared: callers must not change it.
 */
export function backupFacts(db: Catalog, { folderId, database }: { folderId: number; database: string }): BackupFacts {
  const c = folderCache(db, folderId);
  let f = c.facts.get(database);
  if (!f) {
    f = backupFactsOf(listArtifactsByDatabase(db, { folderId, database }));
    c.facts.set(database, f);
  }
  return f;
}

/** The facts of many databases of one folder (one cache check for all of them). */
export function backupFactsMany(db: Catalog, { folderId, databases }: { folderId: number; databases: Iterable<string> }): Map<string, BackupFacts> {
  const c = folderCache(db, folderId);
  const out = new Map<string, BackupFacts>();
  for (const database of databases) {
    let f = c.facts.get(database);
    if (!f) {
      f = backupFactsOf(listArtifactsByDatabase(db, { folderId, database }));
      c.facts.set(database, f);
    }
    out.set(database, f);
  }
  return out;
}

/**
 * The facts of the databases of a folder known now (cached), else undefined: nothing is read. One cache check
 * for every database asked afterwards (a filter over 5,000 databases asks 5,000 times).
 */
export function knownFacts(db: Catalog, { folderId }: { folderId: number }): (database: string) => BackupFacts | undefined {
  const facts = folderCache(db, folderId).facts;
  return (database) => facts.get(database);
}

/** A slice of the warm-up holds the thread at most this long (plus one database) before letting requests in. */
const WARM_SLICE_MS = 15;
const log = createLogger('overview');

/**
 * Reads the facts of `databases` in the background, a slice at a time between which other work runs, so that
 * a filter over every database's chains (the overview's "no intact chain") is answered from the cache soon
 * after it is first asked. One warm-up per folder at a time; a change in the catalog stops it (the next
 * request starts another).
 */
export function warmFacts(db: Catalog, { folderId, databases }: { folderId: number; databases: readonly string[] }): void {
  const c = folderCache(db, folderId);
  if (c.warming) return;
  const todo = databases.filter((d) => !c.facts.has(d));
  if (todo.length === 0) return;
  c.warming = true;
  const generation = c.generation;
  let i = 0;
  const slice = () => {
    try {
      const cur = folderCache(db, folderId);
      if (cur.generation !== generation) return void (c.warming = false);
      const until = performance.now() + WARM_SLICE_MS;
      for (; i < todo.length && performance.now() < until; i++) {
        if (!c.facts.has(todo[i])) c.facts.set(todo[i], backupFactsOf(listArtifactsByDatabase(db, { folderId, database: todo[i] })));
      }
      if (i < todo.length) setTimeout(slice, 0);
      else c.warming = false;
    } catch (e) {
      // the catalog was closed (a test's end) or a read failed: said, and the next request asks again
      c.warming = false;
      log.warn(`reading the chains of the databases of folder #${folderId} stopped: ${describeError(e)}`);
    }
  };
  setTimeout(slice, 0);
}
