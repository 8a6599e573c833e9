'use server';
/** Server actions of the database page's schedules (operators and admins; audited with what was set). */
import { revalidatePath } from 'next/cache';
import { removeScheduleCommand, setScheduleCommand } from '@/lib/dashboard/schedules';
import { formObject, guarded, noted } from '@/lib/server/action';

type Input = FormData | Record<string, unknown>;

export async function setScheduleAction(_prev: unknown, input: Input) {
  const r = await guarded('schedule.set', (ctx) => noted(setScheduleCommand(ctx, formObject(input))), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function removeScheduleAction(_prev: unknown, input: Input) {
  const r = await guarded('schedule.remove', (ctx) => noted(removeScheduleCommand(ctx, formObject(input))), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}
