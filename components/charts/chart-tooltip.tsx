'use client';

/**
 * The charts' tooltip: the point's time in UTC (and the viewer's local time), then one line per series with
 * its colour and value.
 * Styled with Tailwind so it follows dark mode (recharts' default tooltip is always white).
 */
import type { TooltipContentProps } from 'recharts';
import { formatLocal, formatUtc } from '@/lib/format';

export function ChartTooltip({
  active,
  payload,
  label,
  formatValue,
}: Pick<TooltipContentProps<number, string>, 'active' | 'payload' | 'label'> & { formatValue: (v: number) => string }) {
  if (!active || !payload || payload.length === 0) return null;
  const ts = typeof label === 'number' ? label : Number(label);
  return (
    <div className="rounded-md border border-zinc-200 bg-white px-3 py-2 text-xs shadow-md dark:border-zinc-700 dark:bg-zinc-900">
      <div className="mb-1 font-medium text-zinc-700 dark:text-zinc-200">{Number.isFinite(ts) ? formatUtc(ts) : ''}</div>
      {Number.isFinite(ts) ? <div className="-mt-1 mb-1 text-zinc-500 dark:text-zinc-400">{formatLocal(ts)} (local)</div> : null}
      <ul className="space-y-0.5">
        {payload.map((p) => (
          <li key={String(p.dataKey)} className="flex items-center gap-2 text-zinc-600 dark:text-zinc-300">
            <span aria-hidden="true" className="inline-block size-2 rounded-full" style={{ background: p.color ?? p.stroke }} />
            <span>{p.name}</span>
            <span className="ml-auto pl-3 font-mono tabular-nums text-zinc-900 dark:text-zinc-50">
              {typeof p.value === 'number' ? formatValue(p.value) : '—'}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
