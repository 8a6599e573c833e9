'use client';

/**
 * The overview's search and filters: a GET form (next/form: a client navigation, and a plain one before
 * hydration) whose fields are the URL's `q`, `cluster` and `trouble`, so a view is a link and survives a
 * reload; a new search or filter starts again at page 1. Choosing in a list applies it at once; the search
 * applies on Enter or "Search". Every control has a visible label and works from the keyboard. The databases
 * page (`action` "/databases") lists the same databases as a table and has the same controls.
 */
import Form from 'next/form';
import Link from 'next/link';
import { useId } from 'react';
import { TROUBLE_KINDS, TROUBLE_LABELS, type OverviewQuery } from '@/lib/dashboard/overview-query';

const field = 'w-full rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900';

export function OverviewControls({
  query,
  clusters,
  keep,
  action = '/',
}: {
  query: OverviewQuery;
  clusters: Array<{ id: number; name: string }>;
  keep: Record<string, string>;
  /** the page the form navigates to */
  action?: '/' | '/databases';
}) {
  const id = useId();
  const submit = (e: React.ChangeEvent<HTMLSelectElement>) => e.currentTarget.form?.requestSubmit();
  const filtered = query.q !== '' || query.cluster !== null || query.trouble !== null;
  return (
    <Form action={action} role="search" aria-label="Databases" className="grid gap-3 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)_auto] sm:items-end" data-testid="overview-filters">
      {Object.entries(keep).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <div className="min-w-0 space-y-1">
        <label htmlFor={`${id}-q`} className="block text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Search databases
        </label>
        <div className="flex gap-2">
          <input id={`${id}-q`} name="q" type="search" defaultValue={query.q} maxLength={100} placeholder="Name contains…" autoComplete="off" className={field} />
          <button type="submit" className="shrink-0 rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-600 dark:border-zinc-700 dark:hover:bg-zinc-800">
            Search
          </button>
        </div>
      </div>
      <div className="min-w-0 space-y-1">
        <label htmlFor={`${id}-cluster`} className="block text-xs font-medium text-zinc-600 dark:text-zinc-400">
          Cluster
        </label>
        <select id={`${id}-cluster`} name="cluster" defaultValue={query.cluster === null ? '' : String(query.cluster)} onChange={submit} className={field}>
          <option value="">Every cluster</option>
          {clusters.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
          <option value="backups">Only in backups (no cluster)</option>
        </select>
      </div>
      <div className="min-w-0 space-y-1">
        <label htmlFor={`${id}-trouble`} className="block text-xs font-medium text-zinc-600 dark:text-zinc-400">
          State
        </label>
        <select id={`${id}-trouble`} name="trouble" defaultValue={query.trouble ?? ''} onChange={submit} className={field}>
          <option value="">Every state</option>
          <option value="any">{TROUBLE_LABELS.any}</option>
          {TROUBLE_KINDS.map((k) => (
            <option key={k} value={k}>
              {TROUBLE_LABELS[k]}
            </option>
          ))}
        </select>
      </div>
      <div className="sm:pb-1.5">
        {filtered ? (
          <Link href={`${action}${keep.folder ? `?${new URLSearchParams({ folder: keep.folder })}` : ''}`} className="text-sm font-medium text-teal-800 underline dark:text-teal-300">
            Clear
          </Link>
        ) : null}
      </div>
    </Form>
  );
}
