'use client';

/**
 * A cluster's members and, per member, each database's role, status, last committed transaction and
 * replication lag. The overview (overview-clusters.tsx) keeps the report live. Each member is a <tbody>
 * named "Member <id>" (role rowgroup) with a row per database (data-testid "database-<name>"), so tests and
 * assistive technology can find a member's rows. Below the md breakpoint the table is a list of stacked rows
 * (CSS only, the same elements): each database of a member as a small grid of labelled values, its lag first.
 */
import { formatNumber } from '@/lib/format';
import { LagText, writerCommitTimes } from './lag-value';
import type { ClusterReport, DatabaseStatus, MemberReport } from '@/lib/monitor/cluster-report';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { UtcTime } from '@/components/ui/utc-time';
import { ClusterEmptyState, ClusterNotRunning } from './cluster-empty-state';

export function MembersTable({ report, error, fetching }: { report: ClusterReport; error: Error | null; fetching: boolean }) {
  if (report.members.length === 0) {
    return <ClusterEmptyState report={report} />;
  }
  const noneReachable = report.members.every((m) => !m.reachable);
  return (
    <div className="space-y-3">
      <LiveLine report={report} error={error} fetching={fetching} />
      {noneReachable && report.source.kind === 'embedded' ? <ClusterNotRunning clusterFile={report.source.clusterFile} /> : null}
      <div className="rounded-lg border border-zinc-200 bg-white md:overflow-x-auto dark:border-zinc-800 dark:bg-zinc-900">
        <table className="block w-full text-left text-sm md:table">
          <caption className="sr-only">Cluster members and their databases</caption>
          <thead className="hidden border-b border-zinc-200 bg-zinc-50 text-xs whitespace-nowrap uppercase md:table-header-group tracking-wide text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900/60 dark:text-zinc-400">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">Member</th>
              <th scope="col" className="px-4 py-2 font-medium">Mode</th>
              <th scope="col" className="px-4 py-2 font-medium">Database</th>
              <th scope="col" className="px-4 py-2 font-medium">Role</th>
              <th scope="col" className="px-4 py-2 font-medium">Status</th>
              <th scope="col" className="px-4 py-2 text-right font-medium">Last committed tx</th>
              <th scope="col" className="px-4 py-2 text-right font-medium">Lag</th>
              <th scope="col" className="px-4 py-2 font-medium">Last commit</th>
            </tr>
          </thead>
          {report.members.map((m) => (
            <MemberRows key={`${m.id}@${m.address}`} member={m} writerTimes={writerCommitTimes(report.members)} />
          ))}
        </table>
      </div>
    </div>
  );
}

function LiveLine({ report, error, fetching }: { report: ClusterReport; error: Error | null; fetching: boolean }) {
  const reachable = report.members.filter((m) => m.reachable).length;
  const source =
    report.source.kind === 'addresses' ? `watching ${report.source.addresses.join(', ')}` : 'embedded cluster';
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-zinc-600 dark:text-zinc-400">
      <span>
        {formatNumber(reachable)} of {formatNumber(report.members.length)} members reachable · {source}
      </span>
      <span role="status" aria-live="polite" className="flex items-center gap-2">
        <span
          aria-hidden="true"
          className={`size-2 rounded-full ${error ? 'bg-red-500' : fetching ? 'bg-teal-400' : 'bg-teal-600'}`}
        />
        {error ? (
          <span className="text-red-700 dark:text-red-400">
            Update failed ({error.message}); showing the state of <UtcTime value={report.checkedAt} />
          </span>
        ) : (
          <span>
            Live · updated <UtcTime value={report.checkedAt} />
          </span>
        )}
      </span>
    </div>
  );
}

function MemberRows({ member, writerTimes }: { member: MemberReport; writerTimes: Map<string, number | null> }) {
  const rows = Math.max(1, member.databases.length);
  const memberCells = (
    <>
      <th scope="rowgroup" rowSpan={rows} className="col-span-2 px-4 py-3 align-top font-normal max-md:order-first max-md:px-0 max-md:py-1 md:table-cell">
        <div className="font-semibold text-zinc-900 dark:text-zinc-50">{member.id}</div>
        <div className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{member.address}</div>
        <div className="mt-1">
          {member.reachable ? (
            <Badge tone="good">reachable{member.latencyMs !== null ? ` · ${formatNumber(member.latencyMs)} ms` : ''}</Badge>
          ) : (
            <Badge tone="bad">unreachable</Badge>
          )}
        </div>
      </th>
      <td rowSpan={rows} className={`${CELL} align-top max-md:order-first md:py-3`} data-testid="member-mode" data-label="Mode">
        {member.mode ?? '—'}
      </td>
    </>
  );
  return (
    <tbody
      aria-label={`Member ${member.id}`}
      data-testid="member"
      data-member={member.id}
      data-reachable={member.reachable}
      className="block border-b border-zinc-200 last:border-b-0 md:table-row-group dark:border-zinc-800"
    >
      {member.databases.length === 0 ? (
        <tr className={ROW}>
          {memberCells}
          <td colSpan={6} className="col-span-2 px-4 py-3 text-zinc-600 max-md:px-0 max-md:py-1 md:table-cell dark:text-zinc-400" data-testid="member-problem">
            {member.reachable
              ? 'No databases.'
              : `Not answering${member.processState && member.processState !== 'running' ? ` (process ${member.processState})` : ''}: ${member.error ?? 'unknown error'}`}
          </td>
        </tr>
      ) : (
        member.databases.map((db, i) => (
          <tr key={db.name} data-testid={`database-${db.name}`} className={`${ROW} hover:bg-zinc-50 dark:hover:bg-zinc-800/40`}>
            {i === 0 ? memberCells : null}
            <DatabaseCells db={db} writerCommitTime={writerTimes.get(db.name)} />
          </tr>
        ))
      )}
    </tbody>
  );
}

const ROLE_TONE: Record<NonNullable<DatabaseStatus['role']>, BadgeTone> = { writer: 'info', follower: 'neutral', secondary: 'neutral' };

/** a row: a table row from md up, below it a two-column grid of labelled values */
const ROW = 'grid grid-cols-2 gap-x-3 gap-y-1 border-t border-zinc-100 px-4 py-2 first:border-t-0 md:table-row md:border-t-0 md:p-0 dark:border-zinc-800';
/** a value's cell; below md it shows its column's name above it (data-label) */
const CELL = 'px-4 py-2 max-md:px-0 max-md:py-0.5 md:table-cell max-md:before:block max-md:before:text-xs max-md:before:font-sans max-md:before:font-normal max-md:before:text-zinc-500 max-md:before:content-[attr(data-label)]';

function DatabaseCells({ db, writerCommitTime }: { db: DatabaseStatus; writerCommitTime: number | null | undefined }) {
  const lagging = db.replicationLag !== null && db.replicationLag < 0;
  const dash = <span className="text-zinc-400 dark:text-zinc-500">—</span>;
  return (
    <>
      <td className={`${CELL} font-medium max-md:order-[-2]`} data-label="Database">
        {db.name}
      </td>
      <td className={CELL} data-testid="database-role" data-label="Role">
        {db.role ? <Badge tone={ROLE_TONE[db.role]}>{db.role}</Badge> : dash}
      </td>
      <td className={CELL} data-testid="database-status" data-label="Status">
        <Badge tone={db.status === 'online' ? 'good' : 'warn'}>{db.status}</Badge>
      </td>
      <td className={`${CELL} font-mono tabular-nums md:text-right`} data-testid="last-committed-txn" data-label="Last committed tx">
        {db.lastCommittedTxn === null ? dash : formatNumber(db.lastCommittedTxn)}
      </td>
      <td
        className={`${CELL} font-medium tabular-nums max-md:order-[-1] md:text-right ${lagging ? 'text-amber-700 dark:text-amber-400' : ''}`}
        data-testid="replication-lag"
        data-value={db.replicationLag ?? ''}
        data-label="Lag"
      >
        {db.replicationLag === null ? dash : <LagText db={{ ...db, replicationLag: db.replicationLag }} writerCommitTime={writerCommitTime} />}
      </td>
      <td className={`${CELL} whitespace-nowrap text-zinc-600 dark:text-zinc-400`} data-label="Last commit">
        <UtcTime value={db.lastCommitTime} />
      </td>
    </>
  );
}
