/**
 * Step 2: the restore point — the latest backup, the end of one backup, a transaction ID, or a UTC time —
 * picked in a form or on the timeline of what is restorable. Under it, the plan: which backups are read and
 * how many transactions replayed. A point no chain can reach is explained on the field that chose it.
 * Above them, a search of the transactions (pick the one that did the damage: the restore stops just before
 * it); below, what the graph holds at the point beside the newest one. Where Txline cannot read the
 * cluster's backups, a restore into a scratch database is offered instead of both.
 */
import type { RestorePreview } from '@/lib/dashboard/commands';
import type { Timeline } from '@/lib/dashboard/timeline';
import { formatEndsAtRange, formatNumber, formatUntilRange, formatUtc } from '@/lib/format';
import { UtcTime, useLocalTime } from '@/components/ui/utc-time';
import { FieldError } from '@/components/ui/field-errors';
import { describedBy, errorClass, errorId, hintClass, inputClass, labelClass, RadioCard } from './form-controls';
import { PointPreview } from './point-preview';
import { RestorePlan } from './restore-plan';
import { ScratchRestoreNotice } from './scratch-restore-notice';
import { RestoreTimeline } from './restore-timeline';
import { TransactionSearch } from './transaction-search';
import type { WizardOptions } from './restore-wizard';
import type { FieldErrors, PointKind, RestoreValues } from './wizard-model';

/** A time as the restore takes it: "YYYY-MM-DD HH:MM:SS" (UTC). */
const untilText = (t: number) => formatUtc(t).replace(/ UTC$/, '');

export function PointStep({
  values,
  update,
  errors,
  timeline,
  timelineError,
  preview,
  checking,
  pointAccepted,
  cluster,
}: {
  values: RestoreValues;
  update: (p: Partial<RestoreValues>) => void;
  errors: FieldErrors;
  timeline: Timeline | undefined;
  timelineError: Error | null;
  preview: RestorePreview | null;
  checking: boolean;
  /** the background check accepted the point as it is now (the preview is asked for only then) */
  pointAccepted: boolean;
  cluster: WizardOptions['clusters'][number] | undefined;
}) {
  const unreadable = cluster?.unreadable ? { name: cluster.name, location: cluster.location ?? null, unreadable: cluster.unreadable } : null;
  const artifacts = timeline ? timeline.generations.flatMap((g) => g.artifacts).sort((a, b) => b.time - a.time) : [];
  const ranges = timeline?.restorable ?? [];
  const setPoint = (point: string) => update({ point: point as PointKind });
  const localTime = useLocalTime();
  return (
    <div className="space-y-5">
      <fieldset aria-describedby={errorId('point')}>
        <legend className={labelClass}>Restore {values.database} to</legend>
        <div className="mt-2 grid gap-2 md:grid-cols-2">
          <RadioCard name="point" value="latest" checked={values.point === 'latest'} onChange={setPoint} label="The latest backup" description="Everything up to the newest backup of the newest chain." />
          <RadioCard name="point" value="artifact" checked={values.point === 'artifact'} onChange={setPoint} label="A backup" description="The end of one backup (full or differential).">
            <label htmlFor="restore-artifact" className="sr-only">
              Backup
            </label>
            <select
              id="restore-artifact"
              name="artifactId"
              value={values.artifactId}
              aria-invalid={errors.artifactId ? true : undefined}
              aria-describedby={describedBy('artifactId')}
              onChange={(e) => update({ artifactId: e.target.value })}
              className={inputClass}
            >
              <option value="">Choose a backup</option>
              {artifacts.map((a) => (
                <option key={a.id} value={a.id} title={localTime(a.time)}>
                  {formatUtc(a.time)} · {a.full ? 'full' : 'diff'} · tx {formatNumber(a.tipTx)}
                  {a.chainProblem ? ' · chain broken' : ''}
                </option>
              ))}
            </select>
            <FieldError id={errorId('artifactId')} field="artifactId" messages={errors.artifactId} className={errorClass} />
          </RadioCard>
          <RadioCard
            name="point"
            value="tx"
            checked={values.point === 'tx'}
            onChange={setPoint}
            label="A transaction ID"
            description="Up to but not including that transaction: the database ends one before it."
          >
            <label htmlFor="restore-tx" className="sr-only">
              Restore until transaction
            </label>
            <input
              id="restore-tx"
              name="tx"
              inputMode="numeric"
              autoComplete="off"
              placeholder={ranges.length ? `${ranges[ranges.length - 1].fromTx + 1}..${ranges[ranges.length - 1].toTx + 1}` : 'transaction ID'}
              value={values.tx}
              aria-invalid={errors.tx ? true : undefined}
              aria-describedby={describedBy('tx', 'restore-tx-ends restore-tx-hint')}
              onChange={(e) => update({ tx: e.target.value.replace(/[,\s]/g, '') })}
              className={`${inputClass} font-mono`}
            />
            <p id="restore-tx-ends" data-testid="restore-tx-ends" className="mt-1 text-sm font-medium text-zinc-800 dark:text-zinc-200" aria-live="polite">
              {/^\d+$/.test(values.tx) && Number(values.tx) >= 1 ? `The database will end at transaction ${formatNumber(Number(values.tx) - 1)}.` : 'The database will end one transaction before this one.'}
            </p>
            <p id="restore-tx-hint" className={hintClass}>
              {ranges.length
                ? `Allowed: ${ranges.map((r) => `${formatUntilRange(r.fromTx, r.toTx)} (the database ${formatEndsAtRange(r.fromTx, r.toTx)})`).join('; ')}.`
                : 'Pick on the timeline or type an ID.'}
            </p>
            <FieldError id={errorId('tx')} field="tx" messages={errors.tx} className={errorClass} />
          </RadioCard>
          <RadioCard name="point" value="time" checked={values.point === 'time'} onChange={setPoint} label="A time (UTC)" description="What was committed before that time.">
            <label htmlFor="restore-time" className="sr-only">
              Restore to what was committed before (UTC)
            </label>
            <input
              id="restore-time"
              name="time"
              autoComplete="off"
              placeholder="YYYY-MM-DD HH:MM:SS"
              value={values.time}
              aria-invalid={errors.time ? true : undefined}
              aria-describedby={describedBy('time', 'restore-time-hint')}
              onChange={(e) => update({ time: e.target.value })}
              className={`${inputClass} font-mono`}
            />
            <p id="restore-time-hint" className={hintClass}>
              UTC, as YYYY-MM-DD HH:MM:SS.{' '}
              {ranges.length ? 'Restorable: ' : ''}
              {ranges.map((r, i) => (
                <span key={`${r.storeId}-${r.fromTx}`}>
                  {i > 0 ? '; ' : ''}after {r.fromTime !== null ? <UtcTime value={r.fromTime} /> : 'the start'} up to <UtcTime value={r.toTime} />
                </span>
              ))}
            </p>
            {ranges.length ? (
              // each chain's latest restorable time, to the second (only where that second is still after its full)
              <div className="mt-1 flex flex-wrap gap-2">
                {[...new Set(ranges.map((r) => Math.floor(r.toTime / 1000) * 1000).filter((t, i) => t > (ranges[i].fromTime ?? -Infinity)))].map((t) => (
                  <button
                    key={t}
                    type="button"
                    title={localTime(t)}
                    onClick={() => update({ time: untilText(t) })}
                    className="rounded border border-zinc-300 px-2 py-0.5 font-mono text-xs hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-500 dark:border-zinc-700 dark:hover:bg-zinc-800"
                  >
                    {untilText(t)}
                  </button>
                ))}
              </div>
            ) : null}
            <FieldError id={errorId('time')} field="time" messages={errors.time} className={errorClass} />
          </RadioCard>
        </div>
        <FieldError id={errorId('point')} field="point" messages={errors.point} className={errorClass} />
      </fieldset>

      {unreadable ? <ScratchRestoreNotice cluster={unreadable} values={values} /> : <TransactionSearch values={values} update={update} />}

      <section aria-label="Restorable ranges" className="space-y-2">
        <h3 className="text-sm font-medium">What can be restored</h3>
        {timelineError ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            The timeline could not be loaded ({timelineError.message}); you can still type a transaction ID or a time.
          </p>
        ) : !timeline ? (
          <div aria-busy="true" aria-label="Loading the timeline" className="h-24 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-800" />
        ) : timeline.total === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">There are no backups of {values.database} in this folder: go back and choose another database or folder, or take a backup first.</p>
        ) : (
          <RestoreTimeline
            timeline={timeline}
            preview={preview}
            selectedArtifactId={values.point === 'artifact' && values.artifactId ? Number(values.artifactId) : null}
            untilTx={values.point === 'tx' && /^\d+$/.test(values.tx) ? Number(values.tx) : null}
            onPickTx={(tx) => update({ point: 'tx', tx: String(tx) })}
            onPickArtifact={(id) => update({ point: 'artifact', artifactId: String(id) })}
          />
        )}
      </section>

      <section aria-label="Restore plan" aria-live="polite" className="space-y-2">
        <h3 className="text-sm font-medium">What this restore does</h3>
        <RestorePlan preview={preview} checking={checking} blocked={Object.keys(errors).length > 0} />
      </section>

      {unreadable ? null : (
        <section aria-label="Compared with the newest point" aria-live="polite" className="space-y-2">
          <h3 className="text-sm font-medium">Compared with the newest point</h3>
          <PointPreview values={values} ready={pointAccepted && Object.keys(errors).length === 0} />
        </section>
      )}
    </div>
  );
}
