'use client';

/**
 * The writer's commit rate (transactions per second) over the same window as the lag chart: how fast the
 * members have to apply transactions to keep up.
 */
import { useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { LagData } from '@/lib/dashboard/data';
import { ChartEmpty } from './chart-empty';
import { ChartTooltip } from './chart-tooltip';
import { CHART_HEIGHT, CHART_MARGIN, formatRate, formatTimeTick, niceTicks, pointsDomain, timeTicks, Y_AXIS_WIDTH, ZERO_LIFT, type LagWindow } from './chart-utils';

const RATE_COLOR = '#0891b2';

export function CommitRateChart({ lag, window }: { lag: LagData; window: LagWindow }) {
  const rows = lag.commitRate;
  const domain = pointsDomain(lag.points, window, lag.now);
  const { ticks, stepMs } = timeTicks(domain);
  const yTicks = useMemo(() => niceTicks(rows.reduce((m, r) => Math.max(m, r.rate), 0), { min: 1 }), [rows]);
  const current = rows.length > 0 ? rows[rows.length - 1].rate : null;

  return (
    <figure data-testid="commit-rate-chart" data-x-from={domain[0]} data-x-to={domain[1]} aria-labelledby="commit-rate-title" className="space-y-2">
      <figcaption id="commit-rate-title" className="text-sm font-medium">
        Commit rate of the writer{lag.writer ? ` (${lag.writer})` : ''}
        <span className="font-normal text-zinc-500 dark:text-zinc-400"> · transactions/s</span>
      </figcaption>
      {!lag.writer && rows.length === 0 ? (
        <ChartEmpty>No member is the writer of {lag.database} right now, so nothing commits. Start the writer to see its rate.</ChartEmpty>
      ) : rows.length === 0 ? (
        <ChartEmpty>Collecting… the rate appears after two samples of the writer.</ChartEmpty>
      ) : (
        <>
          <div className="text-zinc-500 dark:text-zinc-400">
            <LineChart responsive style={{ width: '100%', height: CHART_HEIGHT }} data={rows} margin={CHART_MARGIN}>
              <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={false} />
              <XAxis
                dataKey="ts"
                type="number"
                scale="time"
                domain={domain}
                allowDataOverflow
                ticks={ticks}
                tickFormatter={(t: number) => formatTimeTick(t, stepMs)}
                stroke="currentColor"
                tick={{ fill: 'currentColor', fontSize: 12 }}
              />
              <YAxis
                width={Y_AXIS_WIDTH}
                domain={[0, yTicks[yTicks.length - 1]]}
                ticks={yTicks}
                interval={0}
                padding={{ bottom: ZERO_LIFT }}
                tickFormatter={formatRate}
                stroke="currentColor"
                tick={{ fill: 'currentColor', fontSize: 12 }}
                label={{ value: 'tx/s', angle: -90, position: 'insideLeft', fill: 'currentColor', fontSize: 12 }}
              />
              <ReferenceLine y={0} stroke="currentColor" strokeOpacity={0.55} strokeDasharray="4 3" className="chart-zero-line" ifOverflow="extendDomain" />
              <Tooltip content={(p) => <ChartTooltip {...p} formatValue={(v) => `${formatRate(v)} tx/s`} />} />
              <Line dataKey="rate" name="commits" type="linear" stroke={RATE_COLOR} strokeWidth={2} dot={false} isAnimationActive={false} className="commit-rate-series" />
            </LineChart>
          </div>
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="commit-rate-current">
            Now: <span className="font-mono tabular-nums text-zinc-900 dark:text-zinc-50">{current === null ? '—' : formatRate(current)}</span> tx/s
          </p>
        </>
      )}
    </figure>
  );
}
