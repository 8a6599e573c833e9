/**
 * The transaction record: the unit of the transaction log, of replication, and of differential artifacts.
 *
 *   u32 payloadLength | u32 checksum | u64 txId | u64 commitTime (ms) | u32 prevChecksum | payload (JSON ops)
 *
 * `checksum` is CRC-32 over everything after it (txId .. payload), so it covers the previous record's
 * checksum too: records form a hash chain, and a differential's first record proves which parent it follows.
 * The same bytes travel from a member's log file, over HTTP, into an artifact and back into a store.
 */
import { crc32 } from 'node:zlib';
import { TxlineError } from '../errors';
import type { ResolvedOp } from './ops';

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

export function encodeOps(ops: ResolvedOp[]): Buffer {
  return Buffer.from(JSON.stringify(ops));
}

export function decodeOps(rec: { payload: Buffer; txId: number }): ResolvedOp[] {
  try {
    return JSON.parse(rec.payload.toString('utf8')) as ResolvedOp[];
  } catch (cause) {
    throw new TxlineError('ARTIFACT_CORRUPT', `Transaction ${rec.txId} has an unreadable payload.`, { cause });
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
