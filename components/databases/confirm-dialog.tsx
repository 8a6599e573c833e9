'use client';

/**
 * A button that asks before it acts: a modal <dialog> (focus kept inside, Escape cancels, Cancel focused
 * first) whose confirm button submits a form to the given action. The caller shows the action's result.
 */
import { useId, useRef, type ReactNode } from 'react';

export function ConfirmDialog({
  triggerLabel,
  title,
  children,
  confirmLabel,
  action,
  fields,
  pending,
  danger = false,
  disabled = false,
}: {
  triggerLabel: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  action: (form: FormData) => void;
  fields: Record<string, string | number>;
  pending: boolean;
  danger?: boolean;
  disabled?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const tone = danger
    ? 'bg-red-700 text-white hover:bg-red-800 focus-visible:outline-red-700'
    : 'bg-teal-700 text-white hover:bg-teal-800 focus-visible:outline-teal-600';
  return (
    <>
      <button
        type="button"
        disabled={disabled || pending}
        onClick={() => ref.current?.showModal()}
        className={`rounded-md border px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 disabled:opacity-50 ${
          danger
            ? 'border-red-300 text-red-800 hover:bg-red-50 focus-visible:outline-red-600 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950'
            : 'border-zinc-300 hover:bg-zinc-100 focus-visible:outline-teal-600 dark:border-zinc-700 dark:hover:bg-zinc-800'
        }`}
      >
        {pending ? 'Working…' : triggerLabel}
      </button>
      <dialog
        ref={ref}
        aria-labelledby={`${id}-title`}
        className="m-auto w-[min(36rem,calc(100vw-2rem))] rounded-lg border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-black/40 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
      >
        <form action={action} onSubmit={() => ref.current?.close()} className="space-y-4 p-5">
          {Object.entries(fields).map(([k, v]) => (
            <input key={k} type="hidden" name={k} value={v} />
          ))}
          <h2 id={`${id}-title`} className="text-base font-semibold">
            {title}
          </h2>
          <div className="space-y-2 text-sm">{children}</div>
          <div className="flex justify-end gap-2">
            <button
              type="button"
              autoFocus
              onClick={() => ref.current?.close()}
              className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-600 dark:border-zinc-700 dark:hover:bg-zinc-800"
            >
              Cancel
            </button>
            <button type="submit" className={`rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 ${tone}`}>
              {confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
