/**
 * Prometheus metrics of a member, named like Neo4j's (`neo4j.database.<db>.transaction.last_committed_tx_id`
 * becomes `neo4j_database_<db>_transaction_last_committed_tx_id`), read fresh at every scrape.
 *
 * A metric name cannot hold `-` or `.`, so, as Neo4j does, both become `_` in the name: `x-y` and `x.y` then
 * share the names `neo4j_database_x_y_...`. Such names are never ambiguous here: a database whose name holds
 * `-` or `.` carries its real name in a `database` label (`{database="x-y"}`), one series per database in
 * one metric family; plain names (letters and digits) keep their unlabelled series. Every scrape builds a new
 * registry from the member's status, so nothing from an earlier scrape (a dropped database) can clash.
 */
import fs from 'node:fs';
import { Gauge, Registry } from 'prom-client';
import type { Member } from './member';

const PER_DATABASE = {
  transaction_last_committed_tx_id: 'ID of the last committed transaction',
  transaction_committed_total: 'Transactions committed (or applied) since this member started',
  log_lowest_available_tx_id: 'Lowest transaction ID still held in the transaction log',
  cluster_replication_lag: "Last committed transaction ID minus the writer's (0 or negative)",
  store_size_total: 'Size of the store file in bytes',
  log_size_total: 'Size of the transaction log in bytes',
  status_online: '1 when the database is online on this member',
} as const;

type Suffix = keyof typeof PER_DATABASE;

/** The name part a database gets in its metric names (Neo4j's notation: `-` and `.` become `_`). */
export function metricName(db: string): string {
  return db.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** The labels that tell a database's series apart: none for a plain name, `database` otherwise. */
export function databaseLabels(db: string): Record<string, string> {
  return metricName(db) === db ? {} : { database: db };
}

export async function collectMetrics(member: Member): Promise<{ contentType: string; body: string }> {
  const registry = new Registry();
  registry.setDefaultLabels({ member: member.config.id });
  new Gauge({ name: 'neo4j_dbms_cluster_member_info', help: 'This member (1), with its mode', labelNames: ['mode'], registers: [registry] })
    .labels(member.config.mode)
    .set(1);
  const families = new Map<string, Gauge>();
  const set = (db: string, suffix: Suffix, value: number) => {
    const name = `neo4j_database_${metricName(db)}_${suffix}`;
    let g = families.get(name);
    if (!g) {
      g = new Gauge({ name, help: PER_DATABASE[suffix], labelNames: ['database'], registers: [registry] });
      families.set(name, g);
    }
    g.set(databaseLabels(db), value);
  };
  for (const d of member.status().databases) {
    const db = member.databases.get(d.name);
    set(d.name, 'transaction_last_committed_tx_id', d.lastCommittedTxn);
    set(d.name, 'transaction_committed_total', db?.committedTotal ?? 0);
    set(d.name, 'log_lowest_available_tx_id', d.lowestAvailableTxn);
    set(d.name, 'cluster_replication_lag', d.replicationLag);
    let size = 0;
    try {
      if (db) size = fs.statSync(db.storeFile).size;
    } catch {
      size = 0; // the database is being installed
    }
    set(d.name, 'store_size_total', size);
    set(d.name, 'log_size_total', db ? db.logInfo().sizeBytes : 0);
    set(d.name, 'status_online', d.status === 'online' ? 1 : 0);
  }
  return { contentType: registry.contentType, body: await registry.metrics() };
}
