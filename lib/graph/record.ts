/**
 * The transaction record: the unit of the transaction log, of replication, and of differential artifacts.
 *
 *   u32 payloadLength | u32 checksum | u64 txId | u64 commitTime (ms) | u32 prevChecksum | payload
 *
 * `checksum` is CRC-32 over everything after it (txId .. payload), so it covers the previous record's
 * checksum too: records form a hash chain, and a differential's first record proves which parent it follows.
 * The same bytes travel from a member's log file, over HTTP, into an artifact and back into a store.
 *
 * The payload has two versions, told apart by its first byte; both are read, only version 2 is written:
 * - version 1 (`[`): the JSON array of the resolved operations. A deletion says only which ID went.
 * - version 2 (`{`): `{"v":2,"ops":[...]}`, a newline, then the JSON of the before-images (BeforeImages): the
 *   state before the transaction of every entity it deleted or changed that existed before it, as Neo4j's log
 *   keeps the before state of each record a command changes. A deleted entity's image is whole (labels or
 *   type, endpoints, every property), also for the relationships a node deletion took with it; a changed one
 *   has its labels (or type and endpoints) and the previous values of the keys the transaction changed (null:
 *   the key was absent). JSON escapes every newline inside a text, so the first newline byte ends the
 *   operations: a replay parses only them (decodeOps), the before-images are parsed only when asked for.
 */
import { crc32 } from 'node:zlib';
import { TxlineError } from '../errors';
import type { PropertyValue, ResolvedOp } from './ops';

export const RECORD_HEADER_BYTES = 28;
export const MAX_RECORD_PAYLOAD = 64 * 1024 * 1024;

export interface TxRecordInfo {
  txId: number;
  commitTime: number;
  prevChecksum: number;
  checksum: number;
}

export interface TxRecord extends TxRecordInfo {
  payload: Buffer;
  /** the whole encoded record (header and payload), as stored */
  bytes: Buffer;
}

export function encodeRecord(txId: number, commitTime: number, prevChecksum: number, payload: Buffer): TxRecord {
  const bytes = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  bytes.writeUInt32LE(payload.length, 0);
  bytes.writeBigUInt64LE(BigInt(txId), 8);
  bytes.writeBigUInt64LE(BigInt(commitTime), 16);
  bytes.writeUInt32LE(prevChecksum >>> 0, 24);
  payload.copy(bytes, RECORD_HEADER_BYTES);
  const checksum = crc32(bytes.subarray(8));
  bytes.writeUInt32LE(checksum, 4);
  return { txId, commitTime, prevChecksum: prevChecksum >>> 0, checksum, payload, bytes };
}

/** The payload version this Txline writes (see the header). */
export const PAYLOAD_VERSION = 2;

/** A property's value before the transaction; null: the entity did not have the key. */
export type PropertyBefore = PropertyValue | null;

export interface NodeImage {
  id: number;
  /** deleted by the transaction (the image is whole), or changed (`properties`: only the changed keys) */
  deleted: boolean;
  labels: string[];
  properties: Record<string, PropertyBefore>;
}

export interface RelationshipImage {
  id: number;
  deleted: boolean;
  type: string;
  start: number;
  end: number;
  properties: Record<string, PropertyBefore>;
}

/** The state before a transaction of what it deleted or changed (entities it created itself have none). */
export interface BeforeImages {
  nodes: NodeImage[];
  relationships: RelationshipImage[];
}

/** A record's payload, read: its version, operations, and before-images (null in a version 1 payload). */
export interface TxPayload {
  version: 1 | 2;
  ops: ResolvedOp[];
  before: BeforeImages | null;
}

const OPEN_ARRAY = 0x5b; // '['
const OPEN_OBJECT = 0x7b; // '{'
const NEWLINE = 0x0a;

/** A version 1 payload (the operations alone): what Txline wrote before before-images; kept for tests of old logs. */
export function encodeOps(ops: ResolvedOp[]): Buffer {
  return Buffer.from(JSON.stringify(ops));
}

/** A version 2 payload: the operations, a newline, the before-images. */
export function encodeTx(ops: ResolvedOp[], before: BeforeImages): Buffer {
  return Buffer.from(`{"v":2,"ops":${JSON.stringify(ops)}}\n${JSON.stringify(before)}`);
}

function unreadable(txId: number, why: string, cause?: unknown): TxlineError {
  return new TxlineError('ARTIFACT_CORRUPT', `Transaction ${txId} has an unreadable payload (${why}).`, cause === undefined ? undefined : { cause });
}

/** The operations of a record, of either version (the before-images of version 2 are not parsed). */
export function decodeOps(rec: { payload: Buffer; txId: number }): ResolvedOp[] {
  const p = rec.payload;
  try {
    if (p[0] === OPEN_ARRAY) return JSON.parse(p.toString('utf8')) as ResolvedOp[];
    if (p[0] === OPEN_OBJECT) return readHead(rec).ops;
  } catch (cause) {
    if (cause instanceof TxlineError) throw cause;
    throw unreadable(rec.txId, 'not JSON', cause);
  }
  throw unreadable(rec.txId, `unknown payload version (first byte 0x${(p[0] ?? 0).toString(16)})`);
}

function readHead(rec: { payload: Buffer; txId: number }): { ops: ResolvedOp[]; end: number } {
  const p = rec.payload;
  const end = p.indexOf(NEWLINE);
  const head = JSON.parse(p.toString('utf8', 0, end < 0 ? p.length : end)) as { v?: unknown; ops?: unknown };
  if (head.v !== 2) throw unreadable(rec.txId, `unknown payload version ${JSON.stringify(head.v)}`);
  if (!Array.isArray(head.ops)) throw unreadable(rec.txId, 'no operations');
  if (end < 0) throw unreadable(rec.txId, 'no before-images');
  return { ops: head.ops as ResolvedOp[], end };
}

/** The whole payload of a record: operations and, from version 2 on, before-images. */
export function decodeTx(rec: { payload: Buffer; txId: number }): TxPayload {
  const p = rec.payload;
  if (p[0] === OPEN_ARRAY) return { version: 1, ops: decodeOps(rec), before: null };
  if (p[0] !== OPEN_OBJECT) return { version: 1, ops: decodeOps(rec), before: null }; // throws, naming the byte
  try {
    const { ops, end } = readHead(rec);
    const before = JSON.parse(p.toString('utf8', end + 1)) as BeforeImages;
    if (!before || !Array.isArray(before.nodes) || !Array.isArray(before.relationships)) throw unreadable(rec.txId, 'malformed before-images');
    return { version: 2, ops, before };
  } catch (cause) {
    if (cause instanceof TxlineError) throw cause;
    throw unreadable(rec.txId, 'not JSON', cause);
  }
}

export type DecodeResult =
  | { kind: 'record'; record: TxRecord; next: number }
  | { kind: 'incomplete' }
  | { kind: 'corrupt'; reason: string };

/** Decodes one record at `offset` of `buf`; the record's bytes are a view into `buf`. */
export function decodeRecordAt(buf: Buffer, offset: number): DecodeResult {
  if (buf.length - offset < RECORD_HEADER_BYTES) return { kind: 'incomplete' };
  const len = buf.readUInt32LE(offset);
  if (len > MAX_RECORD_PAYLOAD) return { kind: 'corrupt', reason: `record length ${len} is implausible` };
  const end = offset + RECORD_HEADER_BYTES + len;
  if (end > buf.length) return { kind: 'incomplete' };
  const stored = buf.readUInt32LE(offset + 4);
  const actual = crc32(buf.subarray(offset + 8, end));
  if (stored !== actual) return { kind: 'corrupt', reason: 'checksum mismatch' };
  const txId = Number(buf.readBigUInt64LE(offset + 8));
  const commitTime = Number(buf.readBigUInt64LE(offset + 16));
  const prevChecksum = buf.readUInt32LE(offset + 24);
  return {
    kind: 'record',
    record: {
      txId,
      commitTime,
      prevChecksum,
      checksum: stored,
      payload: buf.subarray(offset + RECORD_HEADER_BYTES, end),
      bytes: buf.subarray(offset, end),
    },
    next: end,
  };
}

/**
 * Splits a byte stream into records. `push` returns the complete records seen so far; `end` throws when the
 * stream stopped inside a record. It also checks that records are contiguous and chained.
 */
export class RecordStreamDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private last: TxRecordInfo | null = null;
  bytesSeen = 0;

  constructor(private readonly what: string) {}

  push(chunk: Buffer): TxRecord[] {
    this.bytesSeen += chunk.length;
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: TxRecord[] = [];
    let off = 0;
    for (;;) {
      const r = decodeRecordAt(buf, off);
      if (r.kind === 'incomplete') break;
      if (r.kind === 'corrupt') {
        throw new TxlineError('ARTIFACT_CORRUPT', `${this.what}: ${r.reason} at byte ${this.bytesSeen - buf.length + off}.`);
      }
      const rec = r.record;
      if (this.last && (rec.txId !== this.last.txId + 1 || rec.prevChecksum !== this.last.checksum)) {
        throw new TxlineError(
          'ARTIFACT_CORRUPT',
          `${this.what}: transaction ${rec.txId} does not follow transaction ${this.last.txId}.`,
        );
      }
      this.last = rec;
      out.push(rec);
      off = r.next;
    }
    // Copy the tail so the records handed out do not pin a large chunk, and the next concat is small.
    this.pending = off === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(off));
    return out;
  }

  end(): void {
    if (this.pending.length > 0) {
      throw new TxlineError('ARTIFACT_CORRUPT', `${this.what}: stream ends inside a transaction record (${this.pending.length} stray bytes).`);
    }
  }

  get lastRecord(): TxRecordInfo | null {
    return this.last;
  }
}
