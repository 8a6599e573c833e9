/**
 * What the pages derive from a database's artifacts in a folder (the rows oldest first, the chains' summary,
 * the timeline windows asked for), kept between requests while those rows are unchanged: a cheap fingerprint
 * query (artifactsFingerprint) is asked on every use, and any change (an artifact indexed, re-indexed,
 * removed or verified) makes the next use read the rows again. Reading and analysing 10,000 rows costs a few
 * hundred milliseconds; the fingerprint, one per 10,000 rows (it reads each row's times): so the whole catalog's
 * stamp (artifactsStamp, a few index reads) is asked first, and the database's fingerprint only when that moved. Per catalog, the most recently used 32 databases, each with its
 * 8 most recent timeline windows. What it hands out is shared: callers must not change it.
 */
import type { Catalog } from '../db';
import { artifactsFingerprint, artifactsStamp, listArtifactsByDatabase } from '../db/queries/artifacts';
import type { ArtifactRow } from '../db/schema';
import { buildTimeline, chainSummary, type ChainSummary, type Timeline, type TimelineOptions } from './timeline';

const MAX_DATABASES = 32;
const MAX_WINDOWS = 8;

export interface DatabaseArtifacts {
  /** oldest first, as listArtifactsByDatabase gives them */
  rows: ArtifactRow[];
  summary: ChainSummary;
}

interface Entry extends DatabaseArtifacts {
  fingerprint: string;
  /** the catalog's stamp when the fingerprint was last found unchanged */
  stamp: string;
  timelines: Map<string, Timeline>;
}

const caches = new WeakMap<Catalog, Map<string, Entry>>();

function entryOf(db: Catalog, folderId: number, database: string): Entry {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  const key = `${folderId}\u0000${database}`;
  const s = artifactsStamp(db);
  const stamp = `${s.n}/${s.maxId}/${s.indexed}/${s.verified}`;
  let e = cache.get(key);
  const fingerprint = e?.stamp === stamp ? e.fingerprint : artifactsFingerprint(db, { folderId, database });
  if (e && e.fingerprint === fingerprint) {
    e.stamp = stamp;
    // most recently used last
    cache.delete(key);
    cache.set(key, e);
    return e;
  }
  const rows = listArtifactsByDatabase(db, { folderId, database });
  e = { fingerprint, stamp, rows, summary: chainSummary(rows), timelines: new Map() };
  cache.set(key, e);
  while (cache.size > MAX_DATABASES) cache.delete(cache.keys().next().value as string);
  return e;
}

/** The rows and chain summary of a database in a folder. */
export function databaseArtifacts(db: Catalog, { folderId, database }: { folderId: number; database: string }): DatabaseArtifacts {
  return entryOf(db, folderId, database);
}

/** The timeline window of a database in a folder (see buildTimeline), with the rows it was built from. */
export function databaseTimeline(db: Catalog, { folderId, database }: { folderId: number; database: string }, opts: TimelineOptions = {}): DatabaseArtifacts & { timeline: Timeline } {
  const e = entryOf(db, folderId, database);
  const key = JSON.stringify([opts.size ?? opts.limit ?? null, opts.start ?? null, opts.target ?? null]);
  let timeline = e.timelines.get(key);
  if (timeline) e.timelines.delete(key);
  else timeline = buildTimeline(database, e.rows, { ...opts, summary: e.summary });
  e.timelines.set(key, timeline);
  while (e.timelines.size > MAX_WINDOWS) e.timelines.delete(e.timelines.keys().next().value as string);
  return { rows: e.rows, summary: e.summary, timeline };
}
