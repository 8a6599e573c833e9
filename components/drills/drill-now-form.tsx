'use client';

/**
 * "Drill now": restores the database's newest chain in the page's folder into a scratch database on its
 * cluster, checks it and drops it (a drill job; its progress follows below the button). The point: the newest
 * (compared with what the artifacts recorded) or a random one inside the chain.
 */
import { useActionState, useId, useState } from 'react';
import { drillAction } from '@/app/databases/[name]/drill-actions';
import { useCan } from '@/components/auth/permissions';
import { StartedJobFooter } from '@/components/jobs/started-job-footer';
import { FieldError, fieldErrorsOf } from '@/components/ui/field-errors';
import { HiddenFields } from '@/components/ui/hidden-fields';
import { BUTTON_LOOK, PendingButton } from '@/components/ui/pending-button';

type State = Awaited<ReturnType<typeof drillAction>> | null;

export function DrillNowForm({ clusterId, folderId, database }: { clusterId: number; folderId: number; database: string }) {
  const [state, formAction, pending] = useActionState<State, FormData>(drillAction, null);
  const [point, setPoint] = useState('latest');
  const id = useId();
  const errs = fieldErrorsOf(state);
  if (!useCan('drill.start')) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Drills need the operator role.</p>;
  return (
    <form action={formAction} aria-label={`Drill ${database}`} className="space-y-3">
      <HiddenFields fields={{ clusterId, folderId, database }} />
      <fieldset className="space-y-1" aria-describedby={`${id}-point-err`}>
        <legend className="text-xs font-medium text-zinc-600 dark:text-zinc-400">Point</legend>
        <div className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          <label className="flex items-center gap-1.5">
            <input type="radio" name="point" value="latest" checked={point === 'latest'} onChange={() => setPoint('latest')} className="accent-teal-700" />
            Newest
          </label>
          <label className="flex items-center gap-1.5">
            <input type="radio" name="point" value="random" checked={point === 'random'} onChange={() => setPoint('random')} className="accent-teal-700" />
            Random point of the chain
          </label>
        </div>
        <FieldError id={`${id}-point-err`} messages={errs.point} className="text-xs empty:hidden" />
      </fieldset>
      <PendingButton pending={pending} pendingLabel="Starting…" className={BUTTON_LOOK.primary}>
        Drill now
      </PendingButton>
      <StartedJobFooter state={state} shown={['point']} kind="drill" database={database} />
    </form>
  );
}
