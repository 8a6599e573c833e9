/**
 * A form's messages, for every form of the dashboard (the backup forms, the restore wizard, the settings):
 * each field's errors in an aria-live region the field points at (aria-describedby), and the form-level error
 * with its code's hint.
 */
import { ErrorHint } from '@/components/ui/error-hint';

/**
 * A field's errors, one line each. The region is there even when empty, so that a new message is announced;
 * `field` gives it data-testid="field-error-<field>" (the e2e tests select it). `className` sets the size and
 * spacing of the form it sits in (text-sm by default).
 */
export function FieldError({ id, field, messages, className = 'text-sm' }: { id: string; field?: string; messages?: readonly string[]; className?: string }) {
  return (
    <div id={id} aria-live="polite" aria-atomic="true" data-testid={field ? `field-error-${field}` : undefined} className={`text-red-700 dark:text-red-400 ${className}`}>
      {messages?.map((m, i) => (
        <p key={`${i}:${m}`}>{m}</p>
      ))}
    </div>
  );
}

/** The form-level error and its code's hint, with the errors of fields the form does not show (hidden inputs) spelled out. */
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
