import type { ReactNode } from 'react';
import { CHART_HEIGHT } from './chart-utils';

/** The space of a chart that has nothing to draw yet, saying why and what happens next. */
export function ChartEmpty({ children }: { children: ReactNode }) {
  return (
    <div
      role="status"
      data-testid="chart-empty"
      className="flex items-center justify-center rounded-md border border-dashed border-zinc-300 px-6 text-center text-sm text-zinc-500 dark:border-zinc-700 dark:text-zinc-400"
      style={{ height: CHART_HEIGHT }}
    >
      {children}
    </div>
  );
}

/** A chart's placeholder while its first data loads. */
export function ChartSkeleton({ label }: { label: string }) {
  return <div aria-busy="true" aria-label={label} className="animate-pulse rounded-md bg-zinc-100 dark:bg-zinc-800" style={{ height: CHART_HEIGHT }} />;
}
