/**
 * What is inside an artifact's payload belongs to the cluster kind that wrote it (the engine's container,
 * metadata and chain rules are generic): how a chain's payloads become a store, and how one payload is checked
 * beyond its checksum. The txline kind's format is a SQLite store for a full and transaction records for a
 * differential (lib/sources/txline/format.ts). `backup log` and `backup preview` (txlog-browse.ts) read a chain
 * through the same format: its transactions as generic changes, and the counts of a store it rebuilds.
 */
import type { Artifact } from './artifact';
import type { EngineLog, ProgressSink } from './progress';
import type { RestorePlan } from './restore-plan';

/** The state of a store rebuilt from a chain, as a new full backup's metadata needs it. */
export interface StoreState {
  lastTxId: number;
  lastTxChecksum: number;
  /** ms since the epoch; 0 when unknown */
  lastCommitTime: number;
  nodes: number;
  relationships: number;
}

export interface BuiltStore {
  /** the store file, in the work folder given */
  file: string;
  state: StoreState;
  /** transactions replayed after the full */
  replayed: number;
}

/** One entity a transaction created, changed or deleted, as `backup log` lists and matches it. */
export interface TxTouch {
  entity: 'node' | 'relationship';
  id: number;
  what: 'created' | 'changed' | 'deleted';
  /** a node's labels before or after the transaction (sorted; a deleted node's come from its before-image) */
  labels: string[];
  /** a relationship's type; null for a node, or when the record does not say (a deletion without before-image) */
  type: string | null;
  /** values the transaction gave (created: all; changed: the keys it set, null for a key it removed) */
  after: Record<string, unknown>;
  /** values before the transaction, from its before-image (deleted: all; changed: the keys it changed, null: absent) */
  before: Record<string, unknown>;
}

/** One transaction of a chain, as its kind reads it. */
export interface TxChanges {
  txId: number;
  /** ms since the epoch */
  commitTime: number;
  /**
   * The record carries before-images. Without them (records written before they existed) a deletion says
   * only which ID went: its labels, type and properties, and the relationships a node deletion took, are unknown.
   */
  beforeImages: boolean;
  touches: TxTouch[];
}

/** Node and relationship counts of a store, by label and by type. */
export interface GraphCounts {
  txId: number;
  nodes: number;
  relationships: number;
  labels: Record<string, number>;
  types: Record<string, number>;
}

export interface PayloadFormat {
  /**
   * Rebuilds the store `plan` ends at in `workDir`, reading (and so verifying) every artifact of the chain
   * whole; progress phases are `<phase>:store` and `<phase>:replay`.
   */
  buildStore(plan: RestorePlan<Artifact>, workDir: string, opts: { log: EngineLog; progress?: ProgressSink; phase?: string }): Promise<BuiltStore>;
  /** What is wrong with a full's store, unpacked to `file` (empty: it is sound and matches the metadata). */
  checkFullStore(a: Artifact, file: string): string[];
  /** What is wrong with a non-empty differential's payload (empty: its records are whole and match the metadata). */
  checkDiff(a: Artifact): Promise<string[]>;
  /**
   * Streams a non-empty differential's transactions, oldest first, reading (and so verifying) its payload
   * whole. `want` is asked about every transaction; those it accepts are decoded and given to `visit`, except
   * that a transaction that cannot have touched every name of `names` (labels, types, property keys) may be
   * left out unread: a cheap test on the raw record, the caller still matches what it is given.
   */
  readTransactions(a: Artifact, filter: { want: (txId: number, commitTime: number) => boolean; names: string[] }, visit: (tx: TxChanges) => void): Promise<void>;
  /** Rebuilds the store `plan` ends at in `workDir` (as buildStore) and counts it. */
  countsAt(plan: RestorePlan<Artifact>, workDir: string, opts: { log: EngineLog; progress?: ProgressSink; phase?: string }): Promise<GraphCounts>;
}
