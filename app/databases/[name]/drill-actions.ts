'use server';
/** The database page's "Drill now": a restore drill of the database's newest chain, as a job (operators). */
import { revalidatePath } from 'next/cache';
import * as drill from '@/lib/dashboard/commands/drill';
import { formObject, guarded, noted } from '@/lib/server/action';

type Input = FormData | Record<string, unknown>;

export async function drillAction(_prev: unknown, input: Input) {
  const r = await guarded('drill.start', (ctx, caller) => noted(drill.startDrill(ctx, formObject(input), caller.username)), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}
