/**
 * Alert thresholds: every condition has built-in defaults; a row of `alert_rules` for `*` replaces them for every
 * database, a row for a database name replaces them for that database alone (the most specific row wins, whole:
 * fields are not merged across rows). A disabled row turns the condition off for what it covers.
 *
 * Each condition's fields are checked by its zod schema here, for the dashboard's form and for the catalog's
 * rows alike (a row that no longer parses falls back to the defaults, it never breaks the evaluation).
 */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Catalog } from '../db';
import { ALERT_CONDITIONS, alertRules, type AlertCondition, type AlertRuleRow } from '../db/schema';
import { TxlineError } from '../errors';

export { ALERT_CONDITIONS, type AlertCondition };

const GiB = 1024 ** 3;
const count = (max: number) => z.coerce.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(0, { error: 'must not be negative' }).max(max);
const optional = (s: z.ZodType<number>) => z.preprocess((v) => (v === '' || v === undefined ? null : v), s.nullable());

/** Each condition's fields, checked. */
export const CONDITION_SETTINGS = {
  /** no successful backup for `hours` (null: from the schedule's crons, else 26) */
  rpo: z.object({ hours: optional(z.coerce.number({ error: 'must be a number' }).positive({ error: 'must be above 0' }).max(24 * 366)) }),
  /** this many failed or interrupted jobs in a row (of one kind) */
  job_failed: z.object({ failures: count(1000).min(1, { error: 'must be at least 1' }) }),
  /** a member behind the writer by more than `transactions` or `seconds` (null: not watched) for `minutes` */
  lag: z.object({ transactions: optional(count(1e12)), seconds: optional(count(86_400 * 30)), minutes: count(24 * 60) }),
  /** a differential would fall back to a full: no member holds the chain's end + 1 (less `margin` transactions) */
  fallback: z.object({ margin: count(1e12) }),
  /** a database's backups in its locations over `maxBytes`, or a location with less than `minFreeBytes` free */
  storage: z.object({ maxBytes: optional(count(2 ** 53 - 1)), minFreeBytes: optional(count(2 ** 53 - 1)) }),
  /** this many failed restore drills in a row */
  drill: z.object({ failures: count(1000).min(1, { error: 'must be at least 1' }) }),
} as const;

export type ConditionSettings = { [C in AlertCondition]: z.infer<(typeof CONDITION_SETTINGS)[C]> };

export const DEFAULT_SETTINGS: ConditionSettings = {
  rpo: { hours: null },
  job_failed: { failures: 1 },
  lag: { transactions: 1000, seconds: 300, minutes: 5 },
  fallback: { margin: 0 },
  storage: { maxBytes: null, minFreeBytes: GiB },
  drill: { failures: 1 },
};

/** For people: what each condition watches. */
export const CONDITION_LABELS: Record<AlertCondition, string> = {
  rpo: 'No successful backup within the RPO',
  job_failed: 'A failed or interrupted job',
  lag: 'Member lag',
  fallback: 'Next differential would fall back to a full',
  storage: 'Storage location size or free space',
  drill: 'Restore drill failing',
};

/** The RPO when neither a row nor a schedule says: a daily full and two hours to finish it. */
export const DEFAULT_RPO_HOURS = 26;

export interface EffectiveRule<C extends AlertCondition = AlertCondition> {
  condition: C;
  enabled: boolean;
  settings: ConditionSettings[C];
  /** where it comes from: the database's own row, the `*` row, or the defaults */
  from: 'database' | 'all' | 'default';
}

export type RuleSet = { [C in AlertCondition]: EffectiveRule<C> };

/** Parses a condition's fields (from a form or a row); an INVALID_ARGUMENT naming the first bad field. */
export function checkSettings<C extends AlertCondition>(condition: C, raw: unknown): ConditionSettings[C] {
  const r = CONDITION_SETTINGS[condition].safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = String(issue?.path[0] ?? condition);
    throw new TxlineError('INVALID_ARGUMENT', `${field}: ${issue?.message ?? 'is not valid'}`, { details: { field } });
  }
  return r.data as ConditionSettings[C];
}

/** The rules that apply to `database`, from the catalog's rows (all of them, as listRules returns). */
export function rulesFor(rows: AlertRuleRow[], database: string): RuleSet {
  const out = {} as Record<AlertCondition, EffectiveRule>;
  for (const condition of ALERT_CONDITIONS) {
    const own = rows.find((r) => r.condition === condition && r.database === database);
    const all = rows.find((r) => r.condition === condition && r.database === '*');
    const row = own ?? all;
    let settings: ConditionSettings[typeof condition] = DEFAULT_SETTINGS[condition];
    if (row) {
      const parsed = CONDITION_SETTINGS[condition].safeParse(row.settings);
      if (parsed.success) settings = parsed.data;
    }
    out[condition] = { condition, enabled: row ? row.enabled : true, settings, from: own ? 'database' : all ? 'all' : 'default' };
  }
  return out as RuleSet;
}

export function listRules(db: Catalog): AlertRuleRow[] {
  return db.select().from(alertRules).all();
}

/** A database name or `*`. */
const RULE_DATABASE = /^(?:\*|[a-z][a-z0-9.-]{0,62})$/;

export function checkRuleDatabase(raw: string): string {
  const d = raw.trim().toLowerCase();
  if (!RULE_DATABASE.test(d)) throw new TxlineError('INVALID_ARGUMENT', `database: "${raw.slice(0, 80)}" is not a database name or *`, { details: { field: 'database' } });
  return d;
}

/** Stores a condition's thresholds for a database (or `*`), replacing its row; the row as stored. */
export function setRule<C extends AlertCondition>(
  db: Catalog,
  i: { database: string; condition: C; enabled: boolean; settings: unknown; by: string | null },
  now = Date.now(),
): AlertRuleRow {
  const database = checkRuleDatabase(i.database);
  const settings = checkSettings(i.condition, i.settings) as Record<string, number | null>;
  return db
    .insert(alertRules)
    .values({ database, condition: i.condition, enabled: i.enabled, settings, updatedBy: i.by, updatedAt: now })
    .onConflictDoUpdate({ target: [alertRules.database, alertRules.condition], set: { enabled: i.enabled, settings, updatedBy: i.by, updatedAt: now } })
    .returning()
    .get();
}

/** Removes a database's row of a condition (the `*` row or the defaults apply again); whether there was one. */
export function resetRule(db: Catalog, i: { database: string; condition: AlertCondition }): boolean {
  const database = checkRuleDatabase(i.database);
  return db.delete(alertRules).where(and(eq(alertRules.database, database), eq(alertRules.condition, i.condition))).run().changes > 0;
}
