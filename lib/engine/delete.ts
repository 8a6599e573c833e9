/**
 * Deleting artifacts: the one place the engine removes `*.backup` files (`txline backup delete`, and the old
 * chain after an aggregation).
 *
 * An artifact's dependents are the artifacts whose parent links lead to it (in the same folder, of the same
 * database): its children, theirs, and so on, whatever parent rule made them (with --prefer-diff-as-parent a
 * differential may hang off an older chain than the latest full). Deleting one that has dependents is refused,
 * naming them, unless they go too.
 *
 * Invariants (what makes a `kill -9` at any moment safe):
 * - Children go before their parents, and among those free to go, the newest first: after every single delete
 *   each artifact that remains still has every ancestor it had, so what remains always forms intact chains
 *   (shorter ones); a half-deleted chain never looks complete, nor broken.
 * - A delete is one unlink(2), which is atomic: a file is listed whole or not at all; nothing is written, so
 *   no temporary file exists to leave behind. The folder is synced after each unlink, so the order also holds
 *   after a crash of the machine.
 * - Deleting happens under the folder's lock for that database (lock.ts), and the folder is read again once
 *   the lock is held: a backup that finished meanwhile is seen, and none starts until the delete is done.
 * - Paths: all named files are in one folder; a named file is never a symlink (not followed: the link is not
 *   the artifact) and its name has no comma (Txline's paths never do; the dashboard's jobs rely on it);
 *   confined (confine.ts), the folder's real path must be inside the backup roots. A dependent found in the
 *   folder that is a `*.backup` symlink is removed as a name (unlink never touches what it leads to).
 * - Any location kind: artifacts named by URL (`s3://bucket/prefix/<name>`, all of one location) are deleted
 *   through the same Location interface, under the location's lock (an S3 lease), by the same rules; the
 *   location's leftovers (killed uploads) are cleaned first, as a folder's stale temporaries are.
 */
import path from 'node:path';
import { TxlineError } from '../errors';
import { isLocationUrl, openLocation, splitLocationUrl, type Location } from '../storage';
import { ARTIFACT_EXTENSION, artifactFileSize, folderLocation, listArtifactsIn, readArtifactIn, skippedLine, type Artifact } from './artifact';
import { cleanStaleTemporaries } from './artifact-writer';
import { ChainIndex, byTime, isEmpty, type ChainNode } from './chain';
import { restorableRanges } from './restore-plan';
import { confinedPath, engineRoots } from './confine';
import { foldersToClean, lockIn, type Lock } from './lock';
import type { EngineLog, ProgressSink } from './progress';

// ---- pure planning ------------------------------------------------------------------------------------

/** The artifacts of `all` whose parent links lead to `target` (same database), oldest first. */
export function dependentsOf<T extends ChainNode>(target: T, all: readonly T[]): T[] {
  const children = new Map<string, T[]>();
  for (const a of all) {
    if (!a.parent || a.database !== target.database) continue;
    const list = children.get(a.parent) ?? [];
    list.push(a);
    children.set(a.parent, list);
  }
  const out = new Map<string, T>();
  const todo = [target.file];
  while (todo.length) {
    for (const c of children.get(todo.pop() as string) ?? []) {
      if (out.has(c.file) || c.file === target.file) continue; // a loop of parent links ends here
      out.set(c.file, c);
      todo.push(c.file);
    }
  }
  return [...out.values()].sort(byTime);
}

/**
 * The order to delete `doomed` in: every artifact before its parent, and among those whose dependents in
 * `doomed` are all gone already, the newest first. (When backup times follow parent links, as the engine
 * writes them, this is plain newest first.)
 */
export function deletionOrder<T extends ChainNode>(doomed: readonly T[]): T[] {
  // Newest first, once (times parsed once): the next to go is the first in this order whose dependents in
  // `doomed` are gone. When times follow parent links that is always the first left, so this is n log n; a clock
  // set back only makes the scan skip the few parents still waiting for a child.
  const left = new Map(doomed.map((a) => [a.file, a]));
  const sorted = [...left.values()].map((a) => ({ a, t: Date.parse(a.time) }));
  sorted.sort((x, y) => y.t - x.t || y.a.tipTx - x.a.tipTx || y.a.file.localeCompare(x.a.file));
  const pendingChildren = new Map<string, number>();
  for (const a of left.values()) if (a.parent && left.has(a.parent) && a.parent !== a.file) pendingChildren.set(a.parent, (pendingChildren.get(a.parent) ?? 0) + 1);
  const done = new Array<boolean>(sorted.length).fill(false);
  const out: T[] = [];
  let first = 0;
  while (out.length < sorted.length) {
    while (done[first]) first++;
    let i = first;
    while (i < sorted.length && (done[i] || pendingChildren.get(sorted[i].a.file))) i++;
    // only a loop of parent links has no artifact free to go: then newest first among what is left
    if (i === sorted.length) i = first;
    const next = sorted[i].a;
    done[i] = true;
    left.delete(next.file);
    out.push(next);
    if (next.parent && left.has(next.parent)) pendingChildren.set(next.parent, (pendingChildren.get(next.parent) ?? 1) - 1);
  }
  return out;
}

// ---- removing files -----------------------------------------------------------------------------------

/**
 * Removes `doomed` (artifacts of `loc`; the caller holds the location's lock for their database, which
 * `lockOf` gives: confirmed before each delete) in deletionOrder, syncing the folder after each. `onDeleted` is
 * called after each file is gone. Returns what it deleted, in order. A file already gone counts as deleted.
 */
export async function removeArtifacts<T extends ChainNode & { path: string }>(
  loc: Location,
  doomed: readonly T[],
  lockOf: (a: T) => Pick<Lock, 'confirm'>,
  onDeleted?: (a: T, index: number) => void,
): Promise<T[]> {
  const ordered = deletionOrder(doomed);
  const done: T[] = [];
  for (const a of ordered) {
    if (a.path !== loc.addressOf(a.file)) throw new TxlineError('INTERNAL', `${a.path} is not in ${loc.describe()}`);
    try {
      await lockOf(a).confirm();
      await loc.delete(a.file); // durable when it returns (local: the folder is synced after the unlink)
    } catch (e) {
      if (done.length && e instanceof TxlineError) throw new TxlineError(e.code, `${e.message} (deleted before it: ${done.map((d) => d.file).join(', ')})`, { cause: e });
      throw e;
    }
    done.push(a);
    onDeleted?.(a, done.length - 1);
  }
  return done;
}

// ---- the operation ------------------------------------------------------------------------------------

export interface DeleteOptions {
  /** artifact files (paths to `*.backup` files), all in one folder */
  files: string[];
  /** delete what depends on them too (otherwise that is refused, naming it) */
  withDependents: boolean;
  /** say what would be deleted, and delete nothing (no lock is taken, nothing is written) */
  dryRun?: boolean;
  log: EngineLog;
  progress?: ProgressSink;
  /** called as each artifact is gone (with dryRun: for each that would go, in order) */
  onDeleted?: (a: DeletedArtifact) => void;
}

export interface DeletedArtifact {
  file: string;
  database: string;
  time: string;
  full: boolean;
  lowestTx: number;
  highestTx: number;
  parent: string | null;
  /** the whole file's size */
  sizeBytes: number;
  txCount: number;
  /** named on the command line (false: a dependent of one that was) */
  requested: boolean;
}

export interface RestorableRange {
  storeId: string;
  fromTx: number;
  toTx: number;
  /** ISO 8601 UTC: the full's last commit (null when unknown) and the latest backup's time */
  fromTime: string | null;
  toTime: string;
}

export interface DeleteResult {
  folder: string;
  dryRun: boolean;
  /** in the order deleted (or, with dryRun, that they would be) */
  deleted: DeletedArtifact[];
  /** per database touched: what remains in the folder afterwards */
  databases: Array<{ database: string; remaining: number; restorable: RestorableRange[] }>;
  /** `*.backup` names in the folder that could not be read (one may depend on what was deleted) */
  skipped: Array<{ file: string; message: string }>;
}

/** The artifacts named: their location and their names in it. */
export interface NamedArtifacts {
  location: Location;
  /** the location, for messages (a folder path, or a URL) */
  dir: string;
  names: string[];
}

/**
 * The artifacts named (files in one folder, or `s3://bucket/prefix/<name>` URLs of one location), checked against
 * the path rules; returns their location and names.
 */
export async function resolveArtifactFiles(files: string[]): Promise<NamedArtifacts> {
  if (files.length === 0) throw new TxlineError('USAGE', 'name at least one artifact file to delete');
  for (const raw of files) {
    if (raw.includes(',')) {
      throw new TxlineError('USAGE', `${raw} contains a comma: name each artifact as an argument of its own (no Txline artifact or folder path holds a comma)`);
    }
  }
  const urls = files.filter(isLocationUrl);
  if (urls.length > 0 && urls.length < files.length) {
    throw new TxlineError('USAGE', 'the artifacts to delete must all be in one location: name either files of one folder or URLs of one location (run backup delete once per location)');
  }
  if (urls.length) return resolveArtifactUrls(urls);
  const paths: string[] = [];
  for (const raw of files) {
    const abs = path.resolve(raw);
    const st = await openLocation(path.dirname(abs)).stat(path.basename(abs)); // not confined yet: only looked at
    if (!st) throw new TxlineError('PATH_NOT_FOUND', `${raw} does not exist`);
    if (st.link) {
      throw new TxlineError('NOT_AN_ARTIFACT', `${raw} is a symlink; backup delete does not follow symlinks (name the artifact file itself, in its folder)`);
    }
    const base = path.basename(abs);
    if (!base.endsWith(ARTIFACT_EXTENSION) || base.startsWith('.')) {
      throw new TxlineError('NOT_AN_ARTIFACT', `${raw} is not a backup artifact file (artifact files are named <database>-<time>${ARTIFACT_EXTENSION})`);
    }
    // confined (the dashboard's jobs): the real path, inside the backup roots; else as given
    paths.push(confinedPath(abs, 'artifact'));
  }
  const dirs = [...new Set(paths.map((p) => path.dirname(p)))];
  if (dirs.length > 1) {
    throw new TxlineError('USAGE', `the artifacts to delete must all be in one folder; these are in ${dirs.length}: ${dirs.join(', ')} (run backup delete once per folder)`);
  }
  return { location: folderLocation(dirs[0]), dir: dirs[0], names: [...new Set(paths.map((p) => path.basename(p)))] };
}

/** Artifacts named by URL (`s3://bucket/prefix/<name>`): all of one location, each an artifact's name that exists. */
async function resolveArtifactUrls(urls: string[]): Promise<NamedArtifacts> {
  const split = urls.map((u) => ({ raw: u, ...splitLocationUrl(u) }));
  for (const s of split) {
    if (s.name === null) throw new TxlineError('NOT_AN_ARTIFACT', `${s.raw.includes('@') ? 'the URL given' : s.raw} does not name a backup artifact (its last segment must be <database>-<time>${ARTIFACT_EXTENSION})`);
  }
  // the canonical form of each location (s3://b/p and s3://b/p/ are one location)
  const location = openLocation(split[0].location, { roots: engineRoots() });
  const where = location.describe();
  const others = [...new Set(split.map((s) => openLocation(s.location, { roots: engineRoots() }).describe()))].filter((w) => w !== where);
  if (others.length) {
    throw new TxlineError('USAGE', `the artifacts to delete must all be in one location; these are in ${others.length + 1}: ${[where, ...others].join(', ')} (run backup delete once per location)`);
  }
  const names = [...new Set(split.map((s) => s.name as string))];
  for (const n of names) {
    if (!(await location.stat(n))) throw new TxlineError('PATH_NOT_FOUND', `${location.addressOf(n)} does not exist`);
  }
  return { location, dir: where, names };
}

/**
 * Deletes the named artifacts (and, with `withDependents`, what depends on them), newest first, under the
 * folder's lock for each database involved. Throws ARTIFACT_HAS_DEPENDENTS, naming them, when a named
 * artifact has dependents that were not named and `withDependents` is off.
 */
export async function deleteArtifacts(opts: DeleteOptions): Promise<DeleteResult> {
  const { log } = opts;
  const { location: loc, dir, names } = await resolveArtifactFiles(opts.files);
  // Each named file must be an artifact (read now, before any lock: a wrong name fails fast).
  const databases = [...new Set((await Promise.all(names.map((n) => readArtifactIn(loc, n)))).map((a) => a.database))].sort();
  const locks: Lock[] = [];
  try {
    if (!opts.dryRun) {
      for (const db of databases) locks.push(await lockIn(loc, db, 'delete'));
      // What a killed backup or aggregation of these databases left in the location goes first.
      const scratch = loc.localFolder !== undefined ? [loc.localFolder] : [];
      for (const [i, db] of databases.entries()) {
        for (const d of foldersToClean(locks[i], scratch, log)) for (const m of cleanStaleTemporaries(d, db)) log.info(m);
      }
      for (const m of await loc.cleanLeftovers()) log.info(m);
    }
    // Under the lock: the folder as it is now.
    const listed = await listArtifactsIn(loc);
    for (const p of listed.problems) log.warn(skippedLine(p));
    const byName = new Map(listed.artifacts.map((a) => [a.file, a]));
    const named = names.map((n) => {
      const a = byName.get(n);
      if (!a) throw new TxlineError('PATH_NOT_FOUND', `${loc.addressOf(n)} is no longer an artifact in ${dir}`);
      return a;
    });
    const namedFiles = new Set(named.map((a) => a.file));
    const doomed = new Map(named.map((a) => [a.file, a]));
    const blocked: string[] = [];
    for (const a of named) {
      const deps = dependentsOf(a, listed.artifacts);
      const others = deps.filter((d) => !namedFiles.has(d.file));
      if (others.length && !opts.withDependents) blocked.push(`${a.file} has dependents (backups whose chain leads to it): ${describeDependents(others)}`);
      for (const d of deps) doomed.set(d.file, d);
    }
    if (blocked.length) {
      throw new TxlineError(
        'ARTIFACT_HAS_DEPENDENTS',
        `nothing deleted: ${blocked.join('; ')}; deleting it would break their chain${blocked.length > 1 ? 's' : ''} (add --with-dependents to delete them too, newest first)`,
        { details: { dependents: [...doomed.keys()].filter((f) => !namedFiles.has(f)) } },
      );
    }
    const order = deletionOrder([...doomed.values()]);
    const totals = { bytes: sum(order, (a) => fileSize(a)), tx: sum(order, (a) => a.txCount) };
    let bytesDone = 0;
    let txDone = 0;
    const deleted: DeletedArtifact[] = [];
    const report = (phase: string, extra: Record<string, unknown> = {}) =>
      opts.progress?.({ phase, bytesDone, bytesTotal: totals.bytes, txDone, txTotal: totals.tx, artifactsDone: deleted.length, artifactsTotal: order.length, ...extra });
    const entry = (a: Artifact): DeletedArtifact => ({
      file: a.file,
      database: a.database,
      time: a.time,
      full: a.full,
      lowestTx: a.lowestTx,
      highestTx: a.highestTx,
      parent: a.parent,
      sizeBytes: fileSize(a),
      txCount: a.txCount,
      requested: namedFiles.has(a.file),
    });
    if (opts.dryRun) {
      for (const a of order) {
        deleted.push(entry(a));
        opts.onDeleted?.(deleted[deleted.length - 1]);
      }
      log.info(`dry run: would delete ${order.length} artifact(s), newest first: ${order.map((a) => a.file).join(', ')}`);
    } else {
      report('delete');
      for (const a of order) if ((await loc.stat(a.file))?.link) log.info(`${a.file} is a symlink: the link is removed, not what it leads to`);
      const lockOf = (a: Artifact) => {
        const i = databases.indexOf(a.database);
        // (the databases were read from the named files before the lock: one replaced since names another)
        if (i < 0) throw new TxlineError('BACKUP_IN_PROGRESS', `${a.file} is now an artifact of ${a.database}, whose lock this delete does not hold; nothing more is deleted`);
        return locks[i];
      };
      await removeArtifacts(loc, order, lockOf, (a) => {
        bytesDone += fileSize(a);
        txDone += a.txCount;
        deleted.push(entry(a));
        opts.onDeleted?.(deleted[deleted.length - 1]);
        report('delete', { database: a.database, file: a.file });
      });
      log.info(`deleted ${deleted.length} artifact(s) from ${dir}, newest first: ${deleted.map((d) => d.file).join(', ')}`);
    }
    const gone = new Set(order.map((a) => a.file));
    const result: DeleteResult = {
      folder: dir,
      dryRun: Boolean(opts.dryRun),
      deleted,
      databases: databases.map((db) => remainingOf(db, listed.artifacts.filter((a) => a.database === db && !gone.has(a.file)))),
      skipped: listed.problems.map((p) => ({ file: p.file, message: p.error.message })),
    };
    if (result.skipped.length && deleted.length) {
      const then = opts.dryRun ? 'would be broken' : 'is broken now';
      log.warn(`${result.skipped.length} *${ARTIFACT_EXTENSION} name(s) in ${dir} could not be read; if one depended on what ${opts.dryRun ? 'would be' : 'was'} deleted, its chain ${then}`);
    }
    report('done');
    return result;
  } finally {
    for (const l of locks.reverse()) await l.release();
  }
}

function remainingOf(database: string, left: Artifact[]): DeleteResult['databases'][number] {
  const ranges = restorableRanges(left, new ChainIndex(left));
  return {
    database,
    remaining: left.length,
    restorable: ranges.map((r) => ({
      storeId: r.storeId,
      fromTx: r.fromTx,
      toTx: r.toTx,
      fromTime: r.fromTime === null ? null : new Date(r.fromTime).toISOString(),
      toTime: new Date(r.toTime).toISOString(),
    })),
  };
}

/** "a.backup (differential, transactions 11..20), b.backup (empty differential)" */
function describeDependents(deps: Artifact[]): string {
  return deps.map((d) => `${d.file} (${describeArtifact(d)})`).join(', ');
}

/** "full backup, transactions 1..10" / "differential, transactions 11..20" / "empty differential" */
export function describeArtifact(a: Pick<Artifact, 'full' | 'lowestTx' | 'highestTx'>): string {
  if (isEmpty(a)) return 'empty differential';
  return `${a.full ? 'full backup' : 'differential'}, transactions ${a.lowestTx}..${a.highestTx}`;
}

/** The whole file's size (its metadata says: a file of another size is not listed as an artifact). */
function fileSize(a: Artifact): number {
  return artifactFileSize(a.payload.sizeBytes);
}

function sum<T>(list: T[], f: (x: T) => number): number {
  return list.reduce((n, x) => n + f(x), 0);
}
