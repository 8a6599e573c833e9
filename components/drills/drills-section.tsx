/**
 * The database page's restore drills: "last verified", "Drill now" (operators), the drill target (the cluster
 * drills restore into: its own unless one is chosen; operators choose), the RTO over time, and the
 * drill history (newest first: when, the point, passed or the failed check and artifact, the RTO, the job).
 * Server component awaiting the page's one data promise.
 */
import Link from 'next/link';
import { RtoChart, type RtoPoint } from '@/components/charts/rto-chart';
import { jobHref } from '@/components/jobs/jobs-query';
import { Badge } from '@/components/ui/badge';
import { UtcTime } from '@/components/ui/utc-time';
import type { DatabasePageData } from '@/lib/dashboard/data';
import { drillTargetChoices } from '@/lib/dashboard/commands/drill';
import { drillTargetOf, drillTargetProblem } from '@/lib/schedules/drill-target';
import { formatDuration, formatNumber } from '@/lib/format';
import { serverContext } from '@/lib/server/context';
import { DrillTargetForm } from './drill-target-form';
import { DrillNowForm } from './drill-now-form';
import { LastVerified } from './last-verified';

export async function DrillsSection({ data }: { data: Promise<DatabasePageData> }) {
  const d = await data;
  const cluster = d.cluster;
  const db = serverContext().db;
  const target = cluster ? drillTargetOf(db, cluster.cluster, d.database).cluster : null;
  const targetProblem = target ? drillTargetProblem(target) : null;
  const drillable = d.overview.onCluster && cluster !== null && targetProblem === null && d.overview.artifactCount > 0;
  const points: RtoPoint[] = [...d.drills]
    .reverse()
    .filter((x) => x.rtoMs !== null)
    .map((x) => ({ ts: x.startedAt, passed: x.passed ? (x.rtoMs as number) / 1000 : null, failed: x.passed ? null : (x.rtoMs as number) / 1000 }));
  // eslint-disable-next-line react-hooks/purity -- a server component renders once per request: the time the page was read
  const now = Date.now();
  return (
    <div className="space-y-4">
      <div className="grid gap-4 lg:grid-cols-2">
        <div className="min-w-0 space-y-2 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
          <h3 className="font-semibold">Last verified</h3>
          <div className="text-sm">
            <LastVerified verification={d.verification} now={now} />
          </div>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            A drill restores the newest chain of {d.database} in {d.folder.name} into a scratch database on its drill target, checks its consistency,
            counts and the content digest the backups recorded, measures the time until it serves reads (the RTO), and drops it. The source database is
            never touched.
          </p>
          {cluster && target && d.overview.onCluster ? <DrillTargetForm clusterId={cluster.cluster.id} database={d.database} targetId={target.id} choices={drillTargetChoices(db)} /> : null}
        </div>
        <div className="min-w-0 space-y-2 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
          <h3 className="font-semibold">Drill now</h3>
          {drillable && cluster ? (
            <DrillNowForm clusterId={cluster.cluster.id} folderId={d.folder.id} database={d.database} />
          ) : (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              {d.overview.artifactCount === 0
                ? `There are no backups of ${d.database} in ${d.folder.name} to drill.`
                : targetProblem !== null
                  ? targetProblem
                  : `${d.database} is not on any registered cluster to drill into.`}
            </p>
          )}
        </div>
      </div>
      <div className="rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
        <RtoChart points={points} />
      </div>
      {d.drills.length === 0 ? (
        <p data-testid="drills-empty" className="rounded-lg border border-dashed border-zinc-300 bg-white p-4 text-sm text-zinc-600 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-400">
          {d.database} has not been drilled yet.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Restore drills of {d.database}</caption>
            <thead className="border-b border-zinc-200 bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900/60 dark:text-zinc-400">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">Started (UTC)</th>
                <th scope="col" className="px-3 py-2 font-medium">Point</th>
                <th scope="col" className="px-3 py-2 font-medium">Outcome</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">RTO</th>
                <th scope="col" className="px-3 py-2 font-medium">Job</th>
              </tr>
            </thead>
            <tbody>
              {d.drills.map((x) => (
                <tr key={x.id} data-testid="drill-row" data-passed={x.passed} className="border-b border-zinc-100 last:border-b-0 dark:border-zinc-800">
                  <td className="px-3 py-2 whitespace-nowrap">
                    <UtcTime value={x.startedAt} />
                  </td>
                  <td className="px-3 py-2 whitespace-nowrap">
                    {x.pointKind === 'latest' ? 'newest' : x.pointKind}
                    {x.pointTx !== null ? <span className="text-zinc-500"> · tx {formatNumber(x.pointTx)}</span> : null}
                  </td>
                  <td className="px-3 py-2">
                    {x.passed ? (
                      <Badge tone="good">passed</Badge>
                    ) : (
                      <span className="flex flex-wrap items-center gap-1.5">
                        <Badge tone="bad">failed: {x.failedCheck ?? 'error'}</Badge>
                        {x.artifact ? <span className="font-mono text-xs">{x.artifact}</span> : null}
                        {x.problem ? <span className="text-xs text-zinc-600 dark:text-zinc-400">{x.problem}</span> : null}
                      </span>
                    )}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums">{x.rtoMs === null ? '—' : formatDuration(x.rtoMs)}</td>
                  <td className="px-3 py-2">
                    {x.jobId !== null ? (
                      <Link href={jobHref(x.jobId)} className="text-teal-700 hover:underline dark:text-teal-400">
                        #{x.jobId}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
