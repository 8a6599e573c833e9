/** One backup artifact: verify it (a job), or delete it with every backup that depends on it. */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { codeOf, describeError } from '../../errors';
import { fsyncDir } from '../../fs';
import { getArtifact, listArtifactsByDatabase } from '../../db/queries/artifacts';
import { getFolder } from '../../db/queries/clusters';
import { acquireLock } from '../../engine/lock';
import { fail, folderAtUse, fromZod, id, startJob, type CommandContext, type Result } from './shared';

export const artifactInput = z.object({ artifactId: id });

export function startVerifyArtifact(ctx: CommandContext, raw: unknown, createdBy: string | null): Result<{ jobId: number }> {
  const p = artifactInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const a = getArtifact(ctx.db, { id: p.data.artifactId });
  const folder = a && getFolder(ctx.db, { id: a.folderId });
  if (!a || !folder) return fail('NOT_FOUND', `There is no artifact #${p.data.artifactId}.`);
  const at = folderAtUse(ctx, folder);
  if (!at.ok) return at;
  const input = { database: a.database, fromPath: path.join(at.path, a.file), reportPath: path.join(ctx.env.dataDir, 'reports'), confineToRoots: at.confineToRoots };
  return startJob(ctx, { kind: 'verify', input, database: a.database, clusterId: null, folderId: folder.id, params: { artifactId: a.id, file: a.file }, createdBy });
}


/**
 * Deletes an artifact and every backup that depends on it, newest first (so an interrupted delete leaves
 * usable backups), under the folder's lock for that database.
 */
export async function deleteArtifact(ctx: CommandContext, raw: unknown): Promise<Result<{ deleted: string[] }>> {
  const p = artifactInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const a = getArtifact(ctx.db, { id: p.data.artifactId });
  const folder = a && getFolder(ctx.db, { id: a.folderId });
  if (!a || !folder) return fail('NOT_FOUND', `There is no artifact #${p.data.artifactId}.`);
  const rows = listArtifactsByDatabase(ctx.db, { folderId: folder.id, database: a.database });
  const doomed = new Set([a.file]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of rows) {
      if (r.parent && doomed.has(r.parent) && !doomed.has(r.file)) {
        doomed.add(r.file);
        grew = true;
      }
    }
  }
  const at = folderAtUse(ctx, folder);
  if (!at.ok) return at;
  let lock;
  try {
    lock = acquireLock(at.path, a.database, 'delete');
  } catch (e) {
    return fail(codeOf(e, 'BACKUP_IN_PROGRESS'), describeError(e));
  }
  const deleted: string[] = [];
  try {
    for (const r of rows.filter((x) => doomed.has(x.file)).sort((x, y) => y.time - x.time)) {
      fs.rmSync(path.join(at.path, r.file), { force: true });
      deleted.push(r.file);
    }
    fsyncDir(at.path);
  } finally {
    lock.release();
    // the page shown next reads the catalog: it must no longer hold what was deleted
    await ctx.reindex(folder.id);
  }
  return { ok: true, deleted };
}
