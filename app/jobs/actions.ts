'use server';
/** Server actions of the jobs page. */
import { revalidatePath } from 'next/cache';
import * as cmd from '@/lib/dashboard/commands/jobs';
import { formObject, guarded } from '@/lib/server/action';

export async function cancelJobAction(_prev: unknown, input: FormData | Record<string, unknown>) {
  const r = await guarded('job.cancel', (ctx) => cmd.cancelJob(ctx, formObject(input)), formObject(input));
  revalidatePath('/jobs');
  return r;
}
