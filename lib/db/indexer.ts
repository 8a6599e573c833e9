/**
 * The indexer: brings the catalog's `artifacts` table in line with the backup folders. The files are the
 * truth: new or changed files (by size and mtime) are read, rows of vanished files are removed, so deleting
 * the catalog and indexing again gives back the same chains. Only each file's 9 KiB head is read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeError } from '../errors';
import { ARTIFACT_EXTENSION, readArtifact } from '../engine/artifact';
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
  problems: Array<{ file: string; message: string }>;
}

export function indexFolder(db: Catalog, folder: BackupFolderRow): IndexResult {
  const result: IndexResult = { folderId: folder.id, added: 0, updated: 0, removed: 0, unchanged: 0, problems: [] };
  let names: string[];
  try {
    names = fs.readdirSync(folder.path).filter((n) => n.endsWith(ARTIFACT_EXTENSION) && !n.startsWith('.'));
  } catch (e) {
    markScanned(db, { id: folder.id, error: `cannot read ${folder.path}: ${describeError(e)}` });
    return result;
  }
  const rows = new Map(listArtifactsOfFolder(db, { folderId: folder.id }).map((r) => [r.file, r]));
  db.transaction(() => {
    for (const name of names) {
      const p = path.join(folder.path, name);
      let st: fs.Stats;
      try {
        st = fs.statSync(p);
      } catch {
        continue; // deleted meanwhile
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
  markScanned(db, { id: folder.id, error: result.problems.length ? result.problems.map((p) => `${p.file}: ${p.message}`).join('; ') : null });
  return result;
}

export function indexAll(db: Catalog): IndexResult[] {
  return listFolders(db).map((f) => indexFolder(db, f));
}
