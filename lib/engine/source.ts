/**
 * What the engine needs from a database cluster. The engine knows nothing of HTTP: adapters in lib/sources
 * implement this (the embedded cluster over its member API; later a real Neo4j cluster).
 */
import type { Readable } from 'node:stream';

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
