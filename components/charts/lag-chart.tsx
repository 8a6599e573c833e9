'use client';

/**
 * Transaction lag per member over a window: one line per member, how many transactions it is behind the
 * writer (Neo4j's replicationLag with the sign flipped, so a lagging member's line rises). Time runs in
 * UTC along the x-axis; a member with no sample at a time, or an offline one (stopped, unreachable: the
 * collector stores online = 0), leaves a gap, and its offline stretches are shaded in its colour.
 */
import { useMemo } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceArea, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import type { LagData } from '@/lib/dashboard/data';
import { formatNumber } from '@/lib/format';
import { ChartEmpty } from './chart-empty';
import { ChartTooltip } from './chart-tooltip';
import {
  behind,
  CHART_HEIGHT,
  CHART_MARGIN,
  formatCompact,
  formatTimeTick,
  LAG_WINDOWS,
  niceTicks,
  timeTicks,
  pointsDomain,
  ZERO_LIFT,
  Y_AXIS_WIDTH,
  type LagWindow,
} from './chart-utils';

type Row = { ts: number } & Record<string, number>;

export function LagChart({ lag, window, colorOf }: { lag: LagData; window: LagWindow; colorOf: (memberId: string) => string }) {
  const rows = useMemo(() => toBehindRows(lag), [lag]);
  const latest = useMemo(() => latestPerMember(rows, lag.members), [rows, lag.members]);
  const offlineNow = new Set(lag.offlineNow ?? []);
  const domain = pointsDomain(rows, window, lag.now);
  const { ticks, stepMs } = timeTicks(domain);
  const yTicks = useMemo(() => niceTicks(maxOf(rows, lag.members), { min: 4, integer: true }), [rows, lag.members]);

  return (
    <figure data-testid="lag-chart" data-x-from={domain[0]} data-x-to={domain[1]} aria-labelledby="lag-chart-title" className="space-y-2">
      <figcaption id="lag-chart-title" className="text-sm font-medium">
        Transactions behind the writer, per member
        <span className="font-normal text-zinc-500 dark:text-zinc-400"> · {LAG_WINDOWS[window].label}, UTC</span>
      </figcaption>
      {rows.length === 0 ? (
        <ChartEmpty>Collecting… the collector samples every member once a second; the first points appear in a moment.</ChartEmpty>
      ) : (
        <>
          <div className="text-zinc-500 dark:text-zinc-400">
            <LineChart
              responsive
              style={{ width: '100%', height: CHART_HEIGHT }}
              data={rows}
              margin={CHART_MARGIN}
            >
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
                allowDecimals={false}
                domain={[0, yTicks[yTicks.length - 1]]}
                ticks={yTicks}
                interval={0}
                padding={{ bottom: ZERO_LIFT }}
                tickFormatter={formatCompact}
                stroke="currentColor"
                tick={{ fill: 'currentColor', fontSize: 12 }}
                label={{ value: 'tx behind', angle: -90, position: 'insideLeft', fill: 'currentColor', fontSize: 12 }}
              />
              {/* zero (in step with the writer) lifted off the x-axis, so that lines at 0 stay visible */}
              <ReferenceLine y={0} stroke="currentColor" strokeOpacity={0.55} strokeDasharray="4 3" className="chart-zero-line" ifOverflow="extendDomain" />
              <Tooltip content={(p) => <ChartTooltip {...p} formatValue={(v) => `${formatNumber(v)} behind`} />} />
              {(lag.offline ?? []).map((o) => (
                <ReferenceArea
                  key={`${o.memberId}-${o.from}`}
                  x1={o.from}
                  x2={Math.max(o.to, o.from + 1000)}
                  ifOverflow="hidden"
                  fill={colorOf(o.memberId)}
                  fillOpacity={0.12}
                  strokeOpacity={0}
                  className="lag-offline"
                  data-member={o.memberId}
                />
              ))}
              {lag.members.map((m) => (
                <Line
                  key={m}
                  dataKey={m}
                  name={m}
                  type="linear"
                  stroke={colorOf(m)}
                  strokeWidth={2}
                  dot={false}
                  isAnimationActive={false}
                  className="lag-series"
                />
              ))}
            </LineChart>
          </div>
          <ul aria-label="Members on the chart" data-testid="lag-legend" className="flex flex-wrap gap-x-5 gap-y-1 text-sm">
            {lag.members.map((m) => (
              <li key={m} data-testid="lag-legend-item" data-member={m} data-offline={offlineNow.has(m) || undefined} className="flex items-center gap-2">
                <span aria-hidden="true" className="inline-block h-0.5 w-4 rounded" style={{ background: colorOf(m) }} />
                <span className="font-medium">{m}</span>
                <span className="font-mono tabular-nums text-zinc-600 dark:text-zinc-400">
                  {offlineNow.has(m) ? 'offline (not answering)' : latest.get(m) === undefined ? 'no recent sample' : `${formatNumber(latest.get(m) as number)} behind`}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </figure>
  );
}

/** The API's rows (member -> replicationLag) as member -> transactions behind. */
function toBehindRows(lag: LagData): Row[] {
  return lag.points.map((p) => {
    const row = { ts: p.ts } as Row;
    for (const m of lag.members) if (typeof p[m] === 'number') row[m] = behind(p[m]);
    return row;
  });
}

/** The largest value of any member (0 when there is none). */
function maxOf(rows: Row[], members: string[]): number {
  let max = 0;
  for (const r of rows) for (const m of members) if (typeof r[m] === 'number' && r[m] > max) max = r[m];
  return max;
}

/** Each member's value in the newest row (undefined when it has no sample there: stopped or unreachable). */
function latestPerMember(rows: Row[], members: string[]): Map<string, number | undefined> {
  const last = rows[rows.length - 1];
  return new Map(members.map((m) => [m, last?.[m]]));
}
