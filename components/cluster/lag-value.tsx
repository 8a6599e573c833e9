/**
 * A member's replication lag for one database, as every table says it: "7 behind" (and how far behind in
 * time when both commit times are known: the writer's last commit minus the member's), with Neo4j's raw
 * replicationLag (member minus writer) in the tooltip. The cell keeps the raw value in data-value.
 */
import type { DatabaseStatus, MemberReport } from '@/lib/monitor/cluster-report';
import { formatBehind, formatLag } from '@/lib/format';

/** Per database, the writer's last commit time (ms), from a cluster report. */
export function writerCommitTimes(members: MemberReport[]): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const m of members) for (const d of m.databases) if (d.role === 'writer') out.set(d.name, d.lastCommitTime);
  return out;
}

/** How far behind in time, when the writer's and the member's last commit times are known. */
/** A database status whose lag is known (Neo4j cannot always say: callers show "—" then). */
type KnownLag = { replicationLag: number; lastCommitTime: DatabaseStatus['lastCommitTime'] };

export function lagMsOf(db: KnownLag, writerCommitTime: number | null | undefined): number | null {
  if (db.replicationLag >= 0) return 0;
  if (writerCommitTime == null || db.lastCommitTime == null) return null;
  return Math.max(0, writerCommitTime - db.lastCommitTime);
}

export function LagText({ db, writerCommitTime }: { db: KnownLag; writerCommitTime: number | null | undefined }) {
  return (
    <span title={`replicationLag ${formatLag(db.replicationLag)} (as Neo4j's SHOW DATABASES reports it: member minus writer)`} className="whitespace-nowrap">
      {formatBehind(db.replicationLag, lagMsOf(db, writerCommitTime))}
    </span>
  );
}
