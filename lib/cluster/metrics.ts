/**
 * Prometheus metrics of a member, named like Neo4j's (`neo4j.database.<db>.transaction.last_committed_tx_id`
 * becomes `neo4j_database_<db>_transaction_last_committed_tx_id`), read fresh at every scrape.
 */
import fs from 'node:fs';
import { Gauge, Registry } from 'prom-client';
import type { Member } from './member';

interface PerDb {
  lastCommitted: Gauge;
  committed: Gauge;
  lowestAvailable: Gauge;
  lag: Gauge;
  storeSize: Gauge;
  logSize: Gauge;
  online: Gauge;
}

const registries = new WeakMap<Member, { registry: Registry; perDb: Map<string, PerDb> }>();

function metricName(db: string): string {
  return db.replace(/[^a-zA-Z0-9_]/g, '_');
}

export async function collectMetrics(member: Member): Promise<{ contentType: string; body: string }> {
  let entry = registries.get(member);
  if (!entry) {
    const registry = new Registry();
    registry.setDefaultLabels({ member: member.config.id });
    new Gauge({ name: 'neo4j_dbms_cluster_member_info', help: 'This member (1), with its mode', labelNames: ['mode'], registers: [registry] })
      .labels(member.config.mode)
      .set(1);
    entry = { registry, perDb: new Map() };
    registries.set(member, entry);
  }
  const { registry, perDb } = entry;
  const status = member.status();
  for (const d of status.databases) {
    let g = perDb.get(d.name);
    if (!g) {
      const p = `neo4j_database_${metricName(d.name)}_`;
      const gauge = (suffix: string, help: string) => new Gauge({ name: p + suffix, help, registers: [registry] });
      g = {
        lastCommitted: gauge('transaction_last_committed_tx_id', 'ID of the last committed transaction'),
        committed: gauge('transaction_committed_total', 'Transactions committed (or applied) since this member started'),
        lowestAvailable: gauge('log_lowest_available_tx_id', 'Lowest transaction ID still held in the transaction log'),
        lag: gauge('cluster_replication_lag', 'Last committed transaction ID minus the writer\'s (0 or negative)'),
        storeSize: gauge('store_size_total', 'Size of the store file in bytes'),
        logSize: gauge('log_size_total', 'Size of the transaction log in bytes'),
        online: gauge('status_online', '1 when the database is online on this member'),
      };
      perDb.set(d.name, g);
    }
    const db = member.databases.get(d.name);
    g.lastCommitted.set(d.lastCommittedTxn);
    g.committed.set(db?.committedTotal ?? 0);
    g.lowestAvailable.set(d.lowestAvailableTxn);
    g.lag.set(d.replicationLag);
    g.online.set(d.status === 'online' ? 1 : 0);
    let size = 0;
    try {
      if (db) size = fs.statSync(db.storeFile).size;
    } catch {
      size = 0; // the database is being installed
    }
    g.storeSize.set(size);
    g.logSize.set(db ? db.logInfo().sizeBytes : 0);
  }
  // Databases that were dropped stop reporting.
  for (const [name, g] of perDb) {
    if (!status.databases.some((d) => d.name === name)) {
      // prom-client's typings leave out a metric's `name`, which every metric has at run time
      for (const gauge of Object.values(g)) registry.removeSingleMetric((gauge as unknown as { name: string }).name);
      perDb.delete(name);
    }
  }
  return { contentType: registry.contentType, body: await registry.metrics() };
}
