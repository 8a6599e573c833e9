'use client';

/**
 * Filters of the jobs page: database and status. A plain GET form (it works without JavaScript and with the
 * keyboard: choose, then Apply); with JavaScript a change applies at once.
 */
import { usePathname, useRouter } from 'next/navigation';
import { useTransition } from 'react';

export function JobsFilters({ databases, statuses, database, status }: { databases: string[]; statuses: readonly string[]; database: string; status: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  const apply = (form: HTMLFormElement) => {
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v) q.set(k, v);
    const s = q.toString();
    startTransition(() => router.replace(s ? `${pathname}?${s}` : pathname, { scroll: false }));
  };
  const selectClass =
    'rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm outline-none focus-visible:ring-2 focus-visible:ring-teal-500 dark:border-zinc-700 dark:bg-zinc-900';
  return (
    <form
      method="get"
      aria-label="Filter jobs"
      aria-busy={pending}
      onSubmit={(e) => {
        e.preventDefault();
        apply(e.currentTarget);
      }}
      onChange={(e) => apply(e.currentTarget)}
      className="flex flex-wrap items-end gap-3"
    >
      <label className="flex flex-col gap-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">
        Database
        <select name="database" defaultValue={database} className={selectClass}>
          <option value="">All databases</option>
          {databases.map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </label>
      <label className="flex flex-col gap-1 text-xs font-medium text-zinc-600 dark:text-zinc-400">
        Status
        <select name="status" defaultValue={status} className={selectClass}>
          <option value="">Any status</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <button
        type="submit"
        className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-500 dark:border-zinc-700 dark:hover:bg-zinc-800"
      >
        Apply
      </button>
    </form>
  );
}
