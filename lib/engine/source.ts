/**
 * What the engine needs from a database cluster. The engine knows nothing of HTTP: adapters in lib/sources
 * implement this (the embedded cluster over its member API; later a real Neo4j cluster).
 */
import type { Readable } from 'node:stream';
import type { Artifact } from './artifact';
import type { ArtifactWriter } from './artifact-writer';
import type { EngineLog, ProgressSink } from './progress';

export interface SourceMember {
  id: string;
  address: string;
  mode: 'primary' | 'secondary';
}

export interface MemberDatabase {
  member: SourceMember;
  name: string;
  databaseId: string | null;
  storeId: string | null;
  role: 'writer' | 'follower' | 'secondary';
  status: 'online' | 'offline';
  lastCommittedTxn: number;
  lowestAvailableTxn: number;
  replicationLag: number;
}

export interface Topology {
  members: SourceMember[];
  databases: MemberDatabase[];
  /** addresses that did not answer, with why (and the member's ID when the cluster named it) */
  unreachable: Array<{ address: string; id?: string; error: string }>;
  writer: SourceMember | null;
}

/** "server ADDRESS (ID) could not be reached: WHY", as backup and restore log it. */
export function describeUnreachable(u: Topology['unreachable'][number]): string {
  return `server ${u.address}${u.id ? ` (${u.id})` : ''} could not be reached: ${u.error}`;
}

/**
 * A consistent store at one transaction, as a byte stream: the store file itself, or (encoding 'zstd') a
 * zstd stream of it that the source compressed.
 */
export interface StoreStream {
  stream: Readable;
  encoding: 'none' | 'zstd';
  /** size of the store file (not of the stream when it is compressed) */
  sizeBytes: number;
  txId: number;
  txChecksum: number;
  commitTime: number;
  databaseId: string;
  storeId: string;
  nodes: number;
  relationships: number;
}

/** Transaction records from a given ID up to the source's last committed one at the time of asking. */
export interface TxStream {
  stream: Readable;
  storeId: string;
  databaseId: string;
  lastTxId: number;
}

export interface InstallOptions {
  /** replace an existing database of that name */
  overwrite: boolean;
  /** the new store ID (a restore starts a new history) */
  storeId: string;
  /** the database ID to give the database when it is created */
  databaseId: string;
  /** stop, install (bytesDone/bytesTotal of the store sent), catch-up (membersReady of membersTotal) */
  onProgress?: (p: { phase: string; message: string; bytesDone?: number; bytesTotal?: number; membersReady?: number; membersTotal?: number }) => void;
  log?: (message: string) => void;
}

export interface InstallResult {
  writer: SourceMember;
  members: Array<{ member: SourceMember; lastCommittedTxn: number; storeId: string | null; status: string }>;
  digest: { lastCommittedTxn: number; nodes: number; relationships: number; contentHash: string };
}

export interface Source {
  /** Members, and per member each database's role and position. */
  topology(): Promise<Topology>;
  /** `compress`: ask the source to compress the stream, if it can (its StoreStream says what it sent). */
  fullStore(db: string, member: SourceMember, opts?: { compress?: 'zstd' }): Promise<StoreStream>;
  /** Throws TX_PRUNED when `fromTx` is below what the member's log still holds. */
  transactions(db: string, member: SourceMember, fromTx: number): Promise<TxStream>;
  /** Installs a complete store file as database `db` on every member. */
  installStore(db: string, storeFile: string, opts: InstallOptions): Promise<InstallResult>;
}

/**
 * What a backup driver gets to write one artifact: the member to read from, the backup's time (read before
 * the source is asked: everything committed before it is in the backup), a writer for the artifact (the
 * engine's container: nothing is visible until commit) and how to drop a failed attempt.
 */
export interface WriteContext {
  database: string;
  from: MemberDatabase;
  time: Date;
  /** compress the payload */
  compress: boolean;
  /** an artifact writer in the target folder (full: a full backup) */
  newWriter(full: boolean): ArtifactWriter;
  /** drops a failed attempt (with --keep-failed keeps it, with what was known); never throws */
  abort(w: ArtifactWriter, known?: Record<string, unknown>, opts?: { keepFailed?: boolean }): void;
  log: EngineLog;
  progress?: ProgressSink;
}

/** A differential that could not be taken here, and why (the engine falls back to a full, or fails). */
export type DiffOutcome = { ok: true; artifact: Artifact } | { ok: false; reason: string };

/** How a cluster kind writes its backups into the engine's artifacts. */
export interface BackupDriver {
  /** A full backup of `ctx.database` from `ctx.from`. */
  takeFull(ctx: WriteContext): Promise<Artifact>;
  /** The transactions after `parent` (a differential), or why they cannot be had from this member. */
  takeDiff(ctx: WriteContext, parent: Artifact): Promise<DiffOutcome>;
}
