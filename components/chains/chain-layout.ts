/**
 * Where each artifact of a chain timeline goes, as plain numbers (no React, no DOM): one band per store-ID
 * generation, and inside a band one row (lane) per line of descent. A differential continues its parent's
 * lane when it is the parent's first child; a second child of the same parent (a `--prefer-diff-as-parent`
 * branch) or a new full starts a lane of its own. Lanes are ordered depth first, so a branch sits right under
 * the lane it grew from and the parent links read as a tree. Empty differentials are points on their parent's
 * lane, at the parent's tip.
 *
 * Each artifact has a range on both axes: transaction IDs (a full covers 1..tip, a differential its own
 * transactions, each widened by half a transaction so contiguous bars touch) and time (a bar ends at its
 * backup time and starts where its parent ended; a full starts at the beginning of the timeline, since it
 * holds the whole store).
 */
import type { Generation, Timeline, TimelineArtifact } from '@/lib/dashboard/timeline';

export type Axis = 'tx' | 'time';

export interface Placed {
  a: TimelineArtifact;
  /** row index over the whole timeline (bands stacked top to bottom) */
  lane: number;
  /** the band (generation) index in `Layout.bands` */
  band: number;
  range: Record<Axis, [number, number]>;
  /** the parent's row when the parent is shown on another row: a link is drawn from it */
  parentLane: number | null;
}

export interface Band {
  generation: Generation;
  firstLane: number;
  lanes: number;
  /** gaps with their extent on both axes (time is null when the neighbours are not shown) */
  gaps: Array<{ fromTx: number; toTx: number; range: Record<Axis, [number, number] | null> }>;
  /**
   * The band's own transaction axis (a generation is a history of its own: after a restore the IDs start
   * again from the restored point). `domain` is everything, from transaction 1 (where every full starts) to
   * the newest tip; `focus`, the default view, starts just before the oldest differential or full tip shown,
   * so that hundreds of small differentials after a large full are not squeezed into a sliver (the fulls run
   * off the left edge). Time is one axis for all bands (`Layout.time`).
   */
  tx: { domain: [number, number]; focus: [number, number] };
}

export interface Layout {
  bands: Band[];
  /** every artifact, oldest first */
  items: Placed[];
  byId: Map<number, Placed>;
  lanes: number;
  /** the time axis: from before the first backup to after the last */
  time: [number, number];
}

interface Lane {
  items: TimelineArtifact[];
  /** the last non-empty artifact on the lane: the only one a child may continue from */
  tail: number | null;
  children: number[];
  root: boolean;
}

function laneOrder(lanes: Lane[]): number[] {
  const order: number[] = [];
  const visit = (i: number) => {
    order.push(i);
    for (const c of lanes[i].children) visit(c);
  };
  lanes.forEach((l, i) => {
    if (l.root) visit(i);
  });
  return order;
}

/** Lane (local to the generation) of each artifact, and the lanes in display order. */
export function assignLanes(artifacts: readonly TimelineArtifact[]): { laneOf: Map<number, number>; count: number } {
  const lanes: Lane[] = [];
  const local = new Map<number, number>();
  const open = (parentLane: number | undefined): number => {
    lanes.push({ items: [], tail: null, children: [], root: parentLane === undefined });
    const i = lanes.length - 1;
    if (parentLane !== undefined) lanes[parentLane].children.push(i);
    return i;
  };
  for (const a of artifacts) {
    const pl = a.parentId !== null ? local.get(a.parentId) : undefined;
    let lane: number;
    if (a.empty) lane = pl ?? open(undefined);
    else if (pl !== undefined && lanes[pl].tail === a.parentId) lane = pl;
    else lane = open(a.full ? undefined : pl);
    lanes[lane].items.push(a);
    if (!a.empty) lanes[lane].tail = a.id;
    local.set(a.id, lane);
  }
  const order = laneOrder(lanes);
  const row = new Map(order.map((l, i) => [l, i]));
  const laneOf = new Map<number, number>();
  for (const [id, l] of local) laneOf.set(id, row.get(l) as number);
  return { laneOf, count: lanes.length };
}

export function layoutTimeline(tl: Pick<Timeline, 'generations'>): Layout {
  const items: Placed[] = [];
  const byId = new Map<number, Placed>();
  const bands: Band[] = [];
  let timeLo = Infinity;
  let timeHi = -Infinity;
  for (const g of tl.generations) {
    for (const a of g.artifacts) {
      timeLo = Math.min(timeLo, a.firstCommitTime ?? a.time, a.time);
      timeHi = Math.max(timeHi, a.time);
    }
  }
  if (!Number.isFinite(timeLo)) {
    timeLo = 0;
    timeHi = 1;
  }
  // A little room before the first bar, so a full that starts "at the beginning" is visibly a bar.
  const timePad = Math.max(1000, (timeHi - timeLo) * 0.02);
  const start = timeLo - timePad;

  let firstLane = 0;
  tl.generations.forEach((g, bi) => {
    const { laneOf, count } = assignLanes(g.artifacts);
    // a full holds its generation's whole history: on the time axis it starts where the generation does
    let genStart = Infinity;
    for (const a of g.artifacts) genStart = Math.min(genStart, a.firstCommitTime ?? a.time, a.time);
    genStart -= timePad;
    for (const a of g.artifacts) {
      const parent = a.parentId !== null ? byId.get(a.parentId) : undefined;
      const lane = firstLane + (laneOf.get(a.id) as number);
      // (a full of a database that had no transaction yet sits at the axis' start)
      const tx: [number, number] = a.empty ? [a.tipTx + 0.5, a.tipTx + 0.5] : a.full && a.tipTx === 0 ? [0.5, 0.5] : [a.fromTx - 0.5, a.toTx + 0.5];
      const from = a.empty ? a.time : a.full ? genStart : parent ? parent.a.time : Math.min(a.firstCommitTime ?? a.time, a.time);
      const p: Placed = { a, lane, band: bi, range: { tx, time: [from, a.time] }, parentLane: parent && parent.lane !== lane ? parent.lane : null };
      items.push(p);
      byId.set(a.id, p);
    }
    bands.push({ generation: g, firstLane, lanes: Math.max(1, count), gaps: gapsOnAxes(g, byId), tx: txAxis(g.artifacts) });
    firstLane += Math.max(1, count);
  });
  return { bands, items, byId, lanes: firstLane, time: [start, timeHi + timePad] };
}

/** On the time axis a gap runs from the backup that ends before it to the one that starts after it. */
function gapsOnAxes(g: Generation, byId: Map<number, Placed>): Band['gaps'] {
  return g.gaps.map((gap) => {
    let before: number | null = null;
    let after: number | null = null;
    for (const a of g.artifacts) {
      if (a.empty) continue;
      if (a.toTx < gap.fromTx) before = Math.max(before ?? -Infinity, a.time);
      if (a.fromTx > gap.toTx) after = Math.min(after ?? Infinity, byId.get(a.id)?.range.time[0] ?? a.time);
    }
    const time: [number, number] | null = before !== null && after !== null && after > before ? [before, after] : null;
    return { ...gap, range: { tx: [gap.fromTx - 0.5, gap.toTx + 0.5], time } };
  });
}

function txAxis(artifacts: readonly TimelineArtifact[]): Band['tx'] {
  let hi = 1;
  let focusLo = Infinity;
  for (const a of artifacts) {
    hi = Math.max(hi, a.toTx);
    focusLo = Math.min(focusLo, a.full || a.empty ? a.tipTx : a.fromTx);
  }
  if (!Number.isFinite(focusLo)) focusLo = 1;
  const pad = Math.max(2, (hi - focusLo) * 0.05);
  // when the shown artifacts start near the beginning anyway, show everything (no fulls cut short)
  const lo = focusLo - pad <= hi * 0.25 ? 0.5 : focusLo - pad;
  return { domain: [0.5, hi + 0.5], focus: [lo, hi + 0.5] };
}

/** The artifacts of the chain that ends at `id`, full first, as far back as the shown artifacts go. */
export function chainOf(byId: Map<number, Pick<Placed, 'a'>>, id: number): { chain: TimelineArtifact[]; complete: boolean } {
  const chain: TimelineArtifact[] = [];
  const seen = new Set<number>();
  let cur = byId.get(id)?.a;
  while (cur && !seen.has(cur.id)) {
    seen.add(cur.id);
    chain.unshift(cur);
    if (cur.full) return { chain, complete: true };
    cur = cur.parentId !== null ? byId.get(cur.parentId)?.a : undefined;
  }
  return { chain, complete: false };
}

/** The artifact and every backup that depends on it (its descendants), newest first: what a delete removes. */
export function dependentsOf(artifacts: readonly TimelineArtifact[], id: number): TimelineArtifact[] {
  const doomed = new Set([id]);
  const sorted = [...artifacts].sort((x, y) => x.time - y.time);
  for (let grew = true; grew; ) {
    grew = false;
    for (const a of sorted) {
      if (a.parentId !== null && doomed.has(a.parentId) && !doomed.has(a.id)) {
        doomed.add(a.id);
        grew = true;
      }
    }
  }
  return sorted.filter((a) => doomed.has(a.id)).reverse();
}

/**
 * Keyboard movement between the visible artifacts (ids oldest first): ArrowLeft/Right to the previous or
 * next backup, Home/End to the oldest or newest, ArrowUp/Down to the nearest artifact on the lane above or
 * below. Answers the artifact to focus, null when there is none that way, undefined for other keys.
 */
export function neighbour(layout: Pick<Layout, 'byId' | 'lanes'>, visible: readonly number[], id: number, key: string, axis: Axis): number | null | undefined {
  const i = visible.indexOf(id);
  if (key === 'ArrowRight') return visible[i + 1] ?? null;
  if (key === 'ArrowLeft') return i > 0 ? visible[i - 1] : null;
  if (key === 'Home') return visible[0] ?? null;
  if (key === 'End') return visible[visible.length - 1] ?? null;
  if (key !== 'ArrowDown' && key !== 'ArrowUp') return undefined;
  const cur = layout.byId.get(id);
  if (!cur) return null;
  const step = key === 'ArrowDown' ? 1 : -1;
  const mid = (p: Placed) => (p.range[axis][0] + p.range[axis][1]) / 2;
  for (let lane = cur.lane + step; lane >= 0 && lane < layout.lanes; lane += step) {
    let best: Placed | undefined;
    for (const vid of visible) {
      const p = layout.byId.get(vid);
      if (p && p.lane === lane && (!best || Math.abs(mid(p) - mid(cur)) < Math.abs(mid(best) - mid(cur)))) best = p;
    }
    if (best) return best.a.id;
  }
  return null;
}

// ---- labels, "now" -----------------------------------------------------------------------------------------

/** About how wide a character of a bar's label is (10 px digits and letters, in user units = px at least). */
export const LABEL_CHAR_W = 6.2;
const LABEL_PAD = 8;

/**
 * The label a bar of `width` units can hold: its type and its boundary transaction IDs ("D 121–140",
 * "F 1–120"), else its type alone ("D", "F"), else nothing. Empty differentials are points: no label.
 */
export function barLabel(a: Pick<TimelineArtifact, 'full' | 'empty' | 'fromTx' | 'toTx' | 'tipTx'>, width: number): string | null {
  if (a.empty) return null;
  const type = a.full ? 'F' : 'D';
  const n = (v: number) => v.toLocaleString('en-US');
  const range = a.full ? (a.tipTx === 0 ? null : `1–${n(a.tipTx)}`) : a.fromTx === a.toTx ? n(a.fromTx) : `${n(a.fromTx)}–${n(a.toTx)}`;
  for (const text of range ? [`${type} ${range}`, type] : [type]) if (text.length * LABEL_CHAR_W + LABEL_PAD <= width) return text;
  return null;
}

/** How far apart two touching bars are drawn (units on each side), so that adjacent differentials read as several. */
export function barInset(width: number): number {
  return width > 12 ? 1.5 : width > 5 ? 0.75 : 0;
}

/** The database now: its writer's last committed transaction, in the history of `storeId` (when known). */
export interface NowPoint {
  tx: number;
  storeId: string | null;
}

/**
 * Where "now" goes: the band of the writer's history (its store ID; the newest band when the store ID is not
 * reported), the newest transaction backed up there, and how far the band's transaction axis must reach to
 * show now (rounded up, so the axis does not move with every transaction). Null when the writer's history
 * has no band (it was restored since its latest backup: its IDs belong to another history).
 */
export function nowOnAxis(layout: Pick<Layout, 'bands'>, now: NowPoint | null): { band: number; backedUpTx: number; reach: number } | null {
  if (!now || layout.bands.length === 0) return null;
  const band = now.storeId ? layout.bands.findIndex((b) => b.generation.storeId === now.storeId) : layout.bands.length - 1;
  if (band < 0) return null;
  const b = layout.bands[band];
  let backedUpTx = 0;
  for (const a of b.generation.artifacts) backedUpTx = Math.max(backedUpTx, a.empty ? a.tipTx : a.toTx);
  const hi = b.tx.domain[1];
  if (now.tx + 0.5 <= hi) return { band, backedUpTx, reach: hi };
  const pad = Math.max(2, (now.tx - b.tx.focus[0]) * 0.04);
  // a step of the next power of ten: the reach moves once every several transactions, not with each
  const q = 10 ** Math.ceil(Math.log10(pad));
  return { band, backedUpTx, reach: Math.ceil((now.tx + 0.5 + pad) / q) * q };
}

// ---- scales and ticks -------------------------------------------------------------------------------------

/** Round tick values between lo and hi (about `count` of them). */
export function numberTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo;
  if (!(span > 0)) return [Math.round(lo)];
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi; v += step) out.push(v === 0 ? 1 : v);
  return [...new Set(out)];
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [SECOND, 5 * SECOND, 15 * SECOND, 30 * SECOND, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 30 * DAY, 365 * DAY];

/** Tick times (UTC-aligned) and how to label them. */
export function timeTicks(lo: number, hi: number, count: number): { ticks: number[]; label: (t: number) => string } {
  const raw = (hi - lo) / Math.max(1, count);
  const step = TIME_STEPS.find((s) => s >= raw) ?? TIME_STEPS[TIME_STEPS.length - 1];
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) ticks.push(t);
  const iso = (t: number) => new Date(t).toISOString();
  const label =
    step >= DAY ? (t: number) => iso(t).slice(0, 10) : hi - lo > DAY ? (t: number) => `${iso(t).slice(5, 10)} ${iso(t).slice(11, 16)}` : step >= MINUTE ? (t: number) => iso(t).slice(11, 16) : (t: number) => iso(t).slice(11, 19);
  return { ticks, label };
}
