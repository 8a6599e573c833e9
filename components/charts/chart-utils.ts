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
/** how far (px) the y-axis' zero sits above the x-axis line, so that a series at 0 is not drawn over by it */
export const ZERO_LIFT = 8;

/** Series colours that read on both a light and a dark background, in member order. */
const SERIES_COLORS = ['#0d9488', '#6366f1', '#d97706', '#db2777', '#0284c7', '#65a30d', '#9333ea', '#dc2626'];

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length];
}

/**
 * The x-axis domain: the whole window, ending now (the server's time of the answer), however few samples
 * have been collected yet, so that "1 hour" spans an hour and the samples sit at its right end.
 */
export function windowDomain(window: LagWindow, now: number): [number, number] {
  return [now - LAG_WINDOWS[window].spanMs, now];
}

/**
 * The domain of a chart's answer: the window ending at its `now`; an answer without one (an older server)
 * ends the window at its newest point.
 */
export function pointsDomain(points: ReadonlyArray<{ ts: number }>, window: LagWindow, now?: number): [number, number] {
  if (now !== undefined && Number.isFinite(now)) return windowDomain(window, now);
  if (points.length === 0) return [0, 1];
  return windowDomain(window, points[points.length - 1].ts);
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

/**
 * Evenly spaced y-axis ticks from 0: a step of 1, 2, 2.5 or 5 times a power of ten (1, 2 or 5 for whole
 * numbers) giving about `count` intervals, and a top that is a multiple of it, at least `min` (0/2/4/6/8/10,
 * never 0/3/6/10).
 */
export function niceTicks(max: number, { min = 1, count = 5, integer = false }: { min?: number; count?: number; integer?: boolean } = {}): number[] {
  const top0 = Number.isFinite(max) && max > min ? max : min;
  const raw = top0 / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const steps = (integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10]).map((m) => m * p);
  let step = steps.find((s) => s >= raw * (1 - 1e-9)) ?? 10 * p;
  if (integer) step = Math.max(1, Math.round(step));
  const n = Math.ceil(top0 / step - 1e-9);
  return Array.from({ length: n + 1 }, (_, i) => Number((i * step).toPrecision(12)));
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
