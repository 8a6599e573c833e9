'use server';
/** Server actions of the restore wizard: check a choice (each step) and start the restore. */
import { revalidatePath } from 'next/cache';
import * as cmd from '@/lib/dashboard/commands/restore';
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
