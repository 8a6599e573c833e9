/**
 * The indexer: brings the catalog's `artifacts` table in line with the backup folders. The files are the
 * truth: new or changed files (by size and mtime) are read, rows of vanished files are removed, so deleting
 * the catalog and indexing again gives back the same chains. Only each file's 9 KiB head is read.
 *
 * It runs in the server's process, so it neither blocks on a file nor holds the thread for long:
 * - files are listed and read through the folder's storage Location (lib/storage), asynchronously, a few at a time (SCAN_CONCURRENCY), and rows are written in batches
 *   (WRITE_BATCH) between which other work runs, so a folder of thousands of artifacts is scanned while pages
 *   are served (the folder's own check, one catalog query and each batch are the only synchronous steps);
 * - a `*.backup` name that is not a regular file (a directory, FIFO, socket or device, or a symlink to one) is
 *   skipped with a problem that names it, without being opened (and artifacts are opened with O_NONBLOCK and
 *   checked on the descriptor, for a swap in between);
 * - one scan of a folder at a time: asked again while it runs, the indexer scans once more when it is done,
 *   and every request made meanwhile gets that next scan (which sees what they changed).
 * Given the backup roots, a folder is confined again at every scan (it may have been replaced by a symlink
 * that leads out since it was registered) and a `*.backup` symlink that leads out of the roots is skipped.
 *
 * A folder that is a registered Neo4j cluster's location holds Neo4j's artifacts, not Txline's: it is listed
 * by that cluster's neo4j-admin (./neo4j-indexer.ts) instead, given the catalog's path (for the sealed password).
 * An `s3://bucket/prefix` location is not on this disk (the roots do not apply to it): it is listed (a page of
 * 1,000 names per request, and its notes: lib/storage/s3/notes.ts). A new or changed object with a note that
 * passes its checks (lib/engine/artifact-note.ts) is indexed from it, with no request of its own; any other
 * (written by an older Txline or another program, or whose note is refused: a finding) has its head read with
 * one ranged GET of 9 KiB, never the object, 32 at a time (tests/dashboard/s3-index*.test.ts count the requests).
 * The catalog shows what notes say; restore and check read every artifact's own head and verify it.
 */
import { confineAtUse, folderRoots } from '../auth/paths';
import { describeError } from '../errors';
import { readArtifactIn, type Artifact } from '../engine/artifact';
import { artifactFromNote } from '../engine/artifact-note';
import { canonicalLocationUrl, isLocationUrl, openLocation, type Location, type LocationEntry } from '../storage';
import type { Catalog } from './index';
import { neo4jClusterOfFolder, scanNeo4jFolder } from './neo4j-indexer';
import { artifactStampsOfFolder, deleteArtifacts, rowFromArtifact, upsertArtifact } from './queries/artifacts';
import { listFolders, markScanned } from './queries/clusters';
import type { ArtifactRow, BackupFolderRow } from './schema';

type Stamp = Pick<ArtifactRow, 'id' | 'file' | 'fileSize' | 'fileMtimeMs'>;

/** files looked at (stat, head read) at once */
const SCAN_CONCURRENCY = 8;
/** heads read at once from object storage (each a ranged GET: latency, not disk, bounds the scan) */
const REMOTE_SCAN_CONCURRENCY = 32;
/** looks (a note's parse and checks, well under a millisecond each) between two turns of the event loop */
const NOTES_PER_TURN = 25;
/** rows written per catalog transaction */
const WRITE_BATCH = 25;

export interface IndexResult {
  folderId: number;
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  /** names that were skipped, with why (the message names the path) */
  problems: Array<{ file: string; message: string }>;
  /** artifacts indexed from their notes (object storage: no request each), of added + updated */
  fromNotes: number;
  /** notes refused (undecodable, failing their checks, or for another object): each artifact was read by its head */
  findings: Array<{ file: string; message: string }>;
}

/** Where registered folders must stay (TXLINE_BACKUP_ROOTS, and the default folder's own path). */
export interface IndexConfinement {
  backupRoots: string[];
  backupDir: string;
  /** the catalog file (TXLINE_CATALOG): a Neo4j cluster's folder is listed only when it is given */
  catalog?: string;
}

interface FolderScans {
  current: Promise<IndexResult>;
  /** the scan after the current one, shared by every request made while the current one runs */
  next: Promise<IndexResult> | null;
  /** what the latest request asked for (the next scan uses it) */
  args: [BackupFolderRow, IndexConfinement | undefined];
}

const scansByCatalog = new WeakMap<Catalog, Map<number, FolderScans>>();

/** Scans a folder into the catalog; resolves when a scan that started after this call has finished. */
export function indexFolder(db: Catalog, folder: BackupFolderRow, confine?: IndexConfinement): Promise<IndexResult> {
  let scans = scansByCatalog.get(db);
  if (!scans) scansByCatalog.set(db, (scans = new Map()));
  const s = scans.get(folder.id);
  if (!s) return beginScan(db, scans, [folder, confine]);
  s.args = [folder, confine];
  const settled = () => undefined;
  s.next ??= s.current.then(settled, settled).then(() => {
    s.next = null;
    return beginScan(db, scans, s.args, s);
  });
  return s.next;
}

function beginScan(db: Catalog, scans: Map<number, FolderScans>, args: FolderScans['args'], state?: FolderScans): Promise<IndexResult> {
  const [folder, confine] = args;
  const run = scanFolder(db, folder, confine);
  const s = state ?? { current: run, next: null, args };
  s.current = run;
  scans.set(folder.id, s);
  const done = () => {
    if (s.current === run && !s.next) scans.delete(folder.id);
  };
  run.then(done, done);
  return run;
}

/** Scans every registered folder, one after the other. */
export async function indexAll(db: Catalog, confine?: IndexConfinement): Promise<IndexResult[]> {
  const out: IndexResult[] = [];
  for (const f of listFolders(db)) out.push(await indexFolder(db, f, confine));
  return out;
}

/** What looking at one name found. */
type Look =
  | { kind: 'gone' }
  | { kind: 'skip'; message: string }
  | { kind: 'unchanged' }
  | { kind: 'read'; artifact: Artifact; stat: { size: number; mtimeMs: number }; row: Stamp | undefined; fromNote: boolean; finding?: string }
  | { kind: 'unreadable'; message: string; finding?: string };

async function scanFolder(db: Catalog, folder: BackupFolderRow, confine: IndexConfinement | undefined): Promise<IndexResult> {
  const result: IndexResult = { folderId: folder.id, added: 0, updated: 0, removed: 0, unchanged: 0, problems: [], fromNotes: 0, findings: [] };
  const neo4j = neo4jClusterOfFolder(db, folder);
  if (neo4j) {
    if (confine?.catalog) return { ...(await scanNeo4jFolder(db, folder, neo4j, { catalog: confine.catalog })), fromNotes: 0, findings: [] };
    markScanned(db, { id: folder.id, error: `not scanned: ${folder.path} is the Neo4j cluster ${neo4j.name}'s, listed by its neo4j-admin by the server` });
    return result;
  }
  const roots = confine ? folderRoots(confine, folder) : null;
  let dir = folder.path;
  if (isLocationUrl(folder.path)) {
    // object storage: not a place on this disk (the backup roots confine folders only); the URL checked again
    try {
      dir = canonicalLocationUrl(folder.path) as string;
    } catch (e) {
      markScanned(db, { id: folder.id, error: `not scanned: ${describeError(e)}` });
      return result;
    }
  } else if (roots) {
    const at = confineAtUse(folder.path, roots);
    if (!at.ok) {
      // Nothing is read there; the rows stay until the folder is usable again (or removed from the settings).
      markScanned(db, { id: folder.id, error: `not scanned: ${at.error}` });
      return result;
    }
    dir = at.path;
  }
  const loc = openLocation(dir, { roots });
  let entries: LocationEntry[];
  try {
    entries = await loc.list();
  } catch (e) {
    markScanned(db, { id: folder.id, error: `cannot read ${folder.path}: ${describeError(e)}` });
    return result;
  }
  const names = entries.map((e) => e.name);
  const rows = new Map(artifactStampsOfFolder(db, { folderId: folder.id }).map((r) => [r.file, r]));
  const looks = new Map<string, Look>();
  let looked = 0;
  await eachLimited(entries, loc.localFolder === undefined ? REMOTE_SCAN_CONCURRENCY : SCAN_CONCURRENCY, async (entry) => {
    looks.set(entry.name, await look(loc, entry, rows.get(entry.name)));
    // a note is read with no I/O to wait for: let requests in every few, as between write batches
    if (++looked % NOTES_PER_TURN === 0) await new Promise((r) => setImmediate(r));
  });
  /** rows whose file is still an artifact (or one that cannot be read now: its row stays as it was) */
  const kept = new Set<string>();
  const reads: Array<Extract<Look, { kind: 'read' }>> = [];
  for (const name of names) {
    const l = looks.get(name) as Look;
    if ((l.kind === 'read' || l.kind === 'unreadable') && l.finding) result.findings.push({ file: name, message: l.finding });
    if (l.kind === 'read' && l.fromNote) result.fromNotes++;
    if (l.kind === 'skip') result.problems.push({ file: name, message: l.message }); // its row, if any, goes below
    else if (l.kind === 'unchanged') {
      kept.add(name);
      result.unchanged++;
    } else if (l.kind === 'unreadable') {
      kept.add(name);
      result.problems.push({ file: name, message: l.message });
    } else if (l.kind === 'read') {
      kept.add(name);
      reads.push(l);
    }
  }
  for (let i = 0; i < reads.length; i += WRITE_BATCH) {
    if (i > 0) await new Promise((r) => setImmediate(r)); // let requests in between batches
    db.transaction(() => {
      for (const r of reads.slice(i, i + WRITE_BATCH)) {
        upsertArtifact(db, rowFromArtifact(folder.id, r.artifact, r.stat));
        if (r.row) result.updated++;
        else result.added++;
      }
    });
  }
  const gone = [...rows.values()].filter((r) => !kept.has(r.file)).map((r) => r.id);
  if (gone.length) deleteArtifacts(db, { ids: gone });
  result.removed = gone.length;
  const said = [
    ...(result.problems.length ? [`skipped: ${result.problems.map((p) => p.message).join('; ')}`] : []),
    ...(result.findings.length ? [`index notes refused: ${result.findings.map((p) => p.message).join('; ')}`] : []),
  ];
  markScanned(db, { id: folder.id, error: said.length ? said.join('; ') : null });
  return result;
}

/**
 * Looks at one `*.backup` name as listed (never blocks: what is not regular is not opened), then, if it changed,
 * its note (no request) or else its head. A note that is refused is a finding, and the head is read instead.
 */
async function look(loc: Location, e: LocationEntry, row: Stamp | undefined): Promise<Look> {
  if (e.leadsNowhere) return { kind: 'gone' }; // a dangling symlink: nothing to index
  if (!e.regular) return { kind: 'skip', message: `${loc.addressOf(e.name)} is ${e.kind ?? 'not a regular file'}, not a backup artifact file` };
  if (e.refused) return { kind: 'skip', message: e.refused };
  if (row && row.fileSize === e.size && row.fileMtimeMs === Math.trunc(e.mtimeMs)) return { kind: 'unchanged' };
  const stat = { size: e.size, mtimeMs: e.mtimeMs };
  let finding: string | undefined = e.noteRefused === undefined ? undefined : `${loc.addressOf(e.name)}: ${e.noteRefused}; its index note is refused and its head is read instead`;
  if (e.note && finding === undefined) {
    try {
      return { kind: 'read', artifact: artifactFromNote(loc, e.name, e.note, e.size), stat, row, fromNote: true };
    } catch (err) {
      finding = describeError(err);
    }
  }
  try {
    return { kind: 'read', artifact: await readArtifactIn(loc, e.name), stat, row, fromNote: false, finding };
  } catch (err) {
    return { kind: 'unreadable', message: describeError(err), finding };
  }
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
