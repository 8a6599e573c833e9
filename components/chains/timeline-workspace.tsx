'use client';

/**
 * The database page's timeline and the artifact opened from it, side by side in state: selecting a bar (click,
 * Enter) opens its details below; deleting it (a job) closes them and follows the job. Given the cluster, the
 * writer's last committed transaction is followed live and drawn as "now" on the timeline. The timeline
 * comes once, packed (lib/dashboard/timeline-payload.ts): this component unpacks it for all the others.
 */
import { useActionState, useCallback, useMemo, useRef, useState } from 'react';
import { deleteArtifactAction } from '@/app/databases/[name]/actions';
import { StartedJob } from '@/components/jobs/started-job';
import { useWriter, type WriterState } from '@/components/databases/writer-query';
import { unpackTimeline, type TimelinePayload } from '@/lib/dashboard/timeline-payload';

type DeleteState = Awaited<ReturnType<typeof deleteArtifactAction>> | null;
import { ArtifactDetails } from './artifact-details';
import { chainOf, dependentsOf, layoutTimeline } from './chain-layout';
import { ChainTimeline } from './chain-timeline';

export function TimelineWorkspace({
  timeline: packed,
  folderId,
  initialSelectedId = null,
  live = null,
  engineNote = null,
}: {
  /** the window's artifacts, packed by packTimeline */
  timeline: TimelinePayload;
  folderId: number;
  initialSelectedId?: number | null;
  /** the cluster hosting the database and its writer when the page was read: "now" follows it */
  live?: { clusterId: number; initialWriter: WriterState | null } | null;
  /** why Txline's own actions on a backup are not offered (a Neo4j cluster's location) */
  engineNote?: string | null;
}) {
  const timeline = useMemo(() => unpackTimeline(packed), [packed]);
  const layout = useMemo(() => layoutTimeline(timeline), [timeline]);
  const { writer } = useWriter(live?.clusterId ?? null, timeline.database, live?.initialWriter ?? null);
  const now = useMemo(() => (live && writer ? { tx: writer.lastTx, storeId: writer.storeId } : null), [live, writer]);
  // a link to one backup (?artifact=, "Go to") opens it
  const [selectedId, setSelectedId] = useState<number | null>(initialSelectedId);
  const detailsRef = useRef<HTMLDivElement>(null);
  // what the last delete answered (which job, or why it could not start), until another artifact is opened
  const [shownDelete, setShownDelete] = useState<DeleteState>(null);

  const select = useCallback((id: number) => {
    setSelectedId(id);
    setShownDelete(null);
    requestAnimationFrame(() => detailsRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }));
  }, []);
  // The delete runs as a job (txline backup delete): its answer says which job; the started job line follows it
  // and refreshes the page when it ends. Deleting closes the artifact's panel (its bar goes with the refresh).
  const [, dispatchDelete, deleting] = useActionState<DeleteState, FormData>(async (_prev, form) => {
    const r = await deleteArtifactAction(null, form);
    if (r.ok) setSelectedId(null);
    setShownDelete(r);
    return r;
  }, null);
  const placed = selectedId !== null ? layout.byId.get(selectedId) : undefined;
  const details = useMemo(() => {
    if (!placed) return null;
    const band = layout.bands[placed.band];
    const { chain, complete } = chainOf(layout.byId, placed.a.id);
    return { generation: band.generation.index, chain, complete, dependents: dependentsOf(band.generation.artifacts, placed.a.id) };
  }, [placed, layout]);

  return (
    <div className="space-y-4">
      <ChainTimeline timeline={timeline} layout={layout} selectedId={placed ? placed.a.id : null} onSelect={select} now={now} />
      <p className="sr-only" aria-live="polite">
        {placed ? `Opened ${placed.a.file}` : ''}
      </p>
      <div ref={detailsRef}>
        {shownDelete?.ok ? (
          <div data-testid="delete-result" role="status" className="rounded-md border border-zinc-200 px-3 py-2 dark:border-zinc-800">
            <StartedJob jobId={shownDelete.jobId} kind="delete" database={timeline.database} />
          </div>
        ) : shownDelete ? (
          <p role="alert" data-testid="delete-result" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm break-all text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
            The delete could not start: {shownDelete.error}
          </p>
        ) : null}
        {placed && details ? (
          <ArtifactDetails
            engineNote={engineNote}
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
            deleteAction={dispatchDelete}
            deleting={deleting}
          />
        ) : !shownDelete ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">Hover a bar for its metadata; click it (or press Enter on it) to open it.</p>
        ) : null}
      </div>
    </div>
  );
}
