/**
 * The alerts page's commands: acknowledge an alert (operators and admins), set or reset a condition's thresholds
 * for a database or for every database (operators and admins), add, remove and test webhook targets (admins).
 * Inputs come from the browser: each is parsed here, and a TxlineError naming a field becomes a field error.
 * A target's secret goes into the catalog sealed and is never part of a result or an audit entry.
 */
import { z } from 'zod';
import type { AlertMonitor } from '../../alerts/monitor';
import { ALERT_CONDITIONS, CONDITION_SETTINGS, checkRuleDatabase, resetRule, setRule } from '../../alerts/rules';
import { acknowledgeAlert } from '../../alerts/store';
import { addTarget, removeTarget } from '../../alerts/webhooks';
import type { Catalog } from '../../db';
import type { TxlineEnv } from '../../env';
import { codeOf, describeError, TxlineError } from '../../errors';
import { bool, fail, fromZod, id, type Result } from './shared';

export interface AlertsContext {
  db: Catalog;
  env: Pick<TxlineEnv, 'catalog'>;
  alerts: Pick<AlertMonitor, 'evaluateSoon' | 'sendTest' | 'send'>;
}

/** A TxlineError as a failed result (its `details.field` as the field in error). */
function failed(e: unknown) {
  const field = e instanceof TxlineError && typeof e.details?.field === 'string' ? e.details.field : null;
  const message = describeError(e).replace(/^[a-z]+: /i, '');
  return fail(codeOf(e), describeError(e), field ? { [field]: [message] } : undefined);
}

export function acknowledge(ctx: AlertsContext, raw: unknown, by: string): Result<{ audit: { target: string; detail: string } }> {
  const p = z.object({ alertId: id }).safeParse(raw);
  if (!p.success) return fromZod(p.error);
  try {
    const a = acknowledgeAlert(ctx.db, { id: p.data.alertId, by });
    ctx.alerts.send(a, 'acknowledged'); // the webhook targets hear of it too, in the background
    return { ok: true, audit: { target: `alertId=${a.id} alert=${a.condition}${a.database ? ` database=${a.database}` : ''}`, detail: `acknowledged: ${a.message}` } };
  } catch (e) {
    return failed(e);
  }
}

const ruleInput = z.object({
  database: z.string({ error: 'is required' }).max(64),
  condition: z.enum(ALERT_CONDITIONS, { error: 'is not a condition' }),
  enabled: bool,
});

/** Saves a condition's thresholds; the fields are the condition's own (./rules.ts), as the form names them. */
export function saveRule(ctx: AlertsContext, raw: unknown, by: string): Result<{ audit: { target: string; detail: string } }> {
  const p = ruleInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const fields = Object.keys(CONDITION_SETTINGS[p.data.condition].shape);
  const settings = Object.fromEntries(fields.map((f) => [f, (raw as Record<string, unknown>)[f]]));
  try {
    const row = setRule(ctx.db, { ...p.data, settings, by });
    ctx.alerts.evaluateSoon();
    return { ok: true, audit: { target: `alert=${row.condition} database=${row.database}`, detail: `${row.enabled ? 'enabled' : 'disabled'} ${JSON.stringify(row.settings)}` } };
  } catch (e) {
    return failed(e);
  }
}

export function resetRuleCommand(ctx: AlertsContext, raw: unknown): Result<{ audit: { target: string; detail: string } }> {
  const p = ruleInput.pick({ database: true, condition: true }).safeParse(raw);
  if (!p.success) return fromZod(p.error);
  try {
    const database = checkRuleDatabase(p.data.database);
    const had = resetRule(ctx.db, { database, condition: p.data.condition });
    ctx.alerts.evaluateSoon();
    return { ok: true, audit: { target: `alert=${p.data.condition} database=${database}`, detail: had ? 'back to the defaults' : 'had no thresholds of its own' } };
  } catch (e) {
    return failed(e);
  }
}

const targetInput = z.object({
  name: z.string({ error: 'is required' }).max(200),
  url: z.string({ error: 'is required' }).max(4000),
  secret: z.string().max(1000).optional(),
});

export function addWebhook(ctx: AlertsContext, raw: unknown, by: string): Result<{ targetId: number; audit: { target: string; detail: string } }> {
  const p = targetInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  try {
    const t = addTarget(ctx.db, ctx.env.catalog, { ...p.data, by });
    return { ok: true, targetId: t.id, audit: { target: `webhook=${t.name}`, detail: `${t.url}${t.secretSealed ? ' (signed)' : ''}` } };
  } catch (e) {
    return failed(e);
  }
}

export function removeWebhook(ctx: AlertsContext, raw: unknown): Result<{ audit: { target: string; detail: string } }> {
  const p = z.object({ targetId: id }).safeParse(raw);
  if (!p.success) return fromZod(p.error);
  try {
    const t = removeTarget(ctx.db, { id: p.data.targetId });
    return { ok: true, audit: { target: `webhook=${t.name}`, detail: `removed ${t.url}` } };
  } catch (e) {
    return failed(e);
  }
}

export async function testWebhook(ctx: AlertsContext, raw: unknown): Promise<Result<{ message: string; audit: { target: string; detail: string } }>> {
  const p = z.object({ targetId: id }).safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const r = await ctx.alerts.sendTest(p.data.targetId);
  const what = r.outcome === 'ok' ? `delivered (HTTP ${r.httpStatus}, ${r.durationMs} ms)` : `not delivered: ${r.error ?? 'unknown error'}`;
  if (r.outcome !== 'ok') return fail(r.outcome === 'refused' ? 'ADDRESS_REFUSED' : 'IO_ERROR', `The test was ${what}.`);
  return { ok: true, message: `The test was ${what}.`, audit: { target: `webhookId=${p.data.targetId}`, detail: what } };
}
