/** One backup artifact: verify it, or delete it with every backup that depends on it (each a job). */
import path from 'node:path';
import { z } from 'zod';
import { addressIn } from '../../storage';
import { getArtifact } from '../../db/queries/artifacts';
import { getFolder } from '../../db/queries/clusters';
import type { ArtifactRow, BackupFolderRow } from '../../db/schema';
import { fail, folderAtUse, fromZod, id, startJob, type CommandContext, type Result } from './shared';

export const artifactInput = z.object({ artifactId: id });

/** The artifact `raw` names, its folder, and the folder's real path checked against the backup roots now. */
function artifactAtUse(
  ctx: CommandContext,
  raw: unknown,
): { ok: true; a: ArtifactRow; folder: BackupFolderRow; file: string; confineToRoots: string[] } | Exclude<Result, { ok: true }> {
  const p = artifactInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const a = getArtifact(ctx.db, { id: p.data.artifactId });
  const folder = a && getFolder(ctx.db, { id: a.folderId });
  if (!a || !folder) return fail('NOT_FOUND', `There is no artifact #${p.data.artifactId}.`);
  const at = folderAtUse(ctx, folder);
  if (!at.ok) return at;
  return { ok: true, a, folder, file: addressIn(at.path, a.file), confineToRoots: at.confineToRoots };
}

export function startVerifyArtifact(ctx: CommandContext, raw: unknown, createdBy: string | null): Result<{ jobId: number }> {
  const r = artifactAtUse(ctx, raw);
  if (!r.ok) return r;
  const { a, folder } = r;
  const input = { database: a.database, fromPath: r.file, reportPath: path.join(ctx.env.dataDir, 'reports'), confineToRoots: r.confineToRoots };
  return startJob(ctx, { kind: 'verify', input, database: a.database, clusterId: null, folderId: folder.id, params: { artifactId: a.id, file: a.file }, createdBy });
}

/**
 * Deletes an artifact and every backup that depends on it, as a job running `txline backup delete
 * --with-dependents` (lib/engine/delete.ts: under the folder's lock, dependents first, newest first, so an
 * interrupted delete never leaves a chain that looks complete but is not); the folder is indexed again when it ends.
 */
export function startDeleteArtifact(ctx: CommandContext, raw: unknown, createdBy: string | null): Result<{ jobId: number }> {
  const r = artifactAtUse(ctx, raw);
  if (!r.ok) return r;
  const { a, folder } = r;
  const input = { files: [r.file], withDependents: true, confineToRoots: r.confineToRoots };
  return startJob(ctx, { kind: 'delete', input, database: a.database, clusterId: null, folderId: folder.id, params: { artifactId: a.id, file: a.file }, createdBy });
}
