/**
 * The indexer: brings the catalog's `artifacts` table in line with the backup folders. The files are the
 * truth: new or changed files (by size and mtime) are read, rows of vanished files are removed, so deleting
 * the catalog and indexing again gives back the same chains. Only each file's 9 KiB head is read.
 *
 * It runs in the server's process, so it never blocks on a file: a `*.backup` name that is not a regular file
 * (a directory, FIFO, socket or device, or a symlink to one) is skipped with a problem that names it, without
 * being opened (readArtifact opens with O_NONBLOCK and checks the descriptor too, for a swap in between).
 * Given the backup roots, a folder is confined again at every scan (it may have been replaced by a symlink
 * that leads out since it was registered) and a `*.backup` symlink that leads out of the roots is skipped.
 */
import fs from 'node:fs';
import path from 'node:path';
import { confineAtUse, folderRoots, realPathInside } from '../auth/paths';
import { describeError } from '../errors';
import { ARTIFACT_EXTENSION, fileKind, readArtifact } from '../engine/artifact';
import type { Catalog } from './index';
import { deleteArtifacts, listArtifactsOfFolder, rowFromArtifact, upsertArtifact } from './queries/artifacts';
import { listFolders, markScanned } from './queries/clusters';
import type { BackupFolderRow } from './schema';

export interface IndexResult {
  folderId: number;
  added: number;
  updated: number;
  removed: number;
  unchanged: number;
  /** names that were skipped, with why (the message names the path) */
  problems: Array<{ file: string; message: string }>;
}

/** Where registered folders must stay (TXLINE_BACKUP_ROOTS, and the default folder's own path). */
export interface IndexConfinement {
  backupRoots: string[];
  backupDir: string;
}

export function indexFolder(db: Catalog, folder: BackupFolderRow, confine?: IndexConfinement): IndexResult {
  const result: IndexResult = { folderId: folder.id, added: 0, updated: 0, removed: 0, unchanged: 0, problems: [] };
  const roots = confine ? folderRoots(confine, folder) : null;
  let dir = folder.path;
  if (roots) {
    const at = confineAtUse(folder.path, roots);
    if (!at.ok) {
      // Nothing is read there; the rows stay until the folder is usable again (or removed from the settings).
      markScanned(db, { id: folder.id, error: `not scanned: ${at.error}` });
      return result;
    }
    dir = at.path;
  }
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith(ARTIFACT_EXTENSION) && !n.startsWith('.'));
  } catch (e) {
    markScanned(db, { id: folder.id, error: `cannot read ${folder.path}: ${describeError(e)}` });
    return result;
  }
  const rows = new Map(listArtifactsOfFolder(db, { folderId: folder.id }).map((r) => [r.file, r]));
  db.transaction(() => {
    for (const name of names) {
      const p = path.join(dir, name);
      let st: fs.Stats;
      try {
        st = fs.statSync(p); // follows a symlink; never blocks, whatever the file is
      } catch {
        continue; // deleted meanwhile (or a dangling symlink)
      }
      if (!st.isFile()) {
        result.problems.push({ file: name, message: `${p} is ${fileKind(st)}, not a backup artifact file` });
        continue; // its row, if it was an artifact before, goes below
      }
      if (roots && fs.lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink() && !realPathInside(p, roots)) {
        result.problems.push({ file: name, message: `${p} is a symlink that leads out of the backup roots` });
        continue;
      }
      const row = rows.get(name);
      rows.delete(name);
      if (row && row.fileSize === st.size && row.fileMtimeMs === Math.trunc(st.mtimeMs)) {
        result.unchanged++;
        continue;
      }
      try {
        upsertArtifact(db, rowFromArtifact(folder.id, readArtifact(p), st));
        if (row) result.updated++;
        else result.added++;
      } catch (e) {
        result.problems.push({ file: name, message: describeError(e) });
      }
    }
    const gone = [...rows.values()].map((r) => r.id);
    if (gone.length) deleteArtifacts(db, { ids: gone });
    result.removed = gone.length;
  });
  markScanned(db, { id: folder.id, error: result.problems.length ? `skipped: ${result.problems.map((p) => p.message).join('; ')}` : null });
  return result;
}

export function indexAll(db: Catalog, confine?: IndexConfinement): IndexResult[] {
  return listFolders(db).map((f) => indexFolder(db, f, confine));
}
