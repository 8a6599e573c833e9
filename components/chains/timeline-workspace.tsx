'use client';

/**
 * The database page's timeline and the artifact opened from it, side by side in state: selecting a bar (click,
 * Enter) opens its details below; deleting it closes them and says what was deleted.
 */
import { useActionState, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { deleteArtifactAction } from '@/app/databases/[name]/actions';
import type { Timeline } from '@/lib/dashboard/timeline';
import { ArtifactDetails } from './artifact-details';
import { chainOf, dependentsOf, layoutTimeline } from './chain-layout';
import { ChainTimeline } from './chain-timeline';

export function TimelineWorkspace({ timeline, folderId, initialSelectedId = null }: { timeline: Timeline; folderId: number; initialSelectedId?: number | null }) {
  const layout = useMemo(() => layoutTimeline(timeline), [timeline]);
  // a link to one backup (?artifact=, "Go to") opens it
  const [selectedId, setSelectedId] = useState<number | null>(initialSelectedId);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const detailsRef = useRef<HTMLDivElement>(null);

  const select = useCallback((id: number) => {
    setSelectedId(id);
    setNotice(null);
    requestAnimationFrame(() => detailsRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }));
  }, []);
  // The delete's state lives here: the deleted artifact's panel is gone by the time its result arrives.
  const [del, deleteAction, deleting] = useActionState<Awaited<ReturnType<typeof deleteArtifactAction>> | null, FormData>(deleteArtifactAction, null);
  useEffect(() => {
    if (!del) return;
    if (del.ok) {
      setSelectedId(null);
      setNotice({ ok: true, text: `Deleted ${del.deleted.length} file${del.deleted.length === 1 ? '' : 's'}: ${del.deleted.join(', ')}` });
    } else setNotice({ ok: false, text: `The delete failed: ${del.error}` });
  }, [del]);

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
          <p
            role={notice.ok ? 'status' : 'alert'}
            data-testid="delete-result"
            className={`rounded-md border px-3 py-2 text-sm break-all ${notice.ok ? 'border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200' : 'border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200'}`}
          >
            {notice.text}
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
            deleteAction={deleteAction}
            deleting={deleting}
          />
        ) : !notice ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Hover a bar for its metadata; click it (or press Enter on it) to open it.</p>
        ) : null}
      </div>
    </div>
  );
}
