'use client';

/**
 * The chain timeline of one database: one SVG, one band per store-ID generation, one bar per artifact over
 * its transaction range (or its time range), labelled where it fits, parent links between lanes, hatched gaps;
 * the hovered or focused artifact's link to its parent; and, given the writer's last committed transaction,
 * "now" on the transaction axis with the part not backed up yet (the axis reaches it as it grows). Kept light for
 * hundreds of bars: plain <rect>s with data attributes, one set of event handlers on the <svg> (delegation),
 * one tooltip element, and the bars memoised apart from the hover state.
 *
 * Keyboard: the bars are one tab stop (roving tabindex); arrow keys move between artifacts, Enter or Space
 * opens one, Escape hides the tooltip.
 *
 * The server does not send the interactive bars (each carries a dozen attributes: ~670 bytes, 270 KiB for a
 * window of 400): its HTML has the same plot as a picture (ChainPreview: the bars as three paths, a few
 * KiB), marked busy, and the browser draws the interactive one in its place once hydrated.
 */
import { useEffect, useId, useMemo, useRef, useState, type FocusEvent, type KeyboardEvent, type MouseEvent, type PointerEvent, type ReactNode } from 'react';
import type { Timeline } from '@/lib/dashboard/timeline';
import { UtcTime, useHydrated } from '@/components/ui/utc-time';
import { neighbour, nowOnAxis, type Axis, type Layout, type NowPoint } from './chain-layout';
import { ChainLegend } from './chain-legend';
import { AxisCaption, ChainPreview, Defs, Marks, NowMark, ParentHighlight, scaleOf, timelineHeight, W, type View } from './chain-marks';
import { Tooltip, type Hover, type Point } from './chain-tooltip';
import { formatTxRange } from '@/lib/format';

/**
 * What the timeline shows: a window (fractions 0..1) of a base range, the same for every band. The base is
 * each band's focus (where its shown artifacts are) or everything (from transaction 1); on the time axis
 * both are the whole shared time range.
 */
interface Zoom {
  base: 'focus' | 'all';
  win: View;
}

const FIT: Zoom = { base: 'focus', win: [0, 1] };

function clampWin([a, b]: View): View {
  const w = Math.min(1, Math.max(1e-6, b - a));
  const lo = Math.min(1 - w, Math.max(0, a));
  return [lo, lo + w];
}

/** Of a view reaching now, the least share the backed-up part keeps (the rest: not backed up yet). */
const BACKED_UP_SHARE = 0.4;

function bandView(layout: Layout, band: number, axis: Axis, z: Zoom, now: { band: number; reach: number; backedUpTx: number } | null): View {
  let base = axis === 'time' ? layout.time : layout.bands[band].tx[z.base === 'all' ? 'domain' : 'focus'];
  // the writer's history reaches now: its axis does too, and starts early enough that the backups keep a
  // readable share of it however far now has run ahead
  if (axis === 'tx' && now && now.band === band && now.reach > base[1]) {
    const ahead = now.reach - now.backedUpTx;
    const lo = Math.min(base[0], now.backedUpTx - (ahead * BACKED_UP_SHARE) / (1 - BACKED_UP_SHARE));
    base = [Math.max(layout.bands[band].tx.domain[0], lo), now.reach];
  }
  const span = base[1] - base[0];
  return [base[0] + z.win[0] * span, base[0] + z.win[1] * span];
}

export function ChainTimeline({
  timeline,
  layout,
  selectedId,
  onSelect,
  now = null,
}: {
  timeline: Pick<Timeline, 'database'>;
  /** layoutTimeline(timeline), made by the caller (which also needs it) */
  layout: Layout;
  selectedId: number | null;
  onSelect: (id: number) => void;
  /** the writer's last committed transaction, live (null: not on a cluster, or not reported) */
  now?: NowPoint | null;
}) {
  const uid = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const hydrated = useHydrated();
  const [axis, setAxis] = useState<Axis>('tx');
  const [zooms, setZooms] = useState<Record<Axis, Zoom>>({ tx: FIT, time: FIT });
  const zoom = zooms[axis];
  const setZoom = (z: Zoom) => setZooms((s) => ({ ...s, [axis]: { base: z.base, win: clampWin(z.win) } }));
  const at = nowOnAxis(layout, now);
  const nowBand = at?.band ?? null;
  const nowReach = at?.reach ?? null;
  const backedUpTx = at?.backedUpTx ?? null;
  const views = useMemo(
    () => layout.bands.map((_, i) => bandView(layout, i, axis, zoom, nowBand !== null && nowReach !== null && backedUpTx !== null ? { band: nowBand, reach: nowReach, backedUpTx } : null)),
    [layout, axis, zoom, nowBand, nowReach, backedUpTx],
  );
  const scales = useMemo(() => views.map(scaleOf), [views]);

  const newest = layout.items.length ? layout.items[layout.items.length - 1].a.id : null;
  const [activeId, setActiveId] = useState<number | null>(null);
  const focusId = activeId !== null && layout.byId.has(activeId) ? activeId : selectedId !== null && layout.byId.has(selectedId) ? selectedId : newest;

  const [hover, setHover] = useState<Hover | null>(null);
  const svgRef = useRef<SVGSVGElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  // a plot wider than its box starts at its newest end (the right)
  useEffect(() => {
    const el = scrollRef.current;
    if (el && el.scrollWidth > el.clientWidth) el.scrollLeft = el.scrollWidth;
  }, [layout, hydrated]);

  const height = timelineHeight(layout);
  // the bars are drawn again only when the layout, the axis, the zoom, the selection or the focused bar
  // change, never on hover
  const body = useMemo(
    () => <Marks layout={layout} axis={axis} scales={scales} uid={uid} selectedId={selectedId} focusId={focusId} />,
    [layout, axis, scales, uid, selectedId, focusId],
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

  const visibleOrder = useMemo(
    () => layout.items.filter((p) => p.range[axis][1] >= views[p.band][0] && p.range[axis][0] <= views[p.band][1]).map((p) => p.a.id),
    [layout, axis, views],
  );

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
      <TimelineToolbar axis={axis} setAxis={setAxis} zoom={zoom} setZoom={setZoom} range={axis === 'time' || layout.bands.length === 1 ? (views[0] ?? null) : null} />
      {/* Never drawn narrower than its 1000 units (text stays at least 10 px, bars 16 px tall): on a narrow
          screen the plot scrolls sideways, starting at its newest end. */}
      <p className="text-xs text-zinc-500 md:hidden dark:text-zinc-400" data-testid="timeline-scroll-hint">
        Swipe sideways to see older backups; tap a bar to open it.
      </p>
      <div ref={scrollRef} className="overflow-x-auto overflow-y-hidden rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900" onScroll={() => hover && setHover(null)}>
        {!hydrated ? (
          <ChainPreview layout={layout} scales={scales} uid={uid} label={`Backup chains of ${timeline.database}: ${layout.items.length} backups (the interactive timeline is loading)`} />
        ) : (
        <svg
          ref={svgRef}
          viewBox={`0 0 ${W} ${height}`}
          width="100%"
          role="group"
          aria-label={`Backup chains of ${timeline.database} over ${axis === 'tx' ? 'transaction IDs' : 'time'}`}
          data-testid="chain-timeline"
          data-axis={axis}
          className="block select-none"
          style={{ height: 'auto', minWidth: W }}
          onPointerMove={onPointerMove}
          onPointerLeave={() => setHover(null)}
          onFocus={onFocus}
          onBlur={() => setHover(null)}
          onKeyDown={onKeyDown}
          onClick={onClick}
        >
          <Defs uid={uid} />
          <AxisCaption axis={axis} bands={layout.bands.length} />
          {body}
          <g clipPath={`url(#${uid}-plot)`}>
            {axis === 'tx' ? <NowMark layout={layout} scales={scales} now={now} /> : null}
            <ParentHighlight layout={layout} axis={axis} scales={scales} id={hover?.kind === 'artifact' ? hover.id : null} />
          </g>
        </svg>
        )}
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
  zoom,
  setZoom,
  range,
}: {
  axis: Axis;
  setAxis: (a: Axis) => void;
  zoom: Zoom;
  setZoom: (z: Zoom) => void;
  /** the range shown, when one range says it (time, or a single generation) */
  range: View | null;
}) {
  const [a, b] = zoom.win;
  const whole = a <= 0 && b >= 1;
  const zoomBy = (factor: number) => {
    const w = (b - a) * factor;
    // zooming out past the focus shows everything from transaction 1
    if (w > 1 && zoom.base === 'focus' && axis === 'tx') setZoom({ base: 'all', win: [0, 1] });
    else setZoom({ base: zoom.base, win: [b - w, b] });
  };
  const pan = (dir: -1 | 1) => setZoom({ base: zoom.base, win: [a + (dir * (b - a)) / 2, b + (dir * (b - a)) / 2] });
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
        <ToolButton onClick={() => zoomBy(0.5)} label="Zoom in">+</ToolButton>
        <ToolButton onClick={() => zoomBy(2)} label="Zoom out" disabled={whole && (zoom.base === 'all' || axis === 'time')}>−</ToolButton>
        <ToolButton onClick={() => pan(-1)} label="Show older" disabled={a <= 0}>←</ToolButton>
        <ToolButton onClick={() => pan(1)} label="Show newer" disabled={b >= 1}>→</ToolButton>
        <ToolButton onClick={() => setZoom(FIT)} label="Fit the shown backups" disabled={whole && zoom.base === 'focus'}>Fit</ToolButton>
        {axis === 'tx' ? (
          <ToolButton onClick={() => setZoom({ base: 'all', win: [0, 1] })} label="Show everything, from transaction 1" disabled={whole && zoom.base === 'all'}>
            From tx 1
          </ToolButton>
        ) : null}
      </div>
      <span className="text-xs text-zinc-500 dark:text-zinc-400" aria-live="polite">
        {range === null ? (
          ''
        ) : axis === 'tx' ? (
          `transactions ${formatTxRange(Math.max(1, Math.ceil(range[0])), Math.floor(range[1]))}`
        ) : (
          <>
            <UtcTime value={Math.round(range[0])} /> – <UtcTime value={Math.round(range[1])} />
          </>
        )}
      </span>
    </div>
  );
}
