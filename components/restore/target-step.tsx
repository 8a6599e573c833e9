/**
 * Step 3: where the restore goes — a new database under a name of its own (the original untouched), or over
 * the database itself. A name the cluster already uses is refused here unless replacing.
 */
import { FieldError } from '@/components/ui/field-errors';
import { describedBy, errorClass, errorId, hintClass, inputClass, RadioCard } from './form-controls';
import type { FieldErrors, RestoreValues, TargetMode } from './wizard-model';

export function TargetStep({ values, update, errors, onCluster }: { values: RestoreValues; update: (p: Partial<RestoreValues>) => void; errors: FieldErrors; onCluster: boolean }) {
  const setMode = (m: string) => update({ targetMode: m as TargetMode, confirm: '' });
  return (
    <fieldset aria-describedby={errorId('targetMode')} className="space-y-2">
      <legend className="text-sm font-medium">Restore into</legend>
      <RadioCard
        name="targetMode"
        value="new"
        checked={values.targetMode === 'new'}
        onChange={setMode}
        label="A new database"
        description={`${values.database} stays as it is; the restored copy gets a name of its own.`}
      >
        <label htmlFor="restore-new-name" className="block text-sm font-medium">
          New database name
        </label>
        <input
          id="restore-new-name"
          name="newName"
          autoComplete="off"
          spellCheck={false}
          placeholder={`${values.database}-restored`}
          value={values.newName}
          aria-invalid={errors.newName ? true : undefined}
          aria-describedby={describedBy('newName', 'restore-new-name-hint')}
          onChange={(e) => update({ newName: e.target.value })}
          className={`mt-1 ${inputClass} font-mono`}
        />
        <p id="restore-new-name-hint" className={hintClass}>
          Letters, digits, dots and dashes, starting with a letter; not a name the cluster already uses.
        </p>
        <FieldError id={errorId('newName')} field="newName" messages={errors.newName} className={errorClass} />
      </RadioCard>
      <RadioCard
        name="targetMode"
        value="replace"
        checked={values.targetMode === 'replace'}
        onChange={setMode}
        label={`Replace ${values.database}`}
        description={
          onCluster
            ? `${values.database} is stopped on every member and its store replaced; what it holds now is lost unless it is backed up. You confirm this on the next step.`
            : `${values.database} is not on the cluster now; it is created from the backup.`
        }
      />
      <FieldError id={errorId('targetMode')} field="targetMode" messages={errors.targetMode} className={errorClass} />
    </fieldset>
  );
}
