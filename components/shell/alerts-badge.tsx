'use client';

/**
 * The header's alerts link with the number of firing (not yet acknowledged) alerts, red while any fires. Polls
 * the counts (components/alerts/alerts-query.ts); the server's count is the first value, so it shows at once.
 */
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { alertCountsQuery } from '@/components/alerts/alerts-query';

export function AlertsBadge({ initial }: { initial: { firing: number; acknowledged: number } }) {
  const { data } = useQuery({ ...alertCountsQuery(), initialData: initial });
  const firing = data?.firing ?? 0;
  return (
    <Link
      href="/alerts"
      data-testid="alerts-badge"
      data-firing={firing}
      aria-label={firing === 0 ? 'Alerts: none firing' : `Alerts: ${firing} firing`}
      className={`inline-flex items-center gap-1.5 rounded-full px-2.5 py-1 text-sm font-medium ring-1 ring-inset ${
        firing > 0
          ? 'bg-red-50 text-red-800 ring-red-300 hover:bg-red-100 dark:bg-red-950 dark:text-red-300 dark:ring-red-800'
          : 'text-zinc-700 ring-zinc-300 hover:bg-zinc-100 dark:text-zinc-300 dark:ring-zinc-700 dark:hover:bg-zinc-800'
      }`}
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4 fill-current">
        <path d="M10 2a5 5 0 0 0-5 5v3.6L3.3 13.3A1 1 0 0 0 4.1 15h11.8a1 1 0 0 0 .8-1.7L15 10.6V7a5 5 0 0 0-5-5Zm-2 14a2 2 0 0 0 4 0H8Z" />
      </svg>
      <span aria-hidden="true" className="tabular-nums">
        {firing}
      </span>
    </Link>
  );
}
