'use client';

/**
 * The form that sets a retention policy (admins only: saving applies it, which deletes backups). Its first
 * step is the preview: what `txline backup prune --dry-run` would delete under these rules now ("this will
 * delete 14 artifacts, 3.2 GiB; restorable range becomes tx 8,201–64,880"), each artifact with its reason.
 * Save appears only under a preview of exactly the values in the form; changing a value takes it away.
 */
import Link from 'next/link';
import { useId, useState, useTransition } from 'react';
import { previewRetentionAction, removeRetentionAction, saveRetentionAction } from '@/app/databases/[name]/retention-actions';
import { useCan } from '@/components/auth/permissions';
import { FieldError, fieldErrorsOf, FormError } from '@/components/ui/field-errors';
import { InlineRemoveForm } from '@/components/ui/inline-remove-form';
import { formatBytes, formatTxRange, formatUtc } from '@/lib/format';

type PreviewState = Awaited<ReturnType<typeof previewRetentionAction>>;
type SaveState = Awaited<ReturnType<typeof saveRetentionAction>>;

interface Values {
  folderId: string;
  database: string;
  keepFull: string;
  keepDays: string;
  keepWeekly: string;
}

const input = 'rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900';
const label = 'text-xs font-medium text-zinc-600 dark:text-zinc-400';

export function RetentionForm({ database, folders }: { database: string; folders: Array<{ id: number; name: string; path: string }> }) {
  const id = useId();
  const [values, setValues] = useState<Values>({ folderId: String(folders[0]?.id ?? ''), database, keepFull: '', keepDays: '', keepWeekly: '' });
  const [preview, setPreview] = useState<{ for: Values; state: PreviewState } | null>(null);
  const [saved, setSaved] = useState<SaveState | null>(null);
  const [pending, startTransition] = useTransition();
  if (!useCan('retention.set')) return null;

  const set = (k: keyof Values) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [k]: e.target.value }));
    setPreview(null);
    setSaved(null);
  };
  const current = preview && JSON.stringify(preview.for) === JSON.stringify(values) ? preview.state : null;
  const errs = fieldErrorsOf(saved && !saved.ok ? saved : current);
  const shown = current?.ok ? current.preview : null;

  const onPreview = () =>
    startTransition(async () => {
      const asked = values;
      setSaved(null);
      setPreview({ for: asked, state: await previewRetentionAction({ ...asked }) });
    });
  const onSave = () =>
    startTransition(async () => {
      setSaved(await saveRetentionAction({ ...values }));
    });

  const keepField = (name: 'keepFull' | 'keepDays' | 'keepWeekly', text: string, hint: string) => (
    <div className="flex flex-col gap-1">
      <label htmlFor={`${id}-${name}`} className={label}>
        {text}
      </label>
      <input
        id={`${id}-${name}`}
        name={name}
        inputMode="numeric"
        value={values[name]}
        onChange={set(name)}
        aria-describedby={`${id}-${name}-hint ${id}-${name}-err`}
        className={`${input} w-28 font-mono`}
        autoComplete="off"
      />
      <span id={`${id}-${name}-hint`} className="text-xs text-zinc-500">
        {hint}
      </span>
      <FieldError id={`${id}-${name}-err`} field={name} messages={errs[name]} className="text-xs empty:hidden" />
    </div>
  );

  return (
    <form
      aria-label="Set a retention policy"
      data-testid="retention-form"
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        onPreview();
      }}
    >
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-folderId`} className={label}>
            Backup folder
          </label>
          <select id={`${id}-folderId`} name="folderId" value={values.folderId} onChange={set('folderId')} aria-describedby={`${id}-folderId-err`} className={input}>
            {folders.map((f) => (
              <option key={f.id} value={f.id}>
                {f.name} ({f.path})
              </option>
            ))}
          </select>
          <FieldError id={`${id}-folderId-err`} field="folderId" messages={errs.folderId} className="text-xs empty:hidden" />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-database`} className={label}>
            Applies to
          </label>
          <select id={`${id}-database`} name="database" value={values.database} onChange={set('database')} className={input}>
            <option value={database}>{database} only</option>
            <option value="*">every database in the folder (without a policy of its own)</option>
          </select>
        </div>
      </div>
      <div className="flex flex-wrap gap-4">
        {keepField('keepFull', 'Keep full chains', 'the newest N restorable chains')}
        {keepField('keepDays', 'Keep days', 'restorable to any point of the last D days')}
        {keepField('keepWeekly', 'Keep weekly', 'a chain per ISO week for W weeks')}
      </div>
      <p className="text-xs text-zinc-500">Give at least one; a chain is kept or deleted as a whole, and the newest restorable chain is always kept.</p>
      <button
        type="submit"
        disabled={pending}
        className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 disabled:opacity-60 dark:border-zinc-700 dark:hover:bg-zinc-800"
      >
        {pending && !shown ? 'Previewing…' : 'Preview'}
      </button>
      <div aria-live="polite" className="space-y-2 text-sm">
        <FormError state={saved && !saved.ok ? saved : current} shown={['folderId', 'keepFull', 'keepDays', 'keepWeekly']} />
        {shown ? (
          <div data-testid="retention-preview" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 dark:border-amber-800 dark:bg-amber-950">
            <p data-testid="retention-summary" className="font-medium">
              {shown.summary.charAt(0).toUpperCase() + shown.summary.slice(1)}.
            </p>
            <p className="text-xs text-zinc-600 dark:text-zinc-400">
              The same as <code className="font-mono">{shown.command}</code>
            </p>
            {shown.databases.map((d) => (
              <div key={d.database} className="space-y-1">
                {shown.databases.length > 1 ? <p className="font-medium">{d.database}</p> : null}
                <p className="text-xs">
                  Restorable now: {d.before.map((r) => formatTxRange(r.fromTx, r.toTx)).join(', ') || 'nothing'}; after: {d.after.map((r) => formatTxRange(r.fromTx, r.toTx)).join(', ') || 'nothing'}
                  ; {d.remaining} artifact(s) remain.
                </p>
                {d.notes.map((n) => (
                  <p key={n} className="text-xs text-amber-900 dark:text-amber-200">
                    {n}
                  </p>
                ))}
                {d.deleted.length ? (
                  <table className="w-full text-left text-xs" data-testid="retention-deletions">
                    <thead className="text-zinc-600 dark:text-zinc-400">
                      <tr>
                        <th className="py-1 pr-2 font-medium">Artifact</th>
                        <th className="py-1 pr-2 font-medium">Type</th>
                        <th className="py-1 pr-2 font-medium">Transactions</th>
                        <th className="py-1 pr-2 font-medium">Time (UTC)</th>
                        <th className="py-1 pr-2 font-medium">Size</th>
                        <th className="py-1 pr-2 font-medium">Reason</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.deleted.map((x) => (
                        <tr key={x.file} data-testid="retention-deletion" className="align-top">
                          <td className="py-1 pr-2 font-mono">{x.file}</td>
                          <td className="py-1 pr-2">{x.full ? 'full' : 'diff'}</td>
                          <td className="py-1 pr-2">{x.full ? formatTxRange(1, x.highestTx) : formatTxRange(x.lowestTx, x.highestTx)}</td>
                          <td className="py-1 pr-2">{formatUtc(x.time)}</td>
                          <td className="py-1 pr-2">{formatBytes(x.sizeBytes)}</td>
                          <td className="py-1 pr-2">{x.reason}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                ) : null}
              </div>
            ))}
            <button
              type="button"
              onClick={onSave}
              disabled={pending}
              className="rounded-md bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-red-600 disabled:opacity-60"
            >
              {pending ? 'Saving…' : 'Save and apply policy'}
            </button>
          </div>
        ) : null}
        {saved?.ok ? (
          <p data-testid="retention-saved" className="text-teal-800 dark:text-teal-300">
            Saved.{' '}
            {saved.jobIds.length
              ? saved.jobIds.map((j, i) => (
                  <span key={j}>
                    {i ? ', ' : 'Applying it now: '}
                    <Link href={`/jobs/${j}`} className="underline">
                      job #{j}
                    </Link>
                  </span>
                ))
              : 'Nothing to apply now.'}
            {saved.busy.length ? ` Busy now (applied after the next scheduled backup): ${saved.busy.join(', ')}.` : ''} It is applied again after each scheduled backup.
          </p>
        ) : null}
      </div>
    </form>
  );
}

export function RemoveRetentionButton({ policyId, what }: { policyId: number; what: string }) {
  return <InlineRemoveForm action={removeRetentionAction} permission="retention.remove" name="policyId" value={policyId} label={`Remove the retention policy of ${what}`} />;
}
