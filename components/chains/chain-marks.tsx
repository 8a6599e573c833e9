/**
 * The marks of the chain timeline, drawn in a 1000-unit-wide SVG: generation bands with their label and
 * gaps, parent links between lanes, and one mark per artifact (ArtifactBar: a labelled bar, or a diamond for
 * an empty differential) carrying its range in data attributes; over them, the hovered or focused artifact's
 * link to its parent, and "now" (the writer's last committed transaction) with the part not yet backed up.
 * Plain elements only, no handlers: the timeline listens once on the <svg>.
 */
import { useTimesTitle } from '@/components/ui/utc-time';
import { formatNumber, formatUtc } from '@/lib/format';
import { describeArtifact } from './artifact-labels';
import { ArtifactBar, FULL_FILL } from './artifact-bar';
import { barInset, numberTicks, nowOnAxis, timeTicks, type Axis, type Layout, type NowPoint, type Placed } from './chain-layout';

export const W = 1000;
export const PAD_L = 14;
export const PAD_R = 14;
const TOP = 14;
/** a band: its label, then its axis's tick labels, then its lanes */
const BAND_HEADER = 32;
/** a lane is tall enough to touch a bar in it (16 px at the SVG's least width, see ChainTimeline) */
const LANE_H = 26;
const BAR_H = 16;
const BAND_GAP = 8;

export type View = [number, number];

/** One band's scale: what it shows of its axis, and where a value goes. */
export interface Scale {
  view: View;
  x: (v: number) => number;
}

export function scaleOf(view: View): Scale {
  const span = view[1] - view[0] || 1;
  return { view, x: (v) => PAD_L + ((v - view[0]) / span) * (W - PAD_L - PAD_R) };
}

interface MarkProps {
  layout: Layout;
  axis: Axis;
  /** per band (the transaction axis is each generation's own; time is the same for all) */
  scales: Scale[];
  uid: string;
}

export function timelineHeight(layout: Layout): number {
  return bandTop(layout, layout.bands.length) + 4;
}

function bandTop(layout: Layout, band: number): number {
  let y = TOP;
  for (let i = 0; i < band; i++) y += BAND_HEADER + layout.bands[i].lanes * LANE_H + BAND_GAP;
  return y;
}

function laneY(layout: Layout, p: Pick<Placed, 'band' | 'lane'>): number {
  const b = layout.bands[p.band];
  return bandTop(layout, p.band) + BAND_HEADER + (p.lane - b.firstLane) * LANE_H + LANE_H / 2;
}

/** x clamped to just outside the plot, so clipped bars keep a sane width */
function clampX(x: (v: number) => number): (v: number) => number {
  return (v) => Math.min(W - PAD_R + 4, Math.max(PAD_L - 4, x(v)));
}

const inView = (r: [number, number], v: View) => r[1] >= v[0] && r[0] <= v[1];

/** The fills of differentials (striped) and gaps (hatched), for an SVG's <defs>; the legend draws with them too. */
export function ChainPatterns({ uid }: { uid: string }) {
  return (
    <>
      <pattern id={`${uid}-diff`} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
        <rect width="6" height="6" className="fill-sky-500 dark:fill-sky-400" />
        <rect width="2" height="6" className="fill-sky-300 dark:fill-sky-700" />
      </pattern>
      <pattern id={`${uid}-gap`} width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(-45)">
        <rect width="6" height="6" className="fill-red-50 dark:fill-red-950" />
        <rect width="2" height="6" className="fill-red-400 dark:fill-red-700" />
      </pattern>
    </>
  );
}

/** Patterns: differentials striped, gaps hatched; the plot's clip. */
export function Defs({ uid }: { uid: string }) {
  return (
    <defs>
      <ChainPatterns uid={uid} />
      <clipPath id={`${uid}-plot`}>
        <rect x={PAD_L} y={0} width={W - PAD_L - PAD_R} height={100000} />
      </clipPath>
    </defs>
  );
}

/** The axis's name, top right. */
export function AxisCaption({ axis, bands }: { axis: Axis; bands: number }) {
  return (
    <text x={W - PAD_R} y={10} textAnchor="end" aria-hidden="true" className="fill-zinc-400 text-[10px] dark:fill-zinc-500">
      {axis === 'tx' ? `transaction ID${bands > 1 ? ' (each generation its own)' : ''}` : 'time (UTC)'}
    </text>
  );
}

/** A band's ticks: labels under its title, grid lines down through its lanes. */
function BandTicks({ axis, scale, top, lanes }: { axis: Axis; scale: Scale; top: number; lanes: number }) {
  const { view, x } = scale;
  const t = axis === 'tx' ? { ticks: numberTicks(Math.max(1, view[0]), view[1], 8), label: (v: number) => formatNumber(v) } : timeTicks(view[0], view[1], 6);
  return (
    <g aria-hidden="true" className="text-[10px]">
      {t.ticks.map((v) => (
        <g key={v}>
          <line x1={x(v)} x2={x(v)} y1={top + BAND_HEADER - 4} y2={top + BAND_HEADER + lanes * LANE_H} className="stroke-zinc-200 dark:stroke-zinc-800" strokeWidth={1} />
          <text x={x(v)} y={top + BAND_HEADER - 6} textAnchor="middle" className="fill-zinc-500 dark:fill-zinc-400">
            {t.label(v)}
          </text>
        </g>
      ))}
    </g>
  );
}

/** All marks: the timeline memoises this element so that hovering never redraws the bars. */
export function Marks(props: MarkProps & { selectedId: number | null; focusId: number | null }) {
  const { uid } = props;
  return (
    <>
      <BandMarks {...props} />
      <g clipPath={`url(#${uid}-plot)`}>
        <ParentLinks {...props} />
        <ArtifactMarks {...props} />
      </g>
    </>
  );
}

/** Each generation's band: background, label ("generation N, store ID …") and hatched gaps. */
function BandMarks({ layout, axis, scales, uid }: MarkProps) {
  const timesTitle = useTimesTitle();
  return (
    <>
      {layout.bands.map((b, bi) => {
        const top = bandTop(layout, bi);
        const g = b.generation;
        const { view } = scales[bi];
        const sx = clampX(scales[bi].x);
        return (
          <g key={g.storeId} data-testid="generation" data-generation={g.index} data-store-id={g.storeId}>
            <rect x={0} y={top} width={W} height={BAND_HEADER + b.lanes * LANE_H} className={bi % 2 ? 'fill-zinc-50 dark:fill-zinc-950/40' : 'fill-transparent'} />
            <BandTicks axis={axis} scale={scales[bi]} top={top} lanes={b.lanes} />
            <text x={PAD_L} y={top + 13} className="fill-zinc-700 text-[11px] font-medium dark:fill-zinc-300" data-testid="generation-title">
              {/* hover: the same times in the viewer's local time */}
              <title>{timesTitle(`generation ${g.index}, store ID ${g.storeId}: ${formatUtc(g.firstTime)} – ${formatUtc(g.lastTime)}`, g.firstTime, g.lastTime)}</title>
              {`generation ${g.index}, store ID ${g.storeId.slice(0, 8)}… · ${formatNumber(g.artifacts.length)} artifact${g.artifacts.length === 1 ? '' : 's'} · ${formatUtc(g.firstTime)} – ${formatUtc(g.lastTime)}`}
            </text>
            <g clipPath={`url(#${uid}-plot)`}>
              {b.gaps.map((gap, gi) => {
                const r = gap.range[axis];
                if (!r || !inView(r, view)) return null;
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
    </>
  );
}

/** A vertical link from a parent's lane down to a child on another lane (a branch), at the child's start. */
function ParentLinks({ layout, axis, scales }: MarkProps) {
  return (
    <>
      {layout.items.map((p) => {
        if (p.parentLane === null) return null;
        const r = p.range[axis];
        const { view, x } = scales[p.band];
        if (r[0] > view[1] || r[0] < view[0]) return null;
        const parent = layout.byId.get(p.a.parentId as number) as Placed;
        const px = x(r[0]);
        const py = laneY(layout, parent);
        const cy = laneY(layout, p);
        return <path key={`l${p.a.id}`} d={`M${px},${py} V${cy}`} className="stroke-zinc-400 dark:stroke-zinc-500" strokeWidth={1.25} fill="none" aria-hidden="true" />;
      })}
    </>
  );
}

function ArtifactMarks({ layout, axis, scales, uid, selectedId, focusId }: MarkProps & { selectedId: number | null; focusId: number | null }) {
  const clamped = scales.map((sc) => clampX(sc.x));
  const x0 = PAD_L;
  return (
    <>
      {layout.items.map((p) => {
        const r = p.range[axis];
        const { view, x } = scales[p.band];
        const sx = clamped[p.band];
        if (!inView(r, view)) return null;
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
          'aria-label': describeArtifact(a),
          'aria-pressed': selected,
          tabIndex: a.id === focusId ? 0 : -1,
          className: `cursor-pointer outline-none focus-visible:stroke-amber-500 ${problem ? 'stroke-red-600 dark:stroke-red-400' : selected ? 'stroke-zinc-900 dark:stroke-white' : a.verifyStatus === 'ok' ? 'stroke-emerald-700 dark:stroke-emerald-400' : 'stroke-transparent'}`,
          strokeWidth: selected || problem ? 2 : 1,
          strokeDasharray: a.chainProblem !== null ? '3 2' : undefined,
        } as const;
        if (a.empty) return <ArtifactBar key={a.id} {...common} a={a} x0={x(r[0])} x1={x(r[0])} cy={cy} height={BAR_H} patternId={`${uid}-diff`} />;
        const left = sx(r[0]);
        const width = Math.max(a.full ? 8 : 2, sx(r[1]) - left);
        const bar = <ArtifactBar key={a.id} {...common} a={a} x0={left} x1={sx(r[1])} cy={cy} height={BAR_H} patternId={`${uid}-diff`} visible={[r[0] < view[0] ? PAD_L + 10 : PAD_L, W - PAD_R]} />;
        if (r[0] >= view[0] || width < 12) return bar;
        // runs on to the left of the view (a full from transaction 1): say so with an arrowhead
        return (
          <g key={a.id}>
            {bar}
            <path d={`M${x0 + 2},${cy} l6,-4 v8 z`} className="pointer-events-none fill-white/90 dark:fill-zinc-900/90" aria-hidden="true" />
          </g>
        );
      })}
    </>
  );
}

/**
 * The hovered or focused artifact's parent, whatever lane it is on: the parent outlined and an arrow from the
 * artifact's middle to the parent's, arcing over the lanes (adjacent bars on one lane get a visible link too).
 */
export function ParentHighlight({ layout, axis, scales, id }: { layout: Layout; axis: Axis; scales: Scale[]; id: number | null }) {
  const p = id !== null ? layout.byId.get(id) : undefined;
  const parent = p?.a.parentId != null ? layout.byId.get(p.a.parentId) : undefined;
  if (!p || !parent) return null;
  const { x } = scales[p.band];
  const sx = clampX(x);
  const mid = (q: Placed) => {
    const r = q.range[axis];
    return q.a.empty ? x(r[0]) : (sx(r[0]) + sx(r[1])) / 2;
  };
  const cx = mid(p);
  const px = mid(parent);
  const cy = laneY(layout, p) - BAR_H / 2;
  const py = laneY(layout, parent) - BAR_H / 2;
  const lift = Math.min(cy, py) - 9;
  const pr = parent.range[axis];
  const pl = parent.a.empty ? px - 6 : sx(pr[0]);
  const pw = parent.a.empty ? 12 : Math.max(parent.a.full ? 8 : 2, sx(pr[1]) - pl);
  return (
    <g data-testid="parent-link" data-child={p.a.id} data-parent={parent.a.id} aria-hidden="true" className="pointer-events-none">
      <rect x={pl - 2} y={laneY(layout, parent) - BAR_H / 2 - 2} width={pw + 4} height={BAR_H + 4} rx={3} fill="none" strokeWidth={2} className="stroke-amber-500" />
      <path d={`M${cx},${cy} C${cx},${lift} ${px},${lift} ${px},${py - 2}`} fill="none" strokeWidth={1.75} className="stroke-amber-500" />
      <path d={`M${px},${py - 1} l-3.5,-6 h7 z`} className="fill-amber-500" />
    </g>
  );
}

/**
 * "Now" on the transaction axis of the writer's history: a line at its last committed transaction, and the
 * transactions after the newest backup shaded as not backed up yet (they grow while the page is open).
 */
export function NowMark({ layout, scales, now }: { layout: Layout; scales: Scale[]; now: NowPoint | null }) {
  const at = nowOnAxis(layout, now);
  if (!at || !now) return null;
  const top = bandTop(layout, at.band);
  const lanes = layout.bands[at.band].lanes;
  const { x, view } = scales[at.band];
  const nx = x(now.tx + 0.5);
  if (now.tx + 0.5 < view[0] || now.tx + 0.5 > view[1]) return null;
  const behind = now.tx - at.backedUpTx;
  const from = Math.max(PAD_L, x(at.backedUpTx + 0.5));
  const y0 = top + BAND_HEADER - 2;
  const y1 = top + BAND_HEADER + lanes * LANE_H;
  const text = behind > 0 ? `now · tx ${formatNumber(now.tx)} · ${formatNumber(behind)} not backed up` : `now · tx ${formatNumber(now.tx)} · all backed up`;
  const anchorEnd = nx > W / 2;
  return (
    <g data-testid="now-marker" data-tx={now.tx} data-backed-up-tx={at.backedUpTx} data-behind={Math.max(0, behind)} className="pointer-events-none">
      {behind > 0 ? (
        <rect data-testid="not-backed-up" x={from} y={y0} width={Math.max(1, nx - from)} height={y1 - y0} className="fill-amber-400/25 dark:fill-amber-500/20" />
      ) : null}
      <line x1={nx} x2={nx} y1={y0 - 2} y2={y1} strokeWidth={1.5} strokeDasharray="4 2" className="stroke-amber-600 dark:stroke-amber-400" />
      <text x={anchorEnd ? nx - 4 : nx + 4} y={top + 13} textAnchor={anchorEnd ? 'end' : 'start'} className="fill-amber-800 text-[10px] font-medium dark:fill-amber-300">
        {text}
      </text>
    </g>
  );
}

/** A number of user units in as few characters as the picture needs (whole units). */
const u = (v: number) => String(Math.round(v));

/**
 * The timeline as a picture, for the server's HTML and until the page is hydrated: the same bands, ticks and
 * bars on the transaction axis, the bars as three paths (fulls filled, differentials striped, empty ones as
 * diamonds) and the gaps as one, with no labels, data or handlers; marked busy, named for what it is.
 */
export function ChainPreview({ layout, scales, uid, label }: { layout: Layout; scales: Scale[]; uid: string; label: string }) {
  const height = timelineHeight(layout);
  const d = { full: [] as string[], diff: [] as string[], empty: [] as string[], gap: [] as string[] };
  for (const p of layout.items) {
    const r = p.range.tx;
    const { view, x } = scales[p.band];
    if (!inView(r, view)) continue;
    const cy = laneY(layout, p);
    if (p.a.empty) {
      d.empty.push(`M${u(x(r[0]))} ${u(cy - 7)}l4 5-4 5-4-5z`);
      continue;
    }
    const sx = clampX(x);
    const left = sx(r[0]);
    const width = Math.max(p.a.full ? 8 : 2, sx(r[1]) - left);
    const inset = barInset(width);
    d[p.a.full ? 'full' : 'diff'].push(`M${u(left + inset)} ${u(cy - BAR_H / 2)}h${u(width - 2 * inset)}v${BAR_H}h${u(-(width - 2 * inset))}z`);
  }
  layout.bands.forEach((b, bi) => {
    const top = bandTop(layout, bi) + BAND_HEADER;
    const sx = clampX(scales[bi].x);
    for (const gap of b.gaps) {
      const r = gap.range.tx;
      if (!r || !inView(r, scales[bi].view)) continue;
      const x0 = sx(r[0]);
      const w = Math.max(3, sx(r[1]) - x0);
      d.gap.push(`M${u(x0)} ${top}h${u(w)}v${b.lanes * LANE_H}h${u(-w)}z`);
    }
  });
  return (
    <svg viewBox={`0 0 ${W} ${height}`} width="100%" role="img" aria-label={label} aria-busy="true" data-testid="chain-timeline-preview" className="block select-none" style={{ height: 'auto', minWidth: W }}>
      <Defs uid={uid} />
      <AxisCaption axis="tx" bands={layout.bands.length} />
      {layout.bands.map((b, bi) => {
        const top = bandTop(layout, bi);
        const g = b.generation;
        return (
          <g key={g.storeId}>
            <rect x={0} y={top} width={W} height={BAND_HEADER + b.lanes * LANE_H} className={bi % 2 ? 'fill-zinc-50 dark:fill-zinc-950/40' : 'fill-transparent'} />
            <BandTicks axis="tx" scale={scales[bi]} top={top} lanes={b.lanes} />
            <text x={PAD_L} y={top + 13} className="fill-zinc-700 text-[11px] font-medium dark:fill-zinc-300">
              {`generation ${g.index}, store ID ${g.storeId.slice(0, 8)}… · ${formatNumber(g.artifacts.length)} artifact${g.artifacts.length === 1 ? '' : 's'} · ${formatUtc(g.firstTime)} – ${formatUtc(g.lastTime)}`}
            </text>
          </g>
        );
      })}
      <g clipPath={`url(#${uid}-plot)`}>
        {d.gap.length ? <path d={d.gap.join('')} fill={`url(#${uid}-gap)`} opacity={0.8} /> : null}
        {d.full.length ? <path d={d.full.join('')} className={FULL_FILL} /> : null}
        {d.diff.length ? <path d={d.diff.join('')} fill={`url(#${uid}-diff)`} /> : null}
        {d.empty.length ? <path d={d.empty.join('')} className="fill-sky-700 dark:fill-sky-300" /> : null}
      </g>
    </svg>
  );
}
