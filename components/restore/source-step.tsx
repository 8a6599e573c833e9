/**
 * Step 1: which database to restore and from which backup folder. The cluster follows from the database
 * (a database no cluster reports any more, known only from its backups, is restored into the first cluster;
 * with several clusters the DBA can choose).
 */
import { useEffect, useRef, useState } from 'react';
import type { WizardDatabase } from '@/lib/dashboard/restore-databases';
import { formatNumber, withNote } from '@/lib/format';
import { FieldError } from '@/components/ui/field-errors';
import { describedBy, errorClass, errorId, hintClass, inputClass, labelClass } from './form-controls';
import type { WizardOptions } from './restore-wizard';
import type { FieldErrors, RestoreValues } from './wizard-model';

interface Props {
  options: WizardOptions;
  /** the databases known so far: those the page brought and those found while typing (`onFound`) */
  known: WizardDatabase[];
  onFound: (found: WizardDatabase[]) => void;
  /** told whether a search of the name typed is under way (the wizard holds Next back meanwhile) */
  onSearching?: (busy: boolean) => void;
  /** the server's search of the databases by name (findDatabasesAction), used past WIZARD_LIST_LIMIT */
  find: FindDatabases;
  values: RestoreValues;
  update: (p: Partial<RestoreValues>) => void;
  errors: FieldErrors;
}

export type FindDatabases = (query: string) => Promise<{ ok: true; matches: WizardDatabase[]; matched: number } | { ok: false; error: string }>;

const backupsLabel = (d: WizardDatabase, folderId: number) =>
  `${formatNumber(d.backups[folderId] ?? 0)} backup${(d.backups[folderId] ?? 0) === 1 ? '' : 's'}${d.clusterId === null ? ', not on any cluster' : ''}`;

export function SourceStep({ options, known, onFound, onSearching = () => undefined, find, values, update, errors }: Props) {
  const folderId = Number(values.folderId);
  const db = known.find((d) => d.name === values.database);
  const count = db?.backups[folderId] ?? 0;
  const cluster = options.clusters.find((c) => String(c.id) === values.clusterId);
  // a new database: the point, the target and the confirmation start over
  const choose = (name: string, from: WizardDatabase[]) => {
    const next = from.find((d) => d.name === name);
    update({ database: name, clusterId: next?.clusterId ? String(next.clusterId) : values.clusterId, artifactId: '', tx: '', time: '', point: 'latest', confirm: '' });
  };
  if (options.databaseTotal === 0) {
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
        {options.listed ? (
          <select
            id="restore-database"
            name="database"
            value={values.database}
            aria-invalid={errors.database ? true : undefined}
            aria-describedby={describedBy('database', 'restore-database-hint')}
            onChange={(e) => choose(e.target.value, known)}
            className={`mt-1 ${inputClass}`}
          >
            <option value="" disabled>
              Choose a database
            </option>
            {known.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name} ({backupsLabel(d, folderId)})
              </option>
            ))}
          </select>
        ) : (
          <DatabaseSearch
            total={options.databaseTotal}
            folderId={folderId}
            value={values.database}
            invalid={Boolean(errors.database)}
            known={known}
            choose={(name, found) => choose(name, [...known, ...found])}
            found={(matches, name) => {
              onFound(matches);
              // the name typed in full before the answer came takes its database's cluster, and loses blanks
              // around it (nothing else changes: not the point chosen, when the DBA came back to this step)
              const exact = matches.find((d) => d.name === name);
              if (exact) update({ database: exact.name, ...(exact.clusterId != null ? { clusterId: String(exact.clusterId) } : {}) });
            }}
            onSearching={onSearching}
            find={find}
          />
        )}
        <p id="restore-database-hint" className={hintClass}>
          {values.database && db
            ? `${formatNumber(count)} backup${count === 1 ? '' : 's'} of ${values.database} in this folder.`
            : options.listed
              ? 'The database whose backups you restore from.'
              : `${formatNumber(options.databaseTotal)} databases: type part of a name, then choose one of the matches.`}
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

/**
 * A fleet's database, typed (a list of thousands would be most of the page): the names containing what is
 * typed are asked of the server as the DBA types (`find`: findDatabasesAction, at most WIZARD_MATCHES) and offered as
 * suggestions; a name that matches one exactly takes its cluster.
 */
function DatabaseSearch({
  total,
  folderId,
  value,
  invalid,
  known,
  choose,
  found: onAnswer,
  onSearching,
  find,
}: {
  total: number;
  folderId: number;
  value: string;
  invalid: boolean;
  known: WizardDatabase[];
  choose: (name: string, found: WizardDatabase[]) => void;
  /** an answer's matches, for the name as it is typed now */
  found: (matches: WizardDatabase[], name: string) => void;
  onSearching: (busy: boolean) => void;
  find: FindDatabases;
}) {
  const [found, setFound] = useState<{ query: string; matches: WizardDatabase[]; matched: number } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // the latest props, for an answer that arrives after more was typed
  const latest = useRef({ onAnswer, onSearching, find });
  useEffect(() => {
    latest.current = { onAnswer, onSearching, find };
  });
  // a name already known (chosen from the matches, or the one the page was opened for) is not asked again
  const settled = known.some((d) => d.name === value);
  useEffect(() => {
    const query = value.trim();
    if (query === '' || settled) {
      latest.current.onSearching(false);
      return;
    }
    let live = true;
    latest.current.onSearching(true);
    const timer = setTimeout(() => {
      latest.current.find(query).then(
        (r) => {
          if (!live) return;
          latest.current.onSearching(false);
          if (!r.ok) return setProblem(r.error);
          setProblem(null);
          setFound({ query, matches: r.matches, matched: r.matched });
          latest.current.onAnswer(r.matches, query);
        },
        (e: unknown) => {
          if (!live) return;
          latest.current.onSearching(false);
          setProblem(e instanceof Error ? e.message : String(e));
        },
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
      latest.current.onSearching(false);
    };
  }, [value, settled]);
  const current = found && value.trim() !== '' ? found : null;
  return (
    <>
      <input
        id="restore-database"
        name="database"
        type="search"
        list="restore-database-matches"
        autoComplete="off"
        spellCheck={false}
        placeholder={`Type part of a name (${formatNumber(total)} databases)`}
        value={value}
        aria-invalid={invalid ? true : undefined}
        aria-describedby={describedBy('database', 'restore-database-hint restore-database-matched')}
        onChange={(e) => choose(e.target.value, current?.matches ?? [])}
        className={`mt-1 ${inputClass}`}
      />
      <datalist id="restore-database-matches">
        {(current?.matches ?? []).map((d) => (
          <option key={d.name} value={d.name}>
            {backupsLabel(d, folderId)}
          </option>
        ))}
      </datalist>
      <p id="restore-database-matched" className={hintClass} role="status" data-testid="restore-database-matched">
        {problem
          ? `Could not search the databases: ${problem}`
          : current
            ? current.matched === 0
              ? `No database matches “${current.query}”.`
              : current.matched > current.matches.length
                ? `${formatNumber(current.matched)} databases match “${current.query}”; the first ${current.matches.length} are suggested: type more to narrow them.`
                : `${formatNumber(current.matched)} database${current.matched === 1 ? '' : 's'} match${current.matched === 1 ? 'es' : ''} “${current.query}”.`
            : ''}
      </p>
    </>
  );
}
