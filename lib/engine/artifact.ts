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
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Header } from 'tar';
import { z } from 'zod';
import { TxlineError, describeError } from '../errors';
import { CODECS, decompressor } from './codec';

export const ARTIFACT_EXTENSION = '.backup';
export const METADATA_BYTES = 8192;
export const BLOCK = 512;
export const PAYLOAD_OFFSET = BLOCK + METADATA_BYTES + BLOCK;
export const FORMAT = 'txline-backup/1';

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
  codec: z.enum(CODECS),
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

/** SHA-256 of the metadata without its own checksum, as written (compact JSON, key order kept). */
export function metadataChecksum(meta: object): string {
  return createHash('sha256').update(JSON.stringify(meta)).digest('hex');
}

export function roundUp(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}
