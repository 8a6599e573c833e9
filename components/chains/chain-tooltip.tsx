/**
 * The timeline's one tooltip: the hovered (or focused) artifact's metadata, or what a gap is. Fixed to the
 * viewport at the pointer, so no frame clips it.
 */
import type { ReactNode } from 'react';
import { formatBytes, formatLocal, formatTxRange, formatUtc } from '@/lib/format';
import { txRangeLabel, typeLabel } from './artifact-labels';
import type { Axis, Layout } from './chain-layout';

/** client coordinates and the viewport's size */
export type Point = { x: number; y: number; w: number; h: number };
export type Hover = ({ kind: 'artifact'; id: number } | { kind: 'gap'; band: number; gap: number }) & Point;

export function Tooltip({ hover, layout, axis }: { hover: Hover | null; layout: Layout; axis: Axis }) {
  if (!hover) return null;
  const width = 300;
  const left = Math.max(8, Math.min(hover.w - width - 8, hover.x + 14));
  // below the pointer, or above it near the bottom of the viewport
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
          <dt className="text-zinc-400">parent</dt>
          <dd data-testid="tooltip-parent" className="font-mono text-[11px] break-all">
            {a.full ? 'none (a full)' : (a.parentFile ?? 'unknown')}
            {!a.full && a.parentId !== null && !layout.byId.has(a.parentId) ? <span className="block font-sans text-zinc-400">not in this window</span> : null}
          </dd>
          <dt className="text-zinc-400">time</dt>
          <dd>
            {formatUtc(a.time)}
            <span className="block text-zinc-400">{formatLocal(a.time)} (local)</span>
          </dd>
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
