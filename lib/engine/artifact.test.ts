/**
 * Artifacts on real files: the container round-trips (metadata and payload, each codec, readable by tar),
 * a flipped byte is detected and named, a reader never sees a partial artifact, names never overwrite.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, type Transform } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { TxlineError } from '../errors';
import {
  ARTIFACT_EXTENSION,
  PAYLOAD_OFFSET,
  consumePayload,
  folderLocation,
  listArtifactsIn,
  listArtifacts,
  metadataChecksum,
  readArtifact,
  unpackPayload,
  verifyPayload,
  type Artifact,
  type ArtifactMetadata,
} from './artifact';
import { ArtifactWriter, artifactBaseName, cleanStaleTemporaries, UNRACED } from './artifact-writer';
import type { Location } from '../storage';
import { CODEC_SUFFIX, DEFAULT_CODEC, compressor, type Codec } from '../graph/codec';

const CODECS = Object.keys(CODEC_SUFFIX) as Codec[];

const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-artifact-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const TIME = new Date('2026-03-01T10:30:05.250Z');

/** A payload that is partly compressible (text) and partly not (random bytes). */
function samplePayload(bytes = 300_000): Buffer {
  const text = Buffer.from('node|Person|{"name":"Ada","born":1815}\n'.repeat(Math.ceil(bytes / 2 / 40)));
  return Buffer.concat([text.subarray(0, bytes / 2), randomBytes(bytes / 2)]);
}

type CommitMeta = Parameters<ArtifactWriter['commit']>[0];

function meta(over: Partial<CommitMeta> = {}): CommitMeta {
  return {
    databaseId: '11111111-1111-4111-8111-111111111111',
    storeId: '22222222-2222-4222-8222-222222222222',
    lowestTx: 1,
    highestTx: 10,
    txCount: 10,
    parent: null,
    parentLastTxChecksum: null,
    tipTx: 10,
    lastTxChecksum: 123456,
    firstCommitTime: null,
    lastCommitTime: 1_772_360_000_000,
    recovered: true,
    member: { id: 'member-2', address: '127.0.0.1:1234', role: 'follower' },
    store: { nodes: 5, relationships: 2 },
    ...over,
  };
}

async function writeArtifact(dir: string, payload: Buffer, opts: { codec?: Codec; time?: Date; database?: string; full?: boolean } = {}): Promise<Artifact> {
  const w = new ArtifactWriter({ location: folderLocation(dir), lock: UNRACED, database: opts.database ?? 'neo4j', time: opts.time ?? TIME, full: opts.full ?? true, codec: opts.codec ?? 'none', keepFailed: false });
  await pipeline(Readable.from(chunks(payload, 64 * 1024)), w.payload());
  return w.commit(meta());
}

function* chunks(b: Buffer, n: number) {
  for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n);
}

async function readPayload(a: Artifact): Promise<Buffer> {
  const out: Buffer[] = [];
  await consumePayload(a, async (src) => {
    for await (const c of src) out.push(c as Buffer);
  });
  return Buffer.concat(out);
}

function flipByte(file: string, offset: number): void {
  const fd = fs.openSync(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, offset);
    b[0] ^= 0x01;
    fs.writeSync(fd, b, 0, 1, offset);
  } finally {
    fs.closeSync(fd);
  }
}

async function corruptError(p: Promise<unknown>): Promise<TxlineError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(TxlineError);
    return e as TxlineError;
  }
  throw new Error('expected the artifact to be reported as corrupt, but it was accepted');
}

describe('artifact format', () => {
  for (const codec of CODECS) {
    it(`round-trips metadata and payload (${codec})`, async () => {
      const dir = tmp();
      const payload = samplePayload();
      const a = await writeArtifact(dir, payload, { codec });
      expect(a.file).toBe(`neo4j-2026-03-01T10-30-05${ARTIFACT_EXTENSION}`);
      expect(path.dirname(a.path)).toBe(dir);
      expect(fs.statSync(a.path).mode & 0o777, 'a finished artifact is owner-only').toBe(0o600);
      const back = readArtifact(a.path);
      expect(back).toEqual(a);
      const m: ArtifactMetadata = back;
      expect(m).toMatchObject({
        ...meta(),
        format: 'txline-backup/3',
        database: 'neo4j',
        time: TIME.toISOString(),
        full: true,
        compressed: codec !== 'none',
        codec,
        payload: { entry: `store.sqlite${CODEC_SUFFIX[codec]}`, rawBytes: payload.length },
      });
      if (codec === 'none') expect(m.payload.sizeBytes).toBe(payload.length);
      else expect(m.payload.sizeBytes).toBeLessThan(payload.length);
      expect((await readPayload(back)).equals(payload)).toBe(true);
      // only the artifact is left in the folder: no temporary file
      expect(fs.readdirSync(dir)).toEqual([a.file]);
    });
  }

  it('is a tar archive: tar lists metadata.json and the payload entry, and extracts the stored bytes', async () => {
    const dir = tmp();
    const payload = samplePayload(100_000);
    const a = await writeArtifact(dir, payload, { codec: 'none' });
    const listing = execFileSync('tar', ['tvf', a.path], { encoding: 'utf8' });
    expect(listing).toMatch(/metadata\.json/);
    expect(listing).toMatch(/store\.sqlite/);
    const out = tmp();
    execFileSync('tar', ['xf', a.path, '-C', out]);
    expect(fs.readFileSync(path.join(out, 'store.sqlite')).equals(payload)).toBe(true);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'metadata.json'), 'utf8'));
    expect(json).toMatchObject({ database: 'neo4j', databaseId: a.databaseId, storeId: a.storeId, payload: a.payload });
  });

  it('reads the metadata from the head of the file only (a payload of 0 bytes and a differential too)', async () => {
    const dir = tmp();
    const w = new ArtifactWriter({ location: folderLocation(dir), lock: UNRACED, database: 'neo4j', time: TIME, full: false, codec: DEFAULT_CODEC, keepFailed: false });
    await pipeline(Readable.from([] as Buffer[]), w.payload());
    const a = await w.commit(meta({ lowestTx: 0, highestTx: 0, txCount: 0, parent: 'p.backup', parentLastTxChecksum: 5, recovered: false, store: null }));
    expect(a).toMatchObject({ full: false, lowestTx: 0, highestTx: 0, parent: 'p.backup', payload: { entry: `transactions.log${CODEC_SUFFIX[DEFAULT_CODEC]}`, rawBytes: 0 } });
    expect(await readPayload(a)).toHaveLength(0);
  });
});

/**
 * A copy of artifact `a` whose metadata says its payload decodes to `rawBytes`, with the metadata's checksum made
 * again (it is not keyed: whoever can write to the folder can do this).
 */
function withRawBytes(a: Artifact, rawBytes: number, copy: string): Artifact {
  const bytes = fs.readFileSync(a.path);
  const text = bytes.toString('utf8', 512, PAYLOAD_OFFSET - 512);
  const parsed = JSON.parse(text) as Record<string, unknown> & { payload: { rawBytes: number } };
  parsed.payload.rawBytes = rawBytes;
  const { metadataSha256: _old, ...rest } = parsed;
  const json = JSON.stringify({ ...rest, metadataSha256: metadataChecksum(rest) }, null, 1);
  const block = Buffer.alloc(text.length, 0x20);
  block.write(json, 0, 'utf8');
  block[block.length - 1] = 0x0a;
  block.copy(bytes, 512);
  fs.writeFileSync(copy, bytes);
  return readArtifact(copy);
}

describe('a payload that decodes to more than its metadata records', () => {
  for (const codec of CODECS) {
    it(`is corrupt, and no more than what the metadata records is written (${codec})`, async () => {
      const dir = tmp();
      const raw = Buffer.alloc(12_000_000, 7); // (compresses to almost nothing, as a crafted payload would)
      const a = await writeArtifact(dir, raw, { codec });
      const small = withRawBytes(a, 1_000_000, path.join(dir, `small${ARTIFACT_EXTENSION}`));
      expect(small.payload.rawBytes).toBe(1_000_000);
      const message = `small${ARTIFACT_EXTENSION} is corrupt: its payload decodes to more than the 1000000 bytes its metadata records`;
      const out = path.join(dir, 'out');
      const fd = fs.openSync(out, 'w+');
      try {
        const e = await corruptError(unpackPayload(small, fd));
        expect(e).toMatchObject({ code: 'ARTIFACT_CORRUPT', message });
      } finally {
        fs.closeSync(fd);
      }
      expect(fs.statSync(out).size).toBeLessThanOrEqual(1_000_000);
      expect(await corruptError(verifyPayload(small))).toMatchObject({ code: 'ARTIFACT_CORRUPT', message });
      // the artifact as written is fine
      await verifyPayload(a);
    });
  }
});

describe('unpackPayload', () => {
  for (const codec of CODECS) {
    it(`writes the decoded payload into a descriptor, saying how far the file is written; a flipped byte is corrupt, naming the file (${codec})`, async () => {
      const dir = tmp();
      const raw = samplePayload(9_000_000);
      const a = await writeArtifact(dir, raw, { codec });
      const unpack = async (x: Artifact, out: string) => {
        const fd = fs.openSync(out, 'w+');
        const written: number[] = [];
        try {
          return { n: await unpackPayload(x, fd, (n) => written.push(n)), written };
        } finally {
          fs.closeSync(fd);
        }
      };
      const out = path.join(dir, 'out');
      const { n, written } = await unpack(a, out);
      expect(n).toBe(raw.length);
      expect(fs.readFileSync(out).equals(raw)).toBe(true);
      expect(written.at(-1)).toBe(raw.length);
      expect(written).toEqual([...written].sort((x, y) => x - y));
      expect(written.length).toBeGreaterThan(1);

      // a disk that takes nothing: this host's failure, not a damaged artifact
      const full = fs.openSync('/dev/full', 'w');
      try {
        const e = await corruptError(unpackPayload(a, full));
        expect(e.code).toBe('IO_ERROR');
        expect(e.message).toMatch(/could not write the store of .* where it is unpacked: .*ENOSPC/);
      } finally {
        fs.closeSync(full);
      }

      // a read of the artifact that fails half-way (its descriptor closed under it: EBADF, as EIO would be):
      // this host's failure too, naming the file, never a verdict on the artifact
      const linkOf = (d: string) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${d}`, { encoding: 'utf8' });
        } catch {
          return null; // (the descriptor readdir used)
        }
      };
      const readFds = () => fs.readdirSync('/proc/self/fd').filter((d) => linkOf(d) === a.path);
      const cut = fs.openSync(path.join(dir, 'cut'), 'w+');
      // (the failed unpack's read closes its descriptor as it is torn down, a moment after it rejected)
      for (let i = 0; i < 100 && readFds().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(readFds()).toEqual([]);
      try {
        let closed = 0;
        const e = await corruptError(
          unpackPayload(a, cut, () => {
            if (closed > 0) return;
            for (const d of readFds()) {
              fs.closeSync(Number(d));
              closed++;
            }
          }),
        );
        expect(closed).toBe(1);
        expect(e.code).toBe('IO_ERROR');
        expect(e.message.startsWith(`cannot read ${a.path}: `), e.message).toBe(true);
        expect(e.message).toMatch(/EBADF/);
      } finally {
        fs.closeSync(cut);
      }

      const copy = path.join(dir, `copy${ARTIFACT_EXTENSION}`);
      fs.copyFileSync(a.path, copy);
      flipByte(copy, PAYLOAD_OFFSET + Math.floor(a.payload.sizeBytes / 2));
      const e = await corruptError(unpack(readArtifact(copy), path.join(dir, 'out2')));
      expect(e.code).toBe('ARTIFACT_CORRUPT');
      expect(e.message).toMatch(new RegExp(`^${path.basename(copy).replace(/\./g, '\\.')} is corrupt: `));
    });
  }
});

describe('flipped bytes', () => {
  for (const codec of CODECS) {
    it(`a flipped byte anywhere in the payload is corrupt, naming the file (${codec})`, async () => {
      const dir = tmp();
      const a = await writeArtifact(dir, samplePayload(), { codec });
      const size = a.payload.sizeBytes;
      for (const rel of [0, 1, Math.floor(size / 3), Math.floor(size / 2), size - 2, size - 1]) {
        const copy = path.join(dir, `copy-${rel}${ARTIFACT_EXTENSION}`);
        fs.copyFileSync(a.path, copy);
        flipByte(copy, PAYLOAD_OFFSET + rel);
        const c = readArtifact(copy); // the metadata is intact
        const e = await corruptError(verifyPayload(c));
        expect(e.code, `offset ${rel}`).toBe('ARTIFACT_CORRUPT');
        expect(e.message, `offset ${rel}`).toMatch(new RegExp(`^${path.basename(copy).replace(/\./g, '\\.')} is corrupt: `));
        expect(e.message.split(path.basename(copy)), `offset ${rel}: the file is named once`).toHaveLength(2);
        fs.rmSync(copy);
      }
      await verifyPayload(readArtifact(a.path)); // the original is fine
    });
  }

  it('a flipped byte in either tar header is corrupt or not an artifact, naming the file', async () => {
    const dir = tmp();
    const a = await writeArtifact(dir, samplePayload(10_000));
    for (const offset of [0, 100, 148, 257, 511, PAYLOAD_OFFSET - 512, PAYLOAD_OFFSET - 512 + 124, PAYLOAD_OFFSET - 1 - 255]) {
      const copy = path.join(dir, `h-${offset}${ARTIFACT_EXTENSION}`);
      fs.copyFileSync(a.path, copy);
      flipByte(copy, offset);
      let err: unknown = null;
      try {
        readArtifact(copy);
      } catch (e) {
        err = e;
      }
      expect(err, `offset ${offset}`).toBeInstanceOf(TxlineError);
      expect(['ARTIFACT_CORRUPT', 'NOT_AN_ARTIFACT']).toContain((err as TxlineError).code);
      expect((err as TxlineError).message).toContain(path.basename(copy));
      fs.rmSync(copy);
    }
  });

  it('a flip that breaks the metadata JSON, or the payload checksum it records, is corrupt', async () => {
    const dir = tmp();
    const a = await writeArtifact(dir, samplePayload(10_000));
    const head = fs.readFileSync(a.path).subarray(512, 512 + 8192).toString('utf8');
    // a padding space after the JSON, a brace, and a hex digit of the payload's SHA-256
    const padding = 512 + head.lastIndexOf('}') + 10;
    const brace = 512 + head.indexOf('{');
    const shaDigit = 512 + head.indexOf(a.payload.sha256) + 7;
    for (const offset of [padding, brace]) {
      const copy = path.join(dir, `m-${offset}${ARTIFACT_EXTENSION}`);
      fs.copyFileSync(a.path, copy);
      flipByte(copy, offset);
      expect(() => readArtifact(copy)).toThrow(expect.objectContaining({ code: 'ARTIFACT_CORRUPT', message: expect.stringContaining(path.basename(copy)) }));
    }
    // Another hex digit of the payload's SHA-256, or a digit of the backup time: the metadata still parses,
    // and its own checksum tells.
    const timeDigit = 512 + head.indexOf(a.time) + 15;
    for (const [name, offset] of [['sha', shaDigit], ['time', timeDigit]] as const) {
      const copy = path.join(dir, `${name}${ARTIFACT_EXTENSION}`);
      fs.copyFileSync(a.path, copy);
      const bytes = fs.readFileSync(copy);
      bytes[offset] = bytes[offset] === 0x30 ? 0x31 : 0x30;
      fs.writeFileSync(copy, bytes);
      expect(() => readArtifact(copy)).toThrow(expect.objectContaining({ code: 'ARTIFACT_CORRUPT', message: expect.stringContaining(`${name}.backup is corrupt: metadata checksum mismatch`) }));
    }
  });

  it('a truncated or extended artifact is corrupt; a file that is not an artifact says so', () => {
    const dir = tmp();
    return (async () => {
      const a = await writeArtifact(dir, samplePayload(20_000));
      const full = fs.readFileSync(a.path);
      const cut = path.join(dir, `cut${ARTIFACT_EXTENSION}`);
      fs.writeFileSync(cut, full.subarray(0, full.length - 1024));
      expect(() => readArtifact(cut)).toThrow(expect.objectContaining({ code: 'ARTIFACT_CORRUPT', message: expect.stringMatching(/cut\.backup.*truncated/) }));
      const longer = path.join(dir, `long${ARTIFACT_EXTENSION}`);
      fs.writeFileSync(longer, Buffer.concat([full, Buffer.alloc(512)]));
      expect(() => readArtifact(longer)).toThrow(expect.objectContaining({ code: 'ARTIFACT_CORRUPT' }));
      const text = path.join(dir, `notes${ARTIFACT_EXTENSION}`);
      fs.writeFileSync(text, 'this is not a backup\n'.repeat(1000));
      expect(() => readArtifact(text)).toThrow(expect.objectContaining({ code: 'NOT_AN_ARTIFACT', message: expect.stringContaining('notes.backup') }));
      const short = path.join(dir, `short${ARTIFACT_EXTENSION}`);
      fs.writeFileSync(short, 'x');
      expect(() => readArtifact(short)).toThrow(expect.objectContaining({ code: 'NOT_AN_ARTIFACT' }));
      expect(() => readArtifact(path.join(dir, 'missing.backup'))).toThrow(expect.objectContaining({ code: 'PATH_NOT_FOUND' }));
      // a folder listing reports the bad files as problems and still lists the good one
      const listed = listArtifacts(dir);
      expect(listed.artifacts.map((x) => x.file)).toEqual([a.file]);
      expect(listed.problems.map((p) => p.file).sort()).toEqual(['cut.backup', 'long.backup', 'notes.backup', 'short.backup']);
    })();
  });
});

describe('a payload the source sent already compressed (server-side zstd)', () => {
  async function zstdOf(raw: Buffer): Promise<Buffer> {
    const out: Buffer[] = [];
    await pipeline(Readable.from(chunks(raw, 64 * 1024)), compressor('zstd') as Transform, async (src: AsyncIterable<Buffer>) => {
      for await (const c of src) out.push(c);
    });
    return Buffer.concat(out);
  }

  it('is written as it came, its original size counted by decoding it on the side, and reads back whole', async () => {
    const dir = tmp();
    const raw = samplePayload(5_000_000);
    const encoded = await zstdOf(raw);
    const w = new ArtifactWriter({ location: folderLocation(dir), lock: UNRACED, database: 'neo4j', time: TIME, full: true, codec: 'zstd', keepFailed: false });
    await pipeline(Readable.from(chunks(encoded, 64 * 1024)), w.payload({ encoded: true, expectedRawBytes: raw.length }));
    const a = await w.commit(meta());
    expect(a.payload).toMatchObject({ sizeBytes: encoded.length, rawBytes: raw.length });
    expect((await readPayload(a)).equals(raw)).toBe(true);
  });

  it('is refused, leaving nothing, when it does not decode or decodes to another size than announced', async () => {
    const dir = tmp();
    const raw = samplePayload(2_000_000);
    const encoded = await zstdOf(raw);
    const damaged = Buffer.from(encoded);
    damaged[Math.floor(damaged.length / 2)] ^= 0xff;
    for (const [bytes, expected, why] of [
      [damaged, raw.length, /does not decode/],
      [encoded.subarray(0, encoded.length - 100), raw.length, /does not decode/],
      [encoded, raw.length + 1, new RegExp(`decodes to ${raw.length} bytes, not the ${raw.length + 1}`)],
    ] as const) {
      const w = new ArtifactWriter({ location: folderLocation(dir), lock: UNRACED, database: 'neo4j', time: TIME, full: true, codec: 'zstd', keepFailed: false });
      await pipeline(Readable.from(chunks(bytes, 64 * 1024)), w.payload({ encoded: true, expectedRawBytes: expected }));
      const e = await corruptError(w.commit(meta()));
      expect(e.code).toBe('SOURCE_UNREACHABLE');
      expect(e.message).toMatch(why);
      w.abort();
      expect(fs.readdirSync(dir)).toEqual([]);
    }
  });
});

describe('placement', () => {
  it('never overwrites: two artifacts of one second get -1, -2; an existing file of that name is left alone', async () => {
    const dir = tmp();
    const base = artifactBaseName('neo4j', TIME);
    expect(base).toBe('neo4j-2026-03-01T10-30-05');
    const squatter = path.join(dir, `${base}${ARTIFACT_EXTENSION}`);
    fs.writeFileSync(squatter, 'someone else’s file');
    const a = await writeArtifact(dir, samplePayload(1000));
    const b = await writeArtifact(dir, samplePayload(1000), { time: new Date(TIME.getTime() + 500) });
    expect(a.file).toBe(`${base}-1${ARTIFACT_EXTENSION}`);
    expect(b.file).toBe(`${base}-2${ARTIFACT_EXTENSION}`);
    expect(fs.readFileSync(squatter, 'utf8')).toBe('someone else’s file');
    expect(readArtifact(a.path).payload.sha256).not.toBe(readArtifact(b.path).payload.sha256);
    // the time comes from the metadata, not from the name
    expect(readArtifact(b.path).time).toBe('2026-03-01T10:30:05.750Z');
  });

  it('a reader never sees the artifact while it is written; abort leaves nothing, or keeps it with keepFailed', async () => {
    const dir = tmp();
    const w = new ArtifactWriter({ location: folderLocation(dir), lock: UNRACED, database: 'neo4j', time: TIME, full: true, codec: 'none', keepFailed: false });
    const sink = w.payload();
    await new Promise<void>((r) => sink.write(samplePayload(50_000), () => r()));
    expect(fs.readdirSync(dir)).toHaveLength(1); // the hidden temporary file
    expect(fs.readdirSync(dir)[0]).toMatch(/^\.txline-partial-neo4j-\d+-[0-9a-f]+\.tmp$/);
    // owner-only, whatever the umask: it holds the database (and is often in the shared temporary folder)
    expect(fs.statSync(path.join(dir, fs.readdirSync(dir)[0])).mode & 0o777).toBe(0o600);
    expect(listArtifacts(dir)).toEqual({ artifacts: [], problems: [] });
    sink.destroy();
    expect(w.abort()).toBeNull();
    expect(fs.readdirSync(dir)).toEqual([]);

    const k = new ArtifactWriter({ location: folderLocation(dir), lock: UNRACED, database: 'neo4j', time: TIME, full: true, codec: 'none', keepFailed: true });
    const kept = k.abort();
    expect(kept).toBe(path.join(dir, `neo4j-2026-03-01T10-30-05.failed-${process.pid}`));
    // the attempt, and what was known of it beside it
    expect(fs.readdirSync(dir).sort()).toEqual([path.basename(kept as string), `${path.basename(kept as string)}.json`]);
    for (const f of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, f)).mode & 0o777, f).toBe(0o600);
    expect(listArtifacts(dir)).toEqual({ artifacts: [], problems: [] });
  });

  it('a payload write still pending when a writer aborts never lands in the next artifact (descriptor reuse)', async () => {
    // A backup whose source breaks mid-stream aborts its writer and tries the next server with a new one. Hold
    // the aborted writer's last write in the thread pool's queue (every thread busy) while the next writer opens.
    const dir = tmp();
    const w = new ArtifactWriter({ location: folderLocation(dir), lock: UNRACED, database: 'neo4j', time: TIME, full: true, codec: 'none', keepFailed: false });
    const sink = w.payload();
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const { pbkdf2 } = await import('node:crypto');
    const busy = Array.from({ length: threads }, () => new Promise((r) => pbkdf2('x', 'y', 200_000, 32, 'sha256', r)));
    await new Promise<void>((r) => sink.write(Buffer.alloc(50_000, 7), () => r()));
    await new Promise((r) => setImmediate(r));
    sink.destroy();
    w.abort();
    const next = new ArtifactWriter({ location: folderLocation(dir), lock: UNRACED, database: 'neo4j', time: TIME, full: true, codec: 'none', keepFailed: false });
    await Promise.all(busy);
    const payload = samplePayload(2000);
    await pipeline(Readable.from([payload]), next.payload());
    const a = await next.commit(meta());
    expect(fs.statSync(a.path).size).toBe(PAYLOAD_OFFSET + 2048 + 1024);
    expect((await readPayload(readArtifact(a.path))).equals(payload)).toBe(true);
    expect(fs.readdirSync(dir)).toEqual([a.file]);
  });

  it('--temp-path: the artifact is written there and linked into the target folder', async () => {
    const dir = tmp();
    const temp = tmp();
    const w = new ArtifactWriter({ location: folderLocation(dir), lock: UNRACED, tempDir: temp, database: 'neo4j', time: TIME, full: true, codec: DEFAULT_CODEC, keepFailed: false });
    expect(path.dirname(w.tempPath)).toBe(temp);
    await pipeline(Readable.from([samplePayload(10_000)]), w.payload());
    const a = await w.commit(meta());
    expect(fs.readdirSync(dir)).toEqual([a.file]);
    expect(fs.readdirSync(temp)).toEqual([]);
  });

  it('--temp-path on another filesystem: the sealed file is streamed into the location\'s write(), nothing is left behind', async (t) => {
    // /dev/shm is a tmpfs: link(2) from it into a folder on the disk fails with EXDEV, so adopt() declines
    if (!fs.existsSync('/dev/shm') || fs.statSync('/dev/shm').dev === fs.statSync(os.tmpdir()).dev) return t.skip();
    const dir = tmp();
    const temp = fs.mkdtempSync('/dev/shm/txline-test-');
    dirs.push(temp);
    const w = new ArtifactWriter({ location: folderLocation(dir), lock: UNRACED, tempDir: temp, database: 'neo4j', time: TIME, full: true, codec: DEFAULT_CODEC, keepFailed: false });
    expect(path.dirname(w.tempPath)).toBe(temp);
    const payload = samplePayload(3_000_000);
    await pipeline(Readable.from([payload]), w.payload());
    const a = await w.commit(meta());
    expect(fs.readdirSync(dir)).toEqual([a.file]);
    expect(fs.readdirSync(temp)).toEqual([]);
    expect(a.path).toBe(path.join(dir, a.file));
    expect(fs.statSync(a.path).mode & 0o777, 'a copied artifact is owner-only too').toBe(0o600);
    expect(readArtifact(a.path)).toEqual(a);
    await verifyPayload(a); // throws if the payload does not match its SHA-256
  });

  it('a location that cannot adopt a local file gets the artifact through its atomic write()', async () => {
    const dir = tmp();
    const folder = folderLocation(dir);
    // the same folder's interface without the adopt capability: what an object store offers
    const noAdopt: Location = {
      describe: () => folder.describe(),
      addressOf: (n) => folder.addressOf(n),
      list: () => folder.list(),
      stat: (n) => folder.stat(n),
      readHead: (n, b) => folder.readHead(n, b),
      read: (n, r, o) => folder.read(n, r, o),
      write: (n) => folder.write(n),
      delete: (n) => folder.delete(n),
      cleanLeftovers: () => folder.cleanLeftovers(),
    };
    const scratch = tmp();
    const first = new ArtifactWriter({ location: noAdopt, lock: UNRACED, tempDir: scratch, database: 'neo4j', time: TIME, full: true, codec: 'none', keepFailed: false });
    await pipeline(Readable.from([samplePayload(100_000)]), first.payload());
    const a = await first.commit(meta());
    // a second artifact at the same second gets a fresh name: write() never replaces one
    const second = new ArtifactWriter({ location: noAdopt, lock: UNRACED, tempDir: scratch, database: 'neo4j', time: TIME, full: true, codec: 'none', keepFailed: false });
    await pipeline(Readable.from([samplePayload(1000)]), second.payload());
    const b = await second.commit(meta());
    expect(a.file).toBe(`${artifactBaseName('neo4j', TIME)}${ARTIFACT_EXTENSION}`);
    expect(b.file).toBe(`${artifactBaseName('neo4j', TIME)}-1${ARTIFACT_EXTENSION}`);
    expect(fs.readdirSync(dir).sort()).toEqual([a.file, b.file].sort());
    expect(fs.readdirSync(scratch)).toEqual([]);
    expect((await listArtifactsIn(noAdopt)).artifacts.map((x) => x.file).sort()).toEqual([a.file, b.file].sort());
    await verifyPayload(a); // throws if the payload does not match its SHA-256
  });

  it('cleanStaleTemporaries removes what dead processes left, keeps what live ones write', () => {
    const dir = tmp();
    // a process ID that is not running: spawn one and wait for it to exit
    const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
    const stale = `.txline-partial-neo4j-${dead}-abcd1234.tmp`;
    const staleKeep = `.txline-partial-neo4j-${dead}-abcd1235-keep.tmp`;
    const live = `.txline-partial-neo4j-${process.pid}-abcd1236.tmp`;
    const otherDb = `.txline-partial-neo4j2-${dead}-abcd1237.tmp`;
    for (const n of [stale, staleKeep, live, otherDb]) fs.writeFileSync(path.join(dir, n), 'x');
    const done = cleanStaleTemporaries(dir, 'neo4j');
    expect(done).toHaveLength(2);
    expect(fs.readdirSync(dir).sort()).toEqual([live, otherDb, `neo4j-interrupted-${dead}.backup.failed`].sort());
  });
});
