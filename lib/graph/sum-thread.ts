/**
 * The content sum's hashing on a thread of its own, for a long replay into a private store (a restore): the
 * replaying thread copies each line's UTF-8 bytes into shared slots (tens of nanoseconds a line) instead of
 * hashing it (over a microsecond), and the other thread hashes them. The sum is commutative (./content-sum.ts),
 * so the lines may be added in any order and on any thread: what this thread hashes itself (a line too long for
 * a slot, or one written while every slot is still being hashed) is added here, and the two parts are added
 * together once, at the end (total()).
 *
 * Nothing here ever waits for the other thread while lines are added (a slot that is not free yet means the line
 * is hashed here), so the replay cannot stall behind it; only total() waits, for at most the slots queued.
 */
import { Worker } from 'node:worker_threads';
import { TxlineError } from '../errors';
import { ContentSum } from './content-sum';

const SLOTS = 8;
const SLOT_BYTES = 256 * 1024;
/** a slot's state: 0 free (this thread fills it), n > 0 published with n bytes, END the last one, DONE answered */
const END = -1;
const DONE = -2;
const FAILED = -3;
/** how long total() waits for the other thread (it has at most SLOTS slots left to hash) */
const TOTAL_WAIT_MS = 60_000;

// A line in a slot: its UTF-8 length (negative: subtracted) as a 32-bit little-endian integer, then its bytes.
// The hash and the addition are those of ContentSum.line (./content-sum.test.ts and ./sum-thread.test.ts keep
// them equal).
const SOURCE = `
const { workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const { sab, slots, slotBytes } = workerData;
const state = new Int32Array(sab, 0, slots);
const words = new Uint32Array(sab, slots * 4, 8);
const data = Buffer.from(sab, slots * 4 + 32, slots * slotBytes);
const hash = crypto.hash ? (b) => crypto.hash('sha256', b, 'buffer') : (b) => crypto.createHash('sha256').update(b).digest();
const w = new Uint32Array(8);
let s = 0;
try {
  for (;;) {
    Atomics.wait(state, s, 0);
    const n = Atomics.load(state, s);
    if (n === ${END}) break;
    let off = s * slotBytes;
    const end = off + n;
    while (off < end) {
      const len = data.readInt32LE(off);
      off += 4;
      const size = len < 0 ? -len : len;
      const h = hash(data.subarray(off, off + size));
      off += size;
      if (len < 0) for (let i = 0; i < 8; i++) w[i] = w[i] - h.readUInt32BE(i * 4);
      else for (let i = 0; i < 8; i++) w[i] = w[i] + h.readUInt32BE(i * 4);
    }
    Atomics.store(state, s, 0);
    Atomics.notify(state, s);
    s = (s + 1) % slots;
  }
  words.set(w);
  Atomics.store(state, s, ${DONE});
} catch (e) {
  Atomics.store(state, s, ${FAILED});
}
Atomics.notify(state, s);
`;

export class SumThread {
  private readonly state: Int32Array;
  private readonly words: Uint32Array;
  private readonly data: Buffer;
  private readonly worker: Worker;
  /** what this thread hashed itself, with the sum it started from */
  private readonly here: ContentSum;
  private slot = 0;
  private fill = 0;
  private ended = false;
  /** lines hashed here and there, for the log */
  readonly counts = { here: 0, there: 0 };

  /** Starts the thread; `base` is the sum the lines are added to. */
  constructor(base: ContentSum) {
    const sab = new SharedArrayBuffer(SLOTS * 4 + 32 + SLOTS * SLOT_BYTES);
    this.state = new Int32Array(sab, 0, SLOTS);
    this.words = new Uint32Array(sab, SLOTS * 4, 8);
    this.data = Buffer.from(sab, SLOTS * 4 + 32, SLOTS * SLOT_BYTES);
    this.here = base.clone();
    // (a small heap: it holds nothing but a hash's result at a time; the default young generation alone had
    // grown a restore's peak memory by about 15 MiB)
    this.worker = new Worker(SOURCE, {
      eval: true,
      workerData: { sab, slots: SLOTS, slotBytes: SLOT_BYTES },
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 16 },
    });
    this.worker.unref();
    // (an error of the thread itself shows as its slot's FAILED, or as no answer, at total())
    this.worker.on('error', () => undefined);
  }

  /** Adds (sign 1) or subtracts (sign -1) one line, as ContentSum.line does. */
  line(sign: 1 | -1, line: string): void {
    if (this.ended) throw new TxlineError('INTERNAL', 'a line was added to a content sum already totalled');
    // at most 3 bytes per UTF-16 unit, and the length before them
    const most = 4 + line.length * 3;
    if (most > SLOT_BYTES) return this.hashHere(sign, line);
    if (this.fill + most > SLOT_BYTES) this.publish();
    if (Atomics.load(this.state, this.slot) !== 0) return this.hashHere(sign, line);
    const base = this.slot * SLOT_BYTES;
    const n = this.data.write(line, base + this.fill + 4, 'utf8');
    this.data.writeInt32LE(sign * n, base + this.fill);
    this.fill += 4 + n;
    this.counts.there++;
  }

  private hashHere(sign: 1 | -1, line: string): void {
    this.here.line(sign, line);
    this.counts.here++;
  }

  /** Hands the slot being filled to the other thread, and moves to the next one. */
  private publish(): void {
    if (this.fill === 0) return;
    Atomics.store(this.state, this.slot, this.fill);
    Atomics.notify(this.state, this.slot);
    this.slot = (this.slot + 1) % SLOTS;
    this.fill = 0;
  }

  /** Waits for the other thread to hash what is queued, and returns the sum of everything added; ends the thread. */
  total(): ContentSum {
    if (this.ended) throw new TxlineError('INTERNAL', 'a content sum was totalled twice');
    this.ended = true;
    try {
      this.publish();
      const deadline = performance.now() + TOTAL_WAIT_MS;
      const waitWhile = (value: number) => {
        for (;;) {
          const now = Atomics.load(this.state, this.slot);
          if (now !== value) return now;
          const left = deadline - performance.now();
          if (left <= 0) throw new TxlineError('INTERNAL', `the thread hashing the content sum did not answer in ${TOTAL_WAIT_MS / 1000} s`);
          Atomics.wait(this.state, this.slot, value, left);
        }
      };
      // the slot after the last published one is free once everything before it is hashed... or it was free
      // already: either way it takes the end mark once free
      let now = Atomics.load(this.state, this.slot);
      while (now > 0) now = waitWhile(now);
      if (now === FAILED) throw new TxlineError('INTERNAL', 'the thread hashing the content sum failed');
      Atomics.store(this.state, this.slot, END);
      Atomics.notify(this.state, this.slot);
      now = waitWhile(END);
      if (now !== DONE) throw new TxlineError('INTERNAL', 'the thread hashing the content sum failed');
      return this.here.plus(this.words);
    } finally {
      void this.worker.terminate();
    }
  }

  /** Ends the thread without a total (the replay failed). */
  stop(): void {
    this.ended = true;
    void this.worker.terminate();
  }
}
