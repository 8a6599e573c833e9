/**
 * What is inside an artifact's payload belongs to the cluster kind that wrote it (the engine's container,
 * metadata and chain rules are generic): how a chain's payloads become a store, and how one payload is checked
 * beyond its checksum. The txline kind's format is a SQLite store for a full and transaction records for a
 * differential (lib/sources/txline/format.ts).
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
}
