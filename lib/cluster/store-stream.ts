/**
 * A store snapshot as a member sends it for a backup: the file as it is, or compressed with zstd on the
 * member's cores (as pg_basebackup's server-side compression).
 *
 * A compressed stream keeps moving while the member works: each second (STORE_FLUSH_MS) in which the member
 * read something and sent nothing, it flushes the compressor. Without that, zstd holds its output back until a
 * 2 MiB job of its worker threads is done, and level 1 writes a 128 KiB block of zeros (free pages) as 4
 * bytes: a big free region read from a slow disk goes quiet on the wire. Flushed, every MiB read is out within
 * two seconds, 39 bytes at the least, which is what the client's watchdog counts on
 * (COMPRESSED_STORE_MIN_RATE in ./watchdog.ts). A flush ends a zstd block, not the frame: the stream stays
 * one frame and decodes as before.
 */
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CompressStream } from 'zstd-napi';
import { compressor } from '../graph/codec';
import { TxlineError } from '../errors';

export const STORE_FLUSH_MS = 1000;

/**
 * Pipes `source` (the snapshot's file) to `out`, zstd-compressed when `compress`; `flushEveryMs` (0: never) is
 * how often a quiet compressor is flushed.
 */
export async function sendStore(source: Readable, out: Writable, opts: { compress: boolean; flushEveryMs?: number; stillValid?: () => string | null }): Promise<void> {
  // Before the stream ends: is the snapshot still what was read? A store closed meanwhile was checkpointed into
  // the file: the stream then breaks off short, and the backup does not take it. (Uncompressed, the last chunk
  // is held back until then; compressed, the frame's end comes only after it.)
  let held: Buffer | null = null;
  const guard = new Transform({
    transform: (chunk: Buffer, _e, cb) => {
      if (opts.compress) return cb(null, chunk);
      const out = held;
      held = chunk;
      cb(null, out ?? undefined);
    },
    flush: (cb) => {
      const problem = opts.stillValid?.() ?? null;
      if (problem) return cb(new TxlineError('INCONSISTENT_STORE', problem));
      cb(null, held ?? undefined);
    },
  });
  if (!opts.compress) return pipeline(source, guard, out);
  const zstd = compressor('zstd') as Transform & Pick<CompressStream, 'flush'>;
  const done = pipeline(source, guard, zstd, out);
  const stopFlushing = flushWhileQuiet(source, zstd, opts.flushEveryMs ?? STORE_FLUSH_MS);
  try {
    await done;
  } finally {
    stopFlushing();
  }
}

/** Each `everyMs`, flushes `zstd` if `source` gave it something and it emitted nothing since the last look. */
function flushWhileQuiet(source: Readable, zstd: Transform & Pick<CompressStream, 'flush'>, everyMs: number): () => void {
  if (everyMs <= 0) return () => undefined;
  let read = 0;
  let sent = 0;
  // Counting listeners beside pipeline's own (added after it): they neither start nor pause the flow.
  source.on('data', (c: Buffer) => (read += c.length));
  zstd.on('data', (c: Buffer) => (sent += c.length));
  let seen = { read, sent };
  const timer = setInterval(() => {
    if (zstd.writableEnded || zstd.destroyed) return;
    if (read > seen.read && sent === seen.sent) zstd.flush();
    seen = { read, sent };
  }, everyMs);
  return () => clearInterval(timer);
}
