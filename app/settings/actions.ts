'use server';
/** Server actions of the settings page: clusters and backup folders. */
import { revalidatePath } from 'next/cache';
import * as cmd from '@/lib/dashboard/commands';
import { formObject, guarded, noted } from '@/lib/server/action';

type Input = FormData | Record<string, unknown>;

// A cluster's token is stored, never returned: no result or audit entry carries it (see lib/dashboard/commands.ts).
export async function addClusterAction(_prev: unknown, input: Input) {
  const r = await guarded('settings.write', (ctx) => noted(cmd.addCluster(ctx, formObject(input))), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function setClusterTokenAction(_prev: unknown, input: Input) {
  const r = await guarded('settings.write', (ctx) => noted(cmd.updateClusterToken(ctx, formObject(input))), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function deleteClusterAction(_prev: unknown, input: Input) {
  const r = await guarded('settings.write', (ctx) => cmd.deleteCluster(ctx, formObject(input)), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function addFolderAction(_prev: unknown, input: Input) {
  const r = await guarded('settings.write', (ctx) => cmd.addFolder(ctx, formObject(input)), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function deleteFolderAction(_prev: unknown, input: Input) {
  const r = await guarded('settings.write', (ctx) => cmd.deleteFolder(ctx, formObject(input)), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}
