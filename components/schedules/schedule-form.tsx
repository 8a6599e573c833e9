'use client';

/**
 * The form that sets a backup schedule (a new one, or one being edited: the same cluster and glob replace
 * it), and the button that removes one. Operators and admins only; a viewer sees the schedules and nothing to
 * change. Field errors sit under their field in aria-live regions; after a save the next runs are shown.
 * The restore drills' cron (as `txline schedule set --drill`): each database the schedule covers is drilled by
 * it, daily at 03:30 by default; "off" or empty: no scheduled drills. Checked by croner on the server, as the
 * backup crons.
 */
import { useActionState, useId } from 'react';
import { removeScheduleAction, setScheduleAction } from '@/app/databases/[name]/schedule-actions';
import { useCan } from '@/components/auth/permissions';
import { FieldError, fieldErrorsOf, FormError } from '@/components/ui/field-errors';
import { InlineRemoveForm } from '@/components/ui/inline-remove-form';
import { BUTTON_LOOK, PendingButton } from '@/components/ui/pending-button';
import { formatUtc } from '@/lib/format';
import { DEFAULT_DRILL_CRON } from '@/lib/schedules/drill-cron';
import type { ScheduleFields } from '@/lib/db/queries/schedules';

type SetState = Awaited<ReturnType<typeof setScheduleAction>> | null;

/**
 * What the form edits: a schedule's fields as the catalog keeps them, but `drillCron` is the drill cron in
 * effect (null: none; absent: the default, for a new schedule).
 */
export type ScheduleFormValues = ScheduleFields;

const input = 'rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900';
const label = 'text-xs font-medium text-zinc-600 dark:text-zinc-400';

export function ScheduleForm({
  initial,
  clusters,
  folders,
  editing,
}: {
  initial: ScheduleFormValues;
  clusters: Array<{ id: number; name: string }>;
  folders: Array<{ id: number; name: string; path: string }>;
  editing: boolean;
}) {
  const [state, formAction, pending] = useActionState<SetState, FormData>(setScheduleAction, null);
  const id = useId();
  const errs = fieldErrorsOf(state);
  if (!useCan('schedule.set')) return null;
  const field = (name: keyof ScheduleFormValues, text: string, hint: string, value: string | null, placeholder = '') => (
    <div className="flex flex-col gap-1">
      <label htmlFor={`${id}-${name}`} className={label}>
        {text}
      </label>
      <input
        id={`${id}-${name}`}
        name={name}
        defaultValue={value ?? ''}
        placeholder={placeholder}
        aria-describedby={`${id}-${name}-hint ${id}-${name}-err`}
        className={`${input} font-mono`}
        autoComplete="off"
        spellCheck={false}
      />
      <span id={`${id}-${name}-hint`} className="text-xs text-zinc-500">
        {hint}
      </span>
      <FieldError id={`${id}-${name}-err`} field={name} messages={errs[name]} className="text-xs empty:hidden" />
    </div>
  );
  return (
    <form action={formAction} aria-label={editing ? `Edit the schedule of ${initial.databaseGlob}` : 'Add a schedule'} className="space-y-3" data-testid="schedule-form">
      {editing ? <input type="hidden" name="databaseGlob" value={initial.databaseGlob} /> : null}
      {editing ? <input type="hidden" name="clusterId" value={initial.clusterId} /> : null}
      <div className="grid gap-3 sm:grid-cols-2">
        {editing ? null : field('databaseGlob', 'Database or glob', '"*" covers every database but system', initial.databaseGlob)}
        {editing ? null : (
          <div className="flex flex-col gap-1">
            <label htmlFor={`${id}-clusterId`} className={label}>
              Cluster
            </label>
            <select id={`${id}-clusterId`} name="clusterId" defaultValue={initial.clusterId} aria-describedby={`${id}-clusterId-err`} className={input}>
              {clusters.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            <FieldError id={`${id}-clusterId-err`} field="clusterId" messages={errs.clusterId} className="text-xs empty:hidden" />
          </div>
        )}
        {field('fullCron', 'Full backups (cron)', 'e.g. 0 2 * * * (5 fields, or 6 with seconds first); empty: none', initial.fullCron, '0 2 * * *')}
        {field('diffCron', 'Differential backups (cron)', 'e.g. */15 * * * *; empty: none', initial.diffCron, '*/15 * * * *')}
        {field('timeZone', 'Time zone', 'an IANA name: UTC, Europe/Berlin, America/New_York', initial.timeZone, 'UTC')}
        {field(
          'drillCron',
          'Restore drills (cron)',
          `each database it covers is drilled at its newest point; default ${DEFAULT_DRILL_CRON} (daily 03:30); "off" or empty: none`,
          initial.drillCron === undefined ? DEFAULT_DRILL_CRON : (initial.drillCron ?? 'off'),
          DEFAULT_DRILL_CRON,
        )}
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-folderId`} className={label}>
            Backup folder
          </label>
          <select id={`${id}-folderId`} name="folderId" defaultValue={initial.folderId} aria-describedby={`${id}-folderId-err`} className={input}>
            {folders.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name} ({f.path})
              </option>
            ))}
          </select>
          <FieldError id={`${id}-folderId-err`} field="folderId" messages={errs.folderId} className="text-xs empty:hidden" />
        </div>
      </div>
      <label className="flex items-center gap-1.5 text-sm">
        <input type="hidden" name="enabled" value="false" />
        <input type="checkbox" name="enabled" value="true" defaultChecked={initial.enabled} className="accent-teal-700" />
        Enabled
      </label>
      <PendingButton pending={pending} pendingLabel="Saving…" className={BUTTON_LOOK.primary}>
        Save schedule
      </PendingButton>
      <div aria-live="polite" className="space-y-1 text-sm">
        <FormError state={state} shown={['databaseGlob', 'clusterId', 'fullCron', 'diffCron', 'timeZone', 'folderId', 'drillCron']} />
        {state?.ok ? (
          <p data-testid="schedule-saved" className="text-teal-800 dark:text-teal-300">
            Saved.
            {state.next.full[0] !== undefined ? ` Next full backup ${formatUtc(state.next.full[0])}.` : ''}
            {state.next.diff[0] !== undefined ? ` Next differential ${formatUtc(state.next.diff[0])}.` : ''}
            {state.nextDrill !== null ? ` Next restore drill ${formatUtc(state.nextDrill)}.` : ' No scheduled restore drills.'}
          </p>
        ) : null}
      </div>
    </form>
  );
}

export function RemoveScheduleButton({ scheduleId, glob }: { scheduleId: number; glob: string }) {
  return <InlineRemoveForm action={removeScheduleAction} permission="schedule.remove" name="scheduleId" value={scheduleId} label={`Remove the schedule of ${glob}`} />;
}
