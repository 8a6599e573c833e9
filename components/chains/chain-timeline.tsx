'use client';

/**
 * The chain timeline of one database: one SVG, one band per store-ID generation, one bar per artifact over
 * its transaction range (or its time range), parent links between lanes, hatched gaps. Kept light for
 * hundreds of bars: plain <rect>s with data attributes, one set of event handlers on the <svg> (delegation),
 * one tooltip element, and the bars memoised apart from the hover state.
 *
 * Keyboard: the bars are one tab stop (roving tabindex); arrow keys move between artifacts, Enter or Space
 * opens one, Escape hides the tooltip.
 */
import { useEffect, useId, useMemo, useRef, useState, type FocusEvent, type KeyboardEvent, type MouseEvent, type PointerEvent, type ReactNode } from 'react';
import type { Timeline, TimelineArtifact } from '@/lib/dashboard/timeline';
import { formatNumber, formatUtc } from '@/lib/format';
import { formatBytes, formatTxRange } from '@/components/backups/format';
import { numberTicks, timeTicks, type Axis, type Layout, type Placed } from './chain-layout';
import { ChainLegend } from './chain-legend';

const W = 1000;
const PAD_L = 14;
const PAD_R = 14;
const AXIS_H = 30;
const BAND_HEADER = 22;
const LANE_H = 18;
const BAR_H = 10;
const BAND_GAP = 8;

type View = [number, number];
type Point = { x: number; y: number; w: number; h: number };
type Hover = ({ kind: 'artifact'; id: number } | { kind: 'gap'; band: number; gap: number }) & Point;

export function typeLabel(a: Pick<TimelineArtifact, 'full' | 'empty'>): string {
  return a.full ? 'full' : a.empty ? 'empty differential' : 'differential';
}

export function txRangeLabel(a: TimelineArtifact): string {
  if (a.empty) return `none (at ${formatNumber(a.tipTx)})`;
  return formatTxRange(a.fromTx, a.toTx);
}

function describe(a: TimelineArtifact): string {
  return `${typeLabel(a)} backup ${a.file}, transactions ${txRangeLabel(a)}, ${formatUtc(a.time)}`;
}

function bandTop(layout: Layout, band: number): number {
  let y = AXIS_H;
  for (let i = 0; i < band; i++) y += BAND_HEADER + layout.bands[i].lanes * LANE_H + BAND_GAP;
  return y;
}

function laneY(layout: Layout, p: Pick<Placed, 'band' | 'lane'>): number {
  const b = layout.bands[p.band];
  return bandTop(layout, p.band) + BAND_HEADER + (p.lane - b.firstLane) * LANE_H + LANE_H / 2;
}

function clampView(v: View, domain: View): View {
  const span = Math.min(v[1] - v[0], domain[1] - domain[0]);
  let lo = Math.max(domain[0], v[0]);
  let hi = lo + span;
  if (hi > domain[1]) {
    hi = domain[1];
    lo = hi - span;
  }
  return [lo, hi];
}

export function ChainTimeline({
  timeline,
  layout,
  selectedId,
  onSelect,
}: {
  timeline: Timeline;
  /** layoutTimeline(timeline), made by the caller (which also needs it) */
  layout: Layout;
  selectedId: number | null;
  onSelect: (id: number) => void;
}) {
  const uid = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const [axis, setAxis] = useState<Axis>('tx');
  const [views, setViews] = useState<Partial<Record<Axis, View>>>({});
  const domain = layout.domain[axis];
  const view = clampView(views[axis] ?? layout.focus[axis], domain);
  const setView = (v: View) => setViews((s) => ({ ...s, [axis]: clampView(v, domain) }));

  const newest = layout.items.length ? layout.items[layout.items.length - 1].a.id : null;
  const [activeId, setActiveId] = useState<number | null>(null);
  const focusId = activeId !== null && layout.byId.has(activeId) ? activeId : selectedId !== null && layout.byId.has(selectedId) ? selectedId : newest;

  const [hover, setHover] = useState<Hover | null>(null);
  const svgRef = useRef<SVGSVGElement>(null);

  const height = bandTop(layout, layout.bands.length) + 4;
  const x = (v: number) => PAD_L + ((v - view[0]) / (view[1] - view[0] || 1)) * (W - PAD_L - PAD_R);

  const body = useMemo(
    () => <Bars layout={layout} axis={axis} x={x} view={view} uid={uid} selectedId={selectedId} focusId={focusId} />,
    // x follows from the view's bounds: the bars are drawn again only when they, the layout, the axis, the
    // selection or the focused bar change, never on hover
    [layout, axis, view[0], view[1], uid, selectedId, focusId],
  );

  const targetOf = (el: EventTarget | null): Element | null => (el instanceof Element ? el.closest('[data-id],[data-gap]') : null);

  // The tooltip is fixed to the viewport (nothing clips it): positions in client coordinates.
  const pointAt = (clientX: number, clientY: number): Point => ({ x: clientX, y: clientY, w: window.innerWidth, h: window.innerHeight });

  const hoverFrom = (el: Element, at: Point) => {
    const id = el.getAttribute('data-id');
    if (id) setHover({ kind: 'artifact', id: Number(id), ...at });
    else setHover({ kind: 'gap', band: Number(el.getAttribute('data-band')), gap: Number(el.getAttribute('data-gap')), ...at });
  };

  const onPointerMove = (e: PointerEvent<SVGSVGElement>) => {
    const el = targetOf(e.target);
    if (!el) {
      if (hover) setHover(null);
      return;
    }
    hoverFrom(el, pointAt(e.clientX, e.clientY));
  };

  const onFocus = (e: FocusEvent<SVGSVGElement>) => {
    const el = targetOf(e.target);
    if (!el) return;
    const id = Number(el.getAttribute('data-id'));
    if (id && id !== activeId) setActiveId(id);
    const r = el.getBoundingClientRect();
    hoverFrom(el, pointAt(r.left + r.width / 2, r.bottom));
  };

  useEffect(() => {
    if (!hover) return;
    // the tooltip is fixed to the viewport: scrolling leaves it behind, so hide it
    const hide = () => setHover(null);
    window.addEventListener('scroll', hide, { passive: true, once: true });
    return () => window.removeEventListener('scroll', hide);
  }, [hover]);

  const visibleOrder = useMemo(() => layout.items.filter((p) => p.range[axis][1] >= view[0] && p.range[axis][0] <= view[1]).map((p) => p.a.id), [layout, axis, view]);

  const moveFocus = (id: number) => {
    setActiveId(id);
    // the element exists already (every visible bar is rendered); focus it after React applies tabIndex
    requestAnimationFrame(() => svgRef.current?.querySelector<SVGElement>(`[data-id="${id}"]`)?.focus());
  };

  const onKeyDown = (e: KeyboardEvent<SVGSVGElement>) => {
    const el = targetOf(e.target);
    const id = el ? Number(el.getAttribute('data-id')) : NaN;
    if (!id) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(id);
      return;
    }
    if (e.key === 'Escape') {
      setHover(null);
      return;
    }
    const i = visibleOrder.indexOf(id);
    const cur = layout.byId.get(id);
    let next: number | undefined;
    if (e.key === 'ArrowRight') next = visibleOrder[i + 1];
    else if (e.key === 'ArrowLeft') next = visibleOrder[i - 1];
    else if (e.key === 'Home') next = visibleOrder[0];
    else if (e.key === 'End') next = visibleOrder[visibleOrder.length - 1];
    else if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && cur) {
      // the nearest artifact on the next lane down (or up)
      const step = e.key === 'ArrowDown' ? 1 : -1;
      const mid = (cur.range[axis][0] + cur.range[axis][1]) / 2;
      for (let lane = cur.lane + step; lane >= 0 && lane < layout.lanes && next === undefined; lane += step) {
        let best: Placed | undefined;
        for (const vid of visibleOrder) {
          const p = layout.byId.get(vid) as Placed;
          if (p.lane !== lane) continue;
          const d = Math.abs((p.range[axis][0] + p.range[axis][1]) / 2 - mid);
          if (!best || d < Math.abs((best.range[axis][0] + best.range[axis][1]) / 2 - mid)) best = p;
        }
        next = best?.a.id;
      }
    } else return;
    e.preventDefault();
    if (next !== undefined) moveFocus(next);
  };

  const onClick = (e: MouseEvent<SVGSVGElement>) => {
    const el = targetOf(e.target);
    const id = el ? Number(el.getAttribute('data-id')) : NaN;
    if (id) {
      setActiveId(id);
      onSelect(id);
    }
  };

  const zoom = (factor: number) => {
    const span = (view[1] - view[0]) * factor;
    setView([view[1] - span, view[1]]);
  };
  const pan = (dir: -1 | 1) => {
    const span = view[1] - view[0];
    setView([view[0] + (dir * span) / 2, view[1] + (dir * span) / 2]);
  };
  const zoomToLatest = () => {
    const latest = timeline.latestChain.map((id) => layout.byId.get(id)).filter((p): p is Placed => Boolean(p));
    if (latest.length === 0) return;
    const lo = Math.min(...latest.map((p) => (p.a.full ? p.range[axis][1] : p.range[axis][0])));
    const hi = Math.max(...latest.map((p) => p.range[axis][1]));
    const pad = Math.max(axis === 'tx' ? 5 : 5000, (hi - lo) * 0.15);
    setView([lo - pad, hi + pad]);
  };
  const zoomed = view[0] > domain[0] || view[1] < domain[1];

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <div role="group" aria-label="X axis" className="inline-flex overflow-hidden rounded-md border border-zinc-300 dark:border-zinc-700">
          {(['tx', 'time'] as const).map((a) => (
            <button
              key={a}
              type="button"
              aria-pressed={axis === a}
              onClick={() => setAxis(a)}
              className={`px-3 py-1 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-teal-600 ${axis === a ? 'bg-zinc-800 text-white dark:bg-zinc-200 dark:text-zinc-900' : 'bg-white hover:bg-zinc-100 dark:bg-zinc-900 dark:hover:bg-zinc-800'}`}
            >
              {a === 'tx' ? 'Transaction IDs' : 'Time (UTC)'}
            </button>
          ))}
        </div>
        <div role="group" aria-label="Zoom" className="inline-flex flex-wrap gap-1">
          <ToolButton onClick={() => zoom(0.5)} label="Zoom in">+</ToolButton>
          <ToolButton onClick={() => zoom(2)} label="Zoom out" disabled={!zoomed}>−</ToolButton>
          <ToolButton onClick={() => pan(-1)} label="Show older" disabled={view[0] <= domain[0]}>←</ToolButton>
          <ToolButton onClick={() => pan(1)} label="Show newer" disabled={view[1] >= domain[1]}>→</ToolButton>
          <ToolButton onClick={zoomToLatest} label="Zoom to the latest chain" disabled={timeline.latestChain.length === 0}>Latest chain</ToolButton>
          <ToolButton onClick={() => setView(domain)} label={axis === 'tx' ? 'Show everything, from transaction 1' : 'Show everything'} disabled={!zoomed}>All</ToolButton>
        </div>
        <span className="text-xs text-zinc-500 dark:text-zinc-400" aria-live="polite">
          {axis === 'tx' ? `transactions ${formatTxRange(Math.max(1, Math.ceil(view[0])), Math.floor(view[1]))}` : `${formatUtc(view[0])} – ${formatUtc(view[1])}`}
        </span>
      </div>
      <div className="overflow-hidden rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        <svg
          ref={svgRef}
          viewBox={`0 0 ${W} ${height}`}
          width="100%"
          role="group"
          aria-label={`Backup chains of ${timeline.database} over ${axis === 'tx' ? 'transaction IDs' : 'time'}`}
          data-testid="chain-timeline"
          data-axis={axis}
          className="block select-none"
          style={{ height: 'auto' }}
          onPointerMove={onPointerMove}
          onPointerLeave={() => setHover(null)}
          onFocus={onFocus}
          onBlur={() => setHover(null)}
          onKeyDown={onKeyDown}
          onClick={onClick}
        >
          <Defs uid={uid} />
          <AxisTicks axis={axis} view={view} x={x} height={height} />
          {body}
        </svg>
        <Tooltip hover={hover} layout={layout} axis={axis} />
      </div>
      <ChainLegend uid={`${uid}-legend`} />
    </div>
  );
}

function ToolButton({ onClick, label, disabled, children }: { onClick: () => void; label: string; disabled?: boolean; children: ReactNode }) {
  return (
    <button
      type="button"
      onClick={onClick}
      disabled={disabled}
      aria-label={label}
      title={label}
      className="min-w-8 rounded-md border border-zinc-300 bg-white px-2 py-1 hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-600 disabled:opacity-40 dark:border-zinc-700 dark:bg-zinc-900 dark:hover:bg-zinc-800"
    >
      {children}
    </button>
  );
}

/** Patterns: differentials striped, gaps hatched. */
export function Defs({ uid }: { uid: string }) {
  return (
    <defs>
      <pattern id={`${uid}-diff`} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <rect width="6" height="6" className="fill-sky-500 dark:fill-sky-400" />
        <rect width="2" height="6" className="fill-sky-300 dark:fill-sky-700" />
      </pattern>
      <pattern id={`${uid}-gap`} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">
        <rect width="6" height="6" className="fill-red-50 dark:fill-red-950" />
        <rect width="2" height="6" className="fill-red-400 dark:fill-red-700" />
      </pattern>
      <clipPath id={`${uid}-plot`}>
        <rect x={PAD_L} y={0} width={W - PAD_L - PAD_R} height={100000} />
      </clipPath>
    </defs>
  );
}

function AxisTicks({ axis, view, x, height }: { axis: Axis; view: View; x: (v: number) => number; height: number }) {
  const t = axis === 'tx' ? { ticks: numberTicks(Math.max(1, view[0]), view[1], 8), label: (v: number) => formatNumber(v) } : timeTicks(view[0], view[1], 6);
  return (
    <g aria-hidden="true" className="text-[10px]">
      {t.ticks.map((v) => (
        <g key={v}>
          <line x1={x(v)} x2={x(v)} y1={AXIS_H - 6} y2={height} className="stroke-zinc-200 dark:stroke-zinc-800" strokeWidth={1} />
          <text x={x(v)} y={AXIS_H - 10} textAnchor="middle" className="fill-zinc-500 dark:fill-zinc-400">
            {t.label(v)}
          </text>
        </g>
      ))}
      <text x={W - PAD_R} y={10} textAnchor="end" className="fill-zinc-400 dark:fill-zinc-500">
        {axis === 'tx' ? 'transaction ID' : 'time (UTC)'}
      </text>
    </g>
  );
}

function Bars({ layout, axis, x, view, uid, selectedId, focusId }: { layout: Layout; axis: Axis; x: (v: number) => number; view: View; uid: string; selectedId: number | null; focusId: number | null }) {
  const x0 = PAD_L;
  const x1 = W - PAD_R;
  const sx = (v: number) => Math.min(x1 + 4, Math.max(x0 - 4, x(v)));
  return (
    <>
      {layout.bands.map((b, bi) => {
        const top = bandTop(layout, bi);
        const g = b.generation;
        return (
          <g key={g.storeId} data-testid="generation" data-generation={g.index} data-store-id={g.storeId}>
            <rect x={0} y={top} width={W} height={BAND_HEADER + b.lanes * LANE_H} className={bi % 2 ? 'fill-zinc-50 dark:fill-zinc-950/40' : 'fill-transparent'} />
            <text x={PAD_L} y={top + 15} className="fill-zinc-700 text-[11px] font-medium dark:fill-zinc-300">
              {`generation ${g.index}, store ID ${g.storeId.slice(0, 8)}… · ${formatNumber(g.artifacts.length)} artifact${g.artifacts.length === 1 ? '' : 's'} · ${formatUtc(g.firstTime)} – ${formatUtc(g.lastTime)}`}
            </text>
            <g clipPath={`url(#${uid}-plot)`}>
              {b.gaps.map((gap, gi) => {
                const r = gap.range[axis];
                if (!r || r[1] < view[0] || r[0] > view[1]) return null;
                return (
                  <rect
                    key={gi}
                    data-gap={gi}
                    data-band={bi}
                    data-testid="gap"
                    data-from-tx={gap.fromTx}
                    data-to-tx={gap.toTx}
                    x={sx(r[0])}
                    y={top + BAND_HEADER}
                    width={Math.max(3, sx(r[1]) - sx(r[0]))}
                    height={b.lanes * LANE_H}
                    fill={`url(#${uid}-gap)`}
                    opacity={0.8}
                  />
                );
              })}
            </g>
          </g>
        );
      })}
      <g clipPath={`url(#${uid}-plot)`}>
        {layout.items.map((p) => {
          if (p.parentLane === null) return null;
          const r = p.range[axis];
          if (r[0] > view[1] || r[0] < view[0]) return null;
          const parent = layout.byId.get(p.a.parentId as number) as Placed;
          const px = x(r[0]);
          const py = laneY(layout, parent);
          const cy = laneY(layout, p);
          return <path key={`l${p.a.id}`} d={`M${px},${py} V${cy}`} className="stroke-zinc-400 dark:stroke-zinc-500" strokeWidth={1.25} fill="none" aria-hidden="true" />;
        })}
        {layout.items.map((p) => {
          const r = p.range[axis];
          if (r[1] < view[0] || r[0] > view[1]) return null;
          const a = p.a;
          const cy = laneY(layout, p);
          const selected = a.id === selectedId;
          const problem = a.chainProblem !== null || a.verifyStatus === 'corrupt';
          const common = {
            'data-id': a.id,
            'data-testid': 'artifact-bar',
            'data-file': a.file,
            'data-type': a.full ? 'full' : 'diff',
            'data-empty': a.empty || undefined,
            'data-from-tx': a.fromTx,
            'data-to-tx': a.toTx,
            'data-lowest-tx': a.lowestTx,
            'data-highest-tx': a.highestTx,
            'data-parent-id': a.parentId ?? undefined,
            'data-verify': a.verifyStatus ?? 'unverified',
            'data-problem': problem || undefined,
            role: 'button',
            'aria-label': describe(a),
            'aria-pressed': selected,
            tabIndex: a.id === focusId ? 0 : -1,
            className: `cursor-pointer outline-none focus-visible:stroke-amber-500 ${problem ? 'stroke-red-600 dark:stroke-red-400' : selected ? 'stroke-zinc-900 dark:stroke-white' : a.verifyStatus === 'ok' ? 'stroke-emerald-700 dark:stroke-emerald-400' : 'stroke-transparent'}`,
            strokeWidth: selected || problem ? 2 : 1,
            strokeDasharray: a.chainProblem !== null ? '3 2' : undefined,
          } as const;
          if (a.empty) {
            const cx = x(r[0]);
            return <path key={a.id} {...common} d={`M${cx},${cy - 7} l4,5 l-4,5 l-4,-5 z`} className={`${common.className} fill-sky-700 dark:fill-sky-300`} />;
          }
          const left = sx(r[0]);
          const width = Math.max(2, sx(r[1]) - left);
          // a hairline between contiguous bars keeps their boundaries visible
          const inset = width > 4 ? 0.5 : 0;
          const bar = (
            <rect
              key={a.id}
              {...common}
              x={left + inset}
              y={cy - BAR_H / 2}
              width={width - 2 * inset}
              height={BAR_H}
              rx={2}
              fill={a.full ? undefined : `url(#${uid}-diff)`}
              className={`${common.className} ${a.full ? 'fill-teal-600 dark:fill-teal-500' : ''}`}
            />
          );
          if (r[0] >= view[0] || width < 12) return bar;
          // runs on to the left of the view (a full from transaction 1): say so with an arrowhead
          return (
            <g key={a.id}>
              {bar}
              <path d={`M${x0 + 2},${cy} l6,-4 v8 z`} className="pointer-events-none fill-white/90 dark:fill-zinc-900/90" aria-hidden="true" />
            </g>
          );
        })}
      </g>
    </>
  );
}

function Tooltip({ hover, layout, axis }: { hover: Hover | null; layout: Layout; axis: Axis }) {
  if (!hover) return null;
  const width = 300;
  const left = Math.max(8, Math.min(hover.w - width - 8, hover.x + 14));
  // below the pointer, or above it near the bottom edge (the frame clips what overflows)
  const below = hover.y + 14 + 220 < hover.h || hover.y < 240;
  const pos = below ? { left, top: hover.y + 14, width } : { left, bottom: hover.h - hover.y + 14, width };
  let content: ReactNode = null;
  if (hover.kind === 'artifact') {
    const p = layout.byId.get(hover.id);
    if (!p) return null;
    const a = p.a;
    content = (
      <>
        <div className="mb-1 font-mono text-[11px] break-all">{a.file}</div>
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5">
          <dt className="text-zinc-400">type</dt>
          <dd>{typeLabel(a)}</dd>
          <dt className="text-zinc-400">transactions</dt>
          <dd className="tabular-nums">{txRangeLabel(a)}</dd>
          <dt className="text-zinc-400">time</dt>
          <dd>{formatUtc(a.time)}</dd>
          <dt className="text-zinc-400">size</dt>
          <dd>{formatBytes(a.sizeBytes)}</dd>
          <dt className="text-zinc-400">member</dt>
          <dd>{a.memberId ?? '—'}</dd>
          <dt className="text-zinc-400">compressed</dt>
          <dd>{a.compressed ? 'yes' : 'no'}</dd>
          <dt className="text-zinc-400">recovered</dt>
          <dd>{a.recovered ? 'yes' : 'no'}</dd>
          <dt className="text-zinc-400">verified</dt>
          <dd>{a.verifyStatus === 'ok' ? 'ok' : a.verifyStatus === 'corrupt' ? 'corrupt' : 'not yet'}</dd>
        </dl>
        {a.chainProblem ? <p className="mt-1 text-red-300">{a.chainProblem}</p> : null}
        <p className="mt-1 text-zinc-400">Click or press Enter for details</p>
      </>
    );
  } else {
    const gap = layout.bands[hover.band]?.gaps[hover.gap];
    if (!gap) return null;
    content = (
      <p>
        Gap: no backup holds transactions {formatTxRange(gap.fromTx, gap.toTx)}
        {axis === 'time' ? ' (drawn between the backups around it)' : ''}.
      </p>
    );
  }
  return (
    <div role="tooltip" data-testid="timeline-tooltip" className="pointer-events-none fixed z-50 rounded-md bg-zinc-900/95 px-3 py-2 text-xs text-zinc-100 shadow-lg dark:bg-zinc-800/95" style={pos}>
      {content}
    </div>
  );
}
