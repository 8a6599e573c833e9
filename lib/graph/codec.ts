/**
 * Payload compression. The default is Zstandard level 1 (the zstd-napi binding, built from source at
 * install), one zstd stream per payload, compressed by zstd's own worker threads (one per core) while the
 * main thread only moves bytes. Measured on a 300 MiB SQLite store on this 2-core machine: 690 MiB/s with
 * two workers (360 MiB/s with none), ratio 7.7; decompression 850 MiB/s on one thread. Brotli quality 1 in
 * independent blocks on libuv's pool (the codec of earlier artifacts, still read and writable) ran at
 * 140-300 MiB/s in a backup with a ratio of 6.9.
 *
 * A Brotli payload is a sequence of frames: u32 LE compressed length | u32 LE raw length | Brotli stream of
 * one block of at most BLOCK_BYTES raw bytes. Blocks of 1 MiB (the size of every other buffer on the way)
 * keep the process small: with 4 MiB blocks, mixed buffer sizes fragmented the allocator and a 1 GiB
 * restore peaked above 200 MB. A 1 MiB window (lgwin 20) matches the block.
 */
import os from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { TxlineError } from '../errors';

export type Codec = 'none' | 'brotli' | 'zstd';

export const CODECS = ['none', 'brotli', 'zstd'] as const satisfies readonly Codec[];

export const DEFAULT_CODEC: Codec = 'zstd';

export const CODEC_SUFFIX: Record<Codec, string> = { none: '', brotli: '.brblocks', zstd: '.zst' };

/** zstd's worker threads: one per core, at most four (more only cost memory on the way). */
const ZSTD_WORKERS = Math.max(1, Math.min(4, os.availableParallelism()));

export const BLOCK_BYTES = 1024 * 1024;
const PARALLEL = 3;
const FRAME_HEADER = 8;

// zstd-napi (a native addon) is loaded when a zstd stream is first made: an uncompressed backup never needs it
const requireHere = createRequire(import.meta.url);
const zstd = () => requireHere('zstd-napi') as typeof import('zstd-napi');

const brotliCompress = promisify(zlib.brotliCompress);
const brotliDecompress = promisify(zlib.brotliDecompress);

function compressBlock(raw: Buffer): Promise<Buffer> {
  return brotliCompress(raw, {
    // One output buffer per block: zlib's default 16 KiB chunks cost a callback and a buffer each.
    chunkSize: 1024 * 1024,
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 1,
      [zlib.constants.BROTLI_PARAM_LGWIN]: 20,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  }).then((c) => {
    const head = Buffer.allocUnsafe(FRAME_HEADER);
    head.writeUInt32LE(c.length, 0);
    head.writeUInt32LE(raw.length, 4);
    return Buffer.concat([head, c]);
  });
}

/**
 * A transform that cuts its input into units, runs `work` on up to PARALLEL units at once, and emits the
 * results in order.
 */
abstract class OrderedParallel extends Transform {
  private inflight: Array<Promise<Buffer>> = [];

  constructor() {
    super({ highWaterMark: BLOCK_BYTES, readableHighWaterMark: BLOCK_BYTES });
  }

  protected submit(p: Promise<Buffer>): void {
    p.catch(() => undefined); // surfaced in order by drainTo
    this.inflight.push(p);
  }

  protected async drainTo(limit: number): Promise<void> {
    while (this.inflight.length > limit) {
      this.push(await (this.inflight.shift() as Promise<Buffer>));
    }
  }

  protected run(fn: () => Promise<void>, cb: TransformCallback): void {
    fn().then(() => cb(), (e) => cb(e as Error));
  }
}

export class BlockCompressor extends OrderedParallel {
  private parts: Buffer[] = [];
  private bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.parts.push(chunk);
    this.bytes += chunk.length;
    this.run(async () => {
      while (this.bytes >= BLOCK_BYTES) {
        const all = Buffer.concat(this.parts);
        this.submit(compressBlock(all.subarray(0, BLOCK_BYTES)));
        const rest = all.subarray(BLOCK_BYTES);
        this.parts = rest.length ? [rest] : [];
        this.bytes = rest.length;
      }
      await this.drainTo(PARALLEL - 1);
    }, cb);
  }

  override _flush(cb: TransformCallback): void {
    this.run(async () => {
      if (this.bytes > 0) this.submit(compressBlock(Buffer.concat(this.parts)));
      this.parts = [];
      this.bytes = 0;
      await this.drainTo(0);
    }, cb);
  }
}

export class BlockDecompressor extends OrderedParallel {
  private parts: Buffer[] = [];
  private bytes = 0;
  private frame = -1; // length of the frame being collected, once its header is in

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.parts.push(chunk);
    this.bytes += chunk.length;
    this.run(async () => {
      for (;;) {
        if (this.frame < 0) {
          if (this.bytes < FRAME_HEADER) break;
          const head = this.parts[0].length >= FRAME_HEADER ? this.parts[0] : Buffer.concat(this.parts);
          const clen = head.readUInt32LE(0);
          const rlen = head.readUInt32LE(4);
          if (rlen > BLOCK_BYTES || clen > BLOCK_BYTES * 2) throw new TxlineError('ARTIFACT_CORRUPT', `implausible compressed block (${clen} -> ${rlen} bytes)`);
          this.frame = FRAME_HEADER + clen;
        }
        if (this.bytes < this.frame) break;
        const all = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
        const rlen = all.readUInt32LE(4);
        const body = all.subarray(FRAME_HEADER, this.frame);
        const rest = all.subarray(this.frame);
        this.parts = rest.length ? [rest] : [];
        this.bytes = rest.length;
        this.frame = -1;
        this.submit(
          brotliDecompress(body, { chunkSize: Math.max(64 * 1024, rlen) }).then((raw) => {
            if (raw.length !== rlen) throw new TxlineError('ARTIFACT_CORRUPT', `a compressed block decompressed to ${raw.length} bytes, not ${rlen}`);
            return raw;
          }),
        );
      }
      await this.drainTo(PARALLEL - 1);
    }, cb);
  }

  override _flush(cb: TransformCallback): void {
    this.run(async () => {
      if (this.bytes > 0) throw new TxlineError('ARTIFACT_CORRUPT', `the compressed payload ends inside a block (${this.bytes} stray bytes)`);
      await this.drainTo(0);
    }, cb);
  }
}

export function compressor(codec: Codec): Transform | null {
  // The frame carries a checksum of the original bytes, so decoding proves them whole (a flipped bit in a
  // literal run would otherwise decode to the right size with the wrong content).
  if (codec === 'zstd') return new (zstd().CompressStream)({ compressionLevel: 1, nbWorkers: ZSTD_WORKERS, checksumFlag: true });
  return codec === 'brotli' ? new BlockCompressor() : null;
}

export function decompressor(codec: Codec): Transform | null {
  if (codec === 'zstd') return new (zstd().DecompressStream)();
  return codec === 'brotli' ? new BlockDecompressor() : null;
}
