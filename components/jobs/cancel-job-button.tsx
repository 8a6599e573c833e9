'use client';

/**
 * Cancel for a running job, asked twice: the first press shows "Cancel job #N?" with the choice to go on or
 * keep it running. The job stops (its temporary files removed) a moment later; the job queries are
 * invalidated so that lists and details show it.
 */
import { useQueryClient } from '@tanstack/react-query';
import { startTransition, useActionState, useEffect, useId, useRef, useState } from 'react';
import { cancelJobAction } from '@/app/jobs/actions';
import { ErrorHint } from '@/components/ui/error-hint';
import { jobKeys } from './jobs-query';

type CancelState = { ok: true } | { ok: false; error: string; code: string } | null;

export function CancelJobButton({ jobId, label = 'Cancel' }: { jobId: number; label?: string }) {
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState(false);
  const messageId = useId();
  const confirmRef = useRef<HTMLButtonElement>(null);
  const [state, dispatch, pending] = useActionState(async (_prev: CancelState, id: number): Promise<CancelState> => {
    const r = await cancelJobAction(null, { jobId: id });
    await queryClient.invalidateQueries({ queryKey: jobKeys.all });
    return r.ok ? { ok: true } : { ok: false, error: r.error, code: r.code };
  }, null);

  useEffect(() => {
    if (asking) confirmRef.current?.focus();
  }, [asking]);

  const buttonClass =
    'rounded-md px-2.5 py-1 text-sm font-medium outline-none focus-visible:ring-2 focus-visible:ring-offset-1 focus-visible:ring-teal-500 disabled:opacity-50 dark:focus-visible:ring-offset-zinc-900';
  return (
    <div className="flex flex-wrap items-center gap-2" data-testid="cancel-job">
      {state?.ok ? (
        <span className="text-sm text-zinc-600 dark:text-zinc-400">Cancelling…</span>
      ) : asking ? (
        <>
          <span className="text-sm">Cancel job #{jobId}?</span>
          <button
            ref={confirmRef}
            type="button"
            disabled={pending}
            aria-describedby={messageId}
            onClick={() => startTransition(() => dispatch(jobId))}
            className={`${buttonClass} bg-red-700 text-white hover:bg-red-800`}
          >
            {pending ? 'Cancelling…' : 'Yes, cancel it'}
          </button>
          <button type="button" disabled={pending} onClick={() => setAsking(false)} className={`${buttonClass} border border-zinc-300 hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800`}>
            Keep running
          </button>
        </>
      ) : (
        <button
          type="button"
          onClick={() => setAsking(true)}
          aria-label={`${label} job #${jobId}`}
          className={`${buttonClass} border border-red-300 text-red-800 hover:bg-red-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950`}
        >
          {label}
        </button>
      )}
      <span id={messageId} role="status" aria-live="polite" className="text-sm text-red-700 dark:text-red-400">
        {state && !state.ok ? state.error : ''}
      </span>
      {state && !state.ok ? <ErrorHint code={state.code} className="basis-full" /> : null}
    </div>
  );
}
