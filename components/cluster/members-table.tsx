'use client';

/**
 * A cluster's members and, per member, each database's role, status, last committed transaction and
 * replication lag. The overview (overview-clusters.tsx) keeps the report live. Each member is a <tbody>
 * named "Member <id>" (role rowgroup) with a row per database (data-testid "database-<name>"), so tests and
 * assistive technology can find a member's rows.
 */
import { formatLag, formatNumber } from '@/lib/format';
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
      <div className="overflow-x-auto rounded-lg border border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Cluster members and their databases</caption>
          <thead className="border-b border-zinc-200 bg-zinc-50 text-xs uppercase tracking-wide text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900/60 dark:text-zinc-400">
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">Member</th>
              <th scope="col" className="px-4 py-2 font-medium">Mode</th>
              <th scope="col" className="px-4 py-2 font-medium">Database</th>
              <th scope="col" className="px-4 py-2 font-medium">Role</th>
              <th scope="col" className="px-4 py-2 font-medium">Status</th>
              <th scope="col" className="px-4 py-2 text-right font-medium">Last committed tx</th>
              <th scope="col" className="px-4 py-2 text-right font-medium">Lag (tx)</th>
              <th scope="col" className="px-4 py-2 font-medium">Last commit</th>
            </tr>
          </thead>
          {report.members.map((m) => (
            <MemberRows key={`${m.id}@${m.address}`} member={m} />
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

function MemberRows({ member }: { member: MemberReport }) {
  const rows = Math.max(1, member.databases.length);
  const memberCells = (
    <>
      <th scope="rowgroup" rowSpan={rows} className="px-4 py-3 align-top font-normal">
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
      <td rowSpan={rows} className="px-4 py-3 align-top" data-testid="member-mode">
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
      className="border-b border-zinc-200 last:border-b-0 dark:border-zinc-800"
    >
      {member.databases.length === 0 ? (
        <tr>
          {memberCells}
          <td colSpan={6} className="px-4 py-3 text-zinc-600 dark:text-zinc-400" data-testid="member-problem">
            {member.reachable
              ? 'No databases.'
              : `Not answering${member.processState && member.processState !== 'running' ? ` (process ${member.processState})` : ''}: ${member.error ?? 'unknown error'}`}
          </td>
        </tr>
      ) : (
        member.databases.map((db, i) => (
          <tr key={db.name} data-testid={`database-${db.name}`} className="hover:bg-zinc-50 dark:hover:bg-zinc-800/40">
            {i === 0 ? memberCells : null}
            <DatabaseCells db={db} />
          </tr>
        ))
      )}
    </tbody>
  );
}

const ROLE_TONE: Record<NonNullable<DatabaseStatus['role']>, BadgeTone> = { writer: 'info', follower: 'neutral', secondary: 'neutral' };

function DatabaseCells({ db }: { db: DatabaseStatus }) {
  const lagging = db.replicationLag !== null && db.replicationLag < 0;
  const dash = <span className="text-zinc-400 dark:text-zinc-500">—</span>;
  return (
    <>
      <td className="px-4 py-2 font-medium">{db.name}</td>
      <td className="px-4 py-2" data-testid="database-role">
        {db.role ? <Badge tone={ROLE_TONE[db.role]}>{db.role}</Badge> : dash}
      </td>
      <td className="px-4 py-2" data-testid="database-status">
        <Badge tone={db.status === 'online' ? 'good' : 'warn'}>{db.status}</Badge>
      </td>
      <td className="px-4 py-2 text-right font-mono tabular-nums" data-testid="last-committed-txn">
        {db.lastCommittedTxn === null ? dash : formatNumber(db.lastCommittedTxn)}
      </td>
      <td
        className={`px-4 py-2 text-right font-mono tabular-nums ${lagging ? 'text-amber-700 dark:text-amber-400' : ''}`}
        data-testid="replication-lag"
        data-value={db.replicationLag ?? ''}
      >
        {db.replicationLag === null ? dash : formatLag(db.replicationLag)}
      </td>
      <td className="px-4 py-2 whitespace-nowrap text-zinc-600 dark:text-zinc-400">
        <UtcTime value={db.lastCommitTime} />
      </td>
    </>
  );
}
