/**
 * A report whose databases say nothing of their position (a Neo4j copy on an offline server: NULL
 * lastCommittedTxn, replicationLag, role; SHOW DATABASES never gives lowestAvailableTxn) flows through the
 * readers of report.ts without a guessed value: the collector records no lag sample for it (the charts show a
 * gap), and the members it does know keep theirs. Golden rows: tests/fixtures/neo4j (PROVENANCE.md).
 */
import { describe, expect, it } from 'vitest';
import { samplesOf } from '../../lib/monitor/collector';
import { parseTopology, toClusterReport } from '../../lib/sources/neo4j/topology';
import type { ClusterReport } from '../../lib/sources/report';
import { fixtureRows } from '../fixtures/neo4j/load';

function offlineServerReport(): ClusterReport {
  const t = parseTopology({
    servers: fixtureRows('show-servers-yield-star-offline-server.json'),
    databases: fixtureRows('show-databases-yield-star-offline-server.json'),
  });
  return toClusterReport(t, { source: { kind: 'addresses', addresses: ['127.0.0.1:7687'] }, checkedAt: new Date(0).toISOString() });
}

describe('report with unknown positions', () => {
  it('is a ClusterReport: unknown role, position and lag stay null', () => {
    const report = offlineServerReport();
    const copies = report.members.flatMap((m) => m.databases);
    expect(copies.length).toBeGreaterThan(0);
    const unknown = copies.filter((d) => d.lastCommittedTxn === null);
    expect(unknown.length).toBeGreaterThan(0);
    for (const d of unknown) expect(d.replicationLag).toBeNull();
    for (const d of copies) expect(d.lowestAvailableTxn).toBeNull();
  });

  it('gives no lag sample for a copy without a position, and a sample for each that has one', () => {
    const report = offlineServerReport();
    // every member as reachable, so that only the nulls decide
    const reachable = { ...report, members: report.members.map((m) => ({ ...m, reachable: true })) };
    const samples = samplesOf(1, reachable, new Map(), 5_000);
    const known = reachable.members.flatMap((m) => m.databases.filter((d) => d.lastCommittedTxn !== null && d.replicationLag !== null).map((d) => `${m.id}/${d.name}`));
    expect(samples.map((s) => `${s.memberId}/${s.database}`).sort()).toEqual(known.sort());
    expect(known.length).toBeLessThan(reachable.members.flatMap((m) => m.databases).length);
    for (const s of samples) {
      expect(Number.isInteger(s.lastCommittedTxn)).toBe(true);
      expect(s.replicationLag).toBeLessThanOrEqual(0);
    }
  });
});
