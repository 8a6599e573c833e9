/**
 * Durability helpers shared by the embedded cluster's log and the backup engine's artifacts: a file renamed
 * into a folder is durable only once the folder itself is synced. And streams over a descriptor that their
 * owner closes (never the stream).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { TxlineError } from './errors';

/** Syncs a folder, so that entries created, renamed or removed in it survive a crash. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Links `source` into `dir` as `<base><suffix>`, or `<base>-1<suffix>`, `-2`, ... when that name (or its
 * `.json` companion) is taken: never replaces a file.
 */
export function linkUniqueAs(source: string, dir: string, base: string, suffix: string): string {
  for (let i = 0; i < 1000; i++) {
    const candidate = path.join(dir, `${base}${i === 0 ? '' : `-${i}`}${suffix}`);
    if (fs.existsSync(`${candidate}.json`)) continue;
    try {
      fs.linkSync(source, candidate);
      return candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new TxlineError('IO_ERROR', `too many files named ${base}*${suffix} in ${dir}`);
}

/** A Writable over a descriptor its owner closes, once settled() has resolved. */
export interface PositionalWriter extends Writable {
  /** Resolves when no write is under way (pipeline() rejects on an error while one may still be). */
  settled(): Promise<void>;
  /** the write that failed, if one did (not an error of the stream it was piped from) */
  writeError: Error | null;
}

/**
 * A Writable that writes what it is given at `start`, `start + n`, ... of the open file `fd`, and never closes
 * it. (fs.createWriteStream({ fd, autoClose: false }) closes its descriptor when it is destroyed, as pipeline()
 * does on an error; the owner's own close then fails with EBADF, or closes another file that got the number.)
 * The owner closes the descriptor after settled(). `onWritten` gets where the file is written up to, as each
 * write ends (writes end in order: one is under way at a time).
 */
export function positionalWriter(fd: number, start = 0, highWaterMark = 1024 * 1024, onWritten?: (end: number) => void): PositionalWriter {
  let position = start;
  let inFlight: Promise<void> = Promise.resolve();
  const w = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, cb) {
      const at = position;
      position += chunk.length;
      const write = writeAt(fd, chunk, at);
      inFlight = write.then(
        () => {
          onWritten?.(at + chunk.length);
          cb();
        },
        (e: Error) => {
          w.writeError ??= e;
          cb(e);
        },
      );
    },
  }) as PositionalWriter;
  w.settled = () => inFlight;
  w.writeError = null;
  return w;
}

/** Writes all of `buf` at `position` of the open file `fd` (a short write goes on where it stopped). */
export function writeAt(fd: number, buf: Buffer, position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (done: number) => {
      if (done === buf.length) return resolve();
      fs.write(fd, buf, done, buf.length - done, position + done, (e, n) => (e ? reject(e) : step(done + n)));
    };
    step(0);
  });
}

/**
 * The bytes `start`.. `end` (exclusive) of the open file `fd`, read at their positions; never closes it. With
 * `reuse`, every chunk is read into the same buffer, so a chunk is valid only until the next is asked for (for
 * a consumer that only looks at it, such as a checksum): fresh memory for each chunk costs more than reading
 * the file from the page cache (about 0.7 s against 0.1 s per GiB here).
 */
export async function* positionalChunks(fd: number, start: number, end: number, size = 1024 * 1024, opts: { reuse?: boolean } = {}): AsyncGenerator<Buffer> {
  const reused = opts.reuse ? Buffer.allocUnsafe(Math.max(0, Math.min(size, end - start))) : null;
  for (let at = start; at < end; ) {
    const buf = reused ? reused.subarray(0, Math.min(size, end - at)) : Buffer.allocUnsafe(Math.min(size, end - at));
    const n = await new Promise<number>((resolve, reject) => fs.read(fd, buf, 0, buf.length, at, (e, k) => (e ? reject(e) : resolve(k))));
    if (n === 0) return;
    at += n;
    yield n === buf.length ? buf : buf.subarray(0, n);
  }
}

// Serves fdatasync requests one after another, from this process's threads (`parentPort`) and from worker
// threads given a port of their own; answers each with the error it met, if any.
const SYNC_SOURCE = `
const fs = require('node:fs');
const { parentPort } = require('node:worker_threads');
const serve = (port) => port.on('message', (m) => {
  if (m.port) return serve(m.port);
  let error = null;
  try { fs.fdatasyncSync(m.fd); } catch (e) { error = { code: e.code, message: e.message }; }
  port.postMessage({ id: m.id, error });
});
serve(parentPort);
`;

let syncer: Worker | null = null;
let nextSync = 1;
const awaitingSync = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

function syncThread(): Worker {
  if (syncer) return syncer;
  const w = new Worker(SYNC_SOURCE, { eval: true });
  w.on('message', (m: { id: number; error: { code?: string; message: string } | null }) => {
    const waiter = awaitingSync.get(m.id);
    awaitingSync.delete(m.id);
    if (awaitingSync.size === 0) w.unref();
    if (!m.error) return waiter?.resolve();
    waiter?.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
  });
  const gone = (e: Error) => {
    if (syncer === w) syncer = null;
    for (const waiter of awaitingSync.values()) waiter.reject(e);
    awaitingSync.clear();
  };
  w.on('error', gone);
  w.on('exit', (code) => gone(new Error(`the sync thread exited (code ${code})`)));
  w.unref();
  syncer = w;
  return w;
}

/**
 * fdatasync(fd) on a thread of its own, which syncs one file at a time, instead of on libuv's pool: a sync
 * that hands the disk 64 MiB holds its thread for as long as the disk takes, and the pool has four. Background
 * syncs (an unpack, a copy, an install) on the pool kept the reads a replay waited for queued behind them:
 * measured in a restore of 1 GiB and 100,000 transactions, the replay's second batch of 10,000 took 1.8 s
 * instead of 0.2 s. The owner closes `fd` only once the promise has settled.
 */
export function syncInBackground(fd: number): Promise<void> {
  let w: Worker;
  try {
    w = syncThread();
  } catch (e) {
    return Promise.reject(e as Error); // (a thread that cannot start: the caller hears it as this sync's failure)
  }
  const id = nextSync++;
  return new Promise<void>((resolve, reject) => {
    awaitingSync.set(id, { resolve, reject });
    w.ref();
    w.postMessage({ id, fd });
  });
}

/** A port through which a worker thread asks for the same syncs: it posts `{ id, fd }` and hears `{ id, error }`. */
function syncPort(): MessagePort {
  const { port1, port2 } = new MessageChannel();
  syncThread().postMessage({ port: port2 }, [port2]);
  return port1;
}

/** the part of a background copy a thread takes at a time */
const COPY_CHUNK = 8 * 1024 * 1024;

// state: [stop, next chunk to take]; each thread takes chunks until none is left (or it is told to stop)
const COPY_SOURCE = `
const fs = require('node:fs');
const { workerData: w } = require('node:worker_threads');
const state = new Int32Array(w.state);
const buf = Buffer.allocUnsafe(w.chunk);
let sinceSync = 0;
// Handed to the disk by the sync thread, not waited for while copying; the thread ends only once every sync
// it asked for is answered (its owner then closes the descriptors), also when the copy failed. A failed sync
// fails the copy (it is not reported again to a descriptor opened later), and so does a sync thread gone.
let unanswered = 0;
let failure = null;
let ended = false;
const finish = () => {
  if (!ended || unanswered > 0) return;
  w.syncs.close();
  if (failure) throw failure;
};
w.syncs.on('message', (m) => {
  unanswered--;
  if (m.error) failure = failure || new Error('could not sync a copy: ' + m.error.message);
  finish();
});
w.syncs.on('close', () => {
  if (unanswered > 0) {
    failure = failure || new Error('the sync thread ended before it synced the copy');
    unanswered = 0;
    finish();
  }
});
const sync = () => { for (const fd of w.to) { unanswered++; w.syncs.postMessage({ id: 0, fd }); } };
try {
  while (Atomics.load(state, 0) === 0) {
    const at = Atomics.add(state, 1, 1) * w.chunk;
    if (at >= w.length) break;
    const want = Math.min(w.chunk, w.length - at);
    for (let got = 0; got < want; ) {
      const n = fs.readSync(w.from, buf, got, want - got, at + got);
      if (n === 0) throw new Error('the file ends at ' + (at + got) + ' bytes, not ' + w.length);
      got += n;
    }
    for (const fd of w.to) for (let done = 0; done < want; ) done += fs.writeSync(fd, buf, done, want - done, at + done);
    sinceSync += want;
    if (sinceSync >= w.syncEvery) {
      sinceSync = 0;
      sync();
    }
  }
} catch (e) {
  failure = e;
  Atomics.store(state, 0, 1); // the others stop too: the copy has failed
}
ended = true;
finish();
`;

/** A copy under way on its own thread (copyInBackground). */
export interface BackgroundCopy {
  /** resolves when its threads are gone, with the copy done (or stopped); rejects with why one failed */
  done: Promise<void>;
  /** asks the threads to stop after the chunk each is at (done still settles only once they are gone) */
  stop(): void;
  /**
   * Starts one more thread on what is left (when this one has a core to spare again: a replay that ended
   * before the copy); they take the chunks left in turn. Nothing when the copy is over or stopped.
   */
  help(): void;
}

/**
 * Copies the first `length` bytes of the open file `from` to the same offsets of each open file in `to`, on a
 * thread of its own (and those help() adds), with blocking reads and writes into one reused buffer per thread:
 * it goes on while this thread is busy (a replay's SQLite batches), and the disk is handed what was written
 * every `syncEvery` bytes (in the background). The owner closes the descriptors once `done` has settled.
 */
export function copyInBackground(from: number, to: number[], opts: { length: number; syncEvery?: number; chunk?: number }): BackgroundCopy {
  const state = new Int32Array(new SharedArrayBuffer(8));
  const chunk = opts.chunk ?? COPY_CHUNK;
  const threads: Array<Promise<void>> = [];
  const start = () => {
    const syncs = syncPort();
    const worker = new Worker(COPY_SOURCE, { eval: true, workerData: { from, to, length: opts.length, chunk, syncEvery: opts.syncEvery ?? 128 * 1024 * 1024, state: state.buffer, syncs }, transferList: [syncs] });
    const thread = new Promise<void>((resolve, reject) => {
      let failed: Error | null = null;
      worker.on('error', (e) => {
        failed = e;
        Atomics.store(state, 0, 1); // the others stop too: the copy has failed
      });
      worker.on('exit', () => (failed ? reject(failed) : resolve()));
    });
    // handled here: a helper may fail while `done` still waits for the threads before it (done reports it)
    thread.catch(() => undefined);
    threads.push(thread);
  };
  start();
  // settles once every thread started (also by help() meanwhile) is gone: none may write to a descriptor
  // after the owner closed it, also when another failed
  const done = (async () => {
    for (let waited = 0; waited < threads.length; ) {
      const now = threads.length;
      const ended = await Promise.allSettled(threads);
      const failed = ended.find((x): x is PromiseRejectedResult => x.status === 'rejected');
      if (failed && now === threads.length) throw failed.reason;
      waited = now;
    }
  })();
  return {
    done,
    stop: () => Atomics.store(state, 0, 1),
    help: () => {
      if (Atomics.load(state, 0) !== 0 || Atomics.load(state, 1) * chunk >= opts.length) return;
      try {
        start();
      } catch {
        // only a speed-up: the threads already running finish the copy
      }
    },
  };
}
