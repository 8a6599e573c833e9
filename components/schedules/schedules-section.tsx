/**
 * The database page's schedules: each schedule whose glob covers the database, with the next run of each of
 * its crons, the last scheduled run and how it ended, and (for operators and admins) forms to edit, remove or
 * add one. Times are UTC; a cron is read in its schedule's zone.
 */
import Link from 'next/link';
import { IfCan } from '@/components/auth/permissions';
import { JobStatusBadge } from '@/components/jobs/job-status-badge';
import { databaseSchedules } from '@/lib/dashboard/schedules';
import { formatUtc } from '@/lib/format';
import { DEFAULT_DRILL_CRON } from '@/lib/schedules/drill-cron';
import { serverContext } from '@/lib/server/context';
import { RemoveScheduleButton, ScheduleForm } from './schedule-form';

function CronCell({ cron, next, label }: { cron: string | null; next: number | null; label: string }) {
  if (!cron) return <span className="text-zinc-500">—</span>;
  return (
    <div>
      <code className="font-mono text-xs">{cron}</code>
      <div className="text-xs text-zinc-600 dark:text-zinc-400" data-testid={`next-${label}`}>
        {next !== null ? `next ${formatUtc(next)}` : 'no next run'}
      </div>
    </div>
  );
}

export async function SchedulesSection({ database }: { database: string }) {
  const d = databaseSchedules(serverContext(), database);
  const defaults = { clusterId: d.clusters[0]?.id ?? 0, databaseGlob: database, fullCron: '0 2 * * *', diffCron: '*/15 * * * *', timeZone: 'UTC', enabled: true, folderId: d.folders[0]?.id ?? 0, drillCron: DEFAULT_DRILL_CRON };
  return (
    <section aria-labelledby="schedules-heading" className="space-y-3" data-testid="schedules">
      <h2 id="schedules-heading" className="text-lg font-semibold">
        Schedules
      </h2>
      <div className="space-y-3 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
        {d.schedules.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">No schedule backs up {database}; it is backed up only when someone starts a backup.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="text-xs text-zinc-600 dark:text-zinc-400">
              <tr>
                <th className="py-1 pr-3 font-medium">Database</th>
                <th className="py-1 pr-3 font-medium">Cluster</th>
                <th className="py-1 pr-3 font-medium">Full</th>
                <th className="py-1 pr-3 font-medium">Differential</th>
                <th className="py-1 pr-3 font-medium">Drills</th>
                <th className="py-1 pr-3 font-medium">Zone</th>
                <th className="py-1 pr-3 font-medium">Folder</th>
                <th className="py-1 pr-3 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {d.schedules.map((s) => (
                <tr key={s.id} data-testid="schedule-row" data-glob={s.databaseGlob} className="align-top">
                  <td className="py-1 pr-3 font-mono">
                    {s.databaseGlob}
                    {s.enabled ? null : <span className="ml-2 rounded bg-zinc-200 px-1.5 py-0.5 font-sans text-xs dark:bg-zinc-700">disabled</span>}
                  </td>
                  <td className="py-1 pr-3">{s.clusterName}</td>
                  <td className="py-1 pr-3">
                    <CronCell cron={s.fullCron} next={s.nextFull} label="full" />
                  </td>
                  <td className="py-1 pr-3">
                    <CronCell cron={s.diffCron} next={s.nextDiff} label="diff" />
                  </td>
                  <td className="py-1 pr-3">
                    <CronCell cron={s.drillCron} next={s.nextDrill} label="drill" />
                  </td>
                  <td className="py-1 pr-3">{s.timeZone}</td>
                  <td className="py-1 pr-3">{s.folderName}</td>
                  <td className="py-1 pr-3 text-right">
                    <RemoveScheduleButton scheduleId={s.id} glob={s.databaseGlob} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p className="text-sm" data-testid="schedule-last-run">
          {d.lastRun ? (
            <>
              Last scheduled run:{' '}
              <Link href={`/jobs/${d.lastRun.jobId}`} className="underline">
                job #{d.lastRun.jobId}
              </Link>{' '}
              ({d.lastRun.type}
              {d.lastRun.createdBy?.includes('catch-up') ? ', a catch-up' : ''}, started {d.lastRun.startedAt !== null ? formatUtc(d.lastRun.startedAt) : '—'}) <JobStatusBadge status={d.lastRun.status} />
              {d.lastRun.status === 'failed' && d.lastRun.error ? <span className="ml-2 text-red-700 dark:text-red-400">{d.lastRun.error}</span> : null}
            </>
          ) : (
            <span className="text-zinc-600 dark:text-zinc-400">No scheduled run yet.</span>
          )}
        </p>
        <IfCan action="schedule.set" fallback={<p className="text-xs text-zinc-500">Editing schedules needs the operator role.</p>}>
          {d.schedules.map((s) => (
            <details key={s.id} className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
              <summary className="cursor-pointer text-sm font-medium">
                Edit the schedule of <span className="font-mono">{s.databaseGlob}</span> on {s.clusterName}
              </summary>
              <div className="pt-3">
                <ScheduleForm initial={s} clusters={d.clusters} folders={d.folders} editing />
              </div>
            </details>
          ))}
          <details className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
            <summary className="cursor-pointer text-sm font-medium">Add a schedule</summary>
            <div className="pt-3">
              <ScheduleForm initial={defaults} clusters={d.clusters} folders={d.folders} editing={false} />
            </div>
          </details>
        </IfCan>
      </div>
    </section>
  );
}
