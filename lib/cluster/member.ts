/**
 * A cluster member: one OS process that hosts every database of the cluster and serves them over HTTP.
 *
 * The member named `writer` in the configuration is the writer (leader) of every database; other primaries
 * are followers and secondaries only replicate. Followers and secondaries learn the writer's databases from
 * its /status, copy a store when they have none (or when the writer's store ID changed, after a restore),
 * and pull transactions from its log (see replicator.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { TxlineError } from '../errors';
import { createLogger, type Logger } from '../log';
import { GraphDatabase } from './database';
import { normalizeDatabaseName } from '../graph/names';
import { parseRetention, parseSize, type RetentionPolicy } from './retention';
import { formatAddress } from '../net/address';
import { type DatabaseStatus, type MemberStatus, type ReplicationSettings } from './client';
import { StagedStores, removeStaleIncoming } from './staging';
import { StoreLeases } from './store-lease';
import { storeLeaseTtlMs } from '../env';

export interface PeerConfig {
  id: string;
  address: string;
  mode: 'primary' | 'secondary';
  /** where the member serves Bolt (`host:port`); absent in configurations written before Bolt */
  boltAddress?: string;
}

export interface MemberConfig {
  id: string;
  host: string;
  port: number;
  /** the Bolt port (bolt/); 0: a free one; absent: no Bolt */
  boltPort?: number;
  mode: 'primary' | 'secondary';
  dataDir: string;
  /** every member of the cluster, this one included */
  peers: PeerConfig[];
  /** ID of the member that is the writer of every database */
  writer: string;
  /** databases the writer creates at first start */
  databases: string[];
  lagMs: number;
  txLogRetention: string;
  txLogRotationSize: string;
}

export class Member {
  readonly databases = new Map<string, GraphDatabase>();
  readonly log: Logger;
  readonly retention: RetentionPolicy;
  readonly rotationSize: number;
  replication: ReplicationSettings;
  /** where this member serves Bolt, once it does */
  boltAddress: string | null = null;
  /** the writer's last committed transaction per database, as last seen (followers) */
  readonly writerLast = new Map<string, number>();
  /** stores a restore is installing here (./staging.ts) */
  readonly staged = new StagedStores();
  /** snapshots a backup process on this host copies itself (./store-lease.ts) */
  readonly storeLeases = new StoreLeases(storeLeaseTtlMs());

  constructor(readonly config: MemberConfig) {
    this.retention = parseRetention(config.txLogRetention);
    this.rotationSize = parseSize(config.txLogRotationSize);
    this.replication = { paused: false, lagMs: config.lagMs };
    this.log = createLogger(config.id);
  }

  get isWriter(): boolean {
    return this.config.id === this.config.writer;
  }

  get address(): string {
    return formatAddress(this.config.host, this.config.port);
  }

  get writerAddress(): string {
    const w = this.config.peers.find((p) => p.id === this.config.writer);
    if (!w) throw new TxlineError('INTERNAL', `writer ${this.config.writer} is not among the peers`);
    return w.address;
  }

  get databasesDir(): string {
    return path.join(this.config.dataDir, 'databases');
  }

  /** Opens every database found on disk; the writer creates the configured ones that are missing. */
  openDatabases(): void {
    fs.mkdirSync(this.databasesDir, { recursive: true });
    // what an install interrupted by a crash was receiving: the database kept its old store
    for (const n of removeStaleIncoming(this.databasesDir)) this.log.info(`removed ${n}, left by an interrupted store install`);
    for (const name of fs.readdirSync(this.databasesDir).sort()) {
      if (!GraphDatabase.exists(this.databasesDir, name)) continue;
      const db = this.newDatabase(name);
      db.open();
      this.databases.set(name, db);
      this.log.info(`opened database ${name} at transaction ${db.lastCommittedTxn}`);
    }
    if (this.isWriter) {
      for (const raw of this.config.databases) {
        const name = normalizeDatabaseName(raw);
        if (!this.databases.has(name)) this.createDatabase(name);
      }
    }
  }

  newDatabase(name: string): GraphDatabase {
    return new GraphDatabase(name, this.databasesDir, {
      rotationSize: this.rotationSize,
      retention: this.retention,
      log: (m) => this.log.info(m),
    });
  }

  createDatabase(name: string): GraphDatabase {
    if (this.databases.has(name)) throw new TxlineError('DATABASE_EXISTS', `database "${name}" already exists`);
    const db = this.newDatabase(name);
    db.open();
    this.databases.set(name, db);
    this.log.info(`created database ${name} (${db.meta.databaseId})`);
    return db;
  }

  get(name: string): GraphDatabase {
    const n = normalizeDatabaseName(name);
    const db = this.databases.get(n);
    if (!db) throw new TxlineError('DATABASE_NOT_FOUND', `database "${n}" does not exist on ${this.config.id}`);
    return db;
  }

  role(): DatabaseStatus['role'] {
    if (this.isWriter) return 'writer';
    return this.config.mode === 'primary' ? 'follower' : 'secondary';
  }

  status(): MemberStatus {
    const databases: DatabaseStatus[] = [];
    for (const [name, db] of [...this.databases].sort(([a], [b]) => a.localeCompare(b))) {
      // Offline, a database still has its identity and last transaction (as it was when it stopped).
      const d = db.describe();
      const last = d?.lastTxId ?? 0;
      const writerLast = this.isWriter ? last : (this.writerLast.get(name) ?? last);
      databases.push({
        name,
        databaseId: d?.databaseId ?? null,
        storeId: d?.storeId ?? null,
        role: this.role(),
        status: db.status,
        lastCommittedTxn: last,
        lowestAvailableTxn: d?.lowestAvailableTxn ?? 0,
        replicationLag: Math.min(0, last - writerLast),
        lastCommitTime: d && d.lastCommitTime > 0 ? d.lastCommitTime : null,
      });
    }
    return {
      member: { id: this.config.id, address: this.address, mode: this.config.mode, ...(this.boltAddress ? { boltAddress: this.boltAddress } : {}) },
      databases,
    };
  }

  close(): void {
    this.staged.clear();
    this.storeLeases.clear();
    for (const db of this.databases.values()) db.close();
  }
}
