/**
 * Writing an artifact (the format is in artifact.ts).
 *
 * Invariants:
 * - An artifact is built in a local scratch file under a hidden temporary name
 *   (`.txline-partial-<db>-<pid>-<random>.tmp`, in `--temp-path`, else the location's local folder, else the
 *   system's temporary folder), synced, read back, and only then handed to the storage location
 *   (lib/storage/location.ts): adopted where the location can (a local folder on the same filesystem links it
 *   into place), else streamed into the location's atomic write(). Either way it appears under its final name
 *   without replacing one (`-1`, `-2` when the second is taken), and a reader never sees a partial artifact.
 * - Nothing temporary outlives the writer: abort() and an interruption remove it (or keep it as `.failed`, in
 *   the scratch folder, with --keep-failed); what a killed process left is removed by the next run
 *   (cleanStaleTemporaries for scratch files, the location's cleanLeftovers for what its write() left).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Header } from 'tar/header';
import { TxlineError } from '../errors';
import { normalizeDatabaseName } from '../graph/names';
import { fsyncDir, linkUniqueAs, positionalChunks } from '../fs';
import { encodeArtifactNote } from './artifact-note';
import { onInterrupt, processAlive } from '../cleanup';
import { ARTIFACT_EXTENSION, BLOCK, FORMAT, METADATA_BYTES, PAYLOAD_OFFSET, located, metadataChecksum, readArtifactFd, roundUp, type Artifact, type ArtifactMetadata } from './artifact';
import type { Location, Lock } from '../storage';
import { compressor, CODEC_SUFFIX, type Codec } from '../graph/codec';
import { ThreadedHash } from './hasher';

const WRITE_BATCH = 4 * 1024 * 1024;
/** the `format` of a kept failed attempt's metadata: never read as an artifact */
export const FAILED_FORMAT = 'txline-failed-backup/1';
const SYNC_EVERY = 64 * 1024 * 1024;

/** The lock of a writer that no other run can race: a test's or a benchmark's own folder. */
export const UNRACED: Pick<Lock, 'confirm'> = { confirm: () => Promise.resolve() };

export interface NewArtifact {
  /** where the artifact goes */
  location: Location;
  /**
   * the lock the artifact is written under (its database's, in `location`): confirmed (Lock.confirm) just
   * before the artifact becomes visible there, so a run that lost it commits nothing
   */
  lock: Pick<Lock, 'confirm'>;
  /** the scratch folder (--temp-path); by default the location's local folder, else the system's temporary folder */
  tempDir?: string;
  database: string;
  time: Date;
  full: boolean;
  codec: Codec;
  keepFailed: boolean;
}

/**
 * Writes one artifact: `payload()` gives a Writable for the payload's original bytes; `commit(meta)` seals
 * the file and links it into place; `abort()` removes (or, with keepFailed, keeps) the temporary file.
 */
export class ArtifactWriter {
  readonly tempPath: string;
  private fd: number;
  private storedBytes = 0;
  private rawBytes = 0;
  private hash: ThreadedHash;
  private done = false;
  /** the payload came already encoded (payload({ encoded: true })), and how many bytes it must decode to */
  private encoded = false;
  private expectedRawBytes: number | null = null;
  /** hands over the bytes payload() holds back for its next batch (abort() keeps them with --keep-failed) */
  private takePending: () => Buffer[] = () => [];
  private readonly unregister: () => void;
  /** the local folder the artifact is built in */
  private readonly scratch: string;

  constructor(readonly opts: NewArtifact) {
    // The name becomes part of file names: never a path (artifact metadata is checked the same way).
    if (normalizeDatabaseName(opts.database) !== opts.database) throw new TxlineError('INVALID_NAME', `Invalid database name "${opts.database}" for an artifact file name`);
    this.scratch = opts.tempDir ?? opts.location.localFolder ?? os.tmpdir();
    this.tempPath = path.join(this.scratch, tempName(opts.database, opts.keepFailed));
    // Owner-only: it holds the whole database, often in the shared temporary folder (an S3 location's scratch),
    // and in a folder location it becomes the artifact itself.
    this.fd = fs.openSync(this.tempPath, 'wx+', 0o600);
    this.hash = new ThreadedHash();
    // Interrupted (SIGTERM from a cancelled job): no temporary file may remain. Once sealed and handed over,
    // the artifact is complete and only the temporary name goes (the location removes its own).
    this.unregister = onInterrupt(() => {
      if (!this.done) this.abort();
      fs.rmSync(this.tempPath, { force: true });
    });
    fs.writeSync(this.fd, Buffer.alloc(PAYLOAD_OFFSET), 0, PAYLOAD_OFFSET, 0);
  }

  /** Original (decompressed) payload bytes taken in so far (an encoded payload's: decoded so far). */
  get rawBytesWritten(): number {
    return this.encoded ? this.hash.decodedBytes : this.rawBytes;
  }

  get entryName(): string {
    return (this.opts.full ? 'store.sqlite' : 'transactions.log') + CODEC_SUFFIX[this.opts.codec];
  }

  /**
   * Raw bytes in; compressed, written at the payload offset and hashed. Bytes go out in batches of
   * WRITE_BATCH bytes, each written at its offset on libuv's pool while the hashing thread hashes it, and
   * this thread goes on receiving (`storedBytes` counts what was handed over); the file is synced in the
   * background every SYNC_EVERY bytes so that sealing it has little left to flush.
   *
   * `encoded`: the bytes are already in this artifact's codec (the source compressed them). They are
   * written as they come, and the hashing thread decodes them on the side, which checks them and counts the
   * original bytes; commit() fails if they do not decode.
   */
  payload(opts: { encoded?: boolean; expectedRawBytes?: number } = {}): Writable {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let sinceSync = 0;
    this.takePending = () => {
      const out = pending;
      pending = [];
      pendingBytes = 0;
      return out;
    };
    const flush = async () => {
      if (pendingBytes === 0) return;
      // After abort the descriptor may be closed, or its number reused by another file: never write.
      if (this.done) throw new TxlineError('INTERNAL', 'the artifact was aborted');
      this.throwIfWriteFailed();
      const batch = await this.hash.acquire(pendingBytes);
      if (this.done) throw new TxlineError('INTERNAL', 'the artifact was aborted');
      let n = 0;
      for (const c of pending) n += c.copy(batch, n);
      pending = [];
      pendingBytes = 0;
      this.hash.update(batch, n, { fd: this.fd, position: PAYLOAD_OFFSET + this.storedBytes });
      this.storedBytes += n;
      sinceSync += n;
      if (sinceSync >= SYNC_EVERY) {
        // Start flushing what is written by now; commit() syncs whatever is left. (Harmless if the file is
        // aborted meanwhile: the descriptor closes only once every buffer is back.)
        sinceSync = 0;
        fs.fdatasync(this.fd, () => undefined);
      }
    };
    const comp = opts.encoded ? null : compressor(this.opts.codec);
    const file = new Writable({
      highWaterMark: WRITE_BATCH,
      write: (chunk: Buffer, _e, cb) => {
        if (!comp && !opts.encoded) this.rawBytes += chunk.length;
        if (pendingBytes + chunk.length < WRITE_BATCH) {
          pending.push(chunk);
          pendingBytes += chunk.length;
          return cb();
        }
        // A batch never exceeds a pool buffer: fill up to WRITE_BATCH, flush, go on with the rest.
        const take = async () => {
          let rest = chunk;
          while (rest.length > 0) {
            const part = rest.subarray(0, WRITE_BATCH - pendingBytes);
            pending.push(part);
            pendingBytes += part.length;
            rest = rest.subarray(part.length);
            if (pendingBytes === WRITE_BATCH) await flush();
          }
        };
        take().then(() => cb(), cb);
      },
      final: (cb) => {
        flush().then(() => cb(), cb);
      },
    });
    if (opts.encoded) {
      if (this.opts.codec !== 'zstd') throw new TxlineError('INTERNAL', `an encoded payload must be zstd, not ${this.opts.codec}`);
      this.encoded = true;
      this.expectedRawBytes = opts.expectedRawBytes ?? null;
      this.hash.decodeAs('zstd');
      return file;
    }
    if (!comp) return file; // uncompressed: the bytes go straight to the file
    const counter = new Transform({
      transform: (chunk: Buffer, _e, cb) => {
        this.rawBytes += chunk.length;
        cb(null, chunk);
      },
    });
    counter.pipe(comp).pipe(file);
    comp.on('error', (e) => counter.destroy(e));
    file.on('error', (e) => counter.destroy(e));
    return wrapSink(counter, file);
  }

  /**
   * The payload is `size` bytes of the open file `fd` from its start (an uncompressed artifact only): read
   * straight into the hash's pool buffers on libuv's pool, each hashed on the worker while it is written at its
   * offset, so this thread copies nothing. `onBytes` hears the bytes read so far. Measured on 1 GiB: as fast as
   * cp + sync (1.11-1.17 s against 1.14-1.15 s).
   */
  async copyFrom(fd: number, size: number, onBytes?: (done: number) => void): Promise<void> {
    if (this.opts.codec !== 'none') throw new TxlineError('INTERNAL', `a copied payload must be uncompressed, not ${this.opts.codec}`);
    let sinceSync = 0;
    for (let at = 0; at < size; ) {
      if (this.done) throw new TxlineError('INTERNAL', 'the artifact was aborted');
      this.throwIfWriteFailed();
      const n = Math.min(WRITE_BATCH, size - at);
      const batch = await this.hash.acquire(n);
      for (let got = 0; got < n; ) {
        const k = await readAt(fd, batch, got, n - got, at + got);
        if (k === 0) throw new TxlineError('SOURCE_UNREACHABLE', `the store file ended after ${at + got} of its ${size} bytes`);
        got += k;
      }
      if (this.done) throw new TxlineError('INTERNAL', 'the artifact was aborted');
      this.hash.update(batch, n, { fd: this.fd, position: PAYLOAD_OFFSET + this.storedBytes });
      this.storedBytes += n;
      this.rawBytes += n;
      at += n;
      sinceSync += n;
      if (sinceSync >= SYNC_EVERY) {
        sinceSync = 0;
        fs.fdatasync(this.fd, () => undefined);
      }
      onBytes?.(at);
    }
  }

  /** Seals the artifact and links it into place under a fresh name. Returns the artifact as read back. */
  async commit(meta: Omit<ArtifactMetadata, 'format' | 'payload' | 'compressed' | 'codec' | 'full' | 'createdBy' | 'time' | 'database' | 'metadataSha256'>): Promise<Artifact> {
    const full: Omit<ArtifactMetadata, 'metadataSha256'> = {
      format: FORMAT,
      database: this.opts.database,
      time: this.opts.time.toISOString(),
      full: this.opts.full,
      compressed: this.opts.codec !== 'none',
      codec: this.opts.codec,
      contentDigest: null,
      ...meta,
      payload: { entry: this.entryName, sizeBytes: this.storedBytes, rawBytes: this.rawBytes, sha256: await this.hash.digest() },
      createdBy: 'txline 0.1.0',
    };
    await this.hash.idle(); // every payload write is done
    this.throwIfWriteFailed();
    if (this.encoded) {
      if (this.hash.decodeError) {
        throw new TxlineError('SOURCE_UNREACHABLE', `the ${this.opts.codec} stream the source sent does not decode: ${this.hash.decodeError}`);
      }
      full.payload.rawBytes = this.hash.decodedBytes;
      if (this.expectedRawBytes !== null && full.payload.rawBytes !== this.expectedRawBytes) {
        throw new TxlineError('SOURCE_UNREACHABLE', `the stream the source sent decodes to ${full.payload.rawBytes} bytes, not the ${this.expectedRawBytes} it announced`);
      }
    }
    const json = JSON.stringify({ ...full, metadataSha256: metadataChecksum(full) }, null, 1);
    if (Buffer.byteLength(json) > METADATA_BYTES) throw new TxlineError('INTERNAL', 'artifact metadata does not fit its header');
    const mtime = this.opts.time;
    const tail = roundUp(this.storedBytes) - this.storedBytes + 2 * BLOCK;
    fs.writeSync(this.fd, Buffer.alloc(tail), 0, tail, PAYLOAD_OFFSET + this.storedBytes);
    const head = Buffer.alloc(PAYLOAD_OFFSET, 0);
    tarHeader('metadata.json', METADATA_BYTES, mtime).copy(head, 0);
    head.fill(0x20, BLOCK, BLOCK + METADATA_BYTES);
    head.write(json, BLOCK, 'utf8');
    head[BLOCK + METADATA_BYTES - 1] = 0x0a;
    tarHeader(this.entryName, this.storedBytes, mtime).copy(head, BLOCK + METADATA_BYTES);
    fs.writeSync(this.fd, head, 0, head.length, 0);
    fs.fsyncSync(this.fd);
    this.done = true;
    // The file is followed by its descriptor, not its name: the name is in a folder others may write to, and a
    // file swapped in under it (a symlink to a file elsewhere, say) must not be read back or handed over.
    const fd = this.fd;
    const loc = this.opts.location;
    try {
      // the sealed file must read back whole before a reader can see it
      const sealed = readArtifactFd(this.tempPath, fd, fs.fstatSync(fd).size);
      const want = `${artifactBaseName(this.opts.database, this.opts.time)}${ARTIFACT_EXTENSION}`;
      // (a folder adopts the file at once; an upload is confirmed once the whole file is handed to it, before its
      // commit, which completes it: see lib/storage/s3/lock.ts for what that does not cover)
      if (loc.adopt) await this.opts.lock.confirm();
      const name = (await loc.adopt?.({ path: this.tempPath, fd }, want)) ?? (await this.upload(want, encodeArtifactNote(json)));
      fs.rmSync(this.tempPath, { force: true });
      return located({ ...sealed, file: name, path: loc.addressOf(name) }, loc);
    } catch (e) {
      fs.rmSync(this.tempPath, { force: true });
      throw e;
    } finally {
      fs.closeSync(fd);
      this.unregister();
    }
  }

  /**
   * Streams the sealed file into the location's atomic write(); returns the name it was committed under. `note`:
   * the metadata for a location that keeps notes (artifact-note.ts), so its index need not read the head.
   */
  private async upload(name: string, note: Buffer): Promise<string> {
    const size = fs.fstatSync(this.fd).size;
    const handle = await this.opts.location.write(name, { size });
    try {
      await pipeline(Readable.from(positionalChunks(this.fd, 0, size)), handle.sink);
      await this.opts.lock.confirm();
      return await handle.commit({ note });
    } catch (e) {
      await handle.abort();
      throw e;
    }
  }

  /**
   * Drops the temporary file; with keepFailed, keeps the attempt for analysis instead (see keep()) and
   * returns its path. `known` is what the caller knew of the backup when it failed (source, range, error).
   */
  abort(known: Record<string, unknown> = {}): string | null {
    if (this.done) return null;
    this.done = true;
    this.unregister();
    this.hash.destroy();
    let kept: string | null = null;
    try {
      if (this.opts.keepFailed) kept = this.keep(known);
    } finally {
      // A payload write still under way must not land in a file that reuses this descriptor's number:
      // close only when every buffer is back. Renaming or removing the file by name is safe meanwhile.
      if (this.hash.outstanding > 0) void this.hash.idle().then(() => this.closeFd());
      else this.closeFd();
      if (!kept) fs.rmSync(this.tempPath, { force: true });
    }
    return kept;
  }

  /**
   * A failed attempt as it stood: the payload bytes received so far (those still held back for the next
   * batch are written first) behind a tar head whose `metadata.json` says what was known (format
   * FAILED_FORMAT, so it is never read as an artifact), linked as `<db>-<time>[-N].failed-<pid>` without
   * replacing any file, with the same metadata beside it as `<kept>.json`. With compression, bytes still
   * inside the compressor are lost; what was written is a prefix of the compressed stream.
   */
  private keep(known: Record<string, unknown>): string {
    // Batches still being written land at their offsets in the same file (the link below is to it).
    let end = PAYLOAD_OFFSET + this.storedBytes;
    for (const chunk of this.takePending()) {
      writeAllSync(this.fd, chunk, end);
      end += chunk.length;
    }
    const stored = end - PAYLOAD_OFFSET;
    const meta: Record<string, unknown> = {
      format: FAILED_FORMAT,
      database: this.opts.database,
      time: this.opts.time.toISOString(),
      failedAt: new Date().toISOString(),
      full: this.opts.full,
      compressed: this.opts.codec !== 'none',
      codec: this.opts.codec,
      ...known,
      payload: { entry: this.entryName, sizeBytes: stored, rawBytes: this.rawBytes, complete: false },
      createdBy: 'txline 0.1.0',
    };
    let json = JSON.stringify(meta, null, 1);
    if (Buffer.byteLength(json) > METADATA_BYTES - 1) {
      // an enormous error message: keep its start
      meta.error = String(meta.error ?? '').slice(0, 1000);
      json = JSON.stringify(meta, null, 1).slice(0, METADATA_BYTES - 1);
    }
    const mtime = this.opts.time;
    const head = Buffer.alloc(PAYLOAD_OFFSET, 0);
    tarHeader('metadata.json', METADATA_BYTES, mtime).copy(head, 0);
    head.fill(0x20, BLOCK, BLOCK + METADATA_BYTES);
    head.write(json, BLOCK, 'utf8');
    head[BLOCK + METADATA_BYTES - 1] = 0x0a;
    tarHeader(this.entryName, stored, mtime).copy(head, BLOCK + METADATA_BYTES);
    writeAllSync(this.fd, head, 0);
    writeAllSync(this.fd, Buffer.alloc(roundUp(stored) - stored + 2 * BLOCK), end);
    fs.fsyncSync(this.fd);
    const dir = this.scratch;
    const kept = linkUniqueAs(this.tempPath, dir, artifactBaseName(this.opts.database, this.opts.time), `.failed-${process.pid}`);
    fs.rmSync(this.tempPath, { force: true });
    fs.writeFileSync(`${kept}.json`, `${JSON.stringify(meta, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    fsyncDir(dir);
    return kept;
  }

  private throwIfWriteFailed(): void {
    const e = this.hash.writeError;
    if (e) throw new TxlineError('IO_ERROR', `cannot write ${this.tempPath}: ${e.message}`, { cause: e });
  }

  private closeFd(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}

function readAt(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, buf, offset, length, position, (e, n) => (e ? reject(e) : resolve(n))));
}

function writeAllSync(fd: number, buf: Buffer, position: number): void {
  for (let done = 0; done < buf.length; ) done += fs.writeSync(fd, buf, done, buf.length - done, position + done);
}

/** A Writable whose end waits for the last stage (the file) to finish. */
function wrapSink(head: Transform, tail: Writable): Writable {
  const sink = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk, enc, cb) {
      if (head.write(chunk, enc)) cb();
      else head.once('drain', () => cb());
    },
    final(cb) {
      tail.once('finish', () => cb());
      tail.once('error', (e) => cb(e));
      head.end();
    },
    destroy(err, cb) {
      head.destroy(err ?? undefined);
      tail.destroy(err ?? undefined);
      cb(err);
    },
  });
  head.on('error', (e) => sink.destroy(e));
  tail.on('error', (e) => sink.destroy(e));
  return sink;
}

function tarHeader(name: string, size: number, mtime: Date): Buffer {
  const h = new Header({ path: name, size, mode: 0o644, mtime, type: 'File', uname: 'txline', gname: 'txline' });
  h.encode();
  return h.block as Buffer;
}



/** `<db>-YYYY-MM-DDTHH-MM-SS` in UTC. */
export function artifactBaseName(database: string, time: Date): string {
  const iso = time.toISOString(); // 2026-11-23T18:31:20.123Z
  return `${database}-${iso.slice(0, 10)}T${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}`;
}

/** The database an artifact's file name says (artifactBaseName, a `-N` of a name taken, `.backup`), or null. */
export function databaseOfArtifactName(name: string): string | null {
  return /^(.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:-\d+)?\.backup$/.exec(name)?.[1] ?? null;
}



const TEMP_PREFIX = '.txline-partial-';

function tempName(database: string, keep: boolean): string {
  return `${TEMP_PREFIX}${database}-${process.pid}-${randomBytes(4).toString('hex')}${keep ? '-keep' : ''}.tmp`;
}

/**
 * Removes temporary files left by backup processes that no longer run (a `kill -9`), or keeps them as
 * `.failed` files when that run asked to keep failed attempts. Returns what it did.
 */
export function cleanStaleTemporaries(dir: string, database: string): string[] {
  const done: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return done;
  }
  const re = new RegExp(`^${escapeRe(TEMP_PREFIX + database)}-(\\d+)-[0-9a-f]+(-keep)?\\.tmp$`);
  for (const n of names) {
    const m = re.exec(n);
    if (!m || processAlive(Number(m[1]))) continue;
    const p = path.join(dir, n);
    if (m[2]) {
      const kept = linkUniqueAs(p, dir, `${database}-interrupted-${m[1]}`, '.backup.failed');
      fs.rmSync(p, { force: true });
      done.push(`kept interrupted attempt ${n} as ${path.basename(kept)}`);
    } else {
      fs.rmSync(p, { force: true });
      done.push(`removed ${n}, left by an interrupted backup (process ${m[1]})`);
    }
  }
  return done;
}

export { processAlive };

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
