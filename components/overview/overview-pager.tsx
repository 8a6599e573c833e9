/**
 * The overview's pages: first, previous, "page 3 of 101", next, last, as links that keep the search and the
 * filters (the URL's `page`), on the overview or on the databases page (`path`). Shown only when there is more
 * than one page.
 */
import Link from 'next/link';
import { overviewSearchParams, type OverviewQuery } from '@/lib/dashboard/overview-query';
import { formatNumber } from '@/lib/format';

const link = 'rounded-md border border-zinc-300 px-3 py-1.5 font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-600 dark:border-zinc-700 dark:hover:bg-zinc-800';
const off = 'rounded-md border border-zinc-200 px-3 py-1.5 text-zinc-400 dark:border-zinc-800 dark:text-zinc-600';

export function OverviewPager({ query, pages, folder, path = '/' }: { query: OverviewQuery; pages: number; folder: string | null; path?: '/' | '/databases' }) {
  if (pages <= 1) return null;
  const href = (page: number) => {
    const p = overviewSearchParams({ ...query, page }, folder).toString();
    return `${path}${p ? `?${p}` : ''}`;
  };
  const to = (page: number, label: string, rel?: string) =>
    page >= 1 && page <= pages && page !== query.page ? (
      <Link href={href(page)} rel={rel} className={link}>
        {label}
      </Link>
    ) : (
      <span aria-disabled="true" className={off}>
        {label}
      </span>
    );
  return (
    <nav aria-label="Pages of databases" className="flex flex-wrap items-center gap-2 text-sm" data-testid="overview-pager">
      {to(1, 'First')}
      {to(query.page - 1, 'Previous', 'prev')}
      <span className="px-1 tabular-nums text-zinc-600 dark:text-zinc-400" aria-current="page">
        Page {formatNumber(query.page)} of {formatNumber(pages)}
      </span>
      {to(query.page + 1, 'Next', 'next')}
      {to(pages, 'Last')}
    </nav>
  );
}
