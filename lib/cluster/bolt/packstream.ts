/**
 * PackStream v1, the value encoding of Bolt: null, booleans, 64-bit integers, 64-bit floats, bytes, strings,
 * lists, maps (string keys) and structures (a one-byte signature and up to 15 fields).
 *
 * Invariants of the decoder (it reads what a peer sent, so it trusts nothing):
 * - it never allocates more than the input holds: every length or count is checked against the bytes left
 *   before anything is allocated (a peer announcing a 4 GiB string in a 1 KiB message gets BAD_REQUEST);
 * - nesting deeper than `maxDepth` is refused (no stack overflow);
 * - a value must end exactly where the input ends (decodeAll) or fill the given fields (decodeStructure);
 * - maps decode into null-prototype objects (a key "__proto__" is an ordinary key).
 * Integers decode as numbers when they are safe integers, else as bigint; floats decode as numbers.
 *
 * The encoder writes a JS integer (a safe integer, not -0) as an Int, any other number as a Float, a bigint
 * as an Int (it must fit 64 bits), `PackFloat` as a Float whatever its value.
 */
import { TxlineError } from '../../errors';

export class Structure {
  constructor(
    readonly signature: number,
    readonly fields: PackValue[],
  ) {}
}

/** A number to encode as a Float even when it is an integer (2.0). */
export class PackFloat {
  constructor(readonly value: number) {}
}

export type PackValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PackFloat
  | Structure
  | PackValue[]
  | { [key: string]: PackValue };

export const MAX_DEPTH = 32;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function bad(message: string): TxlineError {
  return new TxlineError('BAD_REQUEST', `PackStream: ${message}`);
}

// ---------------------------------------------------------------------------------------------------- encoding

class Writer {
  private buf = Buffer.allocUnsafe(256);
  length = 0;

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.length);
    this.length += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.length);
    this.length += 4;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }

  /** marker for a string, list or map header: tiny (base | size) below 16, else the 8/16/32-bit forms */
  header(size: number, tiny: number | null, m8: number | null, m16: number, m32: number): void {
    if (tiny !== null && size < 16) this.u8(tiny | size);
    else if (m8 !== null && size < 0x100) {
      this.u8(m8);
      this.u8(size);
    } else if (size < 0x10000) {
      this.u8(m16);
      this.u16(size);
    } else if (size <= 0xffffffff) {
      this.u8(m32);
      this.u32(size);
    } else throw bad(`a size of ${size} does not fit PackStream`);
  }
}

function writeInt(w: Writer, v: bigint): void {
  if (v < INT64_MIN || v > INT64_MAX) throw bad(`integer ${v} does not fit 64 bits`);
  const n = Number(v);
  if (v >= -16n && v <= 127n) w.u8(n & 0xff);
  else if (v >= -128n && v <= 127n) {
    w.u8(0xc8);
    w.u8(n & 0xff);
  } else if (v >= -32768n && v <= 32767n) {
    w.u8(0xc9);
    w.u16(n & 0xffff);
  } else if (v >= -2147483648n && v <= 2147483647n) {
    w.u8(0xca);
    w.u32(n >>> 0);
  } else {
    w.u8(0xcb);
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64BE(v);
    w.bytes(b);
  }
}

function writeFloat(w: Writer, v: number): void {
  w.u8(0xc1);
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleBE(v);
  w.bytes(b);
}

function writeValue(w: Writer, v: PackValue, depth: number): void {
  if (depth > MAX_DEPTH) throw bad(`values nested deeper than ${MAX_DEPTH} levels (a cycle?)`);
  if (v === null || v === undefined) return w.u8(0xc0);
  if (v === true) return w.u8(0xc3);
  if (v === false) return w.u8(0xc2);
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) return writeInt(w, BigInt(v));
    return writeFloat(w, v);
  }
  if (typeof v === 'bigint') return writeInt(w, v);
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    w.header(b.length, 0x80, 0xd0, 0xd1, 0xd2);
    return w.bytes(b);
  }
  if (v instanceof PackFloat) return writeFloat(w, v.value);
  if (v instanceof Uint8Array) {
    w.header(v.length, null, 0xcc, 0xcd, 0xce);
    return w.bytes(v);
  }
  if (v instanceof Structure) {
    if (v.fields.length > 15) throw bad(`a structure has at most 15 fields, got ${v.fields.length}`);
    if (!Number.isInteger(v.signature) || v.signature < 0 || v.signature > 0xff) throw bad(`invalid structure signature ${v.signature}`);
    w.u8(0xb0 | v.fields.length);
    w.u8(v.signature);
    for (const f of v.fields) writeValue(w, f, depth + 1);
    return;
  }
  if (Array.isArray(v)) {
    w.header(v.length, 0x90, 0xd4, 0xd5, 0xd6);
    for (const x of v) writeValue(w, x, depth + 1);
    return;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    w.header(entries.length, 0xa0, 0xd8, 0xd9, 0xda);
    for (const [k, x] of entries) {
      writeValue(w, k, depth + 1);
      writeValue(w, x, depth + 1);
    }
    return;
  }
  throw bad(`cannot encode a value of type ${typeof v}`);
}

export function encode(value: PackValue): Buffer {
  const w = new Writer();
  writeValue(w, value, 0);
  return w.result();
}

// ---------------------------------------------------------------------------------------------------- decoding

export interface DecodeOptions {
  maxDepth?: number;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class Reader {
  pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly maxDepth: number,
  ) {}

  get left(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (n > this.left) throw bad(`${what} needs ${n} bytes, only ${this.left} left`);
  }

  u8(): number {
    this.need(1, 'a marker');
    return this.buf[this.pos++];
  }

  private take(n: number, what: string): Buffer {
    this.need(n, what);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  private size(bits: 8 | 16 | 32): number {
    if (bits === 8) return this.u8();
    if (bits === 16) return this.take(2, 'a 16-bit size').readUInt16BE(0);
    return this.take(4, 'a 32-bit size').readUInt32BE(0);
  }

  /** a count of items, each at least `minBytes` long: more than the input can hold is refused before allocating */
  private count(n: number, minBytes: number, what: string): number {
    if (n * minBytes > this.left) throw bad(`${what} of ${n} items cannot fit in the ${this.left} bytes left`);
    return n;
  }

  value(depth: number): PackValue {
    if (depth > this.maxDepth) throw bad(`values nested deeper than ${this.maxDepth} levels`);
    const m = this.u8();
    if (m <= 0x7f) return m;
    if (m >= 0xf0) return m - 0x100;
    const hi = m & 0xf0;
    const lo = m & 0x0f;
    if (hi === 0x80) return this.string(lo);
    if (hi === 0x90) return this.list(lo, depth);
    if (hi === 0xa0) return this.map(lo, depth);
    if (hi === 0xb0) return this.structure(lo, depth);
    switch (m) {
      case 0xc0:
        return null;
      case 0xc1:
        return this.take(8, 'a float').readDoubleBE(0);
      case 0xc2:
        return false;
      case 0xc3:
        return true;
      case 0xc8:
        return this.take(1, 'an INT_8').readInt8(0);
      case 0xc9:
        return this.take(2, 'an INT_16').readInt16BE(0);
      case 0xca:
        return this.take(4, 'an INT_32').readInt32BE(0);
      case 0xcb: {
        const v = this.take(8, 'an INT_64').readBigInt64BE(0);
        return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case 0xcc:
      case 0xcd:
      case 0xce: {
        const n = this.size(m === 0xcc ? 8 : m === 0xcd ? 16 : 32);
        return new Uint8Array(this.take(n, `a byte array of ${n} bytes`));
      }
      case 0xd0:
        return this.string(this.size(8));
      case 0xd1:
        return this.string(this.size(16));
      case 0xd2:
        return this.string(this.size(32));
      case 0xd4:
        return this.list(this.size(8), depth);
      case 0xd5:
        return this.list(this.size(16), depth);
      case 0xd6:
        return this.list(this.size(32), depth);
      case 0xd8:
        return this.map(this.size(8), depth);
      case 0xd9:
        return this.map(this.size(16), depth);
      case 0xda:
        return this.map(this.size(32), depth);
      default:
        throw bad(`unknown marker 0x${m.toString(16).padStart(2, '0')} at byte ${this.pos - 1}`);
    }
  }

  private string(n: number): string {
    const b = this.take(n, `a string of ${n} bytes`);
    try {
      return UTF8.decode(b);
    } catch {
      // refused rather than answered about a different string (U+FFFD in place of the bad bytes)
      throw bad('a string is not valid UTF-8');
    }
  }

  private list(n: number, depth: number): PackValue[] {
    const out: PackValue[] = new Array(this.count(n, 1, 'a list'));
    for (let i = 0; i < n; i++) out[i] = this.value(depth + 1);
    return out;
  }

  private map(n: number, depth: number): { [key: string]: PackValue } {
    this.count(n, 2, 'a map');
    const out = Object.create(null) as { [key: string]: PackValue };
    for (let i = 0; i < n; i++) {
      const k = this.value(depth + 1);
      if (typeof k !== 'string') throw bad('a map key is not a string');
      out[k] = this.value(depth + 1);
    }
    return out;
  }

  private structure(n: number, depth: number): Structure {
    this.count(n, 1, 'a structure');
    const signature = this.u8();
    const fields: PackValue[] = [];
    for (let i = 0; i < n; i++) fields.push(this.value(depth + 1));
    return new Structure(signature, fields);
  }
}

/** Decodes one value that must span the whole of `buf`. */
export function decode(buf: Buffer, opts: DecodeOptions = {}): PackValue {
  const r = new Reader(buf, opts.maxDepth ?? MAX_DEPTH);
  const v = r.value(0);
  if (r.left !== 0) throw bad(`${r.left} bytes after the value`);
  return v;
}
