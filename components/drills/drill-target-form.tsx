'use client';

/**
 * The drill target of a database: the cluster its drills ("Drill now" and the scheduled ones) restore into,
 * its own cluster unless another is chosen. Clusters that cannot hold a drill's scratch database are listed
 * disabled, with why (admins: another cluster gets a copy of the data; others see the target only).
 */
import { useActionState, useId } from 'react';
import { setDrillTargetAction } from '@/app/databases/[name]/drill-actions';
import { useCan } from '@/components/auth/permissions';
import { FieldError, fieldErrorsOf, FormError } from '@/components/ui/field-errors';
import { PendingButton } from '@/components/ui/pending-button';

type State = Awaited<ReturnType<typeof setDrillTargetAction>> | null;

export interface DrillTargetChoice {
  id: number;
  name: string;
  kind: string;
  /** why it cannot be a drill target (null: it can) */
  problem: string | null;
}

export function DrillTargetForm({ clusterId, database, targetId, choices }: { clusterId: number; database: string; targetId: number; choices: DrillTargetChoice[] }) {
  const [state, formAction, pending] = useActionState<State, FormData>(setDrillTargetAction, null);
  const id = useId();
  const errs = fieldErrorsOf(state);
  const can = useCan('drill.target');
  const target = choices.find((c) => c.id === targetId);
  const refused = choices.filter((c) => c.problem !== null);
  return (
    <div className="space-y-2" data-testid="drill-target">
      <p className="text-sm">
        Drills restore into <strong data-testid="drill-target-name">{target?.name ?? `#${targetId}`}</strong>
        {targetId === clusterId ? ' (its own cluster)' : ''}.
      </p>
      {can ? (
        <form action={formAction} aria-label={`Drill target of ${database}`} className="flex flex-wrap items-end gap-2">
          <input type="hidden" name="clusterId" value={clusterId} />
          <input type="hidden" name="database" value={database} />
          <div className="flex flex-col gap-1">
            <label htmlFor={`${id}-target`} className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
              Drill target
            </label>
            <select
              id={`${id}-target`}
              name="targetClusterId"
              defaultValue={targetId === clusterId ? '' : targetId}
              aria-describedby={`${id}-target-err ${id}-target-why`}
              className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
            >
              {choices.map((c) => (
                <option key={c.id} value={c.id === clusterId ? '' : c.id} disabled={c.problem !== null}>
                  {c.name}
                  {c.id === clusterId ? ' (its own cluster)' : ''}
                  {c.problem !== null ? ` — ${c.kind}: cannot take drills` : ''}
                </option>
              ))}
            </select>
          </div>
          <PendingButton
            pending={pending}
            pendingLabel="Saving…"
            className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-700 dark:hover:bg-zinc-800"
          >
            Save drill target
          </PendingButton>
          <FieldError id={`${id}-target-err`} field="targetClusterId" messages={errs.targetClusterId} className="w-full text-xs empty:hidden" />
          <div aria-live="polite" className="w-full text-sm">
            <FormError state={state} shown={['targetClusterId']} />
            {state?.ok ? (
              <p data-testid="drill-target-saved" className="text-teal-800 dark:text-teal-300">
                Saved: drills of {database} restore into {state.target}.
              </p>
            ) : null}
          </div>
        </form>
      ) : null}
      {refused.length ? (
        <ul id={`${id}-target-why`} className="list-disc space-y-1 pl-5 text-xs text-zinc-600 dark:text-zinc-400">
          {refused.map((c) => (
            <li key={c.id}>{c.problem}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
