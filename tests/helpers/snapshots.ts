/**
 * A collector snapshot of a cluster whose one member reports `databases` (writer, online, at transaction 10),
 * for tests of what the dashboard derives from the clusters' reports without starting a cluster.
 */
import type { ClusterSnapshot } from '../../lib/monitor/collector';

export function snapshotReporting(id: number, clusterName: string, databases: string[]): ClusterSnapshot {
  return {
    cluster: { id, name: clusterName, kind: 'txline', startedHere: false, addresses: ['127.0.0.1:1'], controlAddress: null },
    report: {
      source: { kind: 'addresses', addresses: ['127.0.0.1:1'] },
      checkedAt: new Date().toISOString(),
      problem: null,
      members: [
        {
          id: 'member-1',
          address: '127.0.0.1:1',
          mode: 'primary',
          reachable: true,
          processState: null,
          error: null,
          latencyMs: 1,
          replication: null,
          databases: databases.map((d) => ({ name: d, databaseId: null, storeId: null, role: 'writer', status: 'online', lastCommittedTxn: 10, lowestAvailableTxn: 1, replicationLag: 0, lastCommitTime: null })),
        },
      ],
    },
  };
}
