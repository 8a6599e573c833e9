/**
 * Formatting shared by the dashboard and the CLI. Deterministic (fixed locale, UTC) so that a server render
 * and the browser's hydration produce the same text; local time is only ever shown on hover.
 */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 -> "1,234,567" */
export function formatNumber(n: number): string {
  return integer.format(n);
}

/** Replication lag in transactions: 0 -> "0", -1234 -> "−1,234" (a true minus sign). */
export function formatLag(n: number): string {
  return n < 0 ? `\u2212${integer.format(-n)}` : integer.format(n);
}

/** A time as "YYYY-MM-DD HH:MM:SS UTC" (ms since the epoch, or an ISO string). */
export function formatUtc(t: number | string): string {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The same time in the viewer's own zone, for a tooltip. */
export function formatLocal(t: number | string): string {
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleString(undefined, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
  });
}
