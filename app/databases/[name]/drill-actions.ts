'use server';
/**
 * The database page's restore drills (operators): "Drill now", a drill of the database's newest chain, as a
 * job; and the drill target, the cluster its drills restore into.
 */
import { revalidatePath } from 'next/cache';
import * as drill from '@/lib/dashboard/commands/drill';
import { formObject, guarded, noted } from '@/lib/server/action';

type Input = FormData | Record<string, unknown>;

export async function drillAction(_prev: unknown, input: Input) {
  const r = await guarded('drill.start', (ctx, caller) => noted(drill.startDrill(ctx, formObject(input), caller.username)), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function setDrillTargetAction(_prev: unknown, input: Input) {
  const r = await guarded('drill.target', (ctx) => noted(drill.setDrillTargetCommand(ctx, formObject(input))), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}
