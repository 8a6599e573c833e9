'use client';

/**
 * Registers a remote cluster by name and member addresses (host:port, separated by commas or spaces), with its
 * member token if it has one (a password field: never filled in again, also not after a failed attempt).
 */
import { useQueryClient } from '@tanstack/react-query';
import { useActionState } from 'react';
import { addClusterAction } from '@/app/settings/actions';
import { PendingButton } from '@/components/ui/pending-button';
import { FormStatus, formValues, PRIMARY_BUTTON, TextField, type FormState } from './form-field';

const FIELDS = ['name', 'addresses'];

export function AddClusterForm() {
  const queryClient = useQueryClient();
  const [state, action, pending] = useActionState<FormState, FormData>(async (prev, form) => {
    const r = await addClusterAction(prev, form);
    if (!r.ok) return { ...r, values: formValues(form, FIELDS) };
    await queryClient.invalidateQueries({ queryKey: ['cluster'] });
    return { ok: true, message: `Cluster ${String(form.get('name')).trim()} added; its members are asked for their status every second.` };
  }, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  const values = state && !state.ok ? state.values : undefined;

  return (
    <form action={action} aria-labelledby="add-cluster-heading" className="space-y-3" noValidate>
      <h3 id="add-cluster-heading" className="text-base font-semibold">
        Add a cluster
      </h3>
      <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <TextField label="Name" name="name" required autoComplete="off" defaultValue={values?.name} errors={errors?.name} hint="Letters, digits, spaces, dots, dashes." />
        <TextField
          label="Addresses"
          name="addresses"
          required
          autoComplete="off"
          spellCheck={false}
          placeholder="10.0.0.1:6362, 10.0.0.2:6362"
          defaultValue={values?.addresses}
          errors={errors?.addresses}
          hint="Each member's host:port, separated by commas or spaces."
        />
      </div>
      <div className="max-w-md">
        <TextField
          label="Token (optional)"
          name="token"
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          errors={errors?.token}
          hint="The cluster's TXLINE_CLUSTER_TOKEN, if its members require one: sent to its members only, never shown again."
        />
      </div>
      <div className="flex items-center gap-3">
        <PendingButton pending={pending} pendingLabel="Adding…" className={PRIMARY_BUTTON}>
          Add cluster
        </PendingButton>
        <FormStatus state={state} pending={pending} />
      </div>
    </form>
  );
}
