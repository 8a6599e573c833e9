'use client';

/**
 * Registers a storage location: a backup folder inside the backup roots, or S3-compatible object storage
 * (`s3://bucket/prefix`, reached with the server's AWS environment). Txline indexes the artifacts it finds there
 * and can back up into it. "Test connection" checks an `s3://` location without registering it (a listing, then
 * a tiny hidden object written and deleted); adding one runs the same test first. Credentials never go in the
 * URL (such a URL is refused) and no message shows one.
 */
import { useActionState } from 'react';
import { addFolderAction, testFolderConnectionAction } from '@/app/settings/actions';
import { PendingButton } from '@/components/ui/pending-button';
import { formatNumber } from '@/lib/format';
import { FormStatus, formValues, PRIMARY_BUTTON, TextField, type FormState } from './form-field';

const FIELDS = ['name', 'path'];

interface State {
  status: FormState;
  /** what was typed, kept in the fields (after a test, or a refused add) */
  values?: Record<string, string>;
  /** the field errors of a refused add (a test's outcome is the status line only) */
  fieldErrors?: Record<string, string[]>;
}

const SECONDARY_BUTTON =
  'rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700 disabled:cursor-not-allowed disabled:opacity-60 dark:border-zinc-600 dark:hover:bg-zinc-800';

/** `roots`: the backup roots (TXLINE_BACKUP_ROOTS) a new folder must be inside. */
export function AddFolderForm({ roots }: { roots: string[] }) {
  const [state, action, pending] = useActionState<State, FormData>(async (prev, form) => {
    const values = formValues(form, FIELDS);
    if (form.get('intent') === 'test') {
      const r = await testFolderConnectionAction(prev.status, { path: values.path });
      if (!r.ok) return { status: { ...r, values }, values };
      return { status: { ok: true, message: `Connected to ${r.location}: listed ${formatNumber(r.backups)} ${r.backups === 1 ? 'backup' : 'backups'}, wrote and deleted a test object.` }, values };
    }
    const r = await addFolderAction(prev.status, form);
    if (!r.ok) return { status: { ...r, values }, values, fieldErrors: r.fieldErrors };
    // No polled query lists folders: the action revalidates the pages that render them.
    return { status: { ok: true, message: `Folder ${values.name.trim()} added and indexed.` } };
  }, { status: null });
  const errors = state.fieldErrors;
  const values = state.values;

  return (
    <form action={action} aria-labelledby="add-folder-heading" className="space-y-3" noValidate>
      <h3 id="add-folder-heading" className="text-base font-semibold">
        Add a backup folder
      </h3>
      <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <TextField label="Name" name="name" required autoComplete="off" defaultValue={values?.name} errors={errors?.name} hint="How pages name it." />
        <TextField
          label="Path"
          name="path"
          required
          autoComplete="off"
          spellCheck={false}
          placeholder={roots[0] ? `${roots[0]}/nightly or s3://bucket/prefix` : 'nightly or s3://bucket/prefix'}
          defaultValue={values?.path}
          errors={errors?.path}
          hint={`A folder inside ${roots.length === 1 ? 'the backup root' : 'a backup root'} ${roots.join(', ')} (a relative path goes in ${roots.length === 1 ? 'it' : 'the first'}; created if it does not exist), or s3://bucket/prefix, reached with the server's AWS credentials and endpoint (never put credentials in the URL).`}
        />
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <PendingButton pending={pending} pendingLabel="Working…" name="intent" value="add" className={PRIMARY_BUTTON}>
          Add folder
        </PendingButton>
        <button type="submit" name="intent" value="test" className={SECONDARY_BUTTON} disabled={pending}>
          Test connection
        </button>
        <FormStatus state={state.status} pending={pending} />
      </div>
    </form>
  );
}
