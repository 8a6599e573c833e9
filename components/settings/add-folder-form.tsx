'use client';

/** Registers a backup folder: Txline indexes the artifacts it finds there and can back up into it. */
import { useActionState } from 'react';
import { addFolderAction } from '@/app/settings/actions';
import { FormStatus, formValues, PRIMARY_BUTTON, TextField, type FormState } from './form-field';

const FIELDS = ['name', 'path'];

/** `roots`: the backup roots (TXLINE_BACKUP_ROOTS) a new folder must be inside. */
export function AddFolderForm({ roots }: { roots: string[] }) {
  const [state, action, pending] = useActionState<FormState, FormData>(async (prev, form) => {
    const r = await addFolderAction(prev, form);
    if (!r.ok) return { ...r, values: formValues(form, FIELDS) };
    // No polled query lists folders: the action revalidates the pages that render them.
    return { ok: true, message: `Folder ${String(form.get('name')).trim()} added and indexed.` };
  }, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  const values = state && !state.ok ? state.values : undefined;

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
          placeholder={roots[0] ? `${roots[0]}/nightly` : 'nightly'}
          defaultValue={values?.path}
          errors={errors?.path}
          hint={`Inside ${roots.length === 1 ? 'the backup root' : 'a backup root'} ${roots.join(', ')} (a relative path goes in ${roots.length === 1 ? 'it' : 'the first'}); created if it does not exist.`}
        />
      </div>
      <div className="flex items-center gap-3">
        <button type="submit" className={PRIMARY_BUTTON} disabled={pending}>
          {pending ? 'Adding…' : 'Add folder'}
        </button>
        <FormStatus state={state} pending={pending} />
      </div>
    </form>
  );
}
