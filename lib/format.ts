/**
 * Formatting shared by the dashboard and the CLI: numbers, lag, times, durations, ages, sizes and transaction
 * ranges (the one set of formatters the pages use). Deterministic (fixed locale, UTC) so that a server render
 * and the browser's hydration produce the same text; local time is only ever shown on hover.
 */

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 1234567 -> "1,234,567" */
export function formatNumber(n: number): string {
  return integer.format(n);
}

/** Neo4j's replicationLag as it reports it, for a tooltip: 0 -> "0", -1234 -> "−1,234" (a true minus sign). */
export function formatLag(n: number): string {
  return n < 0 ? `\u2212${integer.format(-n)}` : integer.format(n);
}

/**
 * Replication lag in words, as every page says it: Neo4j's replicationLag (member minus writer, 0 or
 * negative) as transactions behind, "7 behind" ("0 behind" on a member in step), and how far behind in time
 * when known ("7 behind · 1.2 s"). The raw value goes in a tooltip (formatLag).
 */
export function formatBehind(replicationLag: number, lagMs?: number | null): string {
  const n = Math.max(0, -replicationLag);
  const time = n > 0 && lagMs !== null && lagMs !== undefined && Number.isFinite(lagMs) && lagMs >= 0 ? ` · ${formatDuration(lagMs)}` : '';
  return `${integer.format(n)} behind${time}`;
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

/**
 * A duration in words, largest units first: "0.9 s", "45 s", "1 min 15 s", "2 h 5 min", "3 days 4 h".
 * `coarse` drops the smaller unit ("3 min", "2 h 5 min", "3 days") for ages, which need no seconds.
 * A negative or non-finite duration is "—".
 */
export function formatDuration(ms: number, { coarse = false }: { coarse?: boolean } = {}): string {
  if (ms < 0 || !Number.isFinite(ms)) return '—';
  if (ms < 10_000 && !coarse) return `${trimZero((ms / 1000).toFixed(1))} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return coarse || s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const days = `${integer.format(Math.floor(h / 24))} days`;
  return coarse || h % 24 === 0 ? days : `${days} ${h % 24} h`;
}

/** "2.0" -> "2", "0.9" -> "0.9" */
function trimZero(fixed: string): string {
  return fixed.endsWith('.0') ? fixed.slice(0, -2) : fixed;
}

/** How long ago `time` was, seen at `now`: "just now" (under 5 s), "45 s ago", "3 min ago", "4 days ago". */
export function formatAge(time: number, now: number): string {
  const d = now - time;
  if (d < 5_000) return 'just now';
  return `${formatDuration(d, { coarse: true })} ago`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** A size in binary units: 512 -> "512 B", 1536 -> "1.5 KiB", 12.3 MiB -> "12 MiB". */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${integer.format(v)} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${BYTE_UNITS[u]}`;
}

/** A transaction range as "1,234 – 5,678" (one ID alone when the range is a point). */
export function formatTxRange(from: number, to: number): string {
  return from === to ? integer.format(from) : `${integer.format(from)} – ${integer.format(to)}`;
}

/**
 * Where a restored database ends, the one numbering every range and result uses: states, inclusive ("the
 * database ends at transaction 159"). Only the wizard's "Restore until transaction" box and --restore-until
 * count the other way (exclusive: until 160 ends at 159); `formatUntilRange` says a range that way too.
 */
export function formatEndsAtRange(from: number, to: number): string {
  return from === to ? `ends at transaction ${integer.format(from)}` : `ends at transaction ${integer.format(from)} – ${integer.format(to)}`;
}

/** A range of states (the database ends at from..to) as restore-until values: "restore until 38 – 160". */
export function formatUntilRange(from: number, to: number): string {
  return `restore until ${formatTxRange(from + 1, to + 1)}`;
}

/**
 * A name with a note in brackets, unless the note only repeats the name: ("admin", "admin") -> "admin",
 * ("otto", "operator") -> "otto (operator)". For labels like "default (default)" or "embedded (embedded)".
 */
export function withNote(name: string, note: string | null | undefined): string {
  return !note || note.trim().toLowerCase() === name.trim().toLowerCase() ? name : `${name} (${note})`;
}
