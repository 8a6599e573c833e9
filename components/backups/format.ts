/**
 * Formatting for backups: ages ("3 min ago") and sizes ("1.2 MiB"). Deterministic for a given `now`, so a
 * server render and the first client render agree.
 */
import { formatNumber } from '@/lib/format';

/** Milliseconds as a short duration: "45 s", "3 min", "2 h 5 min", "4 days". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${formatNumber(Math.floor(h / 24))} days`;
}

/** How long ago `time` was, seen at `now`: "3 min ago" (or "just now"). */
export function formatAge(time: number, now: number): string {
  const d = now - time;
  if (d < 5_000) return 'just now';
  return `${formatDuration(d)} ago`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> "1.5 KiB" */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${formatNumber(v)} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${UNITS[u]}`;
}

/** A transaction range as "1,234 – 5,678" (one ID alone when the range is a point). */
export function formatTxRange(from: number, to: number): string {
  return from === to ? formatNumber(from) : `${formatNumber(from)} – ${formatNumber(to)}`;
}
