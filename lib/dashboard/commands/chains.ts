/** Jobs on a database's chains in a backup folder: verify them, or fold the latest into one full backup. */
import path from 'node:path';
import { z } from 'zod';
import { listArtifactsByDatabase } from '../../db/queries/artifacts';
import { getFolder } from '../../db/queries/clusters';
import { databaseName, fail, folderAtUse, fromZod, id, startFolderJob, type CommandContext, type Result } from './shared';

export const chainInput = z.object({ folderId: id, database: databaseName, clusterId: id.optional() });

export function startVerifyChain(ctx: CommandContext, raw: unknown, createdBy: string | null): Result<{ jobId: number }> {
  const p = chainInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const folder = getFolder(ctx.db, { id: p.data.folderId });
  if (!folder) return fail(`There is no backup folder #${p.data.folderId}.`);
  const at = folderAtUse(ctx, folder);
  if (!at.ok) return at;
  const args = ['database', 'check', `--from-path=${at.path}`, `--report-path=${path.join(ctx.env.dataDir, 'reports')}`, p.data.database];
  const r = startFolderJob(ctx, folder, { kind: 'verify', database: p.data.database, clusterId: p.data.clusterId ?? null, folderId: folder.id, params: p.data, args, createdBy });
  return r.ok ? { ok: true, jobId: r.jobId } : fail(r.error);
}

export function startAggregate(ctx: CommandContext, raw: unknown, createdBy: string | null): Result<{ jobId: number }> {
  const p = chainInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const folder = getFolder(ctx.db, { id: p.data.folderId });
  if (!folder) return fail(`There is no backup folder #${p.data.folderId}.`);
  if (listArtifactsByDatabase(ctx.db, { folderId: folder.id, database: p.data.database }).length === 0) {
    return fail(`There are no backups of ${p.data.database} in ${folder.name}.`);
  }
  const at = folderAtUse(ctx, folder);
  if (!at.ok) return at;
  const args = ['backup', 'aggregate', `--from-path=${at.path}`, p.data.database];
  const r = startFolderJob(ctx, folder, { kind: 'aggregate', database: p.data.database, clusterId: p.data.clusterId ?? null, folderId: folder.id, params: p.data, args, createdBy });
  return r.ok ? { ok: true, jobId: r.jobId } : fail(r.error);
}
