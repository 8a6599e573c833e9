'use client';

/**
 * A database's RTO over time: one point per drill that restored (from the drill's start until the scratch
 * database served reads), passed drills in teal, failed ones in red.
 */
import { CartesianGrid, ComposedChart, Line, Scatter, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartEmpty } from './chart-empty';
import { ChartTooltip } from './chart-tooltip';
import { CHART_HEIGHT, CHART_MARGIN, niceCeil, Y_AXIS_WIDTH } from './chart-utils';
import { formatDuration } from '@/lib/format';

const PASSED_COLOR = '#0f766e';
const FAILED_COLOR = '#dc2626';

export interface RtoPoint {
  ts: number;
  /** seconds */
  passed: number | null;
  failed: number | null;
}

function dayTick(ts: number): string {
  const d = new Date(ts);
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

export function RtoChart({ points }: { points: RtoPoint[] }) {
  const last = [...points].reverse().find((p) => p.passed !== null);
  return (
    <figure data-testid="rto-chart" aria-labelledby="rto-chart-title" className="space-y-2">
      <figcaption id="rto-chart-title" className="text-sm font-medium">
        RTO of each drill
        <span className="font-normal text-zinc-500 dark:text-zinc-400"> · seconds from the drill&apos;s start until the restored database served reads</span>
      </figcaption>
      {points.length === 0 ? (
        <ChartEmpty>No drill has restored this database yet. &ldquo;Drill now&rdquo; runs one; schedules run one daily.</ChartEmpty>
      ) : (
        <div className="text-zinc-500 dark:text-zinc-400">
          <ComposedChart responsive style={{ width: '100%', height: CHART_HEIGHT }} data={points} margin={CHART_MARGIN}>
            <CartesianGrid stroke="currentColor" strokeOpacity={0.15} vertical={false} />
            <XAxis dataKey="ts" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={dayTick} stroke="currentColor" tick={{ fill: 'currentColor', fontSize: 12 }} />
            <YAxis
              width={Y_AXIS_WIDTH}
              domain={[0, (max: number) => niceCeil(max, 1)]}
              stroke="currentColor"
              tick={{ fill: 'currentColor', fontSize: 12 }}
              label={{ value: 's', angle: -90, position: 'insideLeft', fill: 'currentColor', fontSize: 12 }}
            />
            <Tooltip content={(p) => <ChartTooltip {...p} formatValue={(v) => formatDuration(v * 1000)} />} />
            <Line dataKey="passed" name="passed" type="linear" stroke={PASSED_COLOR} strokeWidth={2} dot={{ r: 3 }} connectNulls isAnimationActive={false} />
            <Scatter dataKey="failed" name="failed" fill={FAILED_COLOR} isAnimationActive={false} />
          </ComposedChart>
        </div>
      )}
      {last ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="rto-last">
          Last passed drill: <span className="font-mono tabular-nums text-zinc-900 dark:text-zinc-50">{formatDuration((last.passed ?? 0) * 1000)}</span>
        </p>
      ) : null}
    </figure>
  );
}
