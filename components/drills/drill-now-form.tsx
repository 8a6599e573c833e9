'use client';

/**
 * "Drill now": restores the database's newest chain in the page's folder into a scratch database on its
 * cluster, checks it and drops it (a drill job; its progress follows below the button). The point: the newest
 * (compared with what the artifacts recorded) or a random one inside the chain.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useActionState, useEffect, useId, useState } from 'react';
import { drillAction } from '@/app/databases/[name]/drill-actions';
import { useCan } from '@/components/auth/permissions';
import { jobKeys } from '@/components/jobs/jobs-query';
import { StartedJob } from '@/components/jobs/started-job';
import { FieldError, fieldErrorsOf, FormError } from '@/components/ui/field-errors';

type State = Awaited<ReturnType<typeof drillAction>> | null;

export function DrillNowForm({ clusterId, folderId, database }: { clusterId: number; folderId: number; database: string }) {
  const [state, formAction, pending] = useActionState<State, FormData>(drillAction, null);
  const [point, setPoint] = useState('latest');
  const qc = useQueryClient();
  const id = useId();
  const errs = fieldErrorsOf(state);
  useEffect(() => {
    if (state?.ok) void qc.invalidateQueries({ queryKey: jobKeys.all });
  }, [state, qc]);
  if (!useCan('drill.start')) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Drills need the operator role.</p>;
  return (
    <form action={formAction} aria-label={`Drill ${database}`} className="space-y-3">
      <input type="hidden" name="clusterId" value={clusterId} />
      <input type="hidden" name="folderId" value={folderId} />
      <input type="hidden" name="database" value={database} />
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
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-teal-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-teal-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 disabled:opacity-60"
      >
        {pending ? 'Starting…' : 'Drill now'}
      </button>
      <div aria-live="polite" className="space-y-2">
        <FormError state={state} shown={['point']} />
        {state?.ok ? <StartedJob jobId={state.jobId} kind="drill" database={database} /> : null}
      </div>
    </form>
  );
}
