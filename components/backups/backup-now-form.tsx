'use client';

/**
 * "Back up now" on the overview: auto, full or differential into the chosen folder, from the member the
 * cluster picks. Shows the pending state, then the started job live (or why it could not start, e.g. a job
 * already running on the database).
 */
import { useActionState, useId, useState } from 'react';
import { backupAction } from '@/app/databases/[name]/actions';
import { useCan } from '@/components/auth/permissions';
import { FieldError, fieldErrorsOf } from '@/components/ui/field-errors';
import { HiddenFields } from '@/components/ui/hidden-fields';
import { StartedJob } from '@/components/jobs/started-job';
import { StartedJobFooter } from '@/components/jobs/started-job-footer';
import { keepFieldsOnSubmit } from '@/components/ui/keep-fields';
import { BUTTON_LOOK, PendingButton } from '@/components/ui/pending-button';
import { useHydrated } from '@/components/ui/utc-time';

export const BACKUP_TYPES = [
  { value: 'auto', label: 'Auto (differential when possible)' },
  { value: 'full', label: 'Full' },
  { value: 'diff', label: 'Differential' },
] as const;

type State = Awaited<ReturnType<typeof backupAction>> | null;

export function BackupNowForm({
  clusterId,
  folderId,
  database,
  runningJob,
}: {
  clusterId: number;
  folderId: number;
  database: string;
  runningJob: { id: number; kind: string } | null;
}) {
  const [state, formAction, pending] = useActionState<State, FormData>(backupAction, null);
  // (a click before hydration would post the form natively and reload the page with its defaults)
  const hydrated = useHydrated();
  const [type, setType] = useState<string>('auto');
  const id = useId();
  const errs = fieldErrorsOf(state);
  const started = state?.ok ? state.jobId : null;
  const may = useCan('backup.start');
  if (!may) {
    return (
      <div className="space-y-2 text-sm text-zinc-600 dark:text-zinc-400">
        <p>Backups need the operator role.</p>
        {runningJob ? <StartedJob jobId={runningJob.id} kind={runningJob.kind} database={database} /> : null}
      </div>
    );
  }
  return (
    <form data-hydrated={hydrated || undefined} action={formAction} onSubmit={keepFieldsOnSubmit(formAction)} className="space-y-2" aria-label={`Back up ${database}`}>
      <HiddenFields fields={{ clusterId, folderId, database }} />
      <div className="flex flex-wrap items-end gap-2">
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-type`} className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
            Backup type
          </label>
          <select
            id={`${id}-type`}
            name="type"
            value={type}
            onChange={(e) => setType(e.target.value)}
            aria-describedby={`${id}-type-err`}
            className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
          >
            {BACKUP_TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
        <PendingButton pending={pending} pendingLabel="Starting…" aria-disabled={pending} className={BUTTON_LOOK.primary}>
          Back up now
        </PendingButton>
      </div>
      <FieldError id={`${id}-type-err`} messages={errs.type} className="text-xs empty:hidden" />
      <StartedJobFooter state={state} shown={['type']} kind="backup" database={database}>
        {runningJob && runningJob.id !== started ? <StartedJob jobId={runningJob.id} kind={runningJob.kind} database={database} /> : null}
      </StartedJobFooter>
    </form>
  );
}
