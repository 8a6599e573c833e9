/**
 * The S3 location's work (index.ts says what each operation is, and loads this module, and with it the AWS SDK,
 * on first use). An artifact `<name>` is the object `<prefix>/<name>`; a HEAD's 404 is "no such name", a GET's
 * 416 an empty range; every other failure goes through S3Context.fail (errors.ts) and names the location.
 */
import { PassThrough, Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { TxlineError } from '../../errors';
import { isArtifactName, type ByteRange, type Head, type Location, type LocationEntry, type Lock, type WriteHandle } from '../location';
import { makeS3Client } from './client';
import { S3Context } from './context';
import { s3ErrorName, s3Status } from './errors';
import { DEFAULT_GRACE_MS, cleanLeftovers, listObjects, type ListedObject } from './leftovers';
import { cleanNotes, deleteNotes, listNotes, noteFor, plainEtag } from './notes';
import { startWrite } from './upload';
import { takeLock } from './lock';
import type { S3LocationOptions } from './index';
import { formatS3Url, type S3Url } from './url';

export class S3LocationImpl implements Location {
  readonly bucket: string;
  readonly prefix: string;
  private readonly ctx: S3Context;
  private readonly graceMs: number;

  constructor(u: S3Url, endpoint: string | undefined, opts: S3LocationOptions) {
    this.bucket = u.bucket;
    this.prefix = u.prefix;
    this.ctx = new S3Context(u.bucket, u.prefix ? `${u.prefix}/` : '', formatS3Url(u), endpoint, () => makeS3Client({ ...opts, endpoint }), opts.smallRequestTimeoutMs);
    this.graceMs = opts.leftoverGraceMs ?? DEFAULT_GRACE_MS;
  }

  describe(): string {
    return this.ctx.where;
  }

  addressOf(name: string): string {
    return this.ctx.addressOf(name);
  }

  async list(): Promise<LocationEntry[]> {
    try {
      // a note is handed back only with the very object it names, so a note listed without its object (or an
      // object without its note) is harmless whichever listing saw a change first (notes.ts); one after the other,
      // so that a location that cannot be listed costs one failed listing
      const notes = await listNotes(this.ctx);
      return (await this.listArtifactObjects()).map((o) => ({
        name: o.name,
        size: o.size,
        mtimeMs: o.mtimeMs,
        regular: true,
        ...noteFor(notes.get(o.name), { size: o.size, etag: plainEtag(o.etag) }),
      }));
    } catch (e) {
      throw this.ctx.fail(e, 'listing');
    }
  }

  /** The artifact objects directly under the prefix, by name. */
  private async listArtifactObjects(): Promise<Array<ListedObject & { name: string }>> {
    const objects = await listObjects(this.ctx, this.ctx.keyPrefix, '/');
    return objects
      .map((o) => ({ ...o, name: o.key.slice(this.ctx.keyPrefix.length) }))
      .filter((e) => isArtifactName(e.name) && !/[\\\x00-\x1f\x7f]/.test(e.name)); // only names read() can address (context.ts checkName)
  }

  async stat(name: string): Promise<LocationEntry | null> {
    const key = this.ctx.keyOf(name);
    try {
      const client = await this.ctx.client();
      const h = await client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), this.ctx.small);
      return { name, size: h.ContentLength ?? 0, mtimeMs: h.LastModified?.getTime() ?? 0, regular: true };
    } catch (e) {
      if (s3Status(e) === 404 && s3ErrorName(e) !== 'NoSuchBucket') return null;
      throw this.ctx.fail(e, `reading the size of ${name}`);
    }
  }

  async readHead(name: string, bytes: number): Promise<Head> {
    if (!Number.isInteger(bytes) || bytes < 1) throw new TxlineError('INTERNAL', `readHead of ${bytes} bytes`);
    const res = await this.get(name, 0, bytes);
    if (!res) return { bytes: Buffer.alloc(0), size: await this.sizeOf(name) };
    const { body, total } = res;
    const chunks: Buffer[] = [];
    let got = 0;
    try {
      for await (const c of body as AsyncIterable<Buffer>) {
        chunks.push(c);
        got += c.length;
        if (got >= bytes) break; // (a server that ignored the range sent more: the rest is not read)
      }
    } catch (e) {
      throw this.ctx.fail(e, `reading ${name}`);
    } finally {
      body.destroy();
    }
    return { bytes: Buffer.concat(chunks).subarray(0, bytes), size: total };
  }

  async read(name: string, range: ByteRange = {}, opts: { expectSize?: number } = {}): Promise<Readable> {
    const start = range.start ?? 0;
    const end = range.end;
    const check = (size: number) => {
      if (opts.expectSize !== undefined && size !== opts.expectSize) {
        throw new TxlineError('ARTIFACT_CORRUPT', `${name} is corrupt: object is ${size} bytes, expected ${opts.expectSize} (changed since it was read)`);
      }
    };
    if (end !== undefined && end <= start) {
      check(await this.sizeOf(name));
      return Readable.from([] as Buffer[]);
    }
    const res = await this.get(name, start, end === undefined ? undefined : end - start);
    if (!res) {
      check(await this.sizeOf(name));
      return Readable.from([] as Buffer[]); // the range starts at or after the end
    }
    try {
      check(res.total);
      if (res.whole && (start > 0 || end !== undefined)) throw new TxlineError('IO_ERROR', `${this.addressOf(name)}: the server ignored the byte range asked for`);
    } catch (e) {
      res.body.destroy();
      throw e;
    }
    // a failure while the body streams (a reset, a timeout) reaches the reader as a TxlineError naming the
    // location; a reader that stops early stops the download
    const out = new PassThrough({ highWaterMark: 1024 * 1024 });
    res.body.on('error', (e) => out.destroy(this.ctx.fail(e, `reading ${name}`)));
    out.on('close', () => res.body.destroy());
    res.body.pipe(out);
    return out;
  }

  async write(name: string, opts: { size?: number } = {}): Promise<WriteHandle> {
    return startWrite(this.ctx, name, opts.size);
  }

  async delete(name: string): Promise<void> {
    const key = this.ctx.keyOf(name);
    try {
      await deleteNotes(this.ctx, name); // before the object (notes.ts)
      const client = await this.ctx.client();
      await client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), this.ctx.small);
    } catch (e) {
      if (s3ErrorName(e) === 'NoSuchKey') return;
      throw this.ctx.fail(e, `deleting ${name}`);
    }
  }

  async lock(database: string, what: string, opts: { tempDirs?: string[] } = {}): Promise<Lock> {
    return takeLock(this.ctx, database, what, opts);
  }

  async probe(): Promise<void> {
    await this.list();
    const key = `${this.ctx.keyPrefix}.txline-probe-${randomBytes(8).toString('hex')}`;
    const client = await this.ctx.client();
    try {
      await client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: 'txline connection test\n', ContentType: 'text/plain' }), this.ctx.small);
    } catch (e) {
      throw this.ctx.fail(e, 'writing a test object');
    }
    try {
      await client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), this.ctx.small);
    } catch (e) {
      throw this.ctx.fail(e, 'deleting a test object');
    }
  }

  async cleanLeftovers(): Promise<string[]> {
    try {
      const done = await cleanLeftovers(this.ctx, this.graceMs);
      const objects = async () => new Map((await this.listArtifactObjects()).map((o) => [o.name, { size: o.size, etag: plainEtag(o.etag) }]));
      return [...done, ...(await cleanNotes(this.ctx, objects))];
    } catch (e) {
      throw this.ctx.fail(e, 'cleaning what interrupted uploads left');
    }
  }

  /**
   * A GET of `length` bytes from `start` (to the end when undefined): the body, the object's whole size, and
   * whether the server sent the whole object. Null when the range starts at or after the end (HTTP 416).
   */
  private async get(name: string, start: number, length: number | undefined): Promise<{ body: Readable; total: number; whole: boolean } | null> {
    const key = this.ctx.keyOf(name);
    const Range = start === 0 && length === undefined ? undefined : `bytes=${start}-${length === undefined ? '' : start + length - 1}`;
    let res: GetObjectCommandOutput;
    try {
      const client = await this.ctx.client();
      res = await client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range }), this.ctx.small); // (until the headers)
    } catch (e) {
      if (s3ErrorName(e) === 'InvalidRange' || s3Status(e) === 416) return null;
      if (s3ErrorName(e) === 'NoSuchKey' || (s3Status(e) === 404 && s3ErrorName(e) !== 'NoSuchBucket')) {
        throw new TxlineError('PATH_NOT_FOUND', `${this.addressOf(name)} does not exist`, { cause: e });
      }
      throw this.ctx.fail(e, `reading ${name}`);
    }
    const body = res.Body;
    if (!(body instanceof Readable)) throw new TxlineError('INTERNAL', `${this.addressOf(name)}: the S3 client returned no stream`);
    const m = res.ContentRange ? /\/(\d+)$/.exec(res.ContentRange) : null;
    if (m) return { body, total: Number(m[1]), whole: false };
    return { body, total: res.ContentLength ?? 0, whole: true };
  }

  private async sizeOf(name: string): Promise<number> {
    const st = await this.stat(name);
    if (!st) throw new TxlineError('PATH_NOT_FOUND', `${this.addressOf(name)} does not exist`);
    return st.size;
  }
}
