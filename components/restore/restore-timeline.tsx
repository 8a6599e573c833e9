'use client';

/**
 * The compact timeline of the restore point step: per store-ID generation, an axis over transaction IDs with
 * the restorable ranges as bands, each backup drawn as the database page draws it (ArtifactBar: a full filled,
 * a differential striped, apart from its neighbours, labelled where it fits; broken ones outlined red), and the
 * chosen point as a marker. Clicking a band picks a transaction; clicking a bar picks that backup. A native
 * slider per generation does the same from the keyboard, snapped to what is actually restorable.
 *
 * What it shows and what its slider moves are states, "the database ends at transaction N", as every range
 * and result says it. It hands the wizard "restore until" values (N + 1) as the restore takes them: picking
 * the state N restores up to but not including N + 1. A range fromTx..toTx of states is restore-until
 * fromTx+1..toTx+1.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { ArtifactBar } from '@/components/chains/artifact-bar';
import { ChainPatterns } from '@/components/chains/chain-marks';
import type { RestorePreview } from '@/lib/dashboard/commands';
import type { Generation, Timeline } from '@/lib/dashboard/timeline';
import { UtcTime, useTimesTitle } from '@/components/ui/utc-time';
import { formatEndsAtRange, formatNumber, formatUntilRange, formatUtc } from '@/lib/format';

type Range = Timeline['restorable'][number];

export function RestoreTimeline({
  timeline,
  preview,
  selectedArtifactId,
  untilTx,
  onPickTx,
  onPickArtifact,
}: {
  timeline: Timeline;
  /** the transaction typed or picked (restore until), when the point is a transaction */
  untilTx: number | null;
  preview: RestorePreview | null;
  selectedArtifactId: number | null;
  onPickTx: (untilTx: number) => void;
  onPickArtifact: (id: number) => void;
}) {
  if (timeline.total === 0) return null;
  const planIds = new Set(preview?.chain.map((a) => a.id) ?? []);
  const planStart = preview?.chain[0]?.id;
  return (
    <div className="space-y-4" data-testid="restore-timeline">
      {[...timeline.generations].reverse().map((g) => {
        const ranges = timeline.restorable.filter((r) => r.storeId === g.storeId);
        const marker = preview && preview.targetTx !== null && g.artifacts.some((a) => a.id === planStart) ? preview.targetTx : null;
        return (
          <GenerationRow
            key={g.storeId}
            generation={g}
            ranges={ranges}
            planIds={planIds}
            marker={marker}
            selectedArtifactId={selectedArtifactId}
            untilTx={untilTx}
            onPickTx={onPickTx}
            onPickArtifact={onPickArtifact}
            single={timeline.generations.length === 1}
          />
        );
      })}
      {timeline.shown < timeline.total ? (
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          Showing backups {formatNumber(timeline.window.start + 1)}–{formatNumber(timeline.window.end)} of {formatNumber(timeline.total)}
          {timeline.window.newer === null ? ' (the newest)' : ''}; the restorable ranges cover them all, and any transaction or time in them can be typed above.
        </p>
      ) : null}
    </div>
  );
}

function GenerationRow({
  generation: g,
  ranges,
  planIds,
  marker,
  selectedArtifactId,
  untilTx,
  onPickTx,
  onPickArtifact,
  single,
}: {
  untilTx: number | null;
  generation: Generation;
  ranges: Range[];
  planIds: Set<number>;
  marker: number | null;
  selectedArtifactId: number | null;
  onPickTx: (untilTx: number) => void;
  onPickArtifact: (id: number) => void;
  single: boolean;
}) {
  const lo = Math.min(g.fromTx, ...ranges.map((r) => r.fromTx));
  const hi = Math.max(g.toTx, ...ranges.map((r) => r.toTx), lo + 1);
  const x = (t: number) => ((t - lo) / (hi - lo)) * 100;
  const snap = (state: number): number => {
    // the nearest state some range can reach
    let best = ranges[0] ? ranges[0].toTx : state;
    for (const r of ranges) {
      if (state >= r.fromTx && state <= r.toTx) return state;
      for (const edge of [r.fromTx, r.toTx]) if (Math.abs(edge - state) < Math.abs(best - state)) best = edge;
    }
    return best;
  };
  const pickAt = (e: MouseEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const state = Math.round(lo + ((e.clientX - box.left) / box.width) * (hi - lo));
    onPickTx(snap(state) + 1);
  };
  // the slider's value is a state: where the database ends
  const sliderMin = ranges.length ? Math.min(...ranges.map((r) => r.fromTx)) : lo;
  const sliderMax = ranges.length ? Math.max(...ranges.map((r) => r.toTx)) : hi;
  const wanted = untilTx !== null ? untilTx - 1 : marker !== null ? marker : sliderMax;
  const sliderValue = Math.min(sliderMax, Math.max(sliderMin, wanted));
  const title = single ? 'Backups' : `Generation ${g.index} (store ${g.storeId.slice(0, 8)}…)`;
  return (
    <div className="rounded-lg border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900" data-testid="timeline-generation" data-store-id={g.storeId}>
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-xs text-zinc-600 dark:text-zinc-400">
        <span className="font-medium text-zinc-800 dark:text-zinc-200">{title}</span>
        <span>
          <UtcTime value={g.firstTime} /> → <UtcTime value={g.lastTime} />
        </span>
      </div>
      {/* Bands: click to pick a transaction (the slider below does the same from the keyboard). */}
      <div className="relative mt-2 h-5 cursor-crosshair rounded bg-zinc-100 dark:bg-zinc-800" onClick={pickAt} aria-hidden="true" title="Click to restore to this transaction">
        {ranges.map((r) => (
          <div
            key={`${r.fromTx}-${r.toTx}`}
            className="absolute inset-y-0 rounded bg-teal-200 dark:bg-teal-800/70"
            style={{ left: `${x(r.fromTx)}%`, width: `${Math.max(0.6, x(r.toTx) - x(r.fromTx))}%` }}
          />
        ))}
        {g.gaps.map((gap) => (
          <div
            key={`gap-${gap.fromTx}`}
            className="absolute inset-y-0 bg-[repeating-linear-gradient(45deg,transparent,transparent_3px,rgba(239,68,68,.35)_3px,rgba(239,68,68,.35)_5px)]"
            style={{ left: `${x(gap.fromTx)}%`, width: `${Math.max(0.6, x(gap.toTx) - x(gap.fromTx))}%` }}
          />
        ))}
        {marker !== null ? (
          <div className="absolute -inset-y-1 w-0.5 bg-zinc-900 dark:bg-white" style={{ left: `${x(marker)}%` }} data-testid="timeline-marker" data-tx={marker} />
        ) : null}
      </div>
      {/* Backups: click a bar to restore to the end of that backup (also offered as a list above). */}
      <BackupBars generation={g} lo={lo} hi={hi} planIds={planIds} selectedArtifactId={selectedArtifactId} onPickArtifact={onPickArtifact} />
      <div className="mt-1 flex justify-between font-mono text-[11px] text-zinc-500 tabular-nums dark:text-zinc-400" aria-hidden="true">
        <span>tx {formatNumber(lo)}</span>
        <span>tx {formatNumber(hi)}</span>
      </div>
      {ranges.length ? (
        <label className="mt-2 block text-xs text-zinc-600 dark:text-zinc-400">
          <span className="sr-only">{`Where the database ends, on the timeline${single ? '' : ` of generation ${g.index}`}`}</span>
          <input
            type="range"
            min={sliderMin}
            max={sliderMax}
            step={1}
            value={sliderValue}
            aria-valuetext={`the database ends at transaction ${formatNumber(sliderValue)} (restore until ${formatNumber(sliderValue + 1)})`}
            onChange={(e) => onPickTx(snap(Number(e.target.value)) + 1)}
            onKeyDown={(e: KeyboardEvent<HTMLInputElement>) => e.key === 'Enter' && e.preventDefault()}
            className="w-full accent-teal-700"
            data-testid="timeline-slider"
          />
        </label>
      ) : null}
      <ul className="mt-2 space-y-0.5 text-xs text-zinc-600 dark:text-zinc-400" data-testid="restorable-ranges">
        {ranges.length === 0 ? <li className="text-red-700 dark:text-red-400">Nothing in this generation can be restored: its chains are broken.</li> : null}
        {ranges.map((r) => (
          <li key={`${r.fromTx}-${r.toTx}`} data-from-tx={r.fromTx} data-to-tx={r.toTx}>
            Restorable: the database {formatEndsAtRange(r.fromTx, r.toTx)} ({formatUntilRange(r.fromTx, r.toTx)}); by time, after{' '}
            {r.fromTime !== null ? <UtcTime value={r.fromTime} /> : 'the start'} up to <UtcTime value={r.toTime} />
          </li>
        ))}
      </ul>
    </div>
  );
}

const BARS_H = 22;

/**
 * A generation's backups on the wizard's axis, drawn in an SVG as wide in units as it is in pixels (measured),
 * so that labels keep their size on any screen; clicking a bar picks that backup.
 */
function BackupBars({
  generation: g,
  lo,
  hi,
  planIds,
  selectedArtifactId,
  onPickArtifact,
}: {
  generation: Generation;
  lo: number;
  hi: number;
  planIds: Set<number>;
  selectedArtifactId: number | null;
  onPickArtifact: (id: number) => void;
}) {
  const uid = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(1000);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(1, Math.round(el.getBoundingClientRect().width)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const timesTitle = useTimesTitle();
  const x = (t: number) => ((t - lo) / (hi - lo)) * width;
  return (
    <div ref={ref} className="mt-1" aria-hidden="true">
      <svg viewBox={`0 0 ${width} ${BARS_H}`} width="100%" height={BARS_H} className="block overflow-visible" data-testid="wizard-bars">
        <defs>
          <ChainPatterns uid={uid} />
        </defs>
        {g.artifacts.map((a) => {
          const broken = a.chainProblem !== null;
          const marked = a.id === selectedArtifactId || planIds.has(a.id);
          const r: [number, number] = a.empty ? [a.tipTx + 0.5, a.tipTx + 0.5] : a.full && a.tipTx === 0 ? [0.5, 0.5] : [a.fromTx - 0.5, a.toTx + 0.5];
          return (
            <ArtifactBar
              key={a.id}
              a={a}
              x0={Math.max(0, x(r[0]))}
              x1={Math.min(width, x(r[1]))}
              cy={BARS_H / 2}
              height={16}
              patternId={`${uid}-diff`}
              visible={[0, width]}
              data-testid="wizard-artifact-bar"
              data-id={a.id}
              data-type={a.full ? 'full' : 'diff'}
              data-in-plan={planIds.has(a.id) || undefined}
              onClick={() => onPickArtifact(a.id)}
              strokeWidth={marked || broken ? 2 : 1}
              strokeDasharray={broken ? '3 2' : undefined}
              className={`cursor-pointer ${broken ? 'stroke-red-600 dark:stroke-red-400' : marked ? 'stroke-amber-500' : 'stroke-transparent'}`}
            >
              <title>
                {timesTitle(
                  `${a.file}\n${a.full ? 'full' : a.empty ? 'empty differential' : 'differential'} · transactions ${formatNumber(a.lowestTx)}..${formatNumber(a.highestTx)} · ${formatUtc(a.time)}${broken ? `\nchain broken: ${a.chainProblem}` : ''}`,
                  a.time,
                )}
              </title>
            </ArtifactBar>
          );
        })}
      </svg>
    </div>
  );
}
