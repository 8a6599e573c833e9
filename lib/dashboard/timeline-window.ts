/**
 * Which artifacts of a database the chain timeline draws when there are thousands: a window of `size`
 * consecutive artifacts (oldest first by backup time), moved older or newer a window at a time, jumped to
 * from a strip of every window (each with its time and transaction range), or to the window that holds an
 * artifact, a transaction ID or a time. Windows are aligned from the newest artifact, so the default (the
 * newest) and every jump land on the same boundaries; a window is named by the index of its oldest artifact,
 * which stays put as new backups arrive. Pure: sorted rows in, numbers out.
 */

/** What the window needs of an artifact (oldest first). */
export interface WindowRow {
  id: number;
  file: string;
  time: number;
  full: boolean;
  /** the bar's transaction range (a full: 1..tip; an empty differential: its parent's tip) */
  fromTx: number;
  toTx: number;
  storeId: string;
}

export type WindowTarget = { kind: 'artifact'; id: number } | { kind: 'file'; file: string } | { kind: 'tx'; tx: number } | { kind: 'time'; time: number };

/**
 * What a DBA types to go somewhere on a long timeline: a transaction ID ("12345" or "12,345"), a UTC time
 * ("2026-11-23 14:05:00", seconds optional), or an artifact's file name. Null when it is none of them.
 */
export function parseTarget(text: string): WindowTarget | null {
  const s = text.trim();
  if (/^\d[\d,]*$/.test(s)) {
    const tx = Number(s.replace(/,/g, ''));
    return Number.isSafeInteger(tx) && tx >= 1 ? { kind: 'tx', tx } : null;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?: ?UTC|Z)?$/.exec(s);
  if (m) {
    const [y, mo, d, h, mi, se] = m.slice(1).map((x) => Number(x ?? 0));
    const time = Date.UTC(y, mo - 1, d, h, mi, se);
    const back = new Date(time);
    if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || se > 59) return null;
    return { kind: 'time', time };
  }
  if (/^[A-Za-z0-9._-]+\.backup$/.test(s)) return { kind: 'file', file: s };
  return null;
}

export interface WindowPage {
  /** index of the oldest artifact in it, and one past the newest */
  start: number;
  end: number;
  firstTime: number;
  lastTime: number;
  /** the highest transaction a backup in it reaches, and the lowest it starts at (other than a full's 1) */
  fromTx: number;
  toTx: number;
  fulls: number;
  /** store-ID generations in it */
  generations: number;
  /** the store IDs of its oldest and newest artifact (so that merged windows count their generations; not sent to the browser) */
  firstStore?: string;
  lastStore?: string;
}

export interface WindowPlan {
  total: number;
  size: number;
  /** the shown artifacts: indexes start..end-1 */
  start: number;
  end: number;
  /** start of the next older / newer window, null at either end */
  older: number | null;
  newer: number | null;
  /** every window, newest first (one entry when everything fits) */
  pages: WindowPage[];
  /** index in `pages` of the shown window, or -1 when the shown window is not aligned (an old link) */
  page: number;
  /** the artifact a target resolved to, when one did */
  targetId: number | null;
  /** why a target could not be found (the window shown is then the newest) */
  targetProblem: string | null;
}

/** The aligned window that holds index i: windows are [total - (k+1)·size, total - k·size), cut at 0. */
function alignedStart(total: number, size: number, i: number): number {
  const k = Math.floor((total - 1 - i) / size);
  return Math.max(0, total - (k + 1) * size);
}

/** The artifact a target points at: by ID; the newest holding a transaction; the first taken at or after a time. */
export function locate(rows: readonly WindowRow[], target: WindowTarget): { index: number } | { problem: string } {
  if (rows.length === 0) return { problem: 'there are no backups' };
  if (target.kind === 'artifact') {
    const i = rows.findIndex((r) => r.id === target.id);
    return i >= 0 ? { index: i } : { problem: `there is no backup #${target.id} of this database in this folder` };
  }
  if (target.kind === 'file') {
    const i = rows.findIndex((r) => r.file === target.file);
    return i >= 0 ? { index: i } : { problem: `there is no backup ${target.file} of this database in this folder` };
  }
  if (target.kind === 'tx') {
    // The newest backup holding it (a later generation restarts the IDs: its holder is what a DBA wants now);
    // a differential that holds it wins over a full that only contains it.
    let best = -1;
    for (let i = rows.length - 1; i >= 0 && best < 0; i--) if (!rows[i].full && rows[i].fromTx <= target.tx && target.tx <= rows[i].toTx) best = i;
    for (let i = rows.length - 1; i >= 0 && best < 0; i--) if (rows[i].full && rows[i].toTx >= target.tx) best = i;
    if (best >= 0) return { index: best };
    const top = Math.max(...rows.map((r) => r.toTx));
    return { problem: `no backup holds transaction ${target.tx} (the highest is ${top})` };
  }
  // by time: the first backup taken at or after it (else the newest)
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].time < target.time) lo = mid + 1;
    else hi = mid;
  }
  return { index: Math.min(lo, rows.length - 1) };
}

function pageOf(rows: readonly WindowRow[], start: number, end: number): WindowPage {
  let fromTx = Infinity;
  let toTx = 0;
  let fulls = 0;
  const stores = new Set<string>();
  for (let i = start; i < end; i++) {
    const r = rows[i];
    if (r.full) fulls++;
    fromTx = Math.min(fromTx, r.full ? r.toTx : r.fromTx);
    toTx = Math.max(toTx, r.toTx);
    stores.add(r.storeId);
  }
  return { start, end, firstTime: rows[start].time, lastTime: rows[end - 1].time, fromTx: Number.isFinite(fromTx) ? fromTx : 0, toTx, fulls, generations: stores.size, firstStore: rows[start].storeId, lastStore: rows[end - 1].storeId };
}

/**
 * The window to show. `start` (an index, from a link) wins over `target`; neither gives the newest window.
 * A start past the end shows the newest window.
 */
export function planWindow(rows: readonly WindowRow[], opts: { size: number; start?: number | null; target?: WindowTarget | null }): WindowPlan {
  const total = rows.length;
  const size = Math.max(1, Math.floor(opts.size));
  let start = Math.max(0, total - size);
  let targetId: number | null = null;
  let targetProblem: string | null = null;
  if (opts.start !== undefined && opts.start !== null && Number.isInteger(opts.start) && opts.start >= 0 && opts.start < total) {
    start = opts.start;
  } else if (opts.target) {
    const hit = locate(rows, opts.target);
    if ('index' in hit) {
      start = alignedStart(total, size, hit.index);
      targetId = rows[hit.index].id;
    } else targetProblem = hit.problem;
  }
  const end = Math.min(total, start + size);
  const pages: WindowPage[] = [];
  for (let e = total; e > 0; e -= size) pages.push(pageOf(rows, Math.max(0, e - size), e));
  const page = pages.findIndex((p) => p.start === start && p.end === end);
  return {
    total,
    size,
    start,
    end,
    older: start > 0 ? alignedStart(total, size, start - 1) : null,
    // from an unaligned start (an old link) the next windows overlap it rather than skip artifacts
    newer: end < total ? alignedStart(total, size, end) : null,
    pages,
    page,
    targetId,
    targetProblem,
  };
}

/** The most segments the strip of windows draws: past it, one segment stands for several adjacent windows. */
export const STRIP_SEGMENTS = 40;

/**
 * The strip of windows, oldest first, in at most `max` segments (so that the page stays small however many
 * windows there are: 2,500 at a million artifacts): up to `max` windows, one segment each; beyond, runs of
 * adjacent windows merged into one segment (its artifacts, times, transactions, fulls and generations summed).
 * A segment's `start` is its oldest window's, where its link goes.
 */
export function stripSegments(oldestFirst: readonly WindowPage[], max = STRIP_SEGMENTS): WindowPage[] {
  const per = Math.max(1, Math.ceil(oldestFirst.length / Math.max(1, max)));
  if (per === 1) return oldestFirst.map(({ firstStore: _f, lastStore: _l, ...p }) => p);
  const out: WindowPage[] = [];
  for (let i = 0; i < oldestFirst.length; i += per) {
    const run = oldestFirst.slice(i, i + per);
    const last = run[run.length - 1];
    out.push({
      start: run[0].start,
      end: last.end,
      firstTime: run[0].firstTime,
      lastTime: last.lastTime,
      fromTx: Math.min(...run.map((p) => p.fromTx)),
      toTx: Math.max(...run.map((p) => p.toTx)),
      fulls: run.reduce((n, p) => n + p.fulls, 0),
      // each window's, less one where a window starts in the generation the one before it ended in
      generations: run.reduce((n, p, k) => n + p.generations - (k > 0 && run[k - 1].lastStore === p.firstStore ? 1 : 0), 0),
    });
  }
  return out;
}
