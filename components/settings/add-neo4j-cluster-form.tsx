'use client';

/**
 * Registers a Neo4j cluster with the fields of `txline cluster add --kind=neo4j`: its Bolt URI, user and
 * password (a password field, never filled in again, also not after a failed attempt: the server keeps it
 * sealed and sends it nowhere), the neo4j-admin to use (one the server allows: TXLINE_NEO4J_ADMINS), its
 * --backup-from list and its backup location (inside the backup roots).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useActionState, useId } from 'react';
import { addNeo4jClusterAction } from '@/app/settings/actions';
import { FieldError } from '@/components/ui/field-errors';
import { PendingButton } from '@/components/ui/pending-button';
import { FormStatus, formValues, PRIMARY_BUTTON, TextField, type FormState } from './form-field';

/** what a failed attempt puts back into the form: never the password */
const FIELDS = ['name', 'uri', 'user', 'neo4jAdmin', 'backupFrom', 'location'];

export function AddNeo4jClusterForm({ neo4jAdmins, roots }: { neo4jAdmins: string[]; roots: string[] }) {
  const queryClient = useQueryClient();
  const adminId = useId();
  const [state, action, pending] = useActionState<FormState, FormData>(async (prev, form) => {
    const r = await addNeo4jClusterAction(prev, form);
    if (!r.ok) return { ...r, values: formValues(form, FIELDS) };
    await queryClient.invalidateQueries({ queryKey: ['cluster'] });
    return { ok: true, message: `Neo4j cluster ${String(form.get('name')).trim()} added; its servers are asked for their status every second, and its backups are listed by its neo4j-admin.` };
  }, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  const values = state && !state.ok ? state.values : undefined;

  return (
    <form action={action} aria-labelledby="add-neo4j-heading" className="space-y-3" noValidate>
      <h3 id="add-neo4j-heading" className="text-base font-semibold">
        Add a Neo4j cluster
      </h3>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Watched over Bolt; backed up and listed by its own neo4j-admin. The same fields as <code>txline cluster add --kind=neo4j</code>.
      </p>
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField label="Name" name="name" required autoComplete="off" defaultValue={values?.name} errors={errors?.name} hint="Letters, digits, dots, dashes, underscores (used as --cluster=<name>)." />
        <TextField label="Bolt URI" name="uri" required autoComplete="off" spellCheck={false} placeholder="neo4j://db1.example:7687" defaultValue={values?.uri} errors={errors?.uri} />
        <TextField label="User" name="user" required autoComplete="off" spellCheck={false} defaultValue={values?.user} errors={errors?.user} hint="It needs SHOW DATABASES; SHOW SERVERS for server state; CREATE DATABASE to restore by seeding." />
        <TextField
          label="Password"
          name="password"
          type="password"
          required
          autoComplete="new-password"
          spellCheck={false}
          errors={errors?.password}
          hint="Stored sealed on the server; never shown again, logged or given to neo4j-admin."
        />
        <div className="flex flex-col gap-1">
          <label htmlFor={adminId} className="text-sm font-medium">
            neo4j-admin
          </label>
          <select
            id={adminId}
            name="neo4jAdmin"
            required
            disabled={neo4jAdmins.length === 0}
            defaultValue={values?.neo4jAdmin ?? neo4jAdmins[0]}
            aria-invalid={errors?.neo4jAdmin ? true : undefined}
            aria-describedby={`${adminId}-hint ${adminId}-error`}
            className="rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm dark:border-zinc-600 dark:bg-zinc-900"
          >
            {neo4jAdmins.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
          <p id={`${adminId}-hint`} className="text-xs text-zinc-500 dark:text-zinc-400">
            {neo4jAdmins.length
              ? 'The executables the server allows (TXLINE_NEO4J_ADMINS).'
              : 'None allowed: the server runs the neo4j-admin given here, so it must list the allowed ones in TXLINE_NEO4J_ADMINS (or register the cluster with txline cluster add).'}
          </p>
          <FieldError id={`${adminId}-error`} field="neo4jAdmin" messages={errors?.neo4jAdmin} />
        </div>
        <TextField
          label="Backup from (optional)"
          name="backupFrom"
          autoComplete="off"
          spellCheck={false}
          placeholder="db1.example:6362, db2.example:6362"
          defaultValue={values?.backupFrom}
          errors={errors?.backupFrom}
          hint="neo4j-admin's --from; empty: each server's host with port 6362."
        />
        <TextField
          label="Location"
          name="location"
          required
          autoComplete="off"
          spellCheck={false}
          placeholder={roots[0] ? `${roots[0]}/neo4j` : undefined}
          defaultValue={values?.location}
          errors={errors?.location}
          hint={`The backup folder (--to-path); inside ${roots.join(', ')}. Restores by seeding need every server to read it.`}
        />
      </div>
      <div className="flex items-center gap-3">
        <PendingButton pending={pending} pendingLabel="Adding…" disabled={neo4jAdmins.length === 0} className={PRIMARY_BUTTON}>
          Add Neo4j cluster
        </PendingButton>
        <FormStatus state={state} pending={pending} />
      </div>
    </form>
  );
}
