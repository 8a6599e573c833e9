/**
 * Writing one artifact to an S3 location: a streaming upload straight to its final key, visible only when it
 * completes.
 *
 * - lib-storage's Upload sends 8 MiB parts (larger ones past 70 GiB, when the size is known: partSizeFor), 3 at
 *   a time (a multipart upload), or one PUT when everything fits in one part; memory stays at a few parts. The
 *   bytes written to `sink` are held back from the upload's end until commit(): ending `sink` does not complete
 *   anything, so nothing appears before commit().
 * - Never replacing an object: write() picks the name first (it cannot change later: S3 has no rename). It puts
 *   an upload marker `<prefix>/.txline-uploads/<name>.<token>.json` (host, process, time), then takes the name
 *   only when no object has it and no other writer's marker for it has a smaller token (of two Txline writers
 *   racing for one name, exactly one keeps it: S3 lists what was put before strongly); else it tries `-1`, `-2`...
 *   The upload is sent with `If-None-Match: *`, so a server that implements conditional writes (AWS S3 since
 *   2024; moto in tests/storage/s3-moto.test.ts) refuses to replace an object that another program put meanwhile
 *   (the commit then fails, nothing is replaced). A server that ignores the header (s3rver) has only the marker
 *   protocol: an object a program other than Txline puts in that window could be replaced. A server that
 *   rejects the header outright would fail every write (none tested here does).
 * - abort() stops the upload and aborts the multipart upload (AbortMultipartUpload). A server may refuse (s3rver
 *   does not implement it): that is reported, not thrown: the marker stays, marked refused, and the next
 *   cleanLeftovers() says so. The parts are never listed either way.
 * - A writer killed with `kill -9` leaves its marker (and perhaps an incomplete multipart upload): leftovers.ts.
 * - commit({ note }) puts the object's note (notes.ts) after the object is complete, bound to its size and the
 *   ETag the completion answered.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { AbortMultipartUploadCommand, DeleteObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { TxlineError } from '../../errors';
import type { WriteHandle } from '../location';
import { s3ErrorName, s3Status } from './errors';
import { checkWritableName, type S3Context } from './context';
import { putNote } from './notes';

export const PART_SIZE = 8 * 1024 * 1024;
export const QUEUE_SIZE = 3;
/** S3 takes at most 10,000 parts an object (a margin is kept below), and objects of at most 5 TiB */
const MAX_PARTS = 9_000;
const MAX_OBJECT_SIZE = 5 * 1024 ** 4;

/**
 * The part size for an object of `size` bytes (unknown: PART_SIZE): PART_SIZE up to 70 GiB, then just enough
 * whole MiB for 9,000 parts (memory holds QUEUE_SIZE parts: 3 x 117 MiB for 1 TiB).
 */
export function partSizeFor(size?: number): number {
  if (size !== undefined && size > MAX_OBJECT_SIZE) throw new TxlineError('INVALID_ARGUMENT', `an artifact of ${size} bytes is larger than S3's largest object (5 TiB)`);
  if (size === undefined || size <= PART_SIZE * MAX_PARTS) return PART_SIZE;
  return Math.ceil(size / MAX_PARTS / 1024 ** 2) * 1024 ** 2;
}
/** names tried before giving up (`x`, `x-1`, ... `x-999`) */
const MAX_CANDIDATES = 1000;

/** What an upload marker holds (JSON). */
export interface UploadMarker {
  v: 1;
  name: string;
  key: string;
  host: string;
  pid: number;
  started: string;
  /** set when abort() was refused by the server: the upload to abort, for cleanLeftovers() to report */
  uploadId?: string;
  abortRefused?: string;
}

export async function startWrite(ctx: S3Context, asked: string, size?: number): Promise<WriteHandle> {
  checkWritableName(asked);
  const partSize = partSizeFor(size);
  const client = await ctx.client();
  const token = `${Date.now().toString(36).padStart(9, '0')}${randomBytes(6).toString('hex')}`;
  const { name, markerKey, marker } = await claimName(ctx, asked, token);
  const key = ctx.keyOf(name);

  const body = new PassThrough({ highWaterMark: 1024 * 1024 });
  let failure: Error | null = null;
  let bytes = 0;
  const sink = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _enc, cb) {
      if (failure || body.destroyed) return cb(failure ?? new TxlineError('IO_ERROR', `the upload of ${ctx.addressOf(name)} was stopped`));
      bytes += chunk.length;
      if (body.write(chunk)) return cb();
      const onDrain = () => {
        body.off('close', onClose);
        cb();
      };
      const onClose = () => {
        body.off('drain', onDrain);
        cb(failure ?? new TxlineError('IO_ERROR', `the upload of ${ctx.addressOf(name)} was stopped`));
      };
      body.once('drain', onDrain);
      body.once('close', onClose);
    },
    // ending the sink does not end the upload's body: commit() does, so nothing completes before it
  });
  // An upload's failure destroys the sink with it: a pipeline into the sink sees it, commit() throws it; a writer
  // that only calls write() must not be brought down by an 'error' event nobody listens to.
  sink.on('error', () => undefined);
  const upload = new Upload({
    client,
    params: { Bucket: ctx.bucket, Key: key, Body: body, IfNoneMatch: '*' },
    partSize,
    queueSize: QUEUE_SIZE,
    // abort() and a failed commit() abort the multipart upload themselves, to report a refusal
    leavePartsOnError: true,
  });
  /** the object's ETag once the upload completed */
  const uploaded: Promise<string | undefined> = upload.done().then(
    (out) => out.ETag,
    (e: unknown) => {
      failure = uploadError(ctx, name, e);
      sink.destroy(failure);
      body.destroy();
      throw failure;
    },
  );
  uploaded.catch(() => undefined); // observed by commit() or abort(); here only kept from being unhandled

  let state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';
  /** After the upload stopped: abort its multipart upload (if any) and drop the marker; a refusal is kept in the marker. */
  const cleanUp = async () => {
    await uploaded.catch(() => undefined); // all its requests are back: uploadId is final
    if (upload.uploadId) {
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: ctx.bucket, Key: key, UploadId: upload.uploadId }), ctx.small);
      } catch (e) {
        if (s3ErrorName(e) !== 'NoSuchUpload') {
          await putMarker(ctx, markerKey, { ...marker, uploadId: upload.uploadId, abortRefused: s3ErrorName(e) }).catch(() => undefined);
          return; // reported by the next cleanLeftovers(); if even the marker could not be updated, it reports the marker
        }
      }
    }
    await client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: markerKey }), ctx.small).catch(() => undefined); // a marker left is cleaned later
  };

  return {
    sink,
    commit: async (opts = {}) => {
      if (state !== 'open') throw new TxlineError('INTERNAL', `the upload of ${ctx.addressOf(name)} was ${state} already`);
      state = 'committing';
      let etag: string | undefined;
      try {
        if (failure) throw failure;
        if (!sink.writableFinished) {
          if (!sink.writableEnded && !sink.destroyed) sink.end();
          await finished(sink);
        }
        if (!body.destroyed) body.end();
        etag = await uploaded;
      } catch (e) {
        state = 'aborted';
        if (!body.destroyed) body.destroy();
        await cleanUp();
        throw failure ?? uploadError(ctx, name, e);
      }
      state = 'committed';
      // the artifact is complete; a marker that cannot be removed now is removed by a later cleanLeftovers()
      await client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: markerKey }), ctx.small).catch(() => undefined);
      // the note, after the object (notes.ts): a note that cannot be put leaves the object to be read by its head,
      // which is what an index does for every object without one, so the commit stands
      if (opts.note) await putNote(ctx, name, bytes, etag, opts.note).catch(() => false);
      return name;
    },
    abort: async () => {
      if (state !== 'open') return;
      state = 'aborted';
      failure ??= new TxlineError('IO_ERROR', `the upload of ${ctx.addressOf(name)} was aborted`);
      sink.destroy();
      body.destroy(failure);
      await cleanUp();
    },
  };
}

function uploadError(ctx: S3Context, name: string, e: unknown): TxlineError {
  if (e instanceof TxlineError) return e;
  if (s3ErrorName(e) === 'PreconditionFailed' || s3Status(e) === 412) {
    return new TxlineError('IO_ERROR', `${ctx.addressOf(name)} was created by another writer during the upload; it was not replaced, and this upload was dropped`, { cause: e });
  }
  return ctx.fail(e, `uploading ${name}`);
}

async function putMarker(ctx: S3Context, markerKey: string, marker: UploadMarker): Promise<void> {
  const client = await ctx.client();
  await client.send(new PutObjectCommand({ Bucket: ctx.bucket, Key: markerKey, Body: JSON.stringify(marker), ContentType: 'application/json' }), ctx.small);
}

/** The fresh name this writer takes (see the header), with its marker put. */
async function claimName(ctx: S3Context, asked: string, token: string): Promise<{ name: string; markerKey: string; marker: UploadMarker }> {
  const client = await ctx.client();
  const stem = asked.slice(0, -'.backup'.length);
  for (let i = 0; i < MAX_CANDIDATES; i++) {
    const name = i === 0 ? asked : `${stem}-${i}.backup`;
    const markerKey = `${ctx.markerPrefix}${name}.${token}.json`;
    const marker: UploadMarker = { v: 1, name, key: ctx.keyOf(name), host: os.hostname(), pid: process.pid, started: new Date().toISOString() };
    try {
      await putMarker(ctx, markerKey, marker);
      const others = await client.send(new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: `${ctx.markerPrefix}${name}.` }), ctx.small);
      const beaten = (others.Contents ?? []).some((o) => o.Key !== undefined && o.Key < markerKey && markerNameOf(ctx, o.Key) === name);
      if (!beaten && !(await exists(ctx, name))) return { name, markerKey, marker };
      await client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: markerKey }), ctx.small);
    } catch (e) {
      await client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: markerKey }), ctx.small).catch(() => undefined);
      throw ctx.fail(e, `starting the upload of ${name}`);
    }
  }
  throw new TxlineError('IO_ERROR', `${ctx.addressOf(asked)}: ${MAX_CANDIDATES} names like it are taken`);
}

/** The artifact name a marker key is for (`<prefix>/.txline-uploads/<name>.<token>.json`), or null. */
export function markerNameOf(ctx: S3Context, key: string): string | null {
  if (!key.startsWith(ctx.markerPrefix)) return null;
  const m = /^(.+\.backup)\.[0-9a-z]+\.json$/.exec(key.slice(ctx.markerPrefix.length));
  return m ? m[1] : null;
}

async function exists(ctx: S3Context, name: string): Promise<boolean> {
  const client = await ctx.client();
  try {
    await client.send(new HeadObjectCommand({ Bucket: ctx.bucket, Key: ctx.keyOf(name) }), ctx.small);
    return true;
  } catch (e) {
    if (s3Status(e) === 404) return false;
    throw e;
  }
}
