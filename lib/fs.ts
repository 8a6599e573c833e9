/**
 * Durability helpers shared by the embedded cluster's log and the backup engine's artifacts: a file renamed
 * into a folder is durable only once the folder itself is synced. And streams over a descriptor that their
 * owner closes (never the stream).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
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
}

/**
 * A Writable that writes what it is given at `start`, `start + n`, ... of the open file `fd`, and never closes
 * it. (fs.createWriteStream({ fd, autoClose: false }) closes its descriptor when it is destroyed, as pipeline()
 * does on an error; the owner's own close then fails with EBADF, or closes another file that got the number.)
 * The owner closes the descriptor after settled().
 */
export function positionalWriter(fd: number, start = 0, highWaterMark = 1024 * 1024): PositionalWriter {
  let position = start;
  let inFlight: Promise<void> = Promise.resolve();
  const w = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, cb) {
      const at = position;
      position += chunk.length;
      const write = writeAt(fd, chunk, at);
      inFlight = write.then(
        () => cb(),
        (e: Error) => cb(e),
      );
    },
  }) as PositionalWriter;
  w.settled = () => inFlight;
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

/** The bytes `start`.. `end` (exclusive) of the open file `fd`, read at their positions; never closes it. */
export async function* positionalChunks(fd: number, start: number, end: number, size = 1024 * 1024): AsyncGenerator<Buffer> {
  for (let at = start; at < end; ) {
    const buf = Buffer.allocUnsafe(Math.min(size, end - at));
    const n = await new Promise<number>((resolve, reject) => fs.read(fd, buf, 0, buf.length, at, (e, k) => (e ? reject(e) : resolve(k))));
    if (n === 0) return;
    at += n;
    yield n === buf.length ? buf : buf.subarray(0, n);
  }
}
