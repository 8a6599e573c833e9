/**
 * Step 4: everything the restore will do, in words, before it starts. Replacing a database that exists asks
 * for its name to be typed (the server checks it again).
 */
import type { ReactNode } from 'react';
import type { RestorePreview } from '@/lib/dashboard/commands';
import { formatNumber } from '@/lib/format';
import { CopyCommand } from '@/components/ui/copy-command';
import { FieldError } from '@/components/ui/field-errors';
import { describedBy, errorClass, errorId, hintClass, inputClass } from './form-controls';
import { RestorePlan } from './restore-plan';
import type { WizardOptions } from './restore-wizard';
import { describePoint, type FieldErrors, type RestoreValues } from './wizard-model';

export function ReviewStep({
  options,
  values,
  update,
  errors,
  preview,
  checking,
}: {
  options: WizardOptions;
  values: RestoreValues;
  update: (p: Partial<RestoreValues>) => void;
  errors: FieldErrors;
  preview: RestorePreview | null;
  checking: boolean;
}) {
  const folder = options.folders.find((f) => String(f.id) === values.folderId);
  const cluster = options.clusters.find((c) => String(c.id) === values.clusterId);
  const target = preview?.target ?? (values.targetMode === 'new' ? values.newName : values.database);
  const replacing = preview?.replacing ?? false;
  return (
    <div className="space-y-5">
      <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]" data-testid="restore-review">
        <Item label="Database">{values.database}</Item>
        <Item label="Backup folder">
          {folder?.name ?? values.folderId} <span className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{folder?.path}</span>
        </Item>
        <Item label="Cluster">{cluster?.name ?? '—'}</Item>
        <Item label="Restore point">{describePoint(values, preview, formatNumber)}</Item>
        <Item label="Target">
          <span data-testid="review-target" className="font-medium">
            {target}
          </span>{' '}
          {values.targetMode === 'new' ? '(a new database)' : replacing ? '(replaces the existing database)' : '(created: it does not exist now)'}
        </Item>
      </dl>
      <RestorePlan preview={preview} checking={checking} />
      {preview?.args ? <CopyCommand args={preview.args} /> : null}
      {replacing ? (
        <div className="space-y-2 rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950/50">
          <p className="text-sm text-amber-900 dark:text-amber-200">
            <strong>{target}</strong> will be stopped on every member and replaced by the restored store. Transactions committed to it after the restore point are lost
            unless they are backed up.
          </p>
          <label htmlFor="restore-confirm" className="block text-sm font-medium">
            Type <span className="font-mono">{target}</span> to confirm
          </label>
          <input
            id="restore-confirm"
            name="confirm"
            autoComplete="off"
            spellCheck={false}
            value={values.confirm}
            aria-invalid={errors.confirm ? true : undefined}
            aria-describedby={describedBy('confirm', 'restore-confirm-hint')}
            onChange={(e) => update({ confirm: e.target.value })}
            className={`${inputClass} max-w-sm font-mono`}
          />
          <p id="restore-confirm-hint" className={hintClass}>
            The restore starts only when the name matches exactly.
          </p>
          <FieldError id={errorId('confirm')} field="confirm" messages={errors.confirm} className={errorClass} />
        </div>
      ) : null}
    </div>
  );
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd>{children}</dd>
    </>
  );
}
