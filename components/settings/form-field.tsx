'use client';

/**
 * A labelled text input with its hint and its field errors. The errors sit in an aria-live region that is
 * always present (so a new error is announced) and that the input names in aria-describedby.
 */
import { useId, type InputHTMLAttributes } from 'react';
import { ErrorHint } from '@/components/ui/error-hint';
import { FieldError } from '@/components/ui/field-errors';

export function TextField({
  label,
  name,
  hint,
  errors,
  ...input
}: { label: string; name: string; hint?: string; errors?: string[] } & Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'id'>) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const invalid = Boolean(errors && errors.length > 0);
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        name={name}
        aria-invalid={invalid || undefined}
        aria-describedby={`${hint ? `${hintId} ` : ''}${errorId}`}
        className={`rounded-md border bg-white px-3 py-1.5 text-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 dark:bg-zinc-900 ${
          invalid ? 'border-red-500 dark:border-red-500' : 'border-zinc-300 dark:border-zinc-600'
        }`}
        {...input}
      />
      {hint ? (
        <p id={hintId} className="text-xs text-zinc-500 dark:text-zinc-400">
          {hint}
        </p>
      ) : null}
      <FieldError id={errorId} field={name} messages={errors?.map((e) => sentence(label, e))} />
    </div>
  );
}

/** zod messages are predicates ("is required", "must be an absolute path"): put the field's name before them. */
function sentence(label: string, message: string): string {
  if (/^(is|must|already)\b/.test(message)) return `${label} ${message}.`;
  // a message that starts with what it names (s3://bucket/prefix, /a/folder) keeps it as it is
  if (/^([a-z][a-z0-9+.-]*:\/\/|\/)/.test(message)) return /[.!?]$/.test(message) ? message : `${message}.`;
  return `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
}

export const PRIMARY_BUTTON =
  'rounded-md bg-teal-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-teal-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700 disabled:cursor-not-allowed disabled:opacity-60';

/** What a settings form's action hands back: the command's result, plus what was typed when it failed. */
export type FormState =
  | null
  | { ok: true; message: string }
  | { ok: false; error: string; code?: string; fieldErrors?: Record<string, string[]>; values: Record<string, string> };

export function formValues(form: FormData, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, String(form.get(n) ?? '')]));
}

/** The form's overall outcome, announced politely. */
export function FormStatus({ state, pending }: { state: FormState; pending: boolean }) {
  return (
    <div aria-live="polite" className="text-sm" data-testid="form-status">
      {pending ? null : state === null ? null : state.ok ? (
        <p className="text-emerald-700 dark:text-emerald-400">{state.message}</p>
      ) : (
        <>
          <p className="text-red-700 dark:text-red-400">{state.error}</p>
          <ErrorHint code={state.code} />
        </>
      )}
    </div>
  );
}
