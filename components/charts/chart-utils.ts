/**
 * What the dashboard's charts share: margins, series colours, the lag windows (span, poll interval, axis
 * ticks) and the formatters of time (always UTC) and numbers. Pure functions, safe on server and client.
 */
import { formatNumber } from '@/lib/format';

export type LagWindow = '5m' | '1h' | '24h';

export interface WindowSpec {
  label: string;
  /** how much time the chart spans */
  spanMs: number;
  /** how often the chart asks for new points (the collector samples once a second) */
  pollMs: number;
}

export const LAG_WINDOWS: Record<LagWindow, WindowSpec> = {
  '5m': { label: '5 minutes', spanMs: 5 * 60_000, pollMs: 1_000 },
  '1h': { label: '1 hour', spanMs: 3_600_000, pollMs: 5_000 },
  '24h': { label: '24 hours', spanMs: 86_400_000, pollMs: 30_000 },
};

export const WINDOW_KEYS = Object.keys(LAG_WINDOWS) as LagWindow[];

export function isLagWindow(v: unknown): v is LagWindow {
  return typeof v === 'string' && v in LAG_WINDOWS;
}

export const CHART_MARGIN = { top: 8, right: 16, bottom: 4, left: 8 } as const;
export const CHART_HEIGHT = 260;
export const Y_AXIS_WIDTH = 64;

/** Series colours that read on both a light and a dark background, in member order. */
const SERIES_COLORS = ['#0d9488', '#6366f1', '#d97706', '#db2777', '#0284c7', '#65a30d', '#9333ea', '#dc2626'];

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length];
}

/** The shortest stretch of time a chart shows, so that the first seconds of samples are readable. */
const MIN_SPAN_MS = 60_000;

/**
 * The x-axis domain: the window ending at the newest point, narrowed to where the samples start while
 * there is less than a window of them (at least a minute), so a fresh chart does not squeeze into a sliver.
 */
export function timeDomain(window: LagWindow, firstTs: number, lastTs: number): [number, number] {
  const span = LAG_WINDOWS[window].spanMs;
  const from = Math.max(lastTs - span, Math.min(firstTs, lastTs - MIN_SPAN_MS));
  return [from, lastTs];
}

/** The domain of a series of points, oldest first (both lag charts use the lag points, so they line up). */
export function pointsDomain(points: ReadonlyArray<{ ts: number }>, window: LagWindow): [number, number] {
  if (points.length === 0) return [0, 1];
  return timeDomain(window, points[0].ts, points[points.length - 1].ts);
}

const TICK_STEPS = [5_000, 10_000, 15_000, 30_000, 60_000, 2 * 60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000, 3_600_000, 2 * 3_600_000, 4 * 3_600_000, 6 * 3_600_000];

/** Ticks aligned to UTC at the smallest round step that gives at most `max` of them. */
export function timeTicks([from, to]: [number, number], max = 6): { ticks: number[]; stepMs: number } {
  const stepMs = TICK_STEPS.find((s) => (to - from) / s <= max) ?? TICK_STEPS[TICK_STEPS.length - 1];
  const ticks: number[] = [];
  for (let t = Math.ceil(from / stepMs) * stepMs; t <= to; t += stepMs) ticks.push(t);
  return { ticks, stepMs };
}

/** The top of a y-axis: the data's maximum rounded up to 1, 2, 2.5 or 5 times a power of ten (at least `min`). */
export function niceCeil(max: number, min = 1): number {
  if (!(max > min)) return min;
  const p = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 5, 10].find((m) => m * p >= max) ?? 10;
  return step * p;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An axis tick in UTC: HH:MM (with seconds when the ticks are closer than a minute). */
export function formatTimeTick(ts: number, tickMs = 60_000): string {
  const d = new Date(ts);
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return tickMs < 60_000 ? `${hm}:${pad(d.getUTCSeconds())}` : hm;
}

/** Large counts on an axis: 950, 1.2k, 3.4M. */
export function formatCompact(n: number): string {
  const a = Math.abs(n);
  if (a >= 1_000_000) return `${trim(n / 1_000_000)}M`;
  if (a >= 10_000) return `${trim(n / 1_000)}k`;
  return formatNumber(n);
}

function trim(n: number): string {
  return n.toFixed(1).replace(/\.0$/, '');
}

/** A rate in transactions per second: 0, 0.4, 12, 1,234. */
export function formatRate(n: number): string {
  if (n === 0) return '0';
  if (Math.abs(n) < 10) return n.toFixed(1).replace(/\.0$/, '');
  return formatNumber(n);
}

/**
 * Neo4j reports replication lag as member minus writer (0 or negative). The chart plots how many
 * transactions a member is behind the writer (0 or positive), so a lagging member's line rises.
 */
export function behind(replicationLag: number): number {
  return replicationLag < 0 ? -replicationLag : 0;
}
