'use client';

/**
 * The strip of every window of a long timeline, oldest on the left: one link per window (or, past
 * STRIP_SEGMENTS windows, per run of adjacent windows), the shown one marked (aria-current), windows spanning a
 * restore (two generations) tinted. Each names its artifacts, times and transactions (its accessible name);
 * hovering one shows the same with the viewer's local time, a title added once hydrated (not sent in the HTML).
 */
import Link from 'next/link';
import { useHydrated, useTimesTitle } from '@/components/ui/utc-time';
import type { WindowPage } from '@/lib/dashboard/timeline-window';
import { formatNumber, formatUtc } from '@/lib/format';

export function pageLabel(p: WindowPage): string {
  return `Artifacts ${formatNumber(p.start + 1)}–${formatNumber(p.end)}: ${formatUtc(p.firstTime)} to ${formatUtc(p.lastTime)}, transactions ${formatNumber(p.fromTx)}–${formatNumber(p.toTx)}${p.generations > 1 ? ` (${p.generations} generations)` : ''}, ${formatNumber(p.fulls)} full`;
}

export function WindowStrip({ pages, current, hrefs }: { pages: WindowPage[]; current: { start: number; end: number }; hrefs: string[] }) {
  const timesTitle = useTimesTitle();
  const hydrated = useHydrated();
  return (
    <ol className="flex h-6 w-full gap-px overflow-hidden rounded *:min-w-0 *:flex-1" aria-label="Every window, oldest first">
      {pages.map((p, i) => {
        // (a segment of several windows is current when it holds the shown window)
        const here = p.start <= current.start && current.end <= p.end;
        return (
          <li key={p.start}>
            <Link
              href={hrefs[i]}
              scroll={false}
              aria-current={here ? 'page' : undefined}
              aria-label={pageLabel(p)}
              title={hydrated ? timesTitle(pageLabel(p), p.firstTime, p.lastTime) : undefined}
              data-testid="timeline-window"
              data-start={p.start}
              data-end={p.end}
              // (window-link, window-link-plain: app/globals.css, one rule for every link of the strip)
              className={`window-link ${here ? 'bg-teal-700 dark:bg-teal-400' : p.generations > 1 ? 'bg-sky-300 hover:bg-sky-400 dark:bg-sky-800 dark:hover:bg-sky-700' : 'window-link-plain'}`}
            />
          </li>
        );
      })}
    </ol>
  );
}
