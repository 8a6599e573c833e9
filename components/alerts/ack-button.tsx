'use client';

/** Acknowledge for a firing alert (operators and admins): it stays open, marked with who and when. */
import { useQueryClient } from '@tanstack/react-query';
import { startTransition, useActionState } from 'react';
import { acknowledgeAlertAction } from '@/app/alerts/actions';
import { ErrorHint } from '@/components/ui/error-hint';
import { alertKeys } from './alerts-query';

type State = { ok: true } | { ok: false; error: string; code: string } | null;

export function AckButton({ alertId, label }: { alertId: number; label: string }) {
  const queryClient = useQueryClient();
  const [state, dispatch, pending] = useActionState(async (_prev: State, id: number): Promise<State> => {
    const r = await acknowledgeAlertAction(null, { alertId: id });
    await queryClient.invalidateQueries({ queryKey: alertKeys.counts });
    return r.ok ? { ok: true } : { ok: false, error: r.error, code: r.code };
  }, null);
  return (
    <div className="flex flex-wrap items-center gap-2">
      <button
        type="button"
        disabled={pending || state?.ok === true}
        onClick={() => startTransition(() => dispatch(alertId))}
        aria-label={`Acknowledge ${label}`}
        className="rounded-md border border-zinc-300 px-2.5 py-1 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800"
      >
        {pending ? 'Acknowledging…' : 'Acknowledge'}
      </button>
      <span role="status" aria-live="polite" className="text-sm text-red-700 dark:text-red-400">
        {state && !state.ok ? state.error : ''}
      </span>
      {state && !state.ok ? <ErrorHint code={state.code} className="basis-full" /> : null}
    </div>
  );
}
