'use server';
/** Server actions of the database page (and the overview's "Back up now"). */
import { revalidatePath } from 'next/cache';
import * as cmd from '@/lib/dashboard/commands';
import { formObject, guarded } from '@/lib/server/action';

type Input = FormData | Record<string, unknown>;

export async function backupAction(_prev: unknown, input: Input) {
  const r = await guarded('backup.start', (ctx, caller) => cmd.startBackup(ctx, formObject(input), caller.username), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function verifyChainAction(_prev: unknown, input: Input) {
  const r = await guarded('chain.verify', (ctx, caller) => cmd.startVerifyChain(ctx, formObject(input), caller.username), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function verifyArtifactAction(_prev: unknown, input: Input) {
  const r = await guarded('artifact.verify', (ctx, caller) => cmd.startVerifyArtifact(ctx, formObject(input), caller.username), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function aggregateAction(_prev: unknown, input: Input) {
  const r = await guarded('chain.aggregate', (ctx, caller) => cmd.startAggregate(ctx, formObject(input), caller.username), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function deleteArtifactAction(_prev: unknown, input: Input) {
  const r = await guarded('artifact.delete', (ctx) => cmd.deleteArtifact(ctx, formObject(input)), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}
