/**
 * Small form pieces of the restore wizard: the id and style of a field's error region (the shared FieldError of
 * components/ui/field-errors.tsx, referenced by the field's aria-describedby), a step's alert, and the shared
 * input styles.
 */
import { useId, type ReactNode } from 'react';
import { ErrorHint } from '@/components/ui/error-hint';

export const inputClass =
  'w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm outline-none focus-visible:border-teal-600 focus-visible:ring-2 focus-visible:ring-teal-500/40 aria-[invalid=true]:border-red-500 disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-900';

export const labelClass = 'block text-sm font-medium';

export const hintClass = 'mt-1 text-xs text-zinc-500 dark:text-zinc-400';

/** A field's error region (components/ui/field-errors.tsx) under the field: no room taken while empty. */
export const errorClass = 'mt-1 text-sm empty:mt-0';

/** The id of a field's error region; give it to the field's aria-describedby. */
export const errorId = (field: string) => `restore-${field}-error`;

/** aria-describedby for a field: its error region, and a hint when it has one. */
export function describedBy(field: string, hint?: string): string {
  return hint ? `${hint} ${errorId(field)}` : errorId(field);
}

/** A step's problem that no field shows, and the hint of the refusal's code (under the fields' messages when there is no such problem). */
export function StepAlert({ message, code = null }: { message: string | null; code?: string | null }) {
  return (
    <div aria-live="assertive" data-testid="step-alert">
      {message ? (
        <div role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          {message}
          <ErrorHint code={code} className="mt-1" />
        </div>
      ) : (
        <ErrorHint code={code} />
      )}
    </div>
  );
}

/** A radio choice drawn as a card, with a line of description under its label. */
export function RadioCard({
  name,
  value,
  checked,
  onChange,
  label,
  description,
  describedById,
  children,
}: {
  name: string;
  value: string;
  checked: boolean;
  onChange: (value: string) => void;
  label: string;
  description?: ReactNode;
  describedById?: string;
  children?: ReactNode;
}) {
  const id = useId();
  const describedByIds = [description ? `${id}-description` : null, describedById].filter(Boolean).join(' ') || undefined;
  return (
    <div
      className={`rounded-lg border p-3 transition-colors ${checked ? 'border-teal-600 bg-teal-50/60 dark:border-teal-500 dark:bg-teal-950/40' : 'border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900'}`}
    >
      <label className="flex cursor-pointer items-start gap-3">
        <input
          type="radio"
          name={name}
          value={value}
          checked={checked}
          onChange={() => onChange(value)}
          aria-labelledby={`${id}-label`}
          aria-describedby={describedByIds}
          className="mt-1 size-4 accent-teal-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-500"
        />
        <span>
          <span id={`${id}-label`} className="block text-sm font-medium">
            {label}
          </span>
          {description ? (
            <span id={`${id}-description`} className="block text-xs text-zinc-600 dark:text-zinc-400">
              {description}
            </span>
          ) : null}
        </span>
      </label>
      {checked && children ? <div className="mt-3 pl-7">{children}</div> : null}
    </div>
  );
}
