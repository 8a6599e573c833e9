/** Backup folders: add one (inside the backup roots) or make the catalog forget one (its files stay). */
import fs from 'node:fs';
import { z } from 'zod';
import { describeError } from '../../errors';
import { confineToRoots } from '../../auth/paths';
import { ensureFolder, getFolder, listFolders, removeFolder } from '../../db/queries/clusters';
import { displayName, fail, fromZod, id, type CommandContext, type Result } from './shared';

export const folderInput = z.object({
  name: displayName,
  path: z.string({ error: 'is required' }),
});

/** Adds a backup folder. Its path comes from the browser: it must resolve inside the backup roots. */
export async function addFolder(ctx: CommandContext, raw: unknown): Promise<Result<{ folderId: number }>> {
  const p = folderInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const confined = confineToRoots(p.data.path, ctx.env.backupRoots);
  if (!confined.ok) return fail('PATH_OUTSIDE_ROOTS', `Cannot use that folder: ${confined.error}.`, { path: [confined.error] });
  const resolved = confined.path;
  if (listFolders(ctx.db).some((f) => f.name.toLowerCase() === p.data.name.toLowerCase())) return fail('ALREADY_EXISTS', `A folder named ${p.data.name} exists.`, { name: ['already taken'] });
  if (listFolders(ctx.db).some((f) => f.path === resolved)) return fail('ALREADY_EXISTS', `${resolved} is already a backup folder.`, { path: ['already registered'] });
  try {
    fs.mkdirSync(resolved, { recursive: true });
    fs.accessSync(resolved, fs.constants.W_OK);
  } catch (e) {
    return fail('IO_ERROR', `Cannot use ${resolved}: ${describeError(e)}`, { path: ['cannot be created or written'] });
  }
  // Created now: check again that no symlink race took it outside the roots.
  const again = confineToRoots(resolved, ctx.env.backupRoots);
  if (!again.ok) return fail('PATH_OUTSIDE_ROOTS', `Cannot use that folder: ${again.error}.`, { path: [again.error] });
  const row = ensureFolder(ctx.db, { name: p.data.name, path: resolved, isDefault: false });
  await ctx.reindex(row.id); // the settings page shows the new folder with what it holds
  return { ok: true, folderId: row.id };
}

export function deleteFolder(ctx: CommandContext, raw: unknown): Result {
  const p = z.object({ folderId: id }).safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const f = getFolder(ctx.db, { id: p.data.folderId });
  if (!f) return fail('NOT_FOUND', `There is no backup folder #${p.data.folderId}.`);
  if (f.isDefault) return fail('NOT_SUPPORTED', 'The default backup folder cannot be removed.');
  removeFolder(ctx.db, { id: f.id }); // the files stay; only the catalog forgets the folder
  return { ok: true };
}
