/**
 * Step 1: which database to restore and from which backup folder. The cluster follows from the database
 * (a database no cluster reports any more, known only from its backups, is restored into the first cluster;
 * with several clusters the DBA can choose).
 */
import { formatNumber, withNote } from '@/lib/format';
import { FieldError } from '@/components/ui/field-errors';
import { describedBy, errorClass, errorId, hintClass, inputClass, labelClass } from './form-controls';
import type { WizardOptions } from './restore-wizard';
import type { FieldErrors, RestoreValues } from './wizard-model';

export function SourceStep({ options, values, update, errors }: { options: WizardOptions; values: RestoreValues; update: (p: Partial<RestoreValues>) => void; errors: FieldErrors }) {
  const folderId = Number(values.folderId);
  const db = options.databases.find((d) => d.name === values.database);
  const count = db?.backups[folderId] ?? 0;
  const cluster = options.clusters.find((c) => String(c.id) === values.clusterId);
  if (options.databases.length === 0) {
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="restore-no-databases">
        There is nothing to restore yet: no cluster reports a database and no backup folder holds a backup. Take a backup from the Overview first.
      </p>
    );
  }
  return (
    <div className="grid gap-5 sm:grid-cols-2">
      <div>
        <label htmlFor="restore-database" className={labelClass}>
          Database
        </label>
        <select
          id="restore-database"
          name="database"
          value={values.database}
          aria-invalid={errors.database ? true : undefined}
          aria-describedby={describedBy('database', 'restore-database-hint')}
          onChange={(e) => {
            const next = options.databases.find((d) => d.name === e.target.value);
            update({ database: e.target.value, clusterId: next?.clusterId ? String(next.clusterId) : values.clusterId, artifactId: '', tx: '', time: '', point: 'latest', confirm: '' });
          }}
          className={`mt-1 ${inputClass}`}
        >
          <option value="" disabled>
            Choose a database
          </option>
          {options.databases.map((d) => (
            <option key={d.name} value={d.name}>
              {d.name} ({formatNumber(d.backups[folderId] ?? 0)} backup{(d.backups[folderId] ?? 0) === 1 ? '' : 's'}
              {d.clusterId === null ? ', not on any cluster' : ''})
            </option>
          ))}
        </select>
        <p id="restore-database-hint" className={hintClass}>
          {values.database ? `${formatNumber(count)} backup${count === 1 ? '' : 's'} of ${values.database} in this folder.` : 'The database whose backups you restore from.'}
        </p>
        <FieldError id={errorId('database')} field="database" messages={errors.database} className={errorClass} />
      </div>
      <div>
        <label htmlFor="restore-folder" className={labelClass}>
          Backup folder
        </label>
        <select
          id="restore-folder"
          name="folderId"
          value={values.folderId}
          aria-invalid={errors.folderId ? true : undefined}
          aria-describedby={describedBy('folderId', 'restore-folder-hint')}
          onChange={(e) => update({ folderId: e.target.value, artifactId: '', point: values.point === 'artifact' ? 'latest' : values.point })}
          className={`mt-1 ${inputClass}`}
        >
          {options.folders.map((f) => (
            <option key={f.id} value={f.id}>
              {withNote(f.name, f.isDefault ? 'default' : null)}
            </option>
          ))}
        </select>
        <p id="restore-folder-hint" className={`${hintClass} break-all font-mono`}>
          {options.folders.find((f) => f.id === folderId)?.path ?? ''}
        </p>
        <FieldError id={errorId('folderId')} field="folderId" messages={errors.folderId} className={errorClass} />
      </div>
      <div>
        {options.clusters.length > 1 ? (
          <>
            <label htmlFor="restore-cluster" className={labelClass}>
              Cluster to restore into
            </label>
            <select
              id="restore-cluster"
              name="clusterId"
              value={values.clusterId}
              aria-describedby={describedBy('clusterId')}
              onChange={(e) => update({ clusterId: e.target.value })}
              className={`mt-1 ${inputClass}`}
            >
              {options.clusters.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </>
        ) : (
          <p className="text-sm">
            <span className="font-medium">Cluster: </span>
            <span data-testid="restore-cluster">{cluster?.name ?? 'none registered'}</span>
          </p>
        )}
        {db && db.clusterId === null ? <p className={hintClass}>{db.name} is not on any cluster now; it will be created there.</p> : null}
        <FieldError id={errorId('clusterId')} field="clusterId" messages={errors.clusterId} className={errorClass} />
      </div>
    </div>
  );
}
