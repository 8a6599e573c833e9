'use server';
/** Server actions of the restore wizard: check a choice (each step) and start the restore. */
import { revalidatePath } from 'next/cache';
import * as cmd from '@/lib/dashboard/commands/restore';
import { clusterSnapshots } from '@/lib/dashboard/data';
import { findRestoreDatabases } from '@/lib/dashboard/restore-databases';
import { listFolders } from '@/lib/db/queries/clusters';
import { formObject, guarded, noted } from '@/lib/server/action';

type Input = FormData | Record<string, unknown>;

/** Validates the wizard's choices so far and says what the restore would do. Starts nothing. */
export async function previewRestoreAction(_prev: unknown, input: Input) {
  return guarded('restore.preview', (ctx) => {
    const r = cmd.previewRestore(ctx, formObject(input));
    return r.ok ? { ok: true as const, preview: r.preview } : r;
  });
}

export async function restoreAction(_prev: unknown, input: Input) {
  const r = await guarded('restore.start', (ctx, caller) => noted(cmd.startRestore(ctx, formObject(input), caller.username)), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

/**
 * The databases whose names contain `query`, for a wizard at fleet size (it lists no databases past
 * WIZARD_LIST_LIMIT): at most WIZARD_MATCHES, with their clusters and backup counts. Starts nothing.
 */
export async function findDatabasesAction(query: unknown) {
  return guarded('restore.preview', async (ctx) => {
    if (typeof query !== 'string' || query.length > 255) return { ok: false as const, code: 'INVALID_ARGUMENT', error: 'the search must be part of a database name (at most 255 characters)' };
    const folders = listFolders(ctx.db).map((f) => f.id);
    return { ok: true as const, ...findRestoreDatabases(ctx.db, await clusterSnapshots(ctx), folders, query) };
  });
}
