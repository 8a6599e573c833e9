'use server';
/** Server actions of the database page (and the overview's "Back up now"). */
import { revalidatePath } from 'next/cache';
import * as artifacts from '@/lib/dashboard/commands/artifacts';
import * as backup from '@/lib/dashboard/commands/backup';
import * as chains from '@/lib/dashboard/commands/chains';
import * as seedRestore from '@/lib/dashboard/commands/neo4j-restore';
import { formObject, guarded, noted } from '@/lib/server/action';

type Input = FormData | Record<string, unknown>;

export async function backupAction(_prev: unknown, input: Input) {
  const r = await guarded('backup.start', (ctx, caller) => noted(backup.startBackup(ctx, formObject(input), caller.username)), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function verifyChainAction(_prev: unknown, input: Input) {
  const r = await guarded('chain.verify', (ctx, caller) => chains.startVerifyChain(ctx, formObject(input), caller.username), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function verifyArtifactAction(_prev: unknown, input: Input) {
  const r = await guarded('artifact.verify', (ctx, caller) => artifacts.startVerifyArtifact(ctx, formObject(input), caller.username), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function aggregateAction(_prev: unknown, input: Input) {
  const r = await guarded('chain.aggregate', (ctx, caller) => chains.startAggregate(ctx, formObject(input), caller.username), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function deleteArtifactAction(_prev: unknown, input: Input) {
  const r = await guarded('artifact.delete', (ctx, caller) => artifacts.startDeleteArtifact(ctx, formObject(input), caller.username), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function seedRestoreAction(_prev: unknown, input: Input) {
  const r = await guarded('restore.start', (ctx, caller) => noted(seedRestore.startSeedRestore(ctx, formObject(input), caller.username)), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}
