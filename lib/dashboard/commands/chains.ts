/** Jobs on a database's chains in a backup folder: verify them, or fold the latest into one full backup. */
import path from 'node:path';
import { z } from 'zod';
import { listArtifactsByDatabase } from '../../db/queries/artifacts';
import { getFolder } from '../../db/queries/clusters';
import { databaseName, fail, folderAtUse, fromZod, id, startJob, type CommandContext, type Result } from './shared';

export const chainInput = z.object({ folderId: id, database: databaseName, clusterId: id.optional() });

export function startVerifyChain(ctx: CommandContext, raw: unknown, createdBy: string | null): Result<{ jobId: number }> {
  const p = chainInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const folder = getFolder(ctx.db, { id: p.data.folderId });
  if (!folder) return fail('NOT_FOUND', `There is no backup folder #${p.data.folderId}.`);
  const at = folderAtUse(ctx, folder);
  if (!at.ok) return at;
  const input = { database: p.data.database, fromPath: at.path, reportPath: path.join(ctx.env.dataDir, 'reports'), confineToRoots: at.confineToRoots };
  return startJob(ctx, { kind: 'verify', input, database: p.data.database, clusterId: p.data.clusterId ?? null, folderId: folder.id, params: p.data, createdBy });
}

export function startAggregate(ctx: CommandContext, raw: unknown, createdBy: string | null): Result<{ jobId: number }> {
  const p = chainInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const folder = getFolder(ctx.db, { id: p.data.folderId });
  if (!folder) return fail('NOT_FOUND', `There is no backup folder #${p.data.folderId}.`);
  if (listArtifactsByDatabase(ctx.db, { folderId: folder.id, database: p.data.database }).length === 0) {
    return fail('NOT_FOUND', `There are no backups of ${p.data.database} in ${folder.name}.`);
  }
  const at = folderAtUse(ctx, folder);
  if (!at.ok) return at;
  const input = { database: p.data.database, fromPath: at.path, keepOldBackup: false, confineToRoots: at.confineToRoots };
  return startJob(ctx, { kind: 'aggregate', input, database: p.data.database, clusterId: p.data.clusterId ?? null, folderId: folder.id, params: p.data, createdBy });
}
