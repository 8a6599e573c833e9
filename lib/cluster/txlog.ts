/**
 * The transaction log of one database on one member: append-only segment files of transaction records.
 *
 * Invariants:
 * - A record is acknowledged only after `sync()` has returned for it; whatever follows the last whole,
 *   checksummed record of the newest segment after a crash is a torn write and is cut off at `open()`.
 * - Segment `tx-<first tx id>.log` starts with a 64-byte header naming the store ID it belongs to; segments of
 *   another store (left over by a crash during a store install) are removed at `open()`.
 * - Only whole, closed segments are pruned, oldest first, by the retention policy; pruning moves
 *   `lowestAvailableTxn` up. The newest segment is never pruned. `N files` means what Neo4j's
 *   `retention_policy=3files` does, "keeps 3 transaction log files": at most N segment files on disk, the
 *   one being written included (the oldest goes when a new one is started).
 * - Readers see only records up to the committed mark the owner sets with `markCommitted()`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TxlineError } from '../errors';
import { fsyncDir } from '../fs';
import { decodeRecordAt, RECORD_HEADER_BYTES, type TxRecord, type TxRecordInfo } from '../graph/record';
import { formatRetention, type RetentionPolicy } from './retention';

const SEGMENT_MAGIC = 'TXLNSEG1';
export const SEGMENT_HEADER_BYTES = 64;
const INDEX_EVERY = 64;
const SEGMENT_NAME = /^tx-(\d{20})\.log$/;

interface Segment {
  file: string;
  firstTxId: number;
  lastTxId: number; // firstTxId - 1 while empty
  lastCommitTime: number;
  size: number; // bytes written (header included)
  committedSize: number; // bytes readers may see
  committedLastTxId: number;
  index: Array<[txId: number, offset: number]>; // sparse: every INDEX_EVERY-th record
}

export interface TxLogOptions {
  rotationSize: number;
  retention: RetentionPolicy;
  /** called with a human-readable line when something noteworthy happens (pruning, truncation) */
  onEvent?: (message: string) => void;
}

export interface RecoveryResult {
  lastTxId: number;
  lastChecksum: number;
  truncatedBytes: number;
  removedSegments: string[];
}

/** One contiguous byte range of one segment, with an fd opened at request time (pruning cannot pull it away). */
export interface LogRange {
  fd: number;
  start: number;
  end: number;
}

export class TxLog {
  private segments: Segment[] = [];
  private fd: number | null = null;
  private storeId = '';
  private last: TxRecordInfo = { txId: 0, commitTime: 0, prevChecksum: 0, checksum: 0 };
  private sinceIndex = 0;

  constructor(
    readonly dir: string,
    private readonly opts: TxLogOptions,
  ) {}

  /**
   * Opens the log for `storeId`, whose store has applied everything up to `storeLastTxId`. Cuts a torn tail,
   * drops segments of another store and returns where the log ends.
   */
  open(storeId: string, storeLast: { txId: number; checksum: number }): RecoveryResult {
    this.storeId = storeId;
    fs.mkdirSync(this.dir, { recursive: true });
    const removed: string[] = [];
    const remove = (file: string) => {
      fs.rmSync(file, { force: true });
      removed.push(path.basename(file));
    };
    let truncated = 0;
    const segs: Segment[] = [];
    for (const name of fs.readdirSync(this.dir).filter((n) => SEGMENT_NAME.test(n)).sort()) {
      const file = path.join(this.dir, name);
      const header = readHeader(file);
      if (header && header.storeId === storeId) segs.push(emptySegment(file, header.firstTxId));
      else remove(file);
    }
    // Scan every segment: records must be whole, checksummed, contiguous and chained.
    let first: TxRecordInfo | null = null;
    let prev: TxRecordInfo | null = null;
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i];
      if (prev && seg.firstTxId !== prev.txId + 1) {
        for (const later of segs.splice(i)) remove(later.file);
        this.opts.onEvent?.(`transaction log: gap before ${path.basename(seg.file)}; dropped it and what follows`);
        break;
      }
      const scan = scanSegment(seg, prev);
      first ??= scan.first;
      if (scan.first) prev = scan.last;
      if (scan.badAt !== null) {
        truncated += seg.size - scan.badAt;
        fs.truncateSync(seg.file, scan.badAt);
        seg.size = scan.badAt;
        for (const later of segs.splice(i + 1)) remove(later.file);
        this.opts.onEvent?.(`transaction log: cut a torn or damaged record at byte ${scan.badAt} of ${path.basename(seg.file)}`);
      }
      seg.committedSize = seg.size;
      seg.committedLastTxId = seg.lastTxId;
    }
    // The log must join the store's history: contain the store's last transaction, or start right after it.
    const joins =
      first !== null &&
      prev !== null &&
      ((first.txId <= storeLast.txId && storeLast.txId <= prev.txId && this.checksumAt(segs, storeLast.txId) === storeLast.checksum) ||
        (first.txId === storeLast.txId + 1 && first.prevChecksum === storeLast.checksum));
    if (!joins) {
      if (first !== null) this.opts.onEvent?.(`transaction log: does not join the store at transaction ${storeLast.txId}; starting a new log`);
      for (const s of segs) remove(s.file);
      segs.length = 0;
    }
    this.segments = segs;
    this.last = joins && prev ? prev : { txId: storeLast.txId, commitTime: 0, prevChecksum: 0, checksum: storeLast.checksum };
    fsyncDir(this.dir);
    return { lastTxId: this.last.txId, lastChecksum: this.last.checksum, truncatedBytes: truncated, removedSegments: removed };
  }

  private checksumAt(segs: Segment[], txId: number): number | null {
    const seg = segs.find((s) => s.firstTxId <= txId && txId <= s.lastTxId);
    return seg ? (readRecordFromSegment(seg, txId)?.checksum ?? null) : null;
  }

  get lastTxId(): number {
    return this.last.txId;
  }

  get lastChecksum(): number {
    return this.last.checksum;
  }

  /** The lowest transaction this log can serve, given that the store holds everything up to `storeLastTxId`. */
  lowestAvailableTxn(storeLastTxId: number): number {
    const first = this.segments.find((s) => s.lastTxId >= s.firstTxId);
    return first ? first.firstTxId : storeLastTxId + 1;
  }

  /** Appends encoded records (not yet durable: call `sync()`). Returns the position to truncate back to on failure. */
  append(records: TxRecord[]): { segmentIndex: number; size: number } {
    if (records.length === 0) return this.position();
    if (records[0].txId !== this.last.txId + 1) {
      throw new TxlineError('INTERNAL', `transaction log: expected transaction ${this.last.txId + 1}, got ${records[0].txId}`);
    }
    const seg = this.ensureSegment(records[0].txId);
    const before = this.position();
    let offset = seg.size;
    for (const r of records) {
      if (this.sinceIndex++ % INDEX_EVERY === 0) seg.index.push([r.txId, offset]);
      offset += r.bytes.length;
    }
    const buf = records.length === 1 ? records[0].bytes : Buffer.concat(records.map((r) => r.bytes));
    writeFully(this.fd as number, buf, seg.size);
    seg.size += buf.length;
    const lastRec = records[records.length - 1];
    seg.lastTxId = lastRec.txId;
    seg.lastCommitTime = lastRec.commitTime;
    this.last = lastRec;
    return before;
  }

  sync(): Promise<void> {
    const fd = this.fd;
    if (fd === null) return Promise.resolve();
    return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  }

  /** Undo appends after a failed batch. */
  truncateTo(pos: { segmentIndex: number; size: number }, last: TxRecordInfo): void {
    while (this.segments.length - 1 > pos.segmentIndex) {
      const s = this.segments.pop() as Segment;
      if (this.fd !== null) fs.closeSync(this.fd);
      this.fd = null;
      fs.rmSync(s.file, { force: true });
    }
    const seg = this.segments[pos.segmentIndex];
    if (seg) {
      if (this.fd === null) this.fd = fs.openSync(seg.file, 'r+');
      fs.ftruncateSync(this.fd, pos.size);
      seg.size = pos.size;
      seg.index = seg.index.filter(([, off]) => off < pos.size);
      seg.lastTxId = Math.min(seg.lastTxId, last.txId);
    }
    this.last = last;
  }

  /** Makes appended records visible to readers; rotates and prunes when due. */
  markCommitted(): void {
    const seg = this.segments[this.segments.length - 1];
    if (!seg) return;
    seg.committedSize = seg.size;
    seg.committedLastTxId = seg.lastTxId;
    if (seg.size >= this.opts.rotationSize) {
      if (this.fd !== null) fs.closeSync(this.fd);
      this.fd = null; // the next append opens a new segment
      this.prune();
    }
  }

  get committedLastTxId(): number {
    const seg = this.segments[this.segments.length - 1];
    return seg ? seg.committedLastTxId : this.last.txId;
  }

  private position(): { segmentIndex: number; size: number } {
    const i = this.segments.length - 1;
    return { segmentIndex: i, size: i >= 0 ? this.segments[i].size : 0 };
  }

  private ensureSegment(firstTxId: number): Segment {
    const cur = this.segments[this.segments.length - 1];
    if (cur && this.fd !== null) return cur;
    if (cur && cur.size < this.opts.rotationSize && cur.lastTxId === firstTxId - 1) {
      this.fd = fs.openSync(cur.file, 'r+');
      return cur;
    }
    const file = path.join(this.dir, `tx-${String(firstTxId).padStart(20, '0')}.log`);
    // 'wx': a segment of that name is never there already unless another process writes this log; failing is
    // better than truncating what it acknowledged.
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      throw new TxlineError('IO_ERROR', `transaction log: segment ${path.basename(file)} already exists in ${this.dir}; is another process writing this database?`, { cause: e });
    }
    const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
    header.write(SEGMENT_MAGIC, 0, 'ascii');
    header.writeBigUInt64LE(BigInt(firstTxId), 8);
    header.write(this.storeId, 16, 36, 'ascii');
    writeFully(fd, header, 0);
    fs.fdatasyncSync(fd);
    fsyncDir(this.dir);
    this.fd = fd;
    this.sinceIndex = 0;
    const seg = emptySegment(file, firstTxId);
    seg.size = SEGMENT_HEADER_BYTES;
    seg.committedSize = SEGMENT_HEADER_BYTES;
    this.segments.push(seg);
    // "N files" counts the segment being written: starting one is when the oldest has to go
    if (this.opts.retention.kind === 'files') this.prune();
    return seg;
  }

  /** Applies the retention policy to closed segments. */
  prune(now = Date.now()): string[] {
    const p = this.opts.retention;
    const closed = this.fd === null ? this.segments.length : this.segments.length - 1;
    let drop = 0;
    switch (p.kind) {
      case 'keep_all':
        break;
      case 'files':
        // every segment counts, the one being written too (the newest is never dropped, below)
        drop = Math.max(0, this.segments.length - p.count);
        break;
      case 'size': {
        let total = this.segments.reduce((a, s) => a + s.size, 0);
        while (drop < closed && total > p.bytes) total -= this.segments[drop++].size;
        break;
      }
      case 'txs': {
        const newest = this.last.txId;
        while (drop < closed && newest - this.segments[drop].lastTxId >= p.count) drop++;
        break;
      }
      case 'age':
        while (drop < closed && now - this.segments[drop].lastCommitTime > p.ms) drop++;
        break;
    }
    drop = Math.min(drop, closed, this.segments.length - 1);
    if (drop <= 0) return [];
    const gone = this.segments.splice(0, drop);
    for (const s of gone) fs.rmSync(s.file, { force: true });
    fsyncDir(this.dir);
    const names = gone.map((s) => path.basename(s.file));
    this.opts.onEvent?.(
      `transaction log: pruned ${names.length} segment(s) by retention "${formatRetention(p)}"; lowest available transaction is now ${this.lowestAvailableTxn(this.last.txId)}`,
    );
    return names;
  }

  /**
   * Byte ranges holding the committed records from `fromTx` up to the committed end, with fds opened now.
   * Returns null when `fromTx` is below what the log still holds.
   */
  openRanges(fromTx: number): { ranges: LogRange[]; lastTxId: number } | null {
    const committedLast = this.committedLastTxId;
    if (fromTx > committedLast) return { ranges: [], lastTxId: committedLast };
    const i = this.segments.findIndex((s) => s.firstTxId <= fromTx && fromTx <= s.committedLastTxId);
    if (i < 0) return null;
    const ranges: LogRange[] = [];
    try {
      for (let j = i; j < this.segments.length; j++) {
        const s = this.segments[j];
        if (s.committedLastTxId < s.firstTxId) continue;
        const start = j === i ? offsetOf(s, fromTx) : SEGMENT_HEADER_BYTES;
        ranges.push({ fd: fs.openSync(s.file, 'r'), start, end: s.committedSize });
      }
    } catch (e) {
      for (const r of ranges) fs.closeSync(r.fd);
      throw e;
    }
    return { ranges, lastTxId: committedLast };
  }

  /** Reads committed records from `fromTx` (at most `limit`), synchronously. For tests and small reads. */
  readRecords(fromTx: number, limit = Infinity): TxRecord[] | null {
    const opened = this.openRanges(fromTx);
    if (!opened) return null;
    const out: TxRecord[] = [];
    try {
      for (const r of opened.ranges) {
        const buf = Buffer.allocUnsafe(r.end - r.start);
        fs.readSync(r.fd, buf, 0, buf.length, r.start);
        let off = 0;
        while (off < buf.length && out.length < limit) {
          const d = decodeRecordAt(buf, off);
          if (d.kind !== 'record') throw new TxlineError('INTERNAL', `transaction log: unreadable committed record (${d.kind})`);
          out.push({ ...d.record, bytes: Buffer.from(d.record.bytes), payload: Buffer.from(d.record.payload) });
          off = d.next;
        }
      }
    } finally {
      for (const r of opened.ranges) fs.closeSync(r.fd);
    }
    return out;
  }

  segmentsInfo(): Array<{ file: string; firstTxId: number; lastTxId: number; size: number }> {
    return this.segments.map((s) => ({ file: path.basename(s.file), firstTxId: s.firstTxId, lastTxId: s.lastTxId, size: s.size }));
  }

  get sizeBytes(): number {
    return this.segments.reduce((a, s) => a + s.size, 0);
  }

  /** Removes every segment: the store was replaced, a new history starts after `last`. */
  reset(storeId: string, last: { txId: number; checksum: number }): void {
    this.close();
    fs.mkdirSync(this.dir, { recursive: true });
    for (const s of this.segments) fs.rmSync(s.file, { force: true });
    for (const n of fs.readdirSync(this.dir).filter((n) => SEGMENT_NAME.test(n))) fs.rmSync(path.join(this.dir, n), { force: true });
    fsyncDir(this.dir);
    this.segments = [];
    this.storeId = storeId;
    this.last = { txId: last.txId, commitTime: 0, prevChecksum: 0, checksum: last.checksum };
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

function emptySegment(file: string, firstTxId: number): Segment {
  return {
    file,
    firstTxId,
    lastTxId: firstTxId - 1,
    lastCommitTime: 0,
    size: SEGMENT_HEADER_BYTES,
    committedSize: SEGMENT_HEADER_BYTES,
    committedLastTxId: firstTxId - 1,
    index: [],
  };
}

function readHeader(file: string): { firstTxId: number; storeId: string } | null {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(SEGMENT_HEADER_BYTES);
    const n = fs.readSync(fd, buf, 0, SEGMENT_HEADER_BYTES, 0);
    if (n < SEGMENT_HEADER_BYTES || buf.toString('ascii', 0, 8) !== SEGMENT_MAGIC) return null;
    return { firstTxId: Number(buf.readBigUInt64LE(8)), storeId: buf.toString('ascii', 16, 52) };
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a whole segment, fills its index and end; reports the offset of the first bad record, if any. */
function scanSegment(
  seg: Segment,
  prev: TxRecordInfo | null,
): { first: TxRecordInfo | null; last: TxRecordInfo; badAt: number | null } {
  const buf = fs.readFileSync(seg.file);
  let off = SEGMENT_HEADER_BYTES;
  let last = prev ?? { txId: seg.firstTxId - 1, commitTime: 0, prevChecksum: 0, checksum: 0 };
  let count = 0;
  let first: TxRecordInfo | null = null;
  let badAt: number | null = null;
  while (off < buf.length) {
    const d = decodeRecordAt(buf, off);
    if (d.kind !== 'record') {
      badAt = off;
      break;
    }
    const r = d.record;
    const expectedId = count === 0 ? seg.firstTxId : last.txId + 1;
    const chained = count === 0 && prev === null ? true : r.prevChecksum === last.checksum;
    if (r.txId !== expectedId || !chained) {
      badAt = off;
      break;
    }
    if (count % INDEX_EVERY === 0) seg.index.push([r.txId, off]);
    count++;
    last = { txId: r.txId, commitTime: r.commitTime, prevChecksum: r.prevChecksum, checksum: r.checksum };
    first ??= last;
    seg.lastCommitTime = r.commitTime;
    off = d.next;
  }
  seg.size = badAt ?? buf.length;
  seg.lastTxId = count > 0 ? last.txId : seg.firstTxId - 1;
  return { first, last, badAt };
}

function offsetOf(seg: Segment, txId: number): number {
  let best: [number, number] = [seg.firstTxId, SEGMENT_HEADER_BYTES];
  for (const e of seg.index) {
    if (e[0] <= txId) best = e;
    else break;
  }
  let [id, off] = best;
  if (id === txId) return off;
  const fd = fs.openSync(seg.file, 'r');
  try {
    const head = Buffer.alloc(RECORD_HEADER_BYTES);
    while (id < txId) {
      fs.readSync(fd, head, 0, RECORD_HEADER_BYTES, off);
      off += RECORD_HEADER_BYTES + head.readUInt32LE(0);
      id++;
    }
    return off;
  } finally {
    fs.closeSync(fd);
  }
}

function readRecordFromSegment(seg: Segment, txId: number): TxRecordInfo | null {
  const off = offsetOf(seg, txId);
  const fd = fs.openSync(seg.file, 'r');
  try {
    const head = Buffer.alloc(RECORD_HEADER_BYTES);
    if (fs.readSync(fd, head, 0, RECORD_HEADER_BYTES, off) < RECORD_HEADER_BYTES) return null;
    return {
      txId: Number(head.readBigUInt64LE(8)),
      commitTime: Number(head.readBigUInt64LE(16)),
      prevChecksum: head.readUInt32LE(24),
      checksum: head.readUInt32LE(4),
    };
  } finally {
    fs.closeSync(fd);
  }
}

function writeFully(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
}
