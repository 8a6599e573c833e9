'use client';

/**
 * The database page's timeline and the artifact opened from it, side by side in state: selecting a bar (click,
 * Enter) opens its details below; deleting it closes them and says what was deleted.
 */
import { useCallback, useMemo, useRef, useState } from 'react';
import type { Timeline } from '@/lib/dashboard/timeline';
import { ArtifactDetails } from './artifact-details';
import { chainOf, dependentsOf, layoutTimeline } from './chain-layout';
import { ChainTimeline } from './chain-timeline';

export function TimelineWorkspace({ timeline, folderId }: { timeline: Timeline; folderId: number }) {
  const layout = useMemo(() => layoutTimeline(timeline), [timeline]);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const detailsRef = useRef<HTMLDivElement>(null);

  const select = useCallback((id: number) => {
    setSelectedId(id);
    setNotice(null);
    requestAnimationFrame(() => detailsRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }));
  }, []);
  const onDeleted = useCallback((files: string[]) => {
    setSelectedId(null);
    setNotice(`Deleted ${files.length} file${files.length === 1 ? '' : 's'}: ${files.join(', ')}`);
  }, []);

  const placed = selectedId !== null ? layout.byId.get(selectedId) : undefined;
  const details = useMemo(() => {
    if (!placed) return null;
    const band = layout.bands[placed.band];
    const { chain, complete } = chainOf(layout.byId, placed.a.id);
    return { generation: band.generation.index, chain, complete, dependents: dependentsOf(band.generation.artifacts, placed.a.id) };
  }, [placed, layout]);

  return (
    <div className="space-y-4">
      <ChainTimeline timeline={timeline} layout={layout} selectedId={placed ? placed.a.id : null} onSelect={select} />
      <p className="sr-only" aria-live="polite">
        {placed ? `Opened ${placed.a.file}` : ''}
      </p>
      <div ref={detailsRef}>
        {notice ? (
          <p role="status" className="rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm break-all text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
            {notice}
          </p>
        ) : null}
        {placed && details ? (
          <ArtifactDetails
            key={placed.a.id}
            artifact={placed.a}
            generation={details.generation}
            chain={details.chain}
            chainComplete={details.complete}
            dependents={details.dependents}
            database={timeline.database}
            folderId={folderId}
            onSelect={select}
            onClose={() => setSelectedId(null)}
            onDeleted={onDeleted}
          />
        ) : !notice ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Hover a bar for its metadata; click it (or press Enter on it) to open it.</p>
        ) : null}
      </div>
    </div>
  );
}
