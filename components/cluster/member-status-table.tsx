'use client';

/**
 * The cluster page's member table for one database: per member its mode, role, status, last committed
 * transaction, lag (Neo4j's replicationLag: member minus writer, 0 or negative), whether its replication is
 * paused, and its controls. One row per member (data-testid "member-row", data-member = its ID). Below the md
 * breakpoint each row is a small grid of labelled values (CSS only, the same elements), its lag first.
 */
import { useCan } from '@/components/auth/permissions';
import { Badge, type BadgeTone } from '@/components/ui/badge';
import { formatNumber } from '@/lib/format';
import { LagText, writerCommitTimes } from './lag-value';
import type { DatabaseStatus, MemberReport } from '@/lib/monitor/cluster-report';
import type { ClusterEntry } from './clusters-query';
import { MemberControls } from './member-controls';

const ROLE_TONE: Record<NonNullable<DatabaseStatus['role']>, BadgeTone> = { writer: 'info', follower: 'neutral', secondary: 'neutral' };

/** a value's cell; below md it shows its column's name above it (data-label) */
const CELL = 'px-4 py-3 max-md:p-0 md:table-cell max-md:before:block max-md:before:text-xs max-md:before:font-sans max-md:before:font-normal max-md:before:text-zinc-500 max-md:before:content-[attr(data-label)]';

export function MemberStatusTable({ cluster, database, colorOf }: { cluster: ClusterEntry; database: string; colorOf: (memberId: string) => string }) {
  // The controls the cluster's kind offers (stopping members: a cluster this server started), and only for
  // roles that may use them (the action refuses the others anyway).
  const canStop = cluster.capabilities.includes('stopMember');
  const canPause = cluster.capabilities.includes('pauseReplication');
  const canControl = useCan('cluster.control');
  const controllable = canControl && (canStop || (canPause && cluster.report.members.some((m) => m.replication !== null)));
  return (
    <div className="rounded-lg border border-zinc-200 bg-white md:overflow-x-auto dark:border-zinc-800 dark:bg-zinc-900">
      <table className="block w-full text-left text-sm md:table" data-testid="member-status-table">
        <caption className="sr-only">
          Members of {cluster.name} and their state for database {database}
        </caption>
        <thead className="hidden border-b border-zinc-200 bg-zinc-50 text-xs whitespace-nowrap uppercase md:table-header-group tracking-wide text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900/60 dark:text-zinc-400">
          <tr>
            <th scope="col" className="px-4 py-2 font-medium">Member</th>
            <th scope="col" className="px-4 py-2 font-medium">Mode</th>
            <th scope="col" className="px-4 py-2 font-medium">Role</th>
            <th scope="col" className="px-4 py-2 font-medium">Status</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">Last committed tx</th>
            <th scope="col" className="px-4 py-2 text-right font-medium">
              <abbr title="Transactions behind the writer (and how far in time, when known); hover a value for Neo4j's replicationLag" className="no-underline">
                Lag
              </abbr>
            </th>
            <th scope="col" className="px-4 py-2 font-medium">Replication</th>
            {controllable ? <th scope="col" className="px-4 py-2 font-medium">Controls</th> : null}
          </tr>
        </thead>
        <tbody className="block divide-y divide-zinc-200 md:table-row-group dark:divide-zinc-800">
          {cluster.report.members.map((m) => (
            <MemberRow
              key={`${m.id}@${m.address}`}
              member={m}
              database={database}
              color={colorOf(m.id)}
              clusterId={cluster.id}
              canStop={canStop}
              canPause={canPause}
              controllable={controllable}
              writerCommitTime={writerCommitTimes(cluster.report.members).get(database)}
            />
          ))}
        </tbody>
      </table>
      {cluster.controlsNote ? (
        <p className="border-t border-zinc-200 px-4 py-2 text-xs text-zinc-500 dark:border-zinc-800 dark:text-zinc-400" data-testid="controls-note">
          No member controls here: {cluster.controlsNote}
        </p>
      ) : null}
    </div>
  );
}

function MemberRow({
  member,
  database,
  color,
  clusterId,
  canStop,
  canPause,
  controllable,
  writerCommitTime,
}: {
  writerCommitTime: number | null | undefined;
  member: MemberReport;
  database: string;
  color: string;
  clusterId: number;
  canStop: boolean;
  canPause: boolean;
  controllable: boolean;
}) {
  const db = member.databases.find((d) => d.name === database);
  const lagging = db !== undefined && db.replicationLag !== null && db.replicationLag < 0;
  const writerOf = member.databases.filter((d) => d.role === 'writer').map((d) => d.name);
  const dash = <span className="text-zinc-400 dark:text-zinc-500">—</span>;
  return (
    <tr data-testid="member-row" data-member={member.id} data-reachable={member.reachable} className="grid grid-cols-2 gap-x-3 gap-y-1 px-4 py-3 align-top hover:bg-zinc-50 md:table-row md:p-0 dark:hover:bg-zinc-800/40">
      <th scope="row" className="col-span-2 px-4 py-3 font-normal max-md:order-first max-md:p-0 md:table-cell">
        <div className="flex items-center gap-2 font-semibold text-zinc-900 dark:text-zinc-50">
          <span aria-hidden="true" className="inline-block h-0.5 w-4 rounded" style={{ background: color }} />
          {member.id}
        </div>
        <div className="font-mono text-xs text-zinc-500 dark:text-zinc-400">{member.address}</div>
        <div className="mt-1 whitespace-nowrap">
          {member.reachable ? (
            <Badge tone="good">reachable{member.latencyMs !== null ? ` · ${formatNumber(member.latencyMs)} ms` : ''}</Badge>
          ) : (
            <Badge tone="bad">{member.processState && member.processState !== 'running' ? member.processState : 'unreachable'}</Badge>
          )}
        </div>
      </th>
      <td className={CELL} data-testid="member-mode" data-label="Mode">
        {member.mode ?? dash}
      </td>
      <td className={CELL} data-testid="member-role" data-label="Role">
        {db?.role ? <Badge tone={ROLE_TONE[db.role]}>{db.role}</Badge> : dash}
      </td>
      <td className={CELL} data-testid="member-status" data-label="Status">
        {db ? <Badge tone={db.status === 'online' ? 'good' : 'warn'}>{db.status}</Badge> : member.reachable ? <span className="text-zinc-500">not hosted</span> : dash}
      </td>
      <td className={`${CELL} font-mono tabular-nums md:text-right`} data-testid="member-last-committed" data-label="Last committed tx">
        {db && db.lastCommittedTxn !== null ? formatNumber(db.lastCommittedTxn) : dash}
      </td>
      <td
        className={`${CELL} font-medium tabular-nums max-md:order-[-1] md:text-right ${lagging ? 'text-amber-700 dark:text-amber-400' : ''}`}
        data-label="Lag"
        data-testid="member-lag"
        data-value={db?.replicationLag ?? ''}
      >
        {db && db.replicationLag !== null ? <LagText db={{ ...db, replicationLag: db.replicationLag }} writerCommitTime={writerCommitTime} /> : dash}
      </td>
      <td className={CELL} data-testid="member-replication" data-label="Replication" data-paused={member.replication?.paused ?? ''}>
        {member.replication === null ? (
          dash
        ) : member.replication.paused ? (
          <Badge tone="warn">paused</Badge>
        ) : (
          <Badge tone="good">running</Badge>
        )}
        {member.replication && member.replication.lagMs > 0 ? (
          <div className="mt-1 text-xs text-zinc-500 dark:text-zinc-400">applies {formatNumber(member.replication.lagMs)} ms late</div>
        ) : null}
      </td>
      {controllable ? (
        <td className="col-span-2 px-4 py-3 max-md:p-0 md:table-cell">
          <MemberControls clusterId={clusterId} member={member} canStop={canStop} canPause={canPause} writerOf={writerOf} />
        </td>
      ) : null}
    </tr>
  );
}
