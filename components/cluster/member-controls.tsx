'use client';

/**
 * A member's controls on the cluster page: pause or resume its replication (any Txline member), stop or
 * start its process (the embedded cluster only; stopping asks first). Each click runs memberControlAction,
 * shows what is pending, then the member's answer or the error, and refreshes the cluster and lag queries.
 */
import { useQueryClient } from '@tanstack/react-query';
import { startTransition, useActionState, useState } from 'react';
import { memberControlAction } from '@/app/cluster/actions';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { ErrorHint } from '@/components/ui/error-hint';
import type { MemberReport } from '@/lib/monitor/cluster-report';

type ControlAction = 'pause' | 'resume' | 'stop' | 'start';
type ControlState = { ok: true; message: string; action: ControlAction } | { ok: false; error: string; code: string; action: ControlAction } | null;

const PENDING_LABEL: Record<ControlAction, string> = { pause: 'Pausing…', resume: 'Resuming…', stop: 'Stopping…', start: 'Starting…' };

const BUTTON =
  'rounded-md border px-2.5 py-1 text-xs font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 disabled:cursor-not-allowed disabled:opacity-50';
const NEUTRAL = `${BUTTON} border-zinc-300 bg-white hover:bg-zinc-100 dark:border-zinc-600 dark:bg-zinc-900 dark:hover:bg-zinc-800`;
const DANGER = `${BUTTON} border-red-300 bg-white text-red-800 hover:bg-red-50 dark:border-red-800 dark:bg-zinc-900 dark:text-red-300 dark:hover:bg-red-950`;

export function MemberControls({
  clusterId,
  member,
  canStop,
  canPause,
  writerOf,
}: {
  clusterId: number;
  member: MemberReport;
  /** the cluster's kind can stop and start this member's process (a cluster this server started) */
  canStop: boolean;
  /** the cluster's kind can pause its replication */
  canPause: boolean;
  /** the databases this member is the writer of (said in the stop confirmation) */
  writerOf: string[];
}) {
  const queryClient = useQueryClient();
  const [requested, setRequested] = useState<ControlAction | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [state, dispatch, pending] = useActionState<ControlState, ControlAction>(async (_prev, action) => {
    const r = await memberControlAction(null, { clusterId, memberId: member.id, action });
    await Promise.all([queryClient.invalidateQueries({ queryKey: ['cluster'] }), queryClient.invalidateQueries({ queryKey: ['lag'] })]);
    return r.ok ? { ok: true, message: r.message, action } : { ok: false, error: r.error, code: r.code, action };
  }, null);

  const run = (action: ControlAction) => {
    setRequested(action);
    startTransition(() => dispatch(action));
  };

  const paused = member.replication?.paused ?? null;
  // A member that only writes has nothing to replicate; it can still be resumed if someone paused it.
  const replicates = member.databases.some((d) => d.role !== 'writer') || paused === true;
  const running = member.reachable || member.processState === 'running' || member.processState === 'starting';
  const messageId = `member-control-message-${member.id}`;

  return (
    <div className="space-y-1">
      <div role="group" aria-label={`Controls of ${member.id}`} aria-describedby={messageId} className="flex flex-wrap gap-1.5">
        {canPause && member.reachable && paused !== null && replicates ? (
          paused ? (
            <button type="button" className={NEUTRAL} disabled={pending} onClick={() => run('resume')}>
              {pending && requested === 'resume' ? PENDING_LABEL.resume : 'Resume replication'}
            </button>
          ) : (
            <button type="button" className={NEUTRAL} disabled={pending} onClick={() => run('pause')}>
              {pending && requested === 'pause' ? PENDING_LABEL.pause : 'Pause replication'}
            </button>
          )
        ) : null}
        {canStop ? (
          running ? (
            <button type="button" className={DANGER} disabled={pending} onClick={() => setConfirming(true)}>
              {pending && requested === 'stop' ? PENDING_LABEL.stop : 'Stop member'}
            </button>
          ) : (
            <button type="button" className={NEUTRAL} disabled={pending} onClick={() => run('start')}>
              {pending && requested === 'start' ? PENDING_LABEL.start : 'Start member'}
            </button>
          )
        ) : null}
      </div>
      <div id={messageId} role="status" aria-live="polite" data-testid="member-control-message" className="text-xs">
        {pending ? (
          <span className="text-zinc-500 dark:text-zinc-400">{requested ? PENDING_LABEL[requested] : ''}</span>
        ) : state === null ? null : state.ok ? (
          <span className="text-emerald-700 dark:text-emerald-400">{state.message}</span>
        ) : (
          <>
            <span className="text-red-700 dark:text-red-400">{state.error}</span>
            <ErrorHint code={state.code} />
          </>
        )}
      </div>
      <ConfirmDialog
        open={confirming}
        title={`Stop ${member.id}?`}
        confirmLabel="Stop member"
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          run('stop');
        }}
      >
        <p>
          Its process stops: it serves no backups, and its lag line shows a gap until you start it again. The other
          members keep running.
        </p>
        {writerOf.length > 0 ? (
          <p className="mt-2 font-medium text-red-700 dark:text-red-400">
            {member.id} is the writer of {writerOf.join(', ')}: writes fail until it is started again.
          </p>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}
