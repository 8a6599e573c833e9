/**
 * What the audit log says when a restore or a backup starts (issue 17, defect 2): the restore's source, point
 * and target; and the member a backup would be taken from when the cluster chooses (likelySource).
 */
import { describe, expect, it } from 'vitest';
import { restoreAuditNote, type RestorePreview } from '@/lib/dashboard/commands/restore';
import { likelySource } from '@/lib/dashboard/source-choice';
import type { MemberReport } from '@/lib/sources/report';

const preview = (p: Partial<RestorePreview>): RestorePreview => ({
  chain: [
    { id: 1, file: 'neo4j-a.backup', full: true, lowestTx: 1, highestTx: 40, time: 0 },
    { id: 2, file: 'neo4j-b.backup', full: false, lowestTx: 41, highestTx: 90, time: 0 },
  ],
  targetTx: null,
  stopBeforeTx: null,
  stopBeforeTime: null,
  txToReplay: 0,
  target: 'neo4j',
  replacing: true,
  restorable: [],
  skippedCorrupt: [],
  ...p,
});
const folder = { name: 'default', path: '/srv/backups' };

describe('restoreAuditNote', () => {
  it('names a transaction point both ways, the source folder and a new target', () => {
    const n = restoreAuditNote({ jobId: 7, source: 'neo4j', folder, cluster: 'local', point: 'tx', preview: preview({ stopBeforeTx: 61, targetTx: 60, target: 'copy', replacing: false }) });
    expect(n.target).toBe('database=copy from=neo4j');
    expect(n.detail).toBe(
      'job #7: restore neo4j from folder default (/srv/backups) until transaction 61 (exclusive); the database ends at transaction 60; into copy on local (a new database); chain neo4j-a.backup, neo4j-b.backup',
    );
  });

  it('names a time point in UTC, and a replaced target', () => {
    const n = restoreAuditNote({ jobId: 8, source: 'neo4j', folder, cluster: 'local', point: 'time', preview: preview({ stopBeforeTime: Date.UTC(2026, 11, 6, 8, 30, 5) }) });
    expect(n.detail).toContain('until 2026-12-06 08:30:05 UTC (exclusive); into neo4j on local (replacing it)');
  });

  it('names the artifact chosen, and the latest', () => {
    expect(restoreAuditNote({ jobId: 9, source: 'neo4j', folder, cluster: 'local', point: 'artifact', artifactFile: 'neo4j-b.backup', preview: preview({ targetTx: 90 }) }).detail).toContain(
      'to backup neo4j-b.backup; the database ends at transaction 90;',
    );
    expect(restoreAuditNote({ jobId: 9, source: 'neo4j', folder, cluster: 'local', point: 'latest', preview: preview({ targetTx: 90 }) }).detail).toContain('to the latest backup; the database ends at transaction 90;');
  });
});

function member(id: string, mode: 'primary' | 'secondary', role: 'writer' | 'follower' | 'secondary', last: number, writerLast: number, commitTime: number): MemberReport {
  return {
    id,
    address: `127.0.0.1:${id.slice(-1)}000`,
    mode,
    reachable: true,
    processState: null,
    error: null,
    latencyMs: 1,
    replication: null,
    databases: [{ name: 'neo4j', databaseId: 'd', storeId: 's', role, status: 'online', lastCommittedTxn: last, lowestAvailableTxn: 1, replicationLag: last - writerLast, lastCommitTime: commitTime }],
  };
}

describe('likelySource', () => {
  it('prefers a secondary, saying how far behind it is in transactions and time', () => {
    const members = [member('member-1', 'primary', 'writer', 100, 100, 10_000), member('member-2', 'primary', 'follower', 99, 100, 9_000), member('member-3', 'secondary', 'secondary', 93, 100, 3_000)];
    expect(likelySource({ members }, 'neo4j')).toMatchObject({ memberId: 'member-3', role: 'secondary', behind: 7, lagMs: 7_000 });
  });

  it('passes over a secondary too far behind, and knows nothing of a database no member hosts', () => {
    const members = [member('member-1', 'primary', 'writer', 5000, 5000, 10_000), member('member-2', 'primary', 'follower', 4990, 5000, 9_000), member('member-3', 'secondary', 'secondary', 10, 5000, 3_000)];
    expect(likelySource({ members }, 'neo4j')).toMatchObject({ memberId: 'member-2', role: 'follower', behind: 10 });
    expect(likelySource({ members }, 'other')).toBeNull();
    expect(likelySource(undefined, 'neo4j')).toBeNull();
  });
});
