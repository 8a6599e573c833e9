'use client';

/**
 * A Neo4j cluster's restore, as Neo4j does it on a cluster: a new database seeded from a backup in the
 * cluster's location (CREATE DATABASE … OPTIONS {seedURI, seedRestoreUntil}). The user names the new database
 * and, optionally, the transaction it should end at; the job follows here.
 */
import { useActionState, useId } from 'react';
import { seedRestoreAction } from '@/app/databases/[name]/actions';
import { useCan } from '@/components/auth/permissions';
import { StartedJobFooter } from '@/components/jobs/started-job-footer';
import { FieldError, fieldErrorsOf } from '@/components/ui/field-errors';
import { HiddenFields } from '@/components/ui/hidden-fields';
import { BUTTON_LOOK, PendingButton } from '@/components/ui/pending-button';

type State = Awaited<ReturnType<typeof seedRestoreAction>> | null;

const input = 'rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900';

export function SeedRestoreForm({ clusterId, folderId, database, cluster, endsAt }: { clusterId: number; folderId: number; database: string; cluster: string; endsAt: { from: number; to: number } | null }) {
  const [state, formAction, pending] = useActionState<State, FormData>(seedRestoreAction, null);
  const id = useId();
  const errs = fieldErrorsOf(state);
  if (!useCan('restore.start')) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Restores need the admin role.</p>;
  return (
    <form action={formAction} aria-label={`Restore ${database} as a new database of ${cluster}`} className="space-y-3">
      <HiddenFields fields={{ clusterId, folderId, database }} />
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        Seeds a new database of {cluster} from these backups (every server must read this folder). The restore wizard previews Txline&apos;s own artifacts; a Neo4j
        cluster restores by seeding.
      </p>
      <div className="flex flex-wrap gap-3">
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-target`} className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
            New database
          </label>
          <input id={`${id}-target`} name="target" required autoComplete="off" spellCheck={false} aria-describedby={`${id}-target-err`} className={input} />
          <FieldError id={`${id}-target-err`} field="target" messages={errs.target} className="text-xs empty:hidden" />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-ends`} className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
            Ends at transaction (optional)
          </label>
          <input id={`${id}-ends`} name="endsAt" inputMode="numeric" autoComplete="off" aria-describedby={`${id}-ends-hint ${id}-ends-err`} className={input} />
          <p id={`${id}-ends-hint`} className="text-xs text-zinc-600 dark:text-zinc-400">
            {endsAt ? `Restorable: ${endsAt.from}–${endsAt.to}. Empty: the newest backup's end.` : "Empty: the newest backup's end."} Sent as seedRestoreUntil = N + 1.
          </p>
          <FieldError id={`${id}-ends-err`} field="endsAt" messages={errs.endsAt} className="text-xs empty:hidden" />
        </div>
      </div>
      <PendingButton pending={pending} pendingLabel="Starting…" className={BUTTON_LOOK.primary}>
        Restore by seeding
      </PendingButton>
      <StartedJobFooter state={state} shown={['target', 'endsAt']} kind="restore" database={database} refreshOnFinish={false} />
    </form>
  );
}
