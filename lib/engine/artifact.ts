/**
 * Backup artifacts: one immutable, self-describing file per database per backup run.
 *
 * An artifact is a POSIX tar archive with two entries, so `tar tvf` can read it:
 *
 *   0      tar header  "metadata.json"
 *   512    metadata JSON, space-padded to METADATA_BYTES (readable without touching the payload)
 *   8704   tar header  "store.sqlite[.br|.gz]" (full) or "transactions.log[.br|.gz]" (differential)
 *   9216   payload (the store file, or transaction records), optionally compressed
 *   ...    padding to 512 bytes, then two zero blocks
 *
 * Invariants:
 * - An artifact is immutable once linked into place under its final name. It is written under a hidden
 *   temporary name (same folder, or `--temp-path`), synced, linked without overwriting, and the folder is
 *   synced: a reader never sees a partial artifact under a `*.backup` name.
 * - The metadata names the payload's size and SHA-256 (over the stored, possibly compressed, bytes).
 * - Time is read from the metadata, never from the file name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Header } from 'tar';
import { z } from 'zod';
import { TxlineError, describeError } from '../errors';
import { fsyncDir } from '../cluster/txlog';
import { onInterrupt } from '../cleanup';
import { compressor, decompressor, CODEC_SUFFIX, type Codec } from './codec';

export const ARTIFACT_EXTENSION = '.backup';
export const METADATA_BYTES = 8192;
const BLOCK = 512;
export const PAYLOAD_OFFSET = BLOCK + METADATA_BYTES + BLOCK;
const FORMAT = 'txline-backup/1';

const uuid = z.string().regex(/^[0-9a-f-]{36}$/i, 'must be a UUID');
const txId = z.number().int().nonnegative();

export const artifactMetadataSchema = z.object({
  format: z.literal(FORMAT),
  database: z.string().min(1),
  databaseId: uuid,
  storeId: uuid,
  /** backup time, ISO 8601 UTC */
  time: z.iso.datetime(),
  full: z.boolean(),
  compressed: z.boolean(),
  codec: z.enum(['none', 'brotli']),
  lowestTx: txId,
  highestTx: txId,
  txCount: txId,
  /** file name of the parent artifact (differentials) */
  parent: z.string().nullable(),
  /** checksum of the parent's last transaction, which this artifact's first transaction follows */
  parentLastTxChecksum: z.number().int().nonnegative().nullable(),
  /** the transaction the store is at after this artifact is applied (an empty differential: its parent's) */
  tipTx: txId,
  /** checksum of the record of `tipTx` */
  lastTxChecksum: z.number().int().nonnegative(),
  firstCommitTime: z.number().int().nonnegative().nullable(),
  lastCommitTime: z.number().int().nonnegative().nullable(),
  recovered: z.boolean(),
  member: z.object({ id: z.string(), address: z.string(), role: z.string() }).nullable(),
  payload: z.object({
    entry: z.string(),
    sizeBytes: z.number().int().nonnegative(),
    rawBytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  store: z.object({ nodes: z.number().int(), relationships: z.number().int() }).nullable(),
  createdBy: z.string(),
  /** SHA-256 of this JSON without this key (compact, in this key order): a damaged head is detected too */
  metadataSha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export type ArtifactMetadata = z.infer<typeof artifactMetadataSchema>;

/** An artifact as found in a folder: its metadata and where it is. */
export interface Artifact extends ArtifactMetadata {
  file: string; // base name
  path: string; // absolute path
}

export function isEmptyDiff(a: Pick<ArtifactMetadata, 'full' | 'highestTx'>): boolean {
  return !a.full && a.highestTx === 0;
}

// ---- reading ----------------------------------------------------------------------------------------

/** Reads an artifact's metadata from the head of the file (9 KiB), checking the container's framing. */
export function readArtifact(file: string): Artifact {
  const abs = path.resolve(file);
  let fd: number;
  try {
    fd = fs.openSync(abs, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TxlineError('PATH_NOT_FOUND', `${abs} does not exist`, { cause: e });
    throw new TxlineError('IO_ERROR', `cannot open ${abs}: ${describeError(e)}`, { cause: e });
  }
  try {
    const head = Buffer.alloc(PAYLOAD_OFFSET);
    const n = fs.readSync(fd, head, 0, PAYLOAD_OFFSET, 0);
    const size = fs.fstatSync(fd).size;
    const notArtifact = (why: string) => new TxlineError('NOT_AN_ARTIFACT', `${path.basename(abs)} is not a Txline backup artifact (${why})`);
    if (n < PAYLOAD_OFFSET) throw notArtifact('too short');
    const h1 = new Header(head.subarray(0, BLOCK));
    if (!h1.cksumValid || h1.path !== 'metadata.json' || h1.size !== METADATA_BYTES) throw notArtifact('no metadata header');
    let parsed: unknown;
    try {
      parsed = JSON.parse(head.toString('utf8', BLOCK, BLOCK + METADATA_BYTES));
    } catch {
      throw new TxlineError('ARTIFACT_CORRUPT', `${path.basename(abs)}: the metadata is unreadable`);
    }
    if (parsed && typeof parsed === 'object' && (parsed as { format?: unknown }).format === FORMAT) {
      const { metadataSha256, ...rest } = parsed as Record<string, unknown>;
      if (metadataSha256 !== metadataChecksum(rest)) throw new TxlineError('ARTIFACT_CORRUPT', `${path.basename(abs)} is corrupt: metadata checksum mismatch`);
    }
    const meta = artifactMetadataSchema.safeParse(parsed);
    if (!meta.success) {
      if ((parsed as { format?: unknown })?.format !== FORMAT) throw notArtifact('unknown format');
      throw new TxlineError('ARTIFACT_CORRUPT', `${path.basename(abs)}: invalid metadata (${meta.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
    }
    const h2 = new Header(head.subarray(BLOCK + METADATA_BYTES, PAYLOAD_OFFSET));
    if (!h2.cksumValid || h2.size !== meta.data.payload.sizeBytes || h2.path !== meta.data.payload.entry) {
      throw new TxlineError('ARTIFACT_CORRUPT', `${path.basename(abs)}: the payload header does not match the metadata`);
    }
    const expectedSize = PAYLOAD_OFFSET + roundUp(meta.data.payload.sizeBytes) + 2 * BLOCK;
    if (size !== expectedSize) {
      throw new TxlineError('ARTIFACT_CORRUPT', `${path.basename(abs)}: file is ${size} bytes, expected ${expectedSize} (truncated or extended)`);
    }
    return { ...meta.data, file: path.basename(abs), path: abs };
  } finally {
    fs.closeSync(fd);
  }
}

export interface ListResult {
  artifacts: Artifact[];
  /** `*.backup` files that could not be read, with why */
  problems: Array<{ file: string; error: TxlineError }>;
}

/** Lists the artifacts of a folder (or the single artifact a path names). Hidden and temporary files are ignored. */
export function listArtifacts(p: string): ListResult {
  const abs = path.resolve(p);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    throw new TxlineError('PATH_NOT_FOUND', `${abs} does not exist`, { cause: e });
  }
  const files = st.isDirectory()
    ? fs
        .readdirSync(abs)
        .filter((n) => n.endsWith(ARTIFACT_EXTENSION) && !n.startsWith('.'))
        .map((n) => path.join(abs, n))
    : [abs];
  const out: ListResult = { artifacts: [], problems: [] };
  for (const f of files) {
    try {
      out.artifacts.push(readArtifact(f));
    } catch (e) {
      if (!st.isDirectory()) throw e;
      out.problems.push({ file: path.basename(f), error: e instanceof TxlineError ? e : new TxlineError('IO_ERROR', describeError(e), { cause: e }) });
    }
  }
  return out;
}

/**
 * Streams the payload's original (decompressed) bytes into `sink`, hashing the stored bytes on the way.
 * Fails with ARTIFACT_CORRUPT, naming the file, when the bytes do not match the metadata's SHA-256 or do
 * not decompress. The sink must consume the whole stream.
 */
export async function consumePayload(a: Artifact, sink: (source: AsyncIterable<Buffer>) => Promise<void>): Promise<void> {
  const hash = createHash('sha256');
  let seen = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      seen += chunk.length;
      cb(null, chunk);
    },
  });
  const raw =
    a.payload.sizeBytes === 0
      ? Readable.from([] as Buffer[])
      : fs.createReadStream(a.path, { start: PAYLOAD_OFFSET, end: PAYLOAD_OFFSET + a.payload.sizeBytes - 1, highWaterMark: 1024 * 1024 });
  const dec = decompressor(a.codec);
  try {
    if (dec) await pipeline(raw, tap, dec, sink);
    else await pipeline(raw, tap, sink);
  } catch (e) {
    if (e instanceof TxlineError && e.code !== 'INTERNAL') {
      // What the codec or the record decoder found: say plainly which artifact is corrupt, once.
      if (e.code === 'ARTIFACT_CORRUPT' && !e.message.startsWith(`${a.file} is corrupt`)) {
        const why = e.message.startsWith(`${a.file}: `) ? e.message.slice(a.file.length + 2) : e.message;
        throw new TxlineError('ARTIFACT_CORRUPT', `${a.file} is corrupt: ${why}`);
      }
      throw e;
    }
    const digest = hash.digest('hex');
    const why = seen === a.payload.sizeBytes && digest !== a.payload.sha256 ? 'payload checksum mismatch' : describeError(e);
    throw new TxlineError('ARTIFACT_CORRUPT', `${a.file} is corrupt: ${why}`, { cause: e });
  }
  const digest = hash.digest('hex');
  if (seen !== a.payload.sizeBytes || digest !== a.payload.sha256) {
    throw new TxlineError('ARTIFACT_CORRUPT', `${a.file} is corrupt: payload checksum mismatch (SHA-256 ${digest.slice(0, 12)}…, expected ${a.payload.sha256.slice(0, 12)}…)`);
  }
}

/** Reads and checks the whole payload (SHA-256 and decompression) without keeping it. */
export async function verifyPayload(a: Artifact, onBytes?: (n: number) => void): Promise<void> {
  await consumePayload(a, async (source) => {
    for await (const chunk of source) onBytes?.(chunk.length);
  });
}

// ---- writing ----------------------------------------------------------------------------------------

export interface NewArtifact {
  dir: string;
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
  private hash = createHash('sha256');
  private done = false;
  /** payload writes handed to the thread pool and not yet called back */
  private inflight = 0;
  private closeWhenIdle = false;
  private readonly unregister: () => void;
  private copySource: string | null = null;

  constructor(readonly opts: NewArtifact) {
    const dir = opts.tempDir ?? opts.dir;
    this.tempPath = path.join(dir, tempName(opts.database, opts.keepFailed));
    this.fd = fs.openSync(this.tempPath, 'wx+');
    // Interrupted (SIGTERM from a cancelled job): no temporary file may remain. Once sealed and linked, the
    // artifact is complete and only the temporary names go.
    this.unregister = onInterrupt(() => {
      if (!this.done) this.abort();
      for (const p of [this.tempPath, this.copySource]) if (p) fs.rmSync(p, { force: true });
    });
    fs.writeSync(this.fd, Buffer.alloc(PAYLOAD_OFFSET), 0, PAYLOAD_OFFSET, 0);
  }

  get entryName(): string {
    return (this.opts.full ? 'store.sqlite' : 'transactions.log') + CODEC_SUFFIX[this.opts.codec];
  }

  /** Raw bytes in; compressed, hashed and written at the payload offset. */
  payload(): Writable {
    const file = new Writable({
      highWaterMark: 4 * 1024 * 1024,
      writev: (chunks, cb) => {
        const bufs = chunks.map((c) => c.chunk as Buffer);
        const len = bufs.reduce((a, b) => a + b.length, 0);
        // After abort the descriptor may be closed, or its number reused by another file: never write.
        if (this.done) return cb(new TxlineError('INTERNAL', 'the artifact was aborted'));
        for (const b of bufs) this.hash.update(b);
        this.inflight++;
        fs.writev(this.fd, bufs, PAYLOAD_OFFSET + this.storedBytes, (err) => {
          this.inflight--;
          if (this.closeWhenIdle && this.inflight === 0) this.closeFd();
          if (err) return cb(err);
          this.storedBytes += len;
          cb();
        });
      },
    });
    const counter = new Transform({
      transform: (chunk: Buffer, _e, cb) => {
        this.rawBytes += chunk.length;
        cb(null, chunk);
      },
    });
    const comp = compressor(this.opts.codec);
    if (!comp) {
      counter.pipe(file);
      file.on('error', (e) => counter.destroy(e));
      return wrapSink(counter, file);
    }
    counter.pipe(comp).pipe(file);
    comp.on('error', (e) => counter.destroy(e));
    file.on('error', (e) => counter.destroy(e));
    return wrapSink(counter, file);
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
      ...meta,
      payload: { entry: this.entryName, sizeBytes: this.storedBytes, rawBytes: this.rawBytes, sha256: this.hash.digest('hex') },
      createdBy: 'txline 0.1.0',
    };
    if (this.inflight > 0) throw new TxlineError('INTERNAL', 'the artifact was committed while payload writes were still pending');
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
    fs.closeSync(this.fd);
    this.done = true;
    let source = this.tempPath;
    try {
      if (this.opts.tempDir && !sameDevice(this.opts.tempDir, this.opts.dir)) {
        // --temp-path on another filesystem: copy next to the target first, so the final step is a link.
        source = path.join(this.opts.dir, tempName(this.opts.database, false));
        this.copySource = source;
        fs.copyFileSync(this.tempPath, source);
        const fd = fs.openSync(source, 'r');
        fs.fsyncSync(fd);
        fs.closeSync(fd);
        fs.rmSync(this.tempPath, { force: true });
      }
      readArtifact(source); // the sealed file must read back whole before a reader can see it
      const finalPath = linkUnique(source, this.opts.dir, this.opts.database, this.opts.time);
      fs.rmSync(source, { force: true });
      fsyncDir(this.opts.dir);
      return readArtifact(finalPath);
    } catch (e) {
      fs.rmSync(source, { force: true });
      fs.rmSync(this.tempPath, { force: true });
      throw e;
    } finally {
      this.unregister();
    }
  }

  /** Drops the temporary file, or keeps it as `<name>.failed` for analysis. Returns the kept path. */
  abort(): string | null {
    if (this.done) return null;
    this.done = true;
    this.unregister();
    // A payload write still in the thread pool must not land in a file that reuses this descriptor's number:
    // close only when it has called back. Renaming or removing the file by name is safe meanwhile.
    if (this.inflight > 0) this.closeWhenIdle = true;
    else this.closeFd();
    if (this.opts.keepFailed) {
      const kept = path.join(this.opts.tempDir ?? this.opts.dir, `${artifactBaseName(this.opts.database, this.opts.time)}.failed-${process.pid}`);
      fs.renameSync(this.tempPath, kept);
      return kept;
    }
    fs.rmSync(this.tempPath, { force: true });
    return null;
  }

  private closeFd(): void {
    this.closeWhenIdle = false;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
  }
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

function metadataChecksum(meta: object): string {
  return createHash('sha256').update(JSON.stringify(meta)).digest('hex');
}

function roundUp(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}

/** `<db>-YYYY-MM-DDTHH-MM-SS` in UTC. */
export function artifactBaseName(database: string, time: Date): string {
  const iso = time.toISOString(); // 2026-11-23T18:31:20.123Z
  return `${database}-${iso.slice(0, 10)}T${iso.slice(11, 13)}-${iso.slice(14, 16)}-${iso.slice(17, 19)}`;
}

/** Links `source` into `dir` as `<db>-<time>.backup`, or `-1`, `-2`, ... when taken: never overwrites. */
function linkUnique(source: string, dir: string, database: string, time: Date): string {
  const base = artifactBaseName(database, time);
  for (let i = 0; i < 1000; i++) {
    const candidate = path.join(dir, `${base}${i === 0 ? '' : `-${i}`}${ARTIFACT_EXTENSION}`);
    try {
      fs.linkSync(source, candidate);
      return candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new TxlineError('IO_ERROR', `too many artifacts named ${base} in ${dir}`);
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
      fs.renameSync(p, path.join(dir, `${database}-interrupted-${m[1]}.backup.failed`));
      done.push(`kept interrupted attempt ${n} as ${database}-interrupted-${m[1]}.backup.failed`);
    } else {
      fs.rmSync(p, { force: true });
      done.push(`removed ${n}, left by an interrupted backup (process ${m[1]})`);
    }
  }
  return done;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function sameDevice(a: string, b: string): boolean {
  return fs.statSync(a).dev === fs.statSync(b).dev;
}
