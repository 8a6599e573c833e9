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
import type { Timeline } from '@/lib/dashboard/timeline';
import { formatUtc } from '@/lib/format';
import { formatTxRange } from '@/components/backups/format';
import { neighbour, type Axis, type Layout, type Placed } from './chain-layout';
import { ChainLegend } from './chain-legend';
import { AxisTicks, bandTop, Defs, Marks, PAD_L, PAD_R, W, type View } from './chain-marks';
import { Tooltip, type Hover, type Point } from './chain-tooltip';

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

  const latest = useMemo(() => timeline.latestChain.map((id) => layout.byId.get(id)).filter((p): p is Placed => Boolean(p)), [timeline, layout]);
  const newest = layout.items.length ? layout.items[layout.items.length - 1].a.id : null;
  const [activeId, setActiveId] = useState<number | null>(null);
  const focusId = activeId !== null && layout.byId.has(activeId) ? activeId : selectedId !== null && layout.byId.has(selectedId) ? selectedId : newest;

  const [hover, setHover] = useState<Hover | null>(null);
  const svgRef = useRef<SVGSVGElement>(null);

  const height = bandTop(layout, layout.bands.length) + 4;
  const x = (v: number) => PAD_L + ((v - view[0]) / (view[1] - view[0] || 1)) * (W - PAD_L - PAD_R);

  const body = useMemo(
    () => <Marks layout={layout} axis={axis} x={x} view={view} uid={uid} selectedId={selectedId} focusId={focusId} />,
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

  // Every visible bar is rendered (tabIndex -1 but focusable): focus it now; onFocus makes it the tab stop.
  const moveFocus = (id: number) => svgRef.current?.querySelector<SVGElement>(`[data-id="${id}"]`)?.focus();

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
    const next = neighbour(layout, visibleOrder, id, e.key, axis);
    if (next === undefined) return;
    e.preventDefault();
    if (next !== null) moveFocus(next);
  };

  const onClick = (e: MouseEvent<SVGSVGElement>) => {
    const el = targetOf(e.target);
    const id = el ? Number(el.getAttribute('data-id')) : NaN;
    if (id) {
      setActiveId(id);
      onSelect(id);
    }
  };


  return (
    <div className="space-y-2">
      <TimelineToolbar axis={axis} setAxis={setAxis} view={view} domain={domain} setView={setView} latest={latest} />
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

/** Axis switch, zoom and pan, and the range shown. */
function TimelineToolbar({
  axis,
  setAxis,
  view,
  domain,
  setView,
  latest,
}: {
  axis: Axis;
  setAxis: (a: Axis) => void;
  view: View;
  domain: View;
  setView: (v: View) => void;
  /** the latest chain's placed artifacts */
  latest: Placed[];
}) {
  const zoom = (factor: number) => {
    const span = (view[1] - view[0]) * factor;
    setView([view[1] - span, view[1]]);
  };
  const pan = (dir: -1 | 1) => {
    const span = view[1] - view[0];
    setView([view[0] + (dir * span) / 2, view[1] + (dir * span) / 2]);
  };
  const zoomToLatest = () => {
    if (latest.length === 0) return;
    const lo = Math.min(...latest.map((p) => (p.a.full ? p.range[axis][1] : p.range[axis][0])));
    const hi = Math.max(...latest.map((p) => p.range[axis][1]));
    const pad = Math.max(axis === 'tx' ? 5 : 5000, (hi - lo) * 0.15);
    setView([lo - pad, hi + pad]);
  };
  const zoomed = view[0] > domain[0] || view[1] < domain[1];
  return (
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
        <ToolButton onClick={zoomToLatest} label="Zoom to the latest chain" disabled={latest.length === 0}>Latest chain</ToolButton>
        <ToolButton onClick={() => setView(domain)} label={axis === 'tx' ? 'Show everything, from transaction 1' : 'Show everything'} disabled={!zoomed}>All</ToolButton>
      </div>
      <span className="text-xs text-zinc-500 dark:text-zinc-400" aria-live="polite">
        {axis === 'tx' ? `transactions ${formatTxRange(Math.max(1, Math.ceil(view[0])), Math.floor(view[1]))}` : `${formatUtc(view[0])} – ${formatUtc(view[1])}`}
      </span>
    </div>
  );
}
