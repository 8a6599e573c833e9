/**
 * A form's button while its action runs: disabled, and its label swapped for the pending one ("Starting…",
 * "Saving…"), so the click is not repeated and the user sees it was taken. A submit button unless `type` says
 * otherwise; `disabled` adds reasons of the form's own (nothing to verify yet) to the pending one. Every other
 * attribute (aria-*, name/value of an intent button, the look) passes through as given.
 */
import type { ButtonHTMLAttributes, ReactNode } from 'react';

/** The looks the job forms share: the primary action (teal) and a secondary one (outlined). */
export const BUTTON_LOOK = {
  primary:
    'rounded-md bg-teal-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-teal-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 disabled:opacity-60',
  secondary:
    'rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800',
} as const;

export function PendingButton({
  pending,
  pendingLabel,
  disabled = false,
  type = 'submit',
  children,
  ...button
}: {
  pending: boolean;
  /** what the button says while pending */
  pendingLabel: string;
  children: ReactNode;
} & Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'children'>) {
  return (
    <button type={type} disabled={pending || disabled} {...button}>
      {pending ? pendingLabel : children}
    </button>
  );
}
