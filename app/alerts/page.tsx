import type { Metadata } from 'next';
import { connection } from 'next/server';
import { AlertList } from '@/components/alerts/alert-list';
import { DatabaseChooser } from '@/components/alerts/database-chooser';
import { FIELD_TEXT } from '@/components/alerts/rule-fields';
import { RuleForm } from '@/components/alerts/rule-form';
import { AddWebhookForm, TargetActions } from '@/components/alerts/webhook-forms';
import { UtcTime } from '@/components/ui/utc-time';
import { ALERT_CONDITIONS, CONDITION_LABELS, listRules, rulesFor } from '@/lib/alerts/rules';
import { listAlerts, openAlerts } from '@/lib/alerts/store';
import { listDeliveries, listTargets, publicTarget } from '@/lib/alerts/webhooks';
import { mayPerform } from '@/lib/auth/guard';
import { authorize, requireCaller } from '@/lib/server/auth';
import { serverContext } from '@/lib/server/context';

export const metadata: Metadata = { title: 'Alerts' };

export default async function AlertsPage({ searchParams }: { searchParams: Promise<{ database?: string }> }) {
  await connection();
  const caller = await requireCaller('/alerts');
  const d = await authorize('alerts.read', '/alerts');
  if (!d.ok) {
    return (
      <p role="alert" className="text-sm text-red-700 dark:text-red-400">
        {d.error}
      </p>
    );
  }
  const { db, collector } = serverContext();
  const open = openAlerts(db);
  const resolved = listAlerts(db, { state: 'resolved', limit: 50 });
  // the databases the thresholds can be set for: every one Txline knows, and `*`
  const known = new Set<string>();
  for (const s of collector.latest.values()) for (const m of s.report.members) for (const x of m.databases) known.add(x.name);
  for (const r of db.$client.prepare('SELECT DISTINCT database FROM artifacts UNION SELECT DISTINCT database FROM jobs UNION SELECT database FROM alert_rules').all() as Array<{ database: string }>) {
    if (r.database !== '*') known.add(r.database);
  }
  const databases = [...known].sort();
  const asked = (await searchParams).database;
  const database = asked === '*' || (asked && databases.includes(asked)) ? asked : '*';
  const ruleRows = listRules(db);
  const rules = rulesFor(ruleRows, database);
  const isAdmin = mayPerform(caller.role, 'webhook.read');
  return (
    <div className="space-y-8">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Alerts</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Conditions the server evaluates on every database: no successful backup within the RPO, failed or interrupted jobs, member lag, a differential
          that would fall back to a full, storage size and free space, failing restore drills. Each change is audited and sent to the webhook targets.
        </p>
      </div>
      <AlertList title="Firing" testId="alerts-firing" rows={open.filter((a) => a.state === 'firing')} empty="Nothing is firing." />
      <AlertList title="Acknowledged" testId="alerts-acknowledged" rows={open.filter((a) => a.state === 'acknowledged')} empty="No acknowledged alert is open." />
      <AlertList title="Resolved (latest 50)" testId="alerts-resolved" rows={resolved} empty="No alert has resolved yet." />

      <section aria-labelledby="thresholds-heading" className="space-y-3">
        <h2 id="thresholds-heading" className="text-lg font-semibold">
          Thresholds
        </h2>
        <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Choose a database">
          <DatabaseChooser databases={databases} ownRules={ruleRows.map((r) => r.database)} database={database} />
          <button type="submit" className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
            Show
          </button>
        </form>
        {asked && asked !== database ? (
          <p role="status" data-testid="alert-database-unknown" className="text-sm text-amber-700 dark:text-amber-400">
            Txline knows no database {JSON.stringify(asked.slice(0, 100))}; showing the defaults.
          </p>
        ) : null}
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          {database === '*' ? 'These apply to every database without thresholds of its own.' : `Thresholds of ${database}; saving one here makes it ${database}'s own.`}
        </p>
        <div className="grid gap-4 lg:grid-cols-2">
          {ALERT_CONDITIONS.map((c) => (
            <RuleForm
              key={`${database}:${c}`}
              database={database}
              condition={c}
              label={CONDITION_LABELS[c]}
              enabled={rules[c].enabled}
              from={rules[c].from}
              fields={FIELD_TEXT[c].map((f) => ({ ...f, value: (rules[c].settings as Record<string, number | null>)[f.name] ?? null }))}
            />
          ))}
        </div>
      </section>

      {isAdmin ? <WebhookSection /> : null}
    </div>
  );
}

function WebhookSection() {
  const { db } = serverContext();
  const targets = listTargets(db).map(publicTarget);
  const names = new Map(targets.map((t) => [t.id, t.name]));
  const deliveries = listDeliveries(db, { limit: 30 });
  return (
    <section aria-labelledby="webhooks-heading" className="space-y-4" data-testid="webhooks">
      <h2 id="webhooks-heading" className="text-lg font-semibold">
        Webhook targets
      </h2>
      {targets.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No webhook target: alerts show here and in the header only.</p>
      ) : (
        <ul className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
          {targets.map((t) => (
            <li key={t.id} data-testid="webhook-target" className="flex flex-wrap items-center gap-3 p-3 text-sm">
              <div className="min-w-0 flex-1">
                <span className="font-medium">{t.name}</span> <span className="break-all font-mono text-xs text-zinc-600 dark:text-zinc-400">{t.url}</span>
                <span className="ml-2 text-xs text-zinc-500">{t.hasSecret ? 'signed' : 'unsigned'}</span>
              </div>
              <TargetActions targetId={t.id} name={t.name} />
            </li>
          ))}
        </ul>
      )}
      <div className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
        <AddWebhookForm />
      </div>
      <h3 className="text-base font-semibold">Delivery log</h3>
      {deliveries.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Nothing sent yet.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="delivery-log">
            <thead className="text-xs text-zinc-500">
              <tr>
                <th className="py-1 pr-3 font-medium">Time (UTC)</th>
                <th className="py-1 pr-3 font-medium">Target</th>
                <th className="py-1 pr-3 font-medium">Event</th>
                <th className="py-1 pr-3 font-medium">Attempt</th>
                <th className="py-1 pr-3 font-medium">Outcome</th>
                <th className="py-1 font-medium">Detail</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {deliveries.map((x) => (
                <tr key={x.id}>
                  <td className="py-1 pr-3 whitespace-nowrap">
                    <UtcTime value={x.at} />
                  </td>
                  <td className="py-1 pr-3">{names.get(x.targetId) ?? `#${x.targetId}`}</td>
                  <td className="py-1 pr-3">{x.event}</td>
                  <td className="py-1 pr-3 tabular-nums">{x.attempt}</td>
                  <td className="py-1 pr-3">{x.outcome}{x.httpStatus !== null ? ` (${x.httpStatus})` : ''}</td>
                  <td className="py-1 break-words text-zinc-600 dark:text-zinc-400">{x.error ?? `${x.durationMs} ms`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
