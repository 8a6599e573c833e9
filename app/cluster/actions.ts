'use server';
/** Server actions of the cluster page: pause or resume a member's replication, stop or start a member. */
import { revalidatePath } from 'next/cache';
import * as cmd from '@/lib/dashboard/commands/clusters';
import { formObject, guarded } from '@/lib/server/action';

export async function memberControlAction(_prev: unknown, input: FormData | Record<string, unknown>) {
  const r = await guarded('cluster.control', (ctx) => cmd.controlMember(ctx, formObject(input)), formObject(input));
  revalidatePath('/cluster');
  return r;
}
