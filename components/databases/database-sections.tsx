/**
 * The widgets of a database's page, each a server component awaiting the one page-data promise the page
 * starts, so that each can sit in its own <Suspense> with a skeleton. (The timeline's is timeline-section.tsx.)
 */
import Link from 'next/link';
import { IfCan } from '@/components/auth/permissions';
import { FolderSelect } from '@/components/backups/folder-select';
import { HealthBadge } from '@/components/backups/health-badge';
import { RelativeAge } from '@/components/backups/relative-age';
import { RECENT_JOBS } from '@/components/jobs/jobs-query';
import type { DatabasePageData } from '@/lib/dashboard/data';
import { formatEndsAtRange, formatNumber } from '@/lib/format';
import { likelySource } from '@/lib/dashboard/source-choice';
import { BackupForm, type SourceMember } from './backup-form';
import { ChainActions } from './chain-actions';
import { databaseHref } from './database-card';
import { RestoredFrom } from './restored-from';
import { SeedRestoreForm } from './seed-restore-form';
import { DatabaseJobs } from './database-jobs';
import { WriterTx } from './tx-since';

type Data = Promise<DatabasePageData>;

function query(params: Record<string, string | number | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export async function DatabaseSummary({ data }: { data: Data }) {
  const d = await data;
  const o = d.overview;
  const clusterId = d.cluster?.cluster.id ?? null;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
        <HealthBadge health={o.health} />
        <span data-testid="artifact-total">
          {formatNumber(o.artifactCount)} artifact{o.artifactCount === 1 ? '' : 's'} ({formatNumber(o.fullCount)} full)
        </span>
        {o.restorable ? (
          <span>
            restorable: the database <span className="tabular-nums" data-testid="restorable-range" data-from-tx={o.restorable.fromTx} data-to-tx={o.restorable.toTx}>{formatEndsAtRange(o.restorable.fromTx, o.restorable.toTx)}</span>
          </span>
        ) : null}
        {o.lastRestorableTime !== null ? (
          <span>
            {/* eslint-disable-next-line react-hooks/purity -- a server component renders once per request: the time the page was read */}
            last restorable point <RelativeAge time={o.lastRestorableTime} now={Date.now()} />
          </span>
        ) : null}
        {o.onCluster ? (
          <WriterTx clusterId={clusterId} database={d.database} initialWriter={o.writerMemberId && o.writerLastTx !== null ? { memberId: o.writerMemberId, lastTx: o.writerLastTx, storeId: o.writerStoreId } : null} />
        ) : (
          <span className="text-zinc-500">not on any registered cluster (only in backups)</span>
        )}
      </div>
      {d.restoredFrom ? <RestoredFrom restore={d.restoredFrom} sourceHref={databaseHref(d.restoredFrom.source, d.folder.id, d.folder.isDefault, clusterId)} /> : null}
      <div className="flex flex-wrap items-center justify-between gap-3">
        <FolderSelect folders={d.folders} current={d.folder.id} />
        {d.neo4j ? (
          <p className="text-xs text-zinc-600 dark:text-zinc-400" data-testid="neo4j-restore-note">
            {d.neo4j.name} is a Neo4j cluster: restore below, by seeding a new database (the wizard previews Txline&apos;s own artifacts).
          </p>
        ) : o.restorable ? (
          <IfCan action="restore.start">
            <Link
              href={`/restore${query({ database: d.database, folder: d.folder.id })}`}
              className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 focus-visible:outline-2 focus-visible:outline-teal-600 dark:border-zinc-700 dark:hover:bg-zinc-800"
            >
              Restore {d.database}…
            </Link>
          </IfCan>
        ) : null}
      </div>
      {o.fallbackWarning ? (
        <p role="note" data-testid="fallback-warning" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          {o.fallbackWarning}
        </p>
      ) : null}
    </div>
  );
}

export async function ActionsSection({ data }: { data: Data }) {
  const d = await data;
  const cluster = d.cluster;
  const onCluster = d.overview.onCluster && cluster !== null;
  const members: SourceMember[] = (cluster?.report.members ?? []).map((m) => {
    const db = m.databases.find((x) => x.name === d.database);
    const parts = [m.mode ?? 'unknown mode', db ? db.role : 'no copy', m.reachable ? null : 'unreachable'].filter(Boolean);
    return { id: m.id, address: m.address, description: parts.join(', ') };
  });
  const byId = new Map(d.timeline.generations.flatMap((g) => g.artifacts).map((a) => [a.id, a.file]));
  const latestChain = d.timeline.latestChain.map((id) => byId.get(id) ?? `artifact #${id}`);
  // a long chain (hundreds of differentials) is named by its first and last few: the page stays small
  const chainShown = latestChain.length > 12 ? [...latestChain.slice(0, 4), `… ${formatNumber(latestChain.length - 8)} more differentials …`, ...latestChain.slice(-4)] : latestChain;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <div className="min-w-0 space-y-2 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
        <h3 className="font-semibold">Back up</h3>
        {d.neo4j && !d.neo4j.folderIsLocation ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="neo4j-backup-elsewhere">
            {d.neo4j.name} is backed up by its neo4j-admin into its own location: choose that folder to back up or restore.
          </p>
        ) : onCluster && cluster ? (
          <BackupForm
            clusterId={cluster.cluster.id}
            folderId={d.folder.id}
            database={d.database}
            members={d.neo4j ? [] : members}
            likely={d.neo4j ? null : likelySource(cluster.report, d.database)}
            neo4jCluster={d.neo4j?.name ?? null}
          />
        ) : (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">{d.database} is not on any registered cluster: there is nothing to back up.</p>
        )}
      </div>
      {d.neo4j && cluster ? (
        <div className="min-w-0 space-y-2 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
          <h3 className="font-semibold">Restore as a new database</h3>
          {d.neo4j.folderIsLocation ? (
            <SeedRestoreForm clusterId={cluster.cluster.id} folderId={d.folder.id} database={d.database} cluster={d.neo4j.name} endsAt={d.overview.restorable ? { from: d.overview.restorable.fromTx, to: d.overview.restorable.toTx } : null} />
          ) : null}
          <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="neo4j-chain-note">
            Verify and aggregate are not offered for a Neo4j cluster: its artifacts are Neo4j&apos;s format, checked and folded by neo4j-admin (database check, backup
            aggregate), not by Txline&apos;s engine.
          </p>
        </div>
      ) : (
      <div className="min-w-0 space-y-2 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
        <h3 className="font-semibold">Chains</h3>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Verify reads every artifact of {d.database} in {d.folder.name} (checksums, links, store consistency). Aggregate folds
          the latest chain into one full.
        </p>
        <ChainActions clusterId={cluster?.cluster.id ?? null} folderId={d.folder.id} database={d.database} artifactCount={d.overview.artifactCount} latestChain={chainShown} latestChainLength={latestChain.length} />
      </div>
      )}
    </div>
  );
}

export async function JobsSection({ data }: { data: Data }) {
  const d = await data;
  // eslint-disable-next-line react-hooks/purity -- a server component renders once per request: the time the page was read
  return <DatabaseJobs database={d.database} initialJobs={d.jobs.slice(0, RECENT_JOBS)} renderedAt={Date.now()} />;
}

export function BlockSkeleton({ label, rows = 3, tall = false }: { label: string; rows?: number; tall?: boolean }) {
  return (
    <div aria-busy="true" aria-label={label} className="space-y-3 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      {tall ? <div className="h-48 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" /> : null}
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="h-4 animate-pulse rounded bg-zinc-100 dark:bg-zinc-800" />
      ))}
    </div>
  );
}
