/**
 * What one page of the databases shows, said in words: "Showing 51–100 of 5,002 databases", "… matching
 * (5,002 databases in all)", "No databases match (of 5,002).", and that the trouble filter is still reading
 * chains (more may match). Shared by the overview's cards and the databases page's table; a live region, so a
 * screen reader hears the new count after a search.
 */
import type { ListPage } from '@/lib/dashboard/overview-list';
import type { OverviewQuery } from '@/lib/dashboard/overview-query';
import { formatNumber } from '@/lib/format';

export function OverviewCount({ list, query }: { list: Omit<ListPage, 'entries'>; query: OverviewQuery }) {
  const first = list.matched === 0 ? 0 : (list.page - 1) * list.pageSize + 1;
  const last = Math.min(list.matched, list.page * list.pageSize);
  const filtered = query.q !== '' || query.cluster !== null || query.trouble !== null;
  return (
    <p role="status" aria-live="polite" className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="overview-count" data-matched={list.matched} data-total={list.total}>
      {list.matched === 0
        ? filtered && list.pending === 0
          ? `No databases match (of ${formatNumber(list.total)}).`
          : null
        : `Showing ${formatNumber(first)}–${formatNumber(last)} of ${formatNumber(list.matched)}${filtered ? ` matching (${formatNumber(list.total)} databases in all)` : list.matched === 1 ? ' database' : ' databases'}`}
      {list.pending > 0 ? ` Still reading the chains of ${formatNumber(list.pending)} database${list.pending === 1 ? '' : 's'}: more may match.` : null}
    </p>
  );
}
