/**
 * SHA-256 on a worker thread, and the payload's file writes on libuv's pool, both reading the same batch
 * buffers at once: a small pool of SharedArrayBuffers per hash goes round between the writer (which fills
 * one), the hashing thread and a positioned write, and is free again when both are done. The main thread
 * only receives bytes and copies them into batches, so receiving, writing and hashing overlap. Measured on a
 * 300 MiB store: writing and then hashing on one worker kept it busy 0.97 s of a 1.46 s backup; hashing on
 * the main thread had taken ~0.6 s of ~1.7 s per GiB; a fresh buffer per batch instead of a pool had doubled
 * the process's memory. One worker serves every hash of the process (starting one per artifact cost ~20 ms
 * each); it keeps the process alive only while a hash is open.
 *
 * A hash can also decode what it hashes (`decodeAs('zstd')`): bytes a source sent already compressed are
 * checked and their original size counted on the same thread, off the main one.
 *
 * The worker handles messages in order: a digest answers after every earlier update of its hash.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const sessions = new Map();
const session = (id) => {
  let s = sessions.get(id);
  if (!s) sessions.set(id, (s = { h: createHash('sha256'), dec: null, raw: 0, error: null }));
  return s;
};
parentPort.on('message', (m) => {
  const s = session(m.id);
  if (m.op === 'decode') {
    s.dec = new (require(m.module).DecompressStream)();
    s.dec.on('data', (c) => (s.raw += c.length));
    s.dec.on('error', (e) => (s.error = s.error || e.message));
    return;
  }
  if (m.op === 'digest') {
    sessions.delete(m.id);
    const answer = () => parentPort.postMessage({ id: m.id, digest: s.h.digest('hex'), raw: s.raw, decodeError: s.error });
    if (!s.dec || s.error) return answer();
    s.dec.once('end', answer);
    s.dec.once('error', answer);
    return s.dec.end();
  }
  if (m.op === 'drop') {
    if (s.dec) s.dec.destroy();
    return sessions.delete(m.id);
  }
  const view = Buffer.from(m.buffer, 0, m.length);
  s.h.update(view);
  const back = () => parentPort.postMessage({ id: m.id, hashed: true, raw: s.raw });
  // The buffer goes back once the decoder has taken it in: that paces the writer to the decoder's speed.
  if (s.dec && !s.error) s.dec.write(view, back);
  else back();
});
`;

type Reply = { id: number; hashed?: boolean; raw?: number; digest?: string; decodeError?: string | null };

const requireHere = createRequire(import.meta.url);

/** Where a batch is written (on libuv's pool) while it is hashed. */
export interface WriteAt {
  fd: number;
  position: number;
}

let worker: Worker | null = null;
let failure: Error | null = null;
let nextId = 1;
let open = 0;
const sessions = new Map<number, ThreadedHash>();

function shared(): Worker {
  if (worker) return worker;
  const w = new Worker(SOURCE, { eval: true });
  w.on('message', (m: Reply) => sessions.get(m.id)?.onReply(m));
  w.on('error', (e) => {
    failure = e;
    for (const s of sessions.values()) s.onFailure();
  });
  w.unref();
  worker = w;
  return w;
}

/**
 * Starts the hashing thread now, so that its start (~20-40 ms: a Node environment of its own) overlaps what a
 * backup does before its first byte (the topology, the lock, the lease) instead of delaying the first hash:
 * hashing sets the pace of an uncompressed copy. It keeps the process alive only while a hash is open.
 */
export function prestartHasher(): void {
  shared();
}

export class ThreadedHash {
  private readonly id = nextId++;
  private readonly worker = shared();
  private readonly free: SharedArrayBuffer[] = [];
  private allocated = 0;
  /** buffers being hashed or written */
  private out = 0;
  /** what to do as each hashed-reply comes back, in order */
  private hashed: Array<() => void> = [];
  private waiting: Array<() => void> = [];
  private idleWaiters: Array<() => void> = [];
  private digestWaiter: ((hex: string) => void) | null = null;
  private closed = false;
  /** the first write that failed */
  writeError: NodeJS.ErrnoException | null = null;
  /** with decodeAs(): original bytes decoded so far, and why decoding failed */
  decodedBytes = 0;
  decodeError: string | null = null;

  /** At most `poolSize` buffers exist at a time (the writer waits for one to come back). */
  constructor(private readonly poolSize = 4) {
    sessions.set(this.id, this);
    if (open++ === 0) this.worker.ref();
  }

  onReply(m: Reply): void {
    if (m.raw !== undefined) this.decodedBytes = m.raw;
    if (m.hashed) this.hashed.shift()?.();
    else if (m.digest !== undefined) {
      this.decodeError = m.decodeError ?? null;
      this.digestWaiter?.(m.digest);
    }
  }

  /** Decode what is hashed as a zstd stream, counting the original bytes (call before the first update). */
  decodeAs(codec: 'zstd'): void {
    this.worker.postMessage({ id: this.id, op: 'decode', codec, module: requireHere.resolve('zstd-napi') });
  }

  onFailure(): void {
    for (const w of this.waiting.splice(0)) w();
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Buffers being hashed or written (a write may still be under way). */
  get outstanding(): number {
    return this.out;
  }

  /** Resolves when every buffer is back: every write handed over has been done (or has failed). */
  idle(): Promise<void> {
    if (this.out === 0 || failure) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /** A pool buffer of at least `n` bytes to fill (waits while every buffer is out). */
  async acquire(n: number): Promise<Buffer> {
    for (;;) {
      if (failure) throw failure;
      const i = this.free.findIndex((b) => b.byteLength >= n);
      if (i >= 0) return Buffer.from(this.free.splice(i, 1)[0]);
      if (this.allocated < this.poolSize) {
        this.allocated++;
        return Buffer.from(new SharedArrayBuffer(n));
      }
      // Every buffer is out (or too small: drop one and make a bigger one when it is back).
      await new Promise<void>((r) => this.waiting.push(r));
      if (this.free.length > 0 && !this.free.some((b) => b.byteLength >= n)) {
        this.free.pop();
        this.allocated--;
      }
    }
  }

  /**
   * Hashes the first `length` bytes of a buffer from `acquire()` and, when `write` is given, writes them at
   * its position meanwhile. The buffer is free again once both are done; see `writeError` and `idle()`.
   */
  update(buf: Buffer, length: number, write?: WriteAt): void {
    const sab = buf.buffer as SharedArrayBuffer;
    let pending = write ? 2 : 1;
    const done = () => {
      if (--pending === 0) this.giveBack(sab);
    };
    this.out++;
    this.hashed.push(done);
    this.worker.postMessage({ id: this.id, op: 'update', buffer: sab, length });
    if (write) {
      writeAll(write.fd, buf, length, write.position, (err) => {
        if (err && !this.writeError) this.writeError = err;
        done();
      });
    }
  }

  private giveBack(sab: SharedArrayBuffer): void {
    this.free.push(sab);
    this.out--;
    this.waiting.shift()?.();
    if (this.out === 0) {
      for (const w of this.idleWaiters.splice(0)) w();
      if (this.closed) this.release();
    }
  }

  async digest(): Promise<string> {
    if (failure) throw failure;
    const hex = new Promise<string>((r) => (this.digestWaiter = r));
    this.worker.postMessage({ id: this.id, op: 'digest' });
    const d = await hex;
    // Hashing is done; writes may still be under way: the caller waits for idle() before sealing.
    this.close();
    return d;
  }

  destroy(): void {
    if (this.closed) return;
    this.worker.postMessage({ id: this.id, op: 'drop' });
    this.close();
  }

  /** No more updates; the session goes once every buffer is back (their replies still count for idle()). */
  private close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.out === 0) this.release();
  }

  private release(): void {
    if (!sessions.delete(this.id)) return;
    if (--open === 0) this.worker.unref();
  }
}

function writeAll(fd: number, buf: Buffer, length: number, position: number, cb: (err: NodeJS.ErrnoException | null) => void): void {
  const step = (done: number) => {
    if (done === length) return cb(null);
    fs.write(fd, buf, done, length - done, position + done, (err, n) => (err ? cb(err) : step(done + n)));
  };
  step(0);
}
