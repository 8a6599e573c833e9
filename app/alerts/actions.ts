'use server';
/** Server actions of the alerts page: acknowledge, thresholds (operators and admins), webhook targets (admins). */
import { revalidatePath } from 'next/cache';
import * as cmd from '@/lib/dashboard/commands/alerts';
import { formObject, guarded, noted } from '@/lib/server/action';

type Input = FormData | Record<string, unknown>;

export async function acknowledgeAlertAction(_prev: unknown, input: Input) {
  const r = await guarded('alert.acknowledge', (ctx, caller) => noted(cmd.acknowledge(ctx, formObject(input), caller.username)), formObject(input));
  revalidatePath('/', 'layout');
  return r;
}

export async function saveRuleAction(_prev: unknown, input: Input) {
  const r = await guarded('alert.rules', (ctx, caller) => noted(cmd.saveRule(ctx, formObject(input), caller.username)), formObject(input));
  revalidatePath('/alerts');
  return r;
}

export async function resetRuleAction(_prev: unknown, input: Input) {
  const r = await guarded('alert.rules', (ctx) => noted(cmd.resetRuleCommand(ctx, formObject(input))), formObject(input));
  revalidatePath('/alerts');
  return r;
}

// A target's secret is sealed into the catalog; no result or audit entry carries it (lib/dashboard/commands/alerts.ts).
export async function addWebhookAction(_prev: unknown, input: Input) {
  const fields = formObject(input);
  const r = await guarded('webhook.write', (ctx, caller) => noted(cmd.addWebhook(ctx, fields, caller.username)), { name: fields.name });
  revalidatePath('/alerts');
  return r;
}

export async function removeWebhookAction(_prev: unknown, input: Input) {
  const r = await guarded('webhook.write', (ctx) => noted(cmd.removeWebhook(ctx, formObject(input))), formObject(input));
  revalidatePath('/alerts');
  return r;
}

export async function testWebhookAction(_prev: unknown, input: Input) {
  const r = await guarded('webhook.test', async (ctx) => noted(await cmd.testWebhook(ctx, formObject(input))), formObject(input));
  revalidatePath('/alerts');
  return r;
}
