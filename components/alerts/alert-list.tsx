/**
 * One list of the alerts page (firing, acknowledged or resolved): what fired, on which database, its value
 * against its threshold, since when, and who acknowledged it. Firing ones have Acknowledge for operators and
 * admins.
 */
import { IfCan } from '@/components/auth/permissions';
import { Badge } from '@/components/ui/badge';
import { UtcTime } from '@/components/ui/utc-time';
import { CONDITION_LABELS } from '@/lib/alerts/rules';
import type { AlertRow } from '@/lib/db/schema';
import { AckButton } from './ack-button';

const TONE = { firing: 'bad', acknowledged: 'warn', resolved: 'good' } as const;

export function AlertList({ title, rows, empty, testId }: { title: string; rows: AlertRow[]; empty: string; testId: string }) {
  const headingId = `${testId}-heading`;
  return (
    <section aria-labelledby={headingId} className="space-y-2" data-testid={testId}>
      <h2 id={headingId} className="text-lg font-semibold">
        {title} <span className="text-sm font-normal text-zinc-500">({rows.length})</span>
      </h2>
      {rows.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{empty}</p>
      ) : (
        <ul className="divide-y divide-zinc-100 rounded-lg border border-zinc-200 bg-white dark:divide-zinc-800 dark:border-zinc-800 dark:bg-zinc-900">
          {rows.map((a) => {
            const label = `${CONDITION_LABELS[a.condition]}${a.database ? ` on ${a.database}` : ''}`;
            return (
              <li key={a.id} id={`alert-${a.id}`} data-testid="alert" data-alert={a.condition} data-database={a.database ?? undefined} data-state={a.state} className="flex flex-wrap items-start gap-3 p-3 text-sm">
                <div className="min-w-0 flex-1 space-y-1">
                  <div className="flex flex-wrap items-center gap-2">
                    <Badge tone={TONE[a.state]}>{a.state}</Badge>
                    <span className="font-medium">{CONDITION_LABELS[a.condition]}</span>
                    {a.database ? (
                      <span className="text-zinc-600 dark:text-zinc-400">
                        {a.database}
                        {a.cluster ? ` on ${a.cluster}` : ''}
                      </span>
                    ) : null}
                  </div>
                  <p className="break-words text-zinc-700 dark:text-zinc-300">{a.message}</p>
                  <p className="text-xs text-zinc-500 dark:text-zinc-400">
                    since <UtcTime value={a.since} />
                    {a.value !== null ? ` · value ${a.value}` : ''}
                    {a.threshold !== null ? ` · threshold ${a.threshold}` : ''}
                    {a.acknowledgedBy ? (
                      <>
                        {' · acknowledged by '}
                        <span data-testid="acknowledged-by">{a.acknowledgedBy}</span> <UtcTime value={a.acknowledgedAt} />
                      </>
                    ) : null}
                    {a.resolvedAt ? (
                      <>
                        {' · resolved '}
                        <UtcTime value={a.resolvedAt} />
                      </>
                    ) : null}
                  </p>
                </div>
                {a.state === 'firing' ? (
                  <IfCan action="alert.acknowledge">
                    <AckButton alertId={a.id} label={label} />
                  </IfCan>
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
