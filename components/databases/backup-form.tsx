'use client';

/**
 * The database page's backup form, with the engine's options: type (auto, full, differential), the member to
 * back up from (or let the cluster choose: secondaries, then followers, then the writer), compression, and
 * --prefer-diff-as-parent. Field errors sit under their field in aria-live regions.
 */
import { useActionState, useId, useState } from 'react';
import { backupAction } from '@/app/databases/[name]/actions';
import { useCan } from '@/components/auth/permissions';
import { BACKUP_TYPES } from '@/components/backups/backup-now-form';
import { FieldError, fieldErrorsOf } from '@/components/ui/field-errors';
import { HiddenFields } from '@/components/ui/hidden-fields';
import { StartedJobFooter } from '@/components/jobs/started-job-footer';
import { keepFieldsOnSubmit } from '@/components/ui/keep-fields';
import { BUTTON_LOOK, PendingButton } from '@/components/ui/pending-button';
import { useHydrated } from '@/components/ui/utc-time';
import type { SourceChoice } from '@/lib/dashboard/source-choice';
import { formatBehind } from '@/lib/format';

type State = Awaited<ReturnType<typeof backupAction>> | null;

export interface SourceMember {
  id: string;
  address: string;
  description: string;
}

const input = 'rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900';

export function BackupForm({
  clusterId,
  folderId,
  database,
  members,
  likely = null,
  neo4jCluster = null,
}: {
  /** a Neo4j cluster's name: its neo4j-admin backs up from its registered servers, so no member is chosen here */
  neo4jCluster?: string | null;
  clusterId: number;
  folderId: number;
  database: string;
  members: SourceMember[];
  /** the member the cluster would choose now (lib/dashboard/source-choice.ts), when known */
  likely?: SourceChoice | null;
}) {
  const [state, formAction, pending] = useActionState<State, FormData>(backupAction, null);
  // (a click before hydration would post the form natively and reload the page with its defaults)
  const hydrated = useHydrated();
  const [type, setType] = useState('auto');
  const [member, setMember] = useState('');
  const [compress, setCompress] = useState(true);
  const [preferDiff, setPreferDiff] = useState(false);
  const id = useId();
  const errs = fieldErrorsOf(state);
  if (!useCan('backup.start')) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Backups need the operator role.</p>;
  return (
    <form data-hydrated={hydrated || undefined} action={formAction} onSubmit={keepFieldsOnSubmit(formAction)} aria-label={`Back up ${database}`} className="space-y-3">
      <HiddenFields fields={{ clusterId, folderId, database }} />
      <fieldset className="space-y-1" aria-describedby={`${id}-type-err`}>
        <legend className="text-xs font-medium text-zinc-600 dark:text-zinc-400">Type</legend>
        <div className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          {BACKUP_TYPES.map((t) => (
            <label key={t.value} className="flex items-center gap-1.5">
              <input type="radio" name="type" value={t.value} checked={type === t.value} onChange={() => setType(t.value)} className="accent-teal-700" />
              {t.label}
            </label>
          ))}
        </div>
        <FieldError id={`${id}-type-err`} messages={errs.type} className="text-xs empty:hidden" />
      </fieldset>
      {neo4jCluster ? (
        <p className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="neo4j-backup-source">
          The neo4j-admin of {neo4jCluster} backs up from its registered servers (--backup-from) into this folder; Neo4j has no source member to choose here.
        </p>
      ) : (
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-member`} className="text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Source member
        </label>
        <select
          id={`${id}-member`}
          name="member"
          value={member}
          onChange={(e) => setMember(e.target.value)}
          aria-describedby={`${id}-member-hint ${id}-member-err`}
          className={`${input} w-full min-w-0 max-w-full`}
        >
          <option value="">Let the cluster choose</option>
          {members.map((m) => (
            <option key={m.address} value={m.address}>
              {m.id} · {m.description} · {m.address}
            </option>
          ))}
        </select>
        <p id={`${id}-member-hint`} className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="likely-source">
          {member ? (
            `Backs up from ${member}.`
          ) : likely ? (
            <>
              The cluster would choose <strong className="font-medium text-zinc-800 dark:text-zinc-200">{likely.memberId}</strong> ({likely.role}, {formatBehind(-likely.behind, likely.lagMs)}) now: {likely.reason}.
            </>
          ) : (
            'Secondaries first, then primary followers, then the writer, skipping members that lag too far behind.'
          )}
        </p>
        <FieldError id={`${id}-member-err`} messages={errs.member} className="text-xs empty:hidden" />
      </div>
      )}
      <div className="flex flex-wrap gap-x-5 gap-y-1 text-sm">
        <label className="flex items-center gap-1.5">
          {/* an unchecked box sends nothing: the hidden "false" before it says so */}
          <input type="hidden" name="compress" value="false" />
          <input type="checkbox" name="compress" value="true" checked={compress} onChange={(e) => setCompress(e.target.checked)} aria-describedby={`${id}-compress-err`} className="accent-teal-700" />
          Compress
        </label>
        <label className="flex items-center gap-1.5" title="Parent a differential on the latest differential even when a newer full exists, so every transaction stays restorable one by one">
          <input
            type="checkbox"
            name="preferDiffAsParent"
            value="true"
            checked={preferDiff}
            onChange={(e) => setPreferDiff(e.target.checked)}
            aria-describedby={`${id}-prefer-err`}
            className="accent-teal-700"
          />
          Prefer a differential as parent
        </label>
      </div>
      <FieldError id={`${id}-compress-err`} messages={errs.compress} className="text-xs empty:hidden" />
      <FieldError id={`${id}-prefer-err`} messages={errs.preferDiffAsParent} className="text-xs empty:hidden" />
      <PendingButton pending={pending} pendingLabel="Starting…" className={BUTTON_LOOK.primary}>
        Start backup
      </PendingButton>
      <StartedJobFooter state={state} shown={['type', 'member', 'compress', 'preferDiffAsParent']} kind="backup" database={database} refreshOnFinish={false} />
    </form>
  );
}
