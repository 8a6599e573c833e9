/**
 * Which member a backup of a database would be taken from right now, and why, as the engine decides it
 * (orderSources: secondaries, then primary followers, then the writer, least lag first, passing over offline
 * members and members more than the CLI's default --max-lag behind), read from the collector's latest report.
 * A guess for the page and the audit log: the job decides again when it runs. Pure; types only from the kinds.
 */
import { orderSources } from '../engine/backup-policy';
import type { MemberDatabase } from '../engine/source';
import type { ClusterReport } from '../sources/report';

/** `txline database backup --max-lag`'s default, which dashboard backups run with. */
export const DEFAULT_MAX_LAG = 1000;

export interface SourceChoice {
  memberId: string;
  address: string;
  role: MemberDatabase['role'];
  /** transactions behind the writer (0 or more) */
  behind: number;
  /** how far behind in time: the writer's last commit time minus the member's (null when either is unknown) */
  lagMs: number | null;
  /** why this member, in words */
  reason: string;
}

const WHY: Record<MemberDatabase['role'], string> = {
  secondary: 'a secondary: backups are taken from secondaries first, sparing the primaries',
  follower: 'a primary follower: no secondary is online and close enough to the writer',
  writer: 'the writer: no other member is online and close enough',
};

export function likelySource(report: Pick<ClusterReport, 'members'> | undefined, database: string, maxLag = DEFAULT_MAX_LAG): SourceChoice | null {
  if (!report) return null;
  const databases: Array<MemberDatabase & { lastCommitTime: number | null }> = report.members.flatMap((m) =>
    m.reachable && m.mode
      ? m.databases
          // a copy whose role or position is unknown (a Neo4j member may not say) is never a likely source
          .filter((d) => d.name === database && d.role !== null && d.lastCommittedTxn !== null && d.replicationLag !== null && d.lowestAvailableTxn !== null)
          .map((d) => ({ ...d, role: d.role as MemberDatabase['role'], lastCommittedTxn: d.lastCommittedTxn as number, replicationLag: d.replicationLag as number, lowestAvailableTxn: d.lowestAvailableTxn as number, member: { id: m.id, address: m.address, mode: m.mode as 'primary' | 'secondary' } }))
      : [],
  );
  if (databases.length === 0) return null;
  const first = orderSources(database, { databases }, { explicitSources: false, maxLag }).ordered[0];
  if (!first) return null;
  const writer = databases.find((d) => d.role === 'writer');
  const chosen = databases.find((d) => d.member.address === first.member.address);
  const lagMs = first.role === 'writer' ? 0 : writer?.lastCommitTime != null && chosen?.lastCommitTime != null ? Math.max(0, writer.lastCommitTime - chosen.lastCommitTime) : null;
  return {
    memberId: first.member.id,
    address: first.member.address,
    role: first.role,
    behind: Math.max(0, -first.replicationLag),
    lagMs,
    reason: WHY[first.role],
  };
}
