/**
 * Bolt's handshake and chunked message framing, as pure functions over bytes.
 *
 * Handshake: the client sends the magic 0x6060B017 and four 32-bit version proposals, each
 * `[reserved, range, minor, major]` (a range r proposes major.minor down to major.(minor - r)). Proposal
 * 255.1 asks for the manifest handshake (Bolt 5.7+): the server answers 0x000001FF, a varint count, its version
 * ranges and a varint capability mask, and the client then sends the version it picked and its capabilities.
 *
 * Framing: a message is a sequence of chunks (a 16-bit big-endian size and that many bytes) ended by a chunk
 * of size 0. A 0-size chunk with no message before it is a NOOP (keep-alive). The decoder refuses a message
 * larger than its bound as soon as the announced sizes pass it, before buffering it.
 */
import { TxlineError } from '../../errors';

export const BOLT_MAGIC = 0x6060b017;
export const MANIFEST_V1 = { major: 255, minor: 1 } as const;

export interface BoltVersion {
  major: number;
  minor: number;
}

export interface VersionRange {
  major: number;
  /** the highest minor */
  minor: number;
  /** how many minors below it are included too */
  range: number;
}

export function parseProposals(buf: Buffer): VersionRange[] {
  const out: VersionRange[] = [];
  for (let i = 0; i < 4; i++) {
    const b = buf.subarray(4 + 4 * i, 8 + 4 * i);
    if (b.readUInt32BE(0) === 0) continue;
    out.push({ range: b[1], minor: b[2], major: b[3] });
  }
  return out;
}

export function rangeIncludes(r: VersionRange, v: BoltVersion): boolean {
  return r.major === v.major && v.minor <= r.minor && v.minor >= r.minor - r.range;
}

/** The first of `supported` (in preference order) that some proposal includes; null when none does. */
export function chooseVersion(proposals: VersionRange[], supported: BoltVersion[]): BoltVersion | null {
  for (const v of supported) if (proposals.some((p) => rangeIncludes(p, v))) return v;
  return null;
}

export function versionBytes(v: BoltVersion, range = 0): Buffer {
  return Buffer.from([0, range, v.minor, v.major]);
}

export function writeVarInt(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

/** Reads a varint at `pos`: null when more bytes are needed; refuses one longer than 5 bytes. */
export function readVarInt(buf: Buffer, pos: number): { value: number; next: number } | null {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (pos + i >= buf.length) return null;
    const b = buf[pos + i];
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return { value, next: pos + i + 1 };
  }
  throw new TxlineError('BAD_REQUEST', 'Bolt handshake: a varint longer than 5 bytes');
}

/** The manifest v1 answer: 0x000001FF, the server's version ranges, no capabilities. */
export function manifestAnswer(ranges: VersionRange[]): Buffer {
  return Buffer.concat([
    versionBytes(MANIFEST_V1),
    writeVarInt(ranges.length),
    ...ranges.map((r) => versionBytes({ major: r.major, minor: r.minor }, r.range)),
    writeVarInt(0),
  ]);
}

/** Splits a message into chunks of at most 65535 bytes and ends it. */
export function frame(message: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let pos = 0; pos < message.length; pos += 0xffff) {
    const body = message.subarray(pos, Math.min(message.length, pos + 0xffff));
    const head = Buffer.allocUnsafe(2);
    head.writeUInt16BE(body.length);
    parts.push(head, body);
  }
  parts.push(Buffer.from([0, 0]));
  return Buffer.concat(parts);
}

/**
 * Reassembles messages from chunked bytes. `push` returns the messages completed by the bytes given;
 * `inMessage` says whether a message has begun and not ended (for the slow-peer deadline).
 */
export class ChunkDecoder {
  /** bytes received and not yet consumed; flattened only once `need` bytes are there (no quadratic copying) */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private need = 2;
  private parts: Buffer[] = [];
  private size = 0;
  private started = false;

  constructor(private readonly maxMessageBytes: number) {}

  get inMessage(): boolean {
    return this.started || this.pendingBytes > 0;
  }

  push(data: Buffer): Buffer[] {
    this.pending.push(data);
    this.pendingBytes += data.length;
    const out: Buffer[] = [];
    if (this.pendingBytes < this.need) return out;
    const buf = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    let pos = 0;
    this.need = 2;
    while (buf.length - pos >= 2) {
      const n = buf.readUInt16BE(pos);
      if (n === 0) {
        pos += 2;
        if (this.started) out.push(this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts));
        this.parts = [];
        this.size = 0;
        this.started = false;
        continue;
      }
      if (this.size + n > this.maxMessageBytes) {
        throw new TxlineError('BAD_REQUEST', `Bolt: a message larger than ${this.maxMessageBytes} bytes`);
      }
      if (buf.length - pos - 2 < n) {
        this.need = 2 + n;
        break;
      }
      // copied: the socket's buffers are not ours to keep
      this.parts.push(Buffer.from(buf.subarray(pos + 2, pos + 2 + n)));
      this.size += n;
      this.started = true;
      pos += 2 + n;
    }
    const rest = buf.length - pos;
    this.pending = rest > 0 ? [Buffer.from(buf.subarray(pos))] : [];
    this.pendingBytes = rest;
    return out;
  }
}
