'use client';

/**
 * Removes a cluster or a backup folder from the catalog after a confirmation, with the pending state and
 * the error (if any) beside the button. The page re-renders from the server when the action revalidates it.
 */
import { useQueryClient } from '@tanstack/react-query';
import { startTransition, useActionState, useState, type ReactNode } from 'react';
import { deleteClusterAction, deleteFolderAction } from '@/app/settings/actions';
import { useCan } from '@/components/auth/permissions';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { ErrorHint } from '@/components/ui/error-hint';

type Target = { kind: 'cluster'; id: number; name: string } | { kind: 'folder'; id: number; name: string };

export function RemoveButton({ target, children }: { target: Target; children: ReactNode }) {
  const queryClient = useQueryClient();
  const canWrite = useCan('settings.write');
  const [confirming, setConfirming] = useState(false);
  const [state, dispatch, pending] = useActionState<{ error: string; code: string } | null, Target>(async (_prev, t) => {
    const r = t.kind === 'cluster' ? await deleteClusterAction(null, { clusterId: t.id }) : await deleteFolderAction(null, { folderId: t.id });
    if (!r.ok) return { error: r.error, code: r.code };
    if (t.kind === 'cluster') await queryClient.invalidateQueries({ queryKey: ['cluster'] });
    return null;
  }, null);

  if (!canWrite) return null;
  return (
    <div className="flex flex-col items-end gap-1">
      <button
        type="button"
        disabled={pending}
        onClick={() => setConfirming(true)}
        aria-label={`Remove ${target.kind} ${target.name}`}
        className="rounded-md border border-red-300 px-2.5 py-1 text-xs font-medium text-red-800 hover:bg-red-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-700 disabled:opacity-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950"
      >
        {pending ? 'Removing…' : 'Remove'}
      </button>
      <div aria-live="polite" className="text-right text-xs">
        {state ? (
          <>
            <p className="text-red-700 dark:text-red-400">{state.error}</p>
            <ErrorHint code={state.code} />
          </>
        ) : null}
      </div>
      <ConfirmDialog
        open={confirming}
        title={`Remove ${target.kind} ${target.name}?`}
        confirmLabel={`Remove ${target.kind}`}
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          startTransition(() => dispatch(target));
        }}
      >
        {children}
      </ConfirmDialog>
    </div>
  );
}
