/**
 * What the user can do about an error, as one muted line under it ("Hint: take a full backup"): the hint of
 * the error's stable code (lib/errors.ts `hintFor`, docs/errors.md). Nothing when the code has no hint (or
 * there is no code), so it can sit beside any error a job, a server action or a route handler reports.
 */
import { hintFor } from '@/lib/errors';

export function ErrorHint({ code, className = '' }: { code: string | null | undefined; className?: string }) {
  const hint = hintFor(code);
  if (!hint) return null;
  return (
    <p data-testid="error-hint" data-code={code} className={`text-xs text-zinc-600 dark:text-zinc-400 ${className}`.trim()}>
      Hint: {hint}
    </p>
  );
}
