'use client';

/**
 * Asking before acting, the one way the dashboard does it. ConfirmDialog is a modal on the native <dialog>:
 * focus moves into it (onto Cancel, so Enter never confirms a destructive action by accident) and stays there,
 * Escape cancels, and focus returns to the button that opened it. The confirm button names what it does
 * ("Stop member", "Delete 3 files"). ConfirmButton is the common case: a button that opens the dialog and,
 * once confirmed, sends its fields to a form action (a server action through useActionState).
 */
import { startTransition, useEffect, useId, useRef, useState, type ReactNode } from 'react';

export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  destructive = true,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  destructive?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      cancelRef.current?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
      className="m-auto w-[min(36rem,calc(100vw-2rem))] rounded-lg border border-zinc-200 bg-white p-0 text-zinc-900 shadow-xl backdrop:bg-zinc-950/50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100"
    >
      <div className="space-y-3 p-5">
        <h2 id={titleId} className="text-base font-semibold">
          {title}
        </h2>
        <div id={bodyId} className="space-y-2 text-sm text-zinc-600 dark:text-zinc-300">
          {children}
        </div>
        <div className="flex justify-end gap-2 pt-2">
          <button
            ref={cancelRef}
            type="button"
            onClick={onCancel}
            className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600 dark:border-zinc-600 dark:hover:bg-zinc-800"
          >
            Cancel
          </button>
          <button
            type="button"
            onClick={onConfirm}
            className={`rounded-md px-3 py-1.5 text-sm font-medium text-white focus-visible:outline-2 focus-visible:outline-offset-2 ${
              destructive ? 'bg-red-700 hover:bg-red-800 focus-visible:outline-red-700' : 'bg-teal-700 hover:bg-teal-800 focus-visible:outline-teal-700'
            }`}
          >
            {confirmLabel}
          </button>
        </div>
      </div>
    </dialog>
  );
}

/** A button that asks first, then sends `fields` to `action` as a form would (in a transition). */
export function ConfirmButton({
  triggerLabel,
  title,
  children,
  confirmLabel,
  action,
  fields,
  pending,
  destructive,
  disabled = false,
}: {
  triggerLabel: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  action: (form: FormData) => void;
  fields: Record<string, string | number>;
  pending: boolean;
  destructive: boolean;
  disabled?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const confirm = () => {
    setOpen(false);
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, String(v));
    startTransition(() => action(form));
  };
  return (
    <>
      <button
        type="button"
        disabled={disabled || pending}
        onClick={() => setOpen(true)}
        className={`rounded-md border px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 disabled:opacity-50 ${
          destructive
            ? 'border-red-300 text-red-800 hover:bg-red-50 focus-visible:outline-red-600 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950'
            : 'border-zinc-300 hover:bg-zinc-100 focus-visible:outline-teal-600 dark:border-zinc-700 dark:hover:bg-zinc-800'
        }`}
      >
        {pending ? 'Working…' : triggerLabel}
      </button>
      {/* (the body is rendered only while asking: a closed dialog's long lists would go out with every page) */}
      <ConfirmDialog open={open} title={title} confirmLabel={confirmLabel} destructive={destructive} onConfirm={confirm} onCancel={() => setOpen(false)}>
        {open ? children : null}
      </ConfirmDialog>
    </>
  );
}
