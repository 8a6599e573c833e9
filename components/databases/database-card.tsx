/**
 * One database on the overview: its last full and differential with their age, how old the latest restorable
 * point is and how many transactions have been committed since, the restorable range, the chain's health, a
 * warning when the next differential would fall back to a full, where a restored database came from, and
 * "Back up now".
 */
import Link from 'next/link';
import type { ReactNode } from 'react';
import { BackupNowForm } from '@/components/backups/backup-now-form';
import { HealthBadge } from '@/components/backups/health-badge';
import { RelativeAge } from '@/components/backups/relative-age';
import { Badge } from '@/components/ui/badge';
import type { OverviewData } from '@/lib/dashboard/data';
import { formatEndsAtRange, formatNumber, formatUntilRange } from '@/lib/format';
import { RestoredFrom } from './restored-from';
import { TxSince } from './tx-since';
import { LastVerified } from '@/components/drills/last-verified';

type Db = OverviewData['databases'][number];

/** A database's page, in a folder (the default one unless said), on a cluster (when several have that name). */
export function databaseHref(database: string, folderId: number, isDefaultFolder: boolean, clusterId: number | null = null): string {
  const q = new URLSearchParams();
  if (!isDefaultFolder) q.set('folder', String(folderId));
  if (clusterId !== null) q.set('cluster', String(clusterId));
  const s = q.toString();
  return `/databases/${encodeURIComponent(database)}${s ? `?${s}` : ''}`;
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-0.5 py-1">
      <dt className="text-zinc-600 dark:text-zinc-400">{label}</dt>
      <dd className="text-right">{children}</dd>
    </div>
  );
}

export function DatabaseCard({
  db,
  folder,
  now,
  runningJob,
  clusterName = null,
  alerts = null,
}: {
  db: Db;
  folder: { id: number; name: string; isDefault: boolean };
  now: number;
  runningJob: { id: number; kind: string } | null;
  /** the cluster's name, when the overview shows several */
  clusterName?: string | null;
  /** the database's open alerts (lib/alerts), when it has any: the card is marked in trouble */
  alerts?: { firing: number; acknowledged: number; messages: string[] } | null;
}) {
  const titleId = `db-${db.clusterId ?? 'backups'}-${db.database}-title`;
  const canBackUp = db.clusterId !== null && db.onCluster;
  return (
    <section
      aria-labelledby={titleId}
      data-testid="database-card"
      data-database={db.database}
      data-cluster-id={db.clusterId ?? undefined}
      data-in-trouble={alerts ? 'true' : undefined}
      className={`flex flex-col gap-3 rounded-lg border bg-white p-4 dark:bg-zinc-900 ${alerts && alerts.firing > 0 ? 'border-red-400 dark:border-red-800' : 'border-zinc-200 dark:border-zinc-800'}`}
    >
      <header className="flex flex-wrap items-center gap-2">
        <h3 id={titleId} className="text-base font-semibold">
          <span className="sr-only">Database </span>
          <Link href={databaseHref(db.database, folder.id, folder.isDefault, clusterName ? db.clusterId : null)} className="text-teal-800 hover:underline focus-visible:underline dark:text-teal-300">
            {db.database}
          </Link>
          {clusterName ? <span className="font-normal text-zinc-500 dark:text-zinc-400"> on {clusterName}</span> : null}
        </h3>
        <HealthBadge health={db.health} />
        {!db.onCluster ? <Badge tone="neutral">only in backups</Badge> : null}
        {alerts ? (
          <Link href="/alerts" data-testid="database-alerts" title={alerts.messages.join('\n')} className="rounded-full focus-visible:outline-2 focus-visible:outline-teal-600">
            <Badge tone={alerts.firing > 0 ? 'bad' : 'warn'}>
              {alerts.firing > 0 ? `${alerts.firing} alert${alerts.firing === 1 ? '' : 's'} firing` : `${alerts.acknowledged} acknowledged`}
            </Badge>
          </Link>
        ) : null}
        <span className="ml-auto text-xs text-zinc-500 dark:text-zinc-400">
          {formatNumber(db.artifactCount)} artifact{db.artifactCount === 1 ? '' : 's'}
        </span>
      </header>

      {db.restoredFrom ? (
        <RestoredFrom restore={db.restoredFrom} sourceHref={databaseHref(db.restoredFrom.source, folder.id, folder.isDefault, clusterName ? db.clusterId : null)} className="-mt-1" />
      ) : null}

      {db.artifactCount === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="no-backups">
          No backups of {db.database} yet in the backup folder &ldquo;{folder.name}&rdquo;.{' '}
          {canBackUp ? <>&ldquo;Back up now&rdquo; starts the first full backup; later ones can be differentials.</> : 'It is not on any registered cluster, so there is nothing to back up.'}
        </p>
      ) : (
        <dl className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
          <Row label="Last full">
            {db.lastFull ? (
              <span data-testid="last-full" data-file={db.lastFull.file}>
                <RelativeAge time={db.lastFull.time} now={now} /> <span className="text-zinc-500">· tx {formatNumber(db.lastFull.tipTx)}</span>
              </span>
            ) : (
              <span className="text-zinc-500">none</span>
            )}
          </Row>
          <Row label="Last differential">
            {db.lastDiff ? (
              <span data-testid="last-diff" data-file={db.lastDiff.file}>
                <RelativeAge time={db.lastDiff.time} now={now} /> <span className="text-zinc-500">· tx {formatNumber(db.lastDiff.tipTx)}</span>
              </span>
            ) : (
              <span className="text-zinc-500">none yet</span>
            )}
          </Row>
          <Row label="Last restorable point">
            {db.lastRestorableTime !== null && db.restorable ? (
              <span className="flex flex-wrap justify-end gap-x-2">
                <RelativeAge time={db.lastRestorableTime} now={now} />
                {db.onCluster ? (
                  <>
                    <span aria-hidden="true" className="text-zinc-400">·</span>
                    <TxSince
                      clusterId={db.clusterId}
                      database={db.database}
                      initialWriter={db.writerMemberId && db.writerLastTx !== null ? { memberId: db.writerMemberId, lastTx: db.writerLastTx, storeId: db.writerStoreId } : null}
                      restorableToTx={db.restorable.toTx}
                      storeId={db.latestStoreId}
                    />
                  </>
                ) : null}
              </span>
            ) : (
              <span className="text-red-700 dark:text-red-400">none: no intact chain</span>
            )}
          </Row>
          <Row label="Last verified">
            <LastVerified verification={db.verification} now={now} />
          </Row>
          <Row label="Restorable">
            {db.restorable ? (
              <span
                className="tabular-nums"
                data-testid="restorable-range"
                data-from-tx={db.restorable.fromTx}
                data-to-tx={db.restorable.toTx}
                title={`A restore can leave the database at any transaction from ${formatNumber(db.restorable.fromTx)} to ${formatNumber(db.restorable.toTx)} (${formatUntilRange(db.restorable.fromTx, db.restorable.toTx)})`}
              >
                {formatEndsAtRange(db.restorable.fromTx, db.restorable.toTx)}
              </span>
            ) : (
              <span className="text-zinc-500">—</span>
            )}
          </Row>
        </dl>
      )}

      {db.fallbackWarning ? (
        <p role="note" data-testid="fallback-warning" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-200">
          {db.fallbackWarning}
        </p>
      ) : null}

      {canBackUp && db.clusterId !== null ? (
        <div className="mt-auto border-t border-zinc-100 pt-3 dark:border-zinc-800">
          <BackupNowForm clusterId={db.clusterId} folderId={folder.id} database={db.database} runningJob={runningJob} />
        </div>
      ) : null}
    </section>
  );
}
