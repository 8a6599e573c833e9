/**
 * The one place that turns a location given by a user (a folder path, or `s3://bucket/prefix`) into a Location.
 * Everything above lib/storage asks here and then talks to the interface only (location.ts).
 */
import { TxlineError } from '../errors';
import { LocalLocation } from './local';
import { S3Location, isS3Url, type S3LocationOptions } from './s3';
import type { Location } from './location';

export type { Location, LocationEntry, ByteRange, Head, WriteHandle, SyncReads } from './location';

export interface OpenLocationOptions {
  /** the backup roots this process is confined to (null: not confined) */
  roots?: string[] | null;
  /** for `s3://`: the endpoint, credentials and region (default: the standard AWS environment, files and chain) */
  s3?: S3LocationOptions;
}

/**
 * The Location a folder path or an `s3://bucket/prefix` URL names. (Backup roots confine folders only: an S3
 * location is reached with its own credentials.)
 */
export function openLocation(where: string, opts: OpenLocationOptions = {}): Location {
  if (isS3Url(where)) return new S3Location(where, opts.s3);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(where)) {
    const scheme = where.slice(0, where.indexOf(':'));
    throw new TxlineError('USAGE', `${scheme}:// locations are not supported: use a local folder or s3://bucket/prefix`);
  }
  return new LocalLocation(where, { roots: opts.roots ?? null });
}
