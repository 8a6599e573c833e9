/**
 * One artifact in an SVG, the one way the database page's timeline and the restore wizard's draw it: a full as a
 * filled bar, a differential as a striped one (the pattern of ChainPatterns), an empty differential as a
 * diamond. Bars are drawn a little apart (barInset) so adjacent differentials read as several, and each is
 * labelled with its type and boundary transaction IDs where they fit ("D 121–140", else "D"). Everything but the
 * label goes on the mark itself (data attributes, role, handlers), so that events land on it; the label lets
 * the pointer through.
 */
import type { SVGProps } from 'react';
import type { TimelineArtifact } from '@/lib/dashboard/timeline';
import { barInset, barLabel } from './chain-layout';

export const FULL_FILL = 'fill-teal-600 dark:fill-teal-500';

type Attrs = Omit<SVGProps<SVGRectElement>, 'ref' | 'x' | 'y' | 'width' | 'height' | 'fill'>;

export function ArtifactBar({
  a,
  x0,
  x1,
  cy,
  height,
  patternId,
  visible = [-Infinity, Infinity],
  minWidth,
  className = '',
  ...attrs
}: {
  a: Pick<TimelineArtifact, 'full' | 'empty' | 'fromTx' | 'toTx' | 'tipTx'>;
  /** where the bar starts and ends (user units) */
  x0: number;
  x1: number;
  cy: number;
  height: number;
  /** the id of the differentials' stripes (ChainPatterns' `${uid}-diff`) */
  patternId: string;
  /** the part of the x axis that is on screen: the label goes in the bar's visible part */
  visible?: [number, number];
  /** the least width drawn (a full of an empty database covers no transaction) */
  minWidth?: number;
} & Attrs) {
  if (a.empty) {
    return <path {...(attrs as SVGProps<SVGPathElement>)} data-mark="artifact" d={`M${x0},${cy - 7} l4,5 l-4,5 l-4,-5 z`} className={`${className} fill-sky-700 dark:fill-sky-300`} />;
  }
  const width = Math.max(minWidth ?? (a.full ? 8 : 2), x1 - x0);
  const inset = barInset(width);
  const left = Math.max(x0, visible[0]);
  const right = Math.min(x0 + width, visible[1]);
  const label = barLabel(a, right - left - 2 * inset);
  return (
    <>
      <rect
        {...attrs}
        data-mark="artifact"
        x={x0 + inset}
        y={cy - height / 2}
        width={width - 2 * inset}
        height={height}
        rx={2}
        fill={a.full ? undefined : `url(#${patternId})`}
        className={`${className} ${a.full ? FULL_FILL : ''}`}
      />
      {label ? (
        <text
          x={left + inset + 4}
          y={cy + 3.5}
          aria-hidden="true"
          data-testid="bar-label"
          className={`pointer-events-none text-[10px] font-medium tabular-nums ${a.full ? 'fill-white' : 'fill-sky-950 stroke-white/90 dark:stroke-zinc-100/90'}`}
          strokeWidth={a.full ? undefined : 2.5}
          paintOrder="stroke"
        >
          {label}
        </text>
      ) : null}
    </>
  );
}
