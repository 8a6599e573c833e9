/**
 * Backup artifacts: one immutable, self-describing file per database per backup run.
 *
 * An artifact is a POSIX tar archive with two entries, so `tar tvf` can read it:
 *
 *   0      tar header  "metadata.json"
 *   512    metadata JSON, space-padded to METADATA_BYTES (readable without touching the payload)
 *   8704   tar header  "store.sqlite[.zst]" (full) or "transactions.log[.zst]" (differential)
 *   9216   payload (the store file, or transaction records), optionally compressed (see codec.ts)
 *   ...    padding to 512 bytes, then two zero blocks
 *
 * Invariants:
 * - An artifact is immutable once linked into place under its final name (see artifact-writer.ts): a reader
 *   never sees a partial artifact under a `*.backup` name.
 * - The metadata names the payload's size and SHA-256 (over the stored, possibly compressed, bytes).
 * - Time is read from the metadata, never from the file name.
 * - Reading never blocks on a `*.backup` name that is not a regular file (a FIFO, a socket, a directory): it is
 *   refused before it is opened, and every descriptor is checked with fstat when it is opened.
 * - Confined to the backup roots (confine.ts: the dashboard's jobs), reading never follows a symlink out of them.
 * - Names in the metadata follow the rules of names typed by a user: the database name is a valid database
 *   name and the parent a plain file name, so no path is ever built from metadata that leads elsewhere.
 * - The metadata format is versioned (`format`): FORMAT is written, every format of READ_FORMATS is read.
 *   Format 2 added `contentDigest` (the content digest of the store at `tipTx`, as a restore to that point
 *   reports it; null where the cluster kind records none); a format 1 artifact has none. Format 2 recorded
 *   the ordered hash (`sha256`: lib/graph/store.ts digestStore, a read of every row); format 3 records the
 *   content sum (`sum`: lib/graph/content-sum.ts, which the source's writer keeps at every commit).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Header } from 'tar/header';
import * as z from 'zod/mini';
import '../zod-mini';
import { TxlineError, describeError } from '../errors';
import { isValidDatabaseName } from '../graph/names';
import { CODECS, decompressor } from '../graph/codec';
import { positionalWriter, writeAt } from '../fs';
import { confinedPath, engineRoots } from './confine';
import { isLocationUrl, openLocation, splitLocationUrl, type Location, type SyncReads } from '../storage';

export const ARTIFACT_EXTENSION = '.backup';
export const METADATA_BYTES = 8192;
export const BLOCK = 512;
export const PAYLOAD_OFFSET = BLOCK + METADATA_BYTES + BLOCK;
/**
 * the metadata format written; READ_FORMATS: every format read (1: before the content digest; 2: the digest
 * as the ordered hash)
 */
export const FORMAT = 'txline-backup/3';
export const FORMAT_V1 = 'txline-backup/1';
export const FORMAT_V2 = 'txline-backup/2';
export const READ_FORMATS: readonly string[] = [FORMAT_V1, FORMAT_V2, FORMAT];

const uuid = z.string().check(z.regex(/^[0-9a-f-]{36}$/i, 'must be a UUID'));
const txId = z.int().check(z.nonnegative());

export const artifactMetadataSchema = z.object({
  format: z.enum([FORMAT_V1, FORMAT_V2, FORMAT]),
  /** the rules of names typed by a user (it becomes part of file and folder names) */
  database: z.string().check(z.refine((n) => isValidDatabaseName(n) && n === n.toLowerCase(), { error: (i) => `${JSON.stringify(i.input)} is not a valid database name` })),
  databaseId: uuid,
  storeId: uuid,
  /** backup time, ISO 8601 UTC */
  time: z.iso.datetime(),
  full: z.boolean(),
  compressed: z.boolean(),
  codec: z.enum(CODECS),
  lowestTx: txId,
  highestTx: txId,
  txCount: txId,
  /** file name of the parent artifact (differentials): a name in the same folder, never a path */
  parent: z.nullable(
    z.string().check(z.refine((n) => /^[^/\\\0]+\.backup$/.test(n) && !n.startsWith('.'), { error: (i) => `${JSON.stringify(i.input)} is not an artifact file name` })),
  ),
  /** checksum of the parent's last transaction, which this artifact's first transaction follows */
  parentLastTxChecksum: z.nullable(z.int().check(z.nonnegative())),
  /** the transaction the store is at after this artifact is applied (an empty differential: its parent's) */
  tipTx: txId,
  /** checksum of the record of `tipTx` */
  lastTxChecksum: z.int().check(z.nonnegative()),
  firstCommitTime: z.nullable(z.int().check(z.nonnegative())),
  lastCommitTime: z.nullable(z.int().check(z.nonnegative())),
  recovered: z.boolean(),
  member: z.nullable(z.object({ id: z.string(), address: z.string(), role: z.string() })),
  payload: z.object({
    entry: z.string(),
    sizeBytes: z.int().check(z.nonnegative()),
    rawBytes: z.int().check(z.nonnegative()),
    sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  }),
  store: z.nullable(z.object({ nodes: z.int(), relationships: z.int() })),
  /**
   * (format 2 on) the content digest of the store at `tx` (= tipTx); null: not recorded (the kind records
   * none, or the source moved on). Exactly one hash: `sum` (format 3: the content sum, lib/graph/content-sum.ts)
   * or `sha256` (format 2: the ordered hash, lib/graph/store.ts digestStore; an aggregate of format-2 artifacts
   * carries theirs on).
   */
  contentDigest: z.optional(
    z.nullable(
      z
        .object({
          tx: txId,
          nodes: z.int().check(z.nonnegative()),
          relationships: z.int().check(z.nonnegative()),
          sha256: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
          sum: z.optional(z.string().check(z.regex(/^[0-9a-f]{64}$/))),
        })
        .check(z.refine((d) => (d.sha256 === undefined) !== (d.sum === undefined), 'exactly one of sha256 and sum')),
    ),
  ),
  createdBy: z.string(),
  /** SHA-256 of this JSON without this key (compact, in this key order): a damaged head is detected too */
  metadataSha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
});

export type ArtifactMetadata = z.infer<typeof artifactMetadataSchema>;

/** An artifact as found in a folder: its metadata and where it is. */
export interface Artifact extends ArtifactMetadata {
  file: string; // base name
  path: string; // absolute path
}


// ---- reading ----------------------------------------------------------------------------------------
// Every byte of an artifact is read through a storage Location (lib/storage/location.ts): the head (metadata)
// first, with the object's size, then the payload as a range. Confinement to the backup roots (confine.ts) is
// the location's: a local folder opened for this process gets its roots.

/** The size of an artifact file whose payload is `payloadBytes` stored bytes: head, payload, padding, two zero blocks. */
export function artifactFileSize(payloadBytes: number): number {
  return PAYLOAD_OFFSET + roundUp(payloadBytes) + 2 * BLOCK;
}

/** Where each artifact read by this process was read from (so its payload is read from the same place). */
const locations = new WeakMap<object, Location>();

/** The location of the folder `dir`, under this process's confinement. */
export function folderLocation(dir: string): Location {
  return openLocation(dir, { roots: engineRoots() });
}

function syncReads(loc: Location): SyncReads {
  if (!loc.sync) throw new TxlineError('INTERNAL', `${loc.describe()} cannot be read synchronously; use the asynchronous reads`);
  return loc.sync;
}

/** Records where an artifact was read from (or written to), for locationOf. */
export function located(a: Artifact, loc: Location): Artifact {
  locations.set(a, loc);
  return a;
}

/** The location an artifact was read from (one rebuilt from its path when it was made elsewhere, e.g. copied). */
export function locationOf(a: Pick<Artifact, 'path'>): Location {
  return locations.get(a) ?? folderLocation(path.dirname(a.path));
}

/** Reads an artifact's metadata from the head of the file (9 KiB), checking the container's framing. */
export function readArtifact(file: string): Artifact {
  const abs = path.resolve(file);
  return readArtifactAt(folderLocation(path.dirname(abs)), path.basename(abs));
}

/** readArtifact of the artifact `name` of a location (synchronously: a location with the `sync` capability). */
export function readArtifactAt(loc: Location, name: string): Artifact {
  const head = syncReads(loc).readHead(name, PAYLOAD_OFFSET);
  return located(parseHead(loc.addressOf(name), head.bytes, head.size), loc);
}

/** readArtifact of the artifact `name` of a location, on the location's asynchronous reads (any kind). */
export async function readArtifactIn(loc: Location, name: string): Promise<Artifact> {
  const head = await loc.readHead(name, PAYLOAD_OFFSET);
  return located(parseHead(loc.addressOf(name), head.bytes, head.size), loc);
}

/** readArtifact on a descriptor already open (a file being sealed is read back through its own descriptor). */
export function readArtifactFd(abs: string, fd: number, size: number): Artifact {
  const head = Buffer.alloc(PAYLOAD_OFFSET);
  const n = fs.readSync(fd, head, 0, PAYLOAD_OFFSET, 0);
  return parseHead(abs, head.subarray(0, n), size);
}

/**
 * readArtifact for the server's indexer: asynchronous, so that scanning a folder of thousands of artifacts
 * never holds the server's thread for more than one file's parsing. `roots`: as under confinement.
 */
export async function readArtifactAsync(file: string, opts: { roots?: string[] | null } = {}): Promise<Artifact> {
  const abs = path.resolve(file);
  return readArtifactIn(openLocation(path.dirname(abs), { roots: opts.roots ?? null }), path.basename(abs));
}

/** An artifact from its head (the first PAYLOAD_OFFSET bytes, or fewer if the file is shorter) and its file size. */
function parseHead(abs: string, head: Buffer, size: number): Artifact {
  const notArtifact = (why: string) => new TxlineError('NOT_AN_ARTIFACT', `${abs} is not a Txline backup artifact (${why})`);
  const corrupt = (why: string) => new TxlineError('ARTIFACT_CORRUPT', `${abs} is corrupt: ${why}`);
  if (head.length < PAYLOAD_OFFSET) throw notArtifact(`too short: ${head.length} bytes`);
  const h1 = tarHeader(head.subarray(0, BLOCK));
  if (typeof h1 === 'string') throw notArtifact(`no tar header where a Txline artifact starts: ${h1}`);
  if (!h1.cksumValid || h1.path !== 'metadata.json' || h1.size !== METADATA_BYTES) throw notArtifact('no metadata header where a Txline artifact starts');
  let parsed: unknown;
  try {
    parsed = JSON.parse(head.toString('utf8', BLOCK, BLOCK + METADATA_BYTES));
  } catch (e) {
    throw corrupt(`the metadata is unreadable (${describeError(e)})`);
  }
  const format = parsed && typeof parsed === 'object' ? (parsed as { format?: unknown }).format : undefined;
  if (typeof format === 'string' && READ_FORMATS.includes(format)) {
    const { metadataSha256, ...rest } = parsed as Record<string, unknown>;
    if (metadataSha256 !== metadataChecksum(rest)) throw corrupt('metadata checksum mismatch');
  }
  const meta = artifactMetadataSchema.safeParse(parsed);
  if (!meta.success) {
    if (typeof format !== 'string' || !READ_FORMATS.includes(format)) throw notArtifact('unknown format');
    throw corrupt(`invalid metadata (${meta.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  }
  const h2 = tarHeader(head.subarray(BLOCK + METADATA_BYTES, PAYLOAD_OFFSET));
  if (typeof h2 === 'string' || !h2.cksumValid || h2.size !== meta.data.payload.sizeBytes || h2.path !== meta.data.payload.entry) {
    throw corrupt('the payload header does not match the metadata');
  }
  const expectedSize = artifactFileSize(meta.data.payload.sizeBytes);
  if (size !== expectedSize) {
    throw corrupt(`file is ${size} bytes, expected ${expectedSize} (truncated or extended)`);
  }
  return { ...meta.data, file: path.basename(abs), path: abs };
}

/** A tar header block, or why the bytes cannot be one (the tar parser throws on some garbage). */
function tarHeader(block: Buffer): Header | string {
  try {
    return new Header(block);
  } catch (e) {
    return describeError(e);
  }
}

export interface ListResult {
  artifacts: Artifact[];
  /**
   * `*.backup` names that could not be read, with why (the message names the path): files that are not
   * artifacts or are damaged, and what is not a regular file (a directory, FIFO, socket or device), which is
   * never opened.
   */
  problems: Array<{ file: string; error: TxlineError }>;
}

/** The line a command logs for a `*.backup` name it skips. */
export function skippedLine(p: { error: TxlineError }): string {
  return `${p.error.message}; skipped`;
}

/**
 * Lists the artifacts of a folder (or the single artifact a path names). Hidden and temporary files are
 * ignored. Confined (confine.ts), a `*.backup` symlink that leads out of the backup roots is a problem, never
 * opened.
 */
export function listArtifacts(p: string): ListResult {
  const abs = path.resolve(p);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    throw new TxlineError('PATH_NOT_FOUND', `${abs} does not exist`, { cause: e });
  }
  if (!st.isDirectory()) return { artifacts: [readArtifact(abs)], problems: [] };
  return listArtifactsAt(folderLocation(abs));
}

/** What a `--from-path` or `--to-path` names: a location, and one artifact of it (or null: the whole location). */
export interface Where {
  location: Location;
  name: string | null;
}

/**
 * Opens what a command's `flag` names: a folder, an artifact file in a folder, or a location's URL (with or
 * without an artifact's name at its end). A folder or file must exist (PATH_NOT_FOUND); confined (the
 * dashboard's jobs), a local path is taken at its real path, which must be inside the backup roots.
 */
export function openWhere(raw: string, flag: string): Where {
  if (isLocationUrl(raw)) {
    const { location, name } = splitLocationUrl(raw);
    return { location: openLocation(location, { roots: engineRoots() }), name };
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(raw);
  } catch (e) {
    throw new TxlineError('PATH_NOT_FOUND', `${raw} does not exist`, { cause: e });
  }
  const p = confinedPath(path.resolve(raw), flag);
  return st.isDirectory() ? { location: folderLocation(p), name: null } : { location: folderLocation(path.dirname(p)), name: path.basename(p) };
}

/**
 * Opens the location a command writes to (`--to-path`): a folder that exists and is writable (confined, at its
 * real path inside the backup roots), or a location's URL (not one naming an artifact).
 */
export function openTarget(raw: string, flag: string): Location {
  if (isLocationUrl(raw)) {
    const { location, name } = splitLocationUrl(raw);
    if (name !== null) throw new TxlineError('INVALID_ARGUMENT', `${flag} ${raw} names an artifact; give the location it goes to`);
    return openLocation(location, { roots: engineRoots() });
  }
  checkFolder(raw, flag);
  // confined (the dashboard's jobs), the folder's real path, inside the backup roots; else as given
  return folderLocation(confinedPath(raw, flag));
}

/** A local folder a command writes to: it exists, is a folder, and is writable. */
export function checkFolder(p: string, flag: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw new TxlineError('PATH_NOT_FOUND', `${flag} ${p} does not exist; create the folder first`);
  }
  if (!st.isDirectory()) throw new TxlineError('INVALID_ARGUMENT', `${flag} ${p} is not a folder`);
  try {
    fs.accessSync(p, fs.constants.W_OK);
  } catch {
    throw new TxlineError('IO_ERROR', `${flag} ${p} is not writable`);
  }
}

/** The artifacts `where` names: the one artifact, or every artifact of the location (async reads: any kind). */
export async function listWhere(where: Where): Promise<ListResult> {
  if (where.name !== null) return { artifacts: [await readArtifactIn(where.location, where.name)], problems: [] };
  return listArtifactsIn(where.location);
}

/** listArtifacts of a location (synchronously: a location with the `sync` capability). */
export function listArtifactsAt(loc: Location): ListResult {
  const out: ListResult = { artifacts: [], problems: [] };
  for (const e of syncReads(loc).list()) {
    try {
      out.artifacts.push(readArtifactAt(loc, e.name));
    } catch (err) {
      out.problems.push(problemOf(loc, e.name, err));
    }
  }
  return out;
}

/** listArtifacts of a location, on its asynchronous reads (any kind). */
export async function listArtifactsIn(loc: Location): Promise<ListResult> {
  const out: ListResult = { artifacts: [], problems: [] };
  for (const e of await loc.list()) {
    try {
      out.artifacts.push(await readArtifactIn(loc, e.name));
    } catch (err) {
      out.problems.push(problemOf(loc, e.name, err));
    }
  }
  return out;
}

function problemOf(loc: Location, name: string, e: unknown): ListResult['problems'][number] {
  return { file: name, error: e instanceof TxlineError ? e : new TxlineError('IO_ERROR', `cannot read ${loc.addressOf(name)}: ${describeError(e)}`, { cause: e }) };
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
  const raw = a.payload.sizeBytes === 0 ? Readable.from([] as Buffer[]) : await payloadStream(a);
  const dec = decompressor(a.codec);
  // never more decoded bytes than the metadata says (a crafted frame decodes 32,000 times its size)
  let decoded = 0;
  const bounded = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      decoded += chunk.length;
      cb(decoded > a.payload.rawBytes ? decodesToMore(a) : null, chunk);
    },
  });
  try {
    if (dec) await pipeline(raw, tap, dec, bounded, sink);
    else await pipeline(raw, tap, bounded, sink);
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

/**
 * Writes an artifact's payload, decoded, into the open file `fd` from offset 0, with the checks consumePayload
 * makes (the stored bytes' SHA-256 and size; zstd's own frame checksum); `onWritten(n)` says the file holds its
 * first n bytes (every write before them has ended). A zstd payload is decoded straight into a few reused
 * buffers, each written at its offset while the next fills: the stream decoder allocates a new buffer for every
 * 128 KiB and passes each through a Transform, about three times slower for a full's store. Returns the bytes
 * written; the caller closes `fd`, never before this has settled (no write is under way then).
 */
export async function unpackPayload(a: Artifact, fd: number, onWritten: (bytes: number) => void = () => undefined): Promise<number> {
  if (a.codec !== 'zstd' || a.payload.sizeBytes === 0) {
    let done = 0;
    const into = positionalWriter(fd, 0, 1024 * 1024, (end) => (done = end));
    try {
      await consumePayload(a, async (source) => {
        const counted = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            onWritten(done);
            cb(null, chunk);
          },
        });
        try {
          await pipeline(source, counted, into);
        } finally {
          await into.settled();
        }
      });
    } catch (e) {
      // what failed to be written is this host's problem, not the artifact's (whichever error came first)
      if (into.writeError) throw unpackWriteError(a, into.writeError);
      throw e;
    }
    onWritten(done);
    return done;
  }
  const hash = createHash('sha256');
  let seen = 0;
  const dctx = new (zstdBinding().DCtx)();
  // a buffer is filled while the one before is written; a third keeps the decoder busy while both are out
  const free: Buffer[] = [0, 1, 2].map(() => Buffer.allocUnsafe(UNPACK_BUFFER));
  const writing: Array<Promise<void>> = [];
  let current: Buffer = free.pop() as Buffer;
  let fill = 0;
  let at = 0;
  let inFrame = false;
  let failedWrite: unknown = null;
  let failedProgress: unknown = null;
  // writes may end out of order: the file is written up to the end of those that ended before any under way
  const ends: Array<{ end: number; ended: boolean }> = [];
  let written = 0;
  const rotate = async () => {
    const buf = current;
    const n = fill;
    const mark = { end: at + n, ended: false };
    ends.push(mark);
    const write = writeAt(fd, buf.subarray(0, n), at)
      .then(
        () => {
          mark.ended = true;
          let upTo = -1;
          while (ends.length > 0 && ends[0].ended) upTo = (ends.shift() as { end: number }).end;
          if (upTo >= 0) written = upTo;
        },
        (e: unknown) => {
          failedWrite ??= e;
        },
      )
      .finally(() => free.push(buf));
    writing.push(write);
    at += n;
    fill = 0;
    // (told here, not as a write ends: what the callback throws is its own failure, not a write's)
    try {
      onWritten(written);
    } catch (e) {
      failedProgress = e;
      throw e;
    }
    while (free.length === 0) await writing.shift();
    if (failedWrite) throw failedWrite;
    current = free.pop() as Buffer;
  };
  try {
    for await (const chunk of await payloadStream(a)) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      seen += bytes.length;
      let src = bytes;
      for (;;) {
        const out = current.subarray(fill);
        const [left, produced, consumed] = dctx.decompressStream(out, src);
        fill += produced;
        // never more than the metadata says (a crafted frame decodes 32,000 times its size): checked before the
        // buffer is written, so the file never holds more
        if (at + fill > a.payload.rawBytes) throw decodesToMore(a);
        src = src.subarray(consumed);
        inFrame = left !== 0;
        if (fill === current.length) await rotate();
        if (src.length === 0 && (produced < out.length || left === 0)) break;
      }
    }
    if (fill > 0) await rotate();
  } catch (e) {
    await Promise.allSettled(writing);
    if (e instanceof TxlineError || e === failedProgress) throw e;
    if (e === failedWrite) throw unpackWriteError(a, e);
    const digest = hash.digest('hex');
    const why = seen === a.payload.sizeBytes && digest !== a.payload.sha256 ? 'payload checksum mismatch' : describeError(e);
    throw new TxlineError('ARTIFACT_CORRUPT', `${a.file} is corrupt: ${why}`, { cause: e });
  }
  await Promise.allSettled(writing);
  if (failedWrite) throw unpackWriteError(a, failedWrite);
  const digest = hash.digest('hex');
  if (seen !== a.payload.sizeBytes || digest !== a.payload.sha256) {
    throw new TxlineError('ARTIFACT_CORRUPT', `${a.file} is corrupt: payload checksum mismatch (SHA-256 ${digest.slice(0, 12)}…, expected ${a.payload.sha256.slice(0, 12)}…)`);
  }
  if (inFrame) throw new TxlineError('ARTIFACT_CORRUPT', `${a.file} is corrupt: its compressed store ends inside a frame`);
  onWritten(at);
  return at;
}

const UNPACK_BUFFER = 4 * 1024 * 1024;
// zstd-napi's documented low-level module: a native addon's exports, so loaded with require (an ESM import
// cannot name them), and only when a zstd payload is unpacked
const requireHere = createRequire(import.meta.url);
const zstdBinding = () => requireHere('zstd-napi/binding') as typeof import('zstd-napi/binding');

function decodesToMore(a: Artifact): TxlineError {
  return new TxlineError('ARTIFACT_CORRUPT', `${a.file} is corrupt: its payload decodes to more than the ${a.payload.rawBytes} bytes its metadata records`);
}

function unpackWriteError(a: Artifact, e: unknown): TxlineError {
  return new TxlineError('IO_ERROR', `could not write the store of ${a.file} where it is unpacked: ${describeError(e)}`, { cause: e });
}

/**
 * The stored payload bytes of an artifact, read as a range of its location's object, which must still be the
 * artifact's size (a file swapped for a FIFO or another file since it was listed is refused).
 */
function payloadStream(a: Artifact): Promise<Readable> {
  return locationOf(a).read(a.file, { start: PAYLOAD_OFFSET, end: PAYLOAD_OFFSET + a.payload.sizeBytes }, { expectSize: artifactFileSize(a.payload.sizeBytes) });
}

/**
 * Checks the stored payload against the SHA-256 and size its metadata records, without decompressing it (a
 * sequential read). Fails with ARTIFACT_CORRUPT naming the file.
 */
export async function verifyStoredPayload(a: Artifact): Promise<void> {
  const hash = createHash('sha256');
  let seen = 0;
  if (a.payload.sizeBytes > 0) {
    try {
      for await (const chunk of (await payloadStream(a)) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        seen += chunk.length;
      }
    } catch (e) {
      if (e instanceof TxlineError) throw e;
      throw new TxlineError('IO_ERROR', `cannot read ${a.path}: ${describeError(e)}`, { cause: e });
    }
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

/** SHA-256 of the metadata without its own checksum, as written (compact JSON, key order kept). */
export function metadataChecksum(meta: object): string {
  return createHash('sha256').update(JSON.stringify(meta)).digest('hex');
}

export function roundUp(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}
