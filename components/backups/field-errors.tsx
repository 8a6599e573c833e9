import { ErrorHint } from '@/components/ui/error-hint';

/**
 * A form's messages: each field's errors in an aria-live region the field points at (aria-describedby), and
 * the form-level error.
 */
export function FieldErrors({ id, errors }: { id: string; errors?: string[] }) {
  return (
    <p id={id} aria-live="polite" className="min-h-0 text-xs text-red-700 empty:hidden dark:text-red-400">
      {errors?.join('; ')}
    </p>
  );
}

/** The form-level error, with the errors of fields the form does not show (hidden inputs) spelled out. */
export function FormError({ state, shown = [] }: { state: unknown; shown?: string[] }) {
  const s = state as { ok?: unknown; error?: unknown; code?: unknown } | null | undefined;
  if (!s || s.ok !== false) return null;
  const error = String(s.error ?? 'Something went wrong.');
  const others = Object.entries(fieldErrorsOf(state)).filter(([k]) => !shown.includes(k));
  return (
    <div role="alert" data-testid="form-error" className="text-sm text-red-700 dark:text-red-400">
      <p>{error}</p>
      <ErrorHint code={typeof s.code === 'string' ? s.code : null} />
      {others.length ? (
        <ul className="list-disc pl-5">
          {others.map(([k, v]) => (
            <li key={k}>
              {k}: {v.join('; ')}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function fieldErrorsOf(state: unknown): Record<string, string[]> {
  return state && typeof state === 'object' && 'fieldErrors' in state ? ((state as { fieldErrors?: Record<string, string[]> }).fieldErrors ?? {}) : {};
}
