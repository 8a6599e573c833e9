'use client';

/**
 * One artifact opened from the timeline: all its metadata, the chain it belongs to (parent links walked back
 * to the full), and what can be done with it: verify it, restore to it, delete it with its dependents.
 */
import Link from 'next/link';
import { useSearchParams } from 'next/navigation';
import { useQuery } from '@tanstack/react-query';
import { useActionState, useState, type ReactNode } from 'react';
import { verifyArtifactAction } from '@/app/databases/[name]/actions';
import { useCan, useRole } from '@/components/auth/permissions';
import { StartedJobFooter } from '@/components/jobs/started-job-footer';
import { Badge } from '@/components/ui/badge';
import { ConfirmButton } from '@/components/ui/confirm-dialog';
import { BUTTON_LOOK, PendingButton } from '@/components/ui/pending-button';
import { UtcTime } from '@/components/ui/utc-time';
import type { TimelineArtifact } from '@/lib/dashboard/timeline';
import { getJson } from '@/components/ui/get-json';
import type { Timeline } from '@/lib/dashboard/timeline';
import { formatBytes, formatNumber } from '@/lib/format';
import { txRangeLabel, typeLabel } from './artifact-labels';

const CHAIN_HEAD = 2;
const CHAIN_TAIL = 6;

type VerifyState = Awaited<ReturnType<typeof verifyArtifactAction>> | null;

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[10rem_1fr] gap-2 py-1">
      <dt className="text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 break-all">{children}</dd>
    </div>
  );
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/**
 * The artifact's SHA-256: the page does not send the window's (64 characters each), so an opened artifact
 * reads its own from the timeline API (a window of one: that artifact). '' on the artifact means not sent.
 */
function useSha256(a: TimelineArtifact, database: string, folderId: number): { sha256: string | null; error: Error | null } {
  const q = useQuery({
    queryKey: ['artifact', 'sha256', folderId, a.id] as const,
    queryFn: async ({ signal }) => {
      const r = await getJson<{ timeline: Timeline }>(`/api/databases/${encodeURIComponent(database)}/timeline?folder=${folderId}&artifact=${a.id}&size=1`, signal);
      const found = r.timeline.generations.flatMap((g) => g.artifacts).find((x) => x.id === a.id);
      if (!found) throw new Error('the artifact is no longer in this folder');
      return found.sha256;
    },
    enabled: a.sha256 === '',
    staleTime: Infinity,
    retry: false,
  });
  return { sha256: a.sha256 !== '' ? a.sha256 : (q.data ?? null), error: q.error };
}

export function ArtifactDetails({
  artifact: a,
  generation,
  chain,
  chainComplete,
  dependents,
  database,
  folderId,
  onSelect,
  onClose,
  deleteAction,
  deleting,
  engineNote = null,
}: {
  /** why Txline's own actions (restore wizard, verify, delete) are not offered here (a Neo4j cluster's backups) */
  engineNote?: string | null;
  artifact: TimelineArtifact;
  generation: number;
  chain: TimelineArtifact[];
  chainComplete: boolean;
  dependents: TimelineArtifact[];
  database: string;
  folderId: number;
  onSelect: (id: number) => void;
  onClose: () => void;
  /** the delete action's dispatcher: the caller holds its state, since a deleted artifact's panel goes away */
  deleteAction: (form: FormData) => void;
  deleting: boolean;
}) {
  // the page's query (folder, window size) with the window moved to the backup asked for
  const search = useSearchParams();
  const rootHref = (id: number) => {
    const q = new URLSearchParams(search.toString());
    q.set('folder', String(folderId));
    q.set('artifact', String(id));
    q.delete('from');
    q.delete('go');
    return `/databases/${encodeURIComponent(database)}?${q}`;
  };
  const [verify, verifyAction, verifying] = useActionState<VerifyState, FormData>(verifyArtifactAction, null);

  const sha = useSha256(a, database, folderId);
  const [wholeChain, setWholeChain] = useState(false);
  // a long chain shows its full, its last links and a button for the middle
  const shownChain: Array<TimelineArtifact | null> =
    wholeChain || chain.length <= CHAIN_HEAD + CHAIN_TAIL + 1 ? chain : [...chain.slice(0, CHAIN_HEAD), null, ...chain.slice(-CHAIN_TAIL)];
  const mayRestore = useCan('restore.start');
  const mayVerify = useCan('artifact.verify');
  const mayDelete = useCan('artifact.delete');
  const role = useRole();
  const restoreHref = `/restore?database=${encodeURIComponent(database)}&folder=${folderId}&artifact=${a.id}`;
  const titleId = `artifact-${a.id}-title`;
  return (
    <section aria-labelledby={titleId} data-testid="artifact-details" data-id={a.id} data-file={a.file} data-from-tx={a.fromTx} data-to-tx={a.toTx} className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <header className="flex flex-wrap items-start gap-2">
        <div className="min-w-0 flex-1">
          <h3 id={titleId} className="font-mono text-sm font-semibold break-all">
            {a.file}
          </h3>
          <div className="mt-1 flex flex-wrap gap-1.5">
            <Badge tone={a.full ? 'info' : 'neutral'}>{typeLabel(a)}</Badge>
            {a.verifyStatus === 'ok' ? <Badge tone="good">verified</Badge> : a.verifyStatus === 'corrupt' ? <Badge tone="bad">corrupt</Badge> : <Badge tone="warn">not verified</Badge>}
            {a.chainProblem ? <Badge tone="bad">chain broken</Badge> : null}
          </div>
        </div>
        <button
          type="button"
          onClick={onClose}
          className="rounded-md border border-zinc-300 px-2 py-1 text-sm hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-600 dark:border-zinc-700 dark:hover:bg-zinc-800"
        >
          Close
        </button>
      </header>

      {a.chainProblem ? (
        <p role="note" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          {a.chainProblem}
        </p>
      ) : null}

      {engineNote ? (
        <p role="note" className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="engine-note">
          {engineNote}
        </p>
      ) : (
      <div className="flex flex-wrap gap-2">
        {!mayRestore ? null : a.chainProblem ? (
          <span title="The chain ending here is broken" className="cursor-not-allowed rounded-md bg-zinc-300 px-3 py-1.5 text-sm font-medium text-zinc-600 dark:bg-zinc-700 dark:text-zinc-300">
            Restore to here
          </span>
        ) : (
          <Link
            href={restoreHref}
            className="rounded-md bg-teal-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-teal-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-600"
          >
            Restore to here
          </Link>
        )}
        {mayVerify ? (
          <form action={verifyAction}>
            <input type="hidden" name="artifactId" value={a.id} />
            <PendingButton pending={verifying} pendingLabel="Starting…" className={BUTTON_LOOK.secondary}>
              Verify
            </PendingButton>
          </form>
        ) : null}
        {mayDelete ? (
          <ConfirmButton
            triggerLabel={dependents.length > 1 ? `Delete with ${dependents.length - 1} dependent${dependents.length > 2 ? 's' : ''}…` : 'Delete…'}
            title={dependents.length > 1 ? `Delete ${dependents.length} backups?` : 'Delete this backup?'}
            confirmLabel={`Delete ${dependents.length} file${dependents.length === 1 ? '' : 's'}`}
            action={deleteAction}
            fields={{ artifactId: a.id }}
            pending={deleting}
            destructive
          >
            <p>
              {dependents.length > 1
                ? `${a.file} and every backup that depends on it are deleted, newest first. Their transactions can no longer be restored from this folder:`
                : `${a.file} is deleted. No other backup depends on it.`}
            </p>
            <ul className="max-h-48 list-disc overflow-auto pl-5 font-mono text-xs" data-testid="delete-list">
              {dependents.map((d) => (
                <li key={d.id}>{d.file}</li>
              ))}
            </ul>
          </ConfirmButton>
        ) : null}
        {!mayRestore || !mayDelete ? (
          <p className="basis-full text-xs text-zinc-500">Your role ({role ?? 'none'}) may {mayVerify ? 'verify but not restore or delete' : 'not verify, restore or delete'}.</p>
        ) : null}
      </div>
      )}
      <StartedJobFooter state={verify} kind="verify" database={database} refreshOnFinish={false} />

      <dl className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
        <Item label="Transactions">
          <span className="font-mono tabular-nums">{txRangeLabel(a)}</span>
          {!a.empty && !a.full ? <span className="text-zinc-500"> ({formatNumber(a.txCount)} in the file)</span> : null}
          {a.full ? <span className="text-zinc-500"> (the whole store at {formatNumber(a.tipTx)})</span> : null}
        </Item>
        <Item label="Lowest / highest tx">
          <span className="font-mono tabular-nums" data-testid="lowest-highest">
            {formatNumber(a.lowestTx)} / {formatNumber(a.highestTx)}
          </span>
        </Item>
        <Item label="Restores to tx">
          <span className="font-mono tabular-nums">{formatNumber(a.tipTx)}</span>
        </Item>
        <Item label="Backup time">
          <UtcTime value={a.time} />
        </Item>
        {a.full || a.empty ? (
          <Item label="Last commit">{a.lastCommitTime !== null ? <UtcTime value={a.lastCommitTime} /> : '—'}</Item>
        ) : (
          <Item label="Commits">
            <UtcTime value={a.firstCommitTime} /> … <UtcTime value={a.lastCommitTime} />
          </Item>
        )}
        <Item label="Parent">{a.parentFile ? <span className="font-mono text-xs">{a.parentFile}</span> : '—'}</Item>
        <Item label="Member">
          {a.memberId ?? '—'}
          {a.memberAddress ? <span className="font-mono text-xs text-zinc-500"> {a.memberAddress}</span> : null}
        </Item>
        <Item label="Size">
          {formatBytes(a.sizeBytes)}
          <span className="text-zinc-500"> ({formatBytes(a.rawBytes)} uncompressed)</span>
        </Item>
        <Item label="Compressed">{yesNo(a.compressed)}</Item>
        <Item label="Recovered">{yesNo(a.recovered)}</Item>
        {a.nodes !== null ? (
          <Item label="Nodes / relationships">
            {formatNumber(a.nodes)} / {a.relationships !== null ? formatNumber(a.relationships) : '—'}
          </Item>
        ) : null}
        <Item label="Verification">
          {a.verifyStatus ?? 'not verified'}
          {a.verifiedAt ? (
            <>
              {' '}
              at <UtcTime value={a.verifiedAt} />
            </>
          ) : null}
          {a.verifyMessage ? <span className="block text-red-700 dark:text-red-400">{a.verifyMessage}</span> : null}
        </Item>
        <Item label="Generation">{generation}</Item>
        <Item label="Store ID">
          <span className="font-mono text-xs">{a.storeId}</span>
        </Item>
        <Item label="Database ID">
          <span className="font-mono text-xs">{a.databaseId}</span>
        </Item>
        <Item label="SHA-256">
          <span className="font-mono text-xs" data-testid="artifact-sha256" aria-busy={sha.sha256 === null && !sha.error}>
            {sha.sha256 ?? (sha.error ? `could not be read: ${sha.error.message}` : 'reading…')}
          </span>
        </Item>
      </dl>

      <div>
        <h4 className="text-sm font-semibold">Its chain</h4>
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          A restore to this artifact replays these, from the full.
          {!chainComplete && !a.chainProblem ? (
            <>
              {' '}
              Older links are in earlier windows of the timeline
              {a.rootId !== null ? (
                <>
                  :{' '}
                  <Link
                    href={rootHref(a.rootId)}
                    scroll={false}
                    data-testid="chain-root-link"
                    className="font-medium text-teal-700 hover:underline focus-visible:outline-2 focus-visible:outline-teal-600 dark:text-teal-400"
                  >
                    open the full it starts from
                  </Link>
                  .
                </>
              ) : (
                '.'
              )}
            </>
          ) : null}
        </p>
        <ol className="mt-2 space-y-1 text-sm" data-testid="artifact-chain">
          {shownChain.map((c) =>
            c === null ? (
              <li key="more">
                <button
                  type="button"
                  onClick={() => setWholeChain(true)}
                  className="text-xs text-teal-700 hover:underline focus-visible:outline-2 focus-visible:outline-teal-600 dark:text-teal-400"
                >
                  … {formatNumber(chain.length - CHAIN_HEAD - CHAIN_TAIL)} more differentials: show them
                </button>
              </li>
            ) : (
              <li key={c.id} className="flex flex-wrap items-center gap-2">
                <button
                  type="button"
                  onClick={() => onSelect(c.id)}
                  aria-current={c.id === a.id ? 'true' : undefined}
                  className={`font-mono text-xs hover:underline focus-visible:outline-2 focus-visible:outline-teal-600 ${c.id === a.id ? 'font-semibold' : 'text-teal-700 dark:text-teal-400'}`}
                >
                  {c.file}
                </button>
                <span className="text-xs text-zinc-500">
                  {typeLabel(c)} · {txRangeLabel(c)}
                </span>
              </li>
            ),
          )}
        </ol>
      </div>
    </section>
  );
}
