/**
 * Storage locations: add one (a folder inside the backup roots, or `s3://bucket/prefix`), test an S3 location's
 * connection, or make the catalog forget one (its files stay).
 *
 * An `s3://` location is not a place on this disk: the backup roots confine folders only, and the server reaches
 * the bucket with its own AWS environment (credentials chain, AWS_ENDPOINT_URL_S3). Its URL is checked and kept
 * in canonical form; a URL with credentials in it is refused and never echoed (lib/storage/s3/url.ts). It is
 * registered only after its connection test passes (list, then a tiny hidden object written and deleted), so a
 * typo in the bucket or a key without write permission is said at once, naming the location, never a credential.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { describeError, TxlineError } from '../../errors';
import { confineToRoots } from '../../auth/paths';
import { ensureFolder, getFolder, listFolders, removeFolder } from '../../db/queries/clusters';
import { canonicalLocationUrl, isLocationUrl, openLocation } from '../../storage';
import { displayName, fail, fromZod, id, type CommandContext, type Fail, type Result } from './shared';

export const folderInput = z.object({
  name: displayName,
  path: z.string({ error: 'is required' }),
});

/** Adds a backup folder or an S3 location. A folder's path comes from the browser: it must resolve inside the backup roots. */
export async function addFolder(ctx: CommandContext, raw: unknown): Promise<Result<{ folderId: number }>> {
  const p = folderInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  if (isLocationUrl(p.data.path.trim())) return addLocation(ctx, p.data.name, p.data.path.trim());
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

/** Registers `s3://bucket/prefix` once its connection test passes. */
async function addLocation(ctx: CommandContext, name: string, raw: string): Promise<Result<{ folderId: number }>> {
  const checked = await probe(raw);
  if (!checked.ok) return checked;
  const url = checked.location;
  if (listFolders(ctx.db).some((f) => f.name.toLowerCase() === name.toLowerCase())) return fail('ALREADY_EXISTS', `A folder named ${name} exists.`, { name: ['already taken'] });
  if (listFolders(ctx.db).some((f) => f.path === url)) return fail('ALREADY_EXISTS', `${url} is already a storage location.`, { path: ['already registered'] });
  const row = ensureFolder(ctx.db, { name, path: url, isDefault: false });
  await ctx.reindex(row.id);
  return { ok: true, folderId: row.id };
}

export const connectionInput = z.object({ path: z.string({ error: 'is required' }).trim().min(1, { error: 'is required' }).max(1024) });

/**
 * "Test connection" of an `s3://bucket/prefix` location (typed in the form, not registered yet): lists it, writes
 * and deletes a tiny hidden object. A failure names the location and what to fix: wrong credentials, a missing
 * bucket, an unreachable endpoint, no permission to write.
 */
export async function testConnection(_ctx: CommandContext, raw: unknown): Promise<Result<{ location: string; backups: number }>> {
  const p = connectionInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  if (!isLocationUrl(p.data.path)) return fail('INVALID_ARGUMENT', 'Test connection is for s3://bucket/prefix locations; a folder is checked when it is added.', { path: ['not an s3:// location'] });
  return probe(p.data.path);
}

async function probe(raw: string): Promise<{ ok: true; location: string; backups: number } | Fail> {
  let url: string;
  try {
    url = canonicalLocationUrl(raw) as string;
  } catch (e) {
    const why = e instanceof TxlineError ? e.message : 'not a valid location URL';
    return fail('INVALID_ARGUMENT', why, { path: [why] });
  }
  const loc = openLocation(url);
  try {
    if (!loc.probe) return fail('NOT_SUPPORTED', `${url}: this kind of location cannot be tested.`, { path: ['cannot be tested'] });
    await loc.probe();
    const backups = (await loc.list()).length;
    return { ok: true, location: url, backups };
  } catch (e) {
    // the TxlineError's own message (it names the location and the endpoint's host), never its causes' text
    const why = e instanceof TxlineError ? e.message : `${url}: the connection test failed`;
    return fail(e instanceof TxlineError ? e.code : 'IO_ERROR', why, { path: [why] });
  }
}

/**
 * The audit entry's target for an add or a test: the name and path, except a URL that holds an `@` (it may carry
 * a secret typed by mistake), which is not recorded.
 */
export function folderAuditTarget(raw: Record<string, unknown>): string | null {
  const parts: string[] = [];
  if (typeof raw.name === 'string' && raw.name.trim()) parts.push(`name=${raw.name.trim().slice(0, 64)}`);
  if (typeof raw.path === 'string' && raw.path.trim()) {
    const p = raw.path.trim();
    parts.push(isLocationUrl(p) && p.includes('@') ? 'path=(a URL holding credentials, not recorded)' : `path=${p.slice(0, 120)}`);
  }
  return parts.length ? parts.join(' ') : null;
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
