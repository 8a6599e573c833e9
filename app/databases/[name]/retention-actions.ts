'use server';
/**
 * Server actions of the database page's retention policies: admins only (saving applies the policy, which
 * deletes backups). The preview changes nothing; saving and removing are audited with what was shown and set.
 */
import { revalidatePath } from 'next/cache';
import { previewRetention, removeRetentionCommand, saveRetentionCommand } from '@/lib/dashboard/retention';
import { formObject, guarded, noted } from '@/lib/server/action';

type Input = FormData | Record<string, unknown>;

export async function previewRetentionAction(input: Input) {
  return guarded('retention.preview', (ctx) => previewRetention(ctx, formObject(input)), formObject(input));
}

export async function saveRetentionAction(input: Input) {
  const r = await guarded('retention.set', (ctx, caller) => noted(saveRetentionCommand(ctx, formObject(input), caller.username)), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function removeRetentionAction(_prev: unknown, input: Input) {
  const r = await guarded('retention.remove', (ctx) => noted(removeRetentionCommand(ctx, formObject(input))), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}
