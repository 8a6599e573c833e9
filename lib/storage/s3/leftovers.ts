/**
 * What killed writers leave in an S3 location, found and removed (cleanLeftovers()).
 *
 * A writer (upload.ts) leaves at most its upload marker and an incomplete multipart upload; neither is ever
 * listed as an artifact, and the design has no separate data objects that could be orphaned (an object is
 * written under its final key, and appears only when its upload completes).
 *
 * - A stale marker blocks its name for new writers until it is cleaned (upload.ts takes `-1` then), so the
 *   multipart uploads of its key are its writer's alone when they are aborted here.
 * - A marker is stale when its writer is gone: on this host and its process is not running, or on another host
 *   and older than the grace period (default 24 h: another host's process cannot be asked), or marked by abort()
 *   as refused by the server. A stale marker's multipart uploads are aborted (found with ListMultipartUploads),
 *   then the marker is removed; each is reported. A server that does not list uploads or refuses to abort one
 *   (s3rver) is reported in the line, not thrown: the parts are invisible to list() but may stay on the server.
 * - Then every incomplete multipart upload of an artifact name under the prefix that is older than the grace
 *   period and has no live marker is aborted and reported (uploads of writers killed before their marker was
 *   put, or of older versions). Where the server does not list uploads, this sweep is skipped without a line:
 *   there is nothing known to report, and a line on every run would be noise.
 */
import os from 'node:os';
import { AbortMultipartUploadCommand, DeleteObjectCommand, GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, type MultipartUpload } from '@aws-sdk/client-s3';
import { processAlive } from '../../cleanup';
import { isArtifactName } from '../location';
import { s3ErrorName, s3Status } from './errors';
import type { S3Context } from './context';
import { markerNameOf, type UploadMarker } from './upload';

export const DEFAULT_GRACE_MS = 24 * 3600 * 1000;

export async function cleanLeftovers(ctx: S3Context, graceMs: number): Promise<string[]> {
  const client = await ctx.client();
  const done: string[] = [];
  const liveKeys = new Set<string>();
  const handledKeys = new Set<string>();
  const now = Date.now();
  // first every marker judged, then the stale ones handled: a stale marker whose name a running writer holds
  // (one killed between putting its marker and giving the name up) must not abort that writer's upload
  const stale: Array<{ markerKey: string; name: string; key: string; info: UploadMarker | null }> = [];
  for (const m of await listObjects(ctx, ctx.markerPrefix)) {
    const name = markerNameOf(ctx, m.key);
    if (!name) continue; // not ours: left alone
    const info = await readMarker(ctx, m.key);
    const here = info !== null && info.host === os.hostname();
    if (info?.abortRefused !== undefined || (here ? !processAlive(info.pid) : now - m.mtimeMs >= graceMs)) stale.push({ markerKey: m.key, name, key: ctx.keyOf(name), info });
    else liveKeys.add(ctx.keyOf(name));
  }
  for (const { markerKey, name, key, info } of stale) {
    handledKeys.add(key);
    const who = info ? `by process ${info.pid} on ${info.host}, started ${info.started}` : 'by an unknown writer';
    const addr = ctx.addressOf(name);
    if (liveKeys.has(key)) {
      done.push(`removed the marker of an interrupted upload of ${addr} (${who}); a running writer holds that name`);
    } else if (info?.uploadId) {
      done.push(await abortOne(ctx, key, info.uploadId, `the incomplete upload of ${addr} (${who}), which the server refused to abort (${info.abortRefused})`));
    } else {
      let uploads: MultipartUpload[] | null;
      try {
        uploads = (await listUploads(ctx, key)).filter((u) => u.Key === key);
      } catch (e) {
        if (!notImplemented(e)) throw ctx.fail(e, 'listing incomplete uploads');
        uploads = null;
      }
      if (uploads === null) {
        done.push(`could not look for the incomplete upload of ${addr} left ${who}: the server does not implement ListMultipartUploads; its parts, if any, are never listed but may stay on the server`);
      } else if (uploads.length === 0) {
        done.push(`removed the marker of an interrupted upload of ${addr} (${who}); nothing of it was left on the server`);
      }
      for (const u of uploads ?? []) if (u.UploadId) done.push(await abortOne(ctx, key, u.UploadId, `the incomplete upload of ${addr} left ${who}`));
    }
    try {
      await client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: markerKey }), ctx.small);
    } catch (e) {
      throw ctx.fail(e, `removing the upload marker of ${name}`);
    }
  }

  let uploads: MultipartUpload[];
  try {
    uploads = await listUploads(ctx, ctx.keyPrefix);
  } catch (e) {
    if (notImplemented(e)) return done; // see the header
    throw ctx.fail(e, 'listing incomplete uploads');
  }
  for (const u of uploads) {
    if (!u.Key || !u.UploadId || liveKeys.has(u.Key) || handledKeys.has(u.Key)) continue;
    const name = u.Key.slice(ctx.keyPrefix.length);
    if (!u.Key.startsWith(ctx.keyPrefix) || !isArtifactName(name)) continue;
    if (!u.Initiated || now - u.Initiated.getTime() < graceMs) continue;
    done.push(await abortOne(ctx, u.Key, u.UploadId, `the incomplete upload of ${ctx.addressOf(name)} started ${u.Initiated.toISOString()}`));
  }
  return done;
}

async function abortOne(ctx: S3Context, key: string, uploadId: string, what: string): Promise<string> {
  const client = await ctx.client();
  try {
    await client.send(new AbortMultipartUploadCommand({ Bucket: ctx.bucket, Key: key, UploadId: uploadId }), ctx.small);
    return `aborted ${what}`;
  } catch (e) {
    if (s3ErrorName(e) === 'NoSuchUpload') return `${what} was gone already`;
    if (s3Status(e) === 405 || notImplemented(e)) return `the server refused to abort ${what} (${s3ErrorName(e)}); its parts are never listed but may stay on the server`;
    throw ctx.fail(e, `aborting ${what}`);
  }
}

function notImplemented(e: unknown): boolean {
  return s3ErrorName(e) === 'NotImplemented' || s3Status(e) === 501;
}

async function readMarker(ctx: S3Context, key: string): Promise<UploadMarker | null> {
  const client = await ctx.client();
  try {
    // what is in the bucket is not trusted: read 16 KiB at most, and keep only fields of the expected shapes
    // (they end up in report lines)
    const res = await client.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: key, Range: 'bytes=0-16383' }), ctx.small);
    const text = (await res.Body?.transformToString()) ?? '';
    const o = JSON.parse(text) as Partial<Record<keyof UploadMarker, unknown>>;
    if (typeof o.host !== 'string' || !/^[A-Za-z0-9._-]{1,253}$/.test(o.host)) return null;
    if (typeof o.pid !== 'number' || !Number.isInteger(o.pid) || o.pid <= 1 || o.pid > 2 ** 22) return null;
    const started = typeof o.started === 'string' ? new Date(o.started) : null;
    const token = (v: unknown) => (typeof v === 'string' && /^[\w.~+/=-]{1,1024}$/.test(v) ? v : undefined);
    return {
      v: 1,
      name: '',
      key: '',
      host: o.host,
      pid: o.pid,
      started: started && !Number.isNaN(started.getTime()) ? started.toISOString() : 'at an unknown time',
      uploadId: token(o.uploadId),
      abortRefused: o.abortRefused === undefined ? undefined : (token(o.abortRefused) ?? 'refused'),
    };
  } catch (e) {
    if (s3Status(e) === 404) return null; // removed meanwhile (its writer committed)
    if (e instanceof SyntaxError) return null; // not JSON: judged by its age only
    throw ctx.fail(e, `reading the upload marker ${key}`);
  }
}

/** An object as a listing shows it. */
export interface ListedObject {
  key: string;
  size: number;
  mtimeMs: number;
  /** as listed (with its quotes), if the server gives it */
  etag?: string;
}

/** Every object under a prefix (all pages), with its time. */
export async function listObjects(ctx: S3Context, prefix: string, delimiter?: string): Promise<ListedObject[]> {
  const client = await ctx.client();
  const out: ListedObject[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: ctx.bucket, Prefix: prefix, Delimiter: delimiter, ContinuationToken: token }), ctx.small);
    for (const o of page.Contents ?? []) if (o.Key) out.push({ key: o.Key, size: o.Size ?? 0, mtimeMs: o.LastModified?.getTime() ?? 0, etag: o.ETag });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

async function listUploads(ctx: S3Context, prefix: string): Promise<MultipartUpload[]> {
  const client = await ctx.client();
  const out: MultipartUpload[] = [];
  let keyMarker: string | undefined;
  let idMarker: string | undefined;
  do {
    const page = await client.send(new ListMultipartUploadsCommand({ Bucket: ctx.bucket, Prefix: prefix, KeyMarker: keyMarker, UploadIdMarker: idMarker }), ctx.small);
    out.push(...(page.Uploads ?? []));
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    idMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (keyMarker);
  return out;
}
