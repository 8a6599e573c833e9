'use server';
/** Server actions of the settings page: clusters and backup folders. */
import { revalidatePath } from 'next/cache';
import * as clusters from '@/lib/dashboard/commands/clusters';
import * as folders from '@/lib/dashboard/commands/folders';
import { formObject, guarded, noted } from '@/lib/server/action';

type Input = FormData | Record<string, unknown>;

// A cluster's token is stored, never returned: no result or audit entry carries it (see lib/dashboard/commands/clusters.ts).
export async function addClusterAction(_prev: unknown, input: Input) {
  const r = await guarded('settings.write', (ctx) => noted(clusters.addCluster(ctx, formObject(input))), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function setClusterTokenAction(_prev: unknown, input: Input) {
  const r = await guarded('settings.write', (ctx) => noted(clusters.updateClusterToken(ctx, formObject(input))), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function deleteClusterAction(_prev: unknown, input: Input) {
  const r = await guarded('settings.write', (ctx) => clusters.deleteCluster(ctx, formObject(input)), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function addFolderAction(_prev: unknown, input: Input) {
  const r = await guarded('settings.write', (ctx) => folders.addFolder(ctx, formObject(input)), formObject(input), { target: folders.folderAuditTarget(formObject(input)) });
  revalidatePath('/', 'layout');
  return r;
}

export async function deleteFolderAction(_prev: unknown, input: Input) {
  const r = await guarded('settings.write', (ctx) => folders.deleteFolder(ctx, formObject(input)), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

// A Neo4j cluster's password is sealed at once and never returned, echoed or audited (lib/dashboard/commands/clusters.ts).
export async function addNeo4jClusterAction(_prev: unknown, input: Input) {
  const o = formObject(input);
  const name = typeof o.name === 'string' ? o.name.trim().slice(0, 64) : '';
  const r = await guarded('settings.write', async (ctx) => noted(await clusters.addNeo4jClusterCommand(ctx, o)), undefined, { target: name ? `cluster=${name}` : null });
  revalidatePath('/', 'layout');
  return r;
}

// "Test connection" of an s3:// location typed in the form: nothing is registered; the result names the location, never a credential.
export async function testFolderConnectionAction(_prev: unknown, input: Input) {
  return guarded('settings.write', (ctx) => folders.testConnection(ctx, formObject(input)), formObject(input), { target: folders.folderAuditTarget(formObject(input)) });
}
