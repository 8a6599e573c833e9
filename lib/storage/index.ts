/**
 * The one place that turns a location given by a user (a folder path, or `s3://bucket/prefix`) into a Location.
 * Everything above lib/storage asks here and then talks to the interface only (location.ts).
 */
import path from 'node:path';
import { TxlineError } from '../errors';
import { LocalLocation } from './local';
import { S3Location, isS3Url, type S3LocationOptions } from './s3';
import { isArtifactName, type Location } from './location';

/** the S3-compatible endpoint the environment names (AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL), or undefined */
export { endpointFromEnv as s3EndpointFromEnv } from './s3/context';
export type { Location, LocationEntry, ByteRange, Head, WriteHandle, SyncReads, SealedFile, Lock, LockOwner } from './location';

export interface OpenLocationOptions {
  /** the backup roots this process is confined to (null: not confined) */
  roots?: string[] | null;
  /** for `s3://`: the endpoint, credentials and region (default: the standard AWS environment, files and chain) */
  s3?: S3LocationOptions;
}

/** Whether `where` is a URL (`s3://bucket/prefix`, ...) rather than a folder path. */
export function isLocationUrl(where: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(where);
}

/**
 * A URL that names one artifact (its last segment is an artifact name: `s3://b/p/neo4j-....backup`) as the
 * location's URL and the name; any other URL as itself and null.
 */
export function splitLocationUrl(url: string): { location: string; name: string | null } {
  const cut = url.replace(/\/+$/, '').lastIndexOf('/');
  const last = url.slice(cut + 1);
  if (cut > url.indexOf('://') + 2 && isArtifactName(last)) return { location: url.slice(0, cut), name: last };
  return { location: url, name: null };
}

/**
 * The canonical form of a location's URL (`s3://bucket/prefix`, no trailing slash), checked as openLocation
 * checks it (a USAGE error for a URL it would refuse: credentials in it, an unknown scheme, a bad bucket); null
 * when `where` is a folder path. Nothing is sent anywhere.
 */
export function canonicalLocationUrl(where: string): string | null {
  if (!isLocationUrl(where)) return null;
  return openLocation(where).describe();
}

/** The address of the artifact `name` in the location `where` (a folder path, or a URL), without opening it. */
export function addressIn(where: string, name: string): string {
  if (!isArtifactName(name) || name.includes(',')) throw new TxlineError('INTERNAL', `${JSON.stringify(name)} is not an artifact name`);
  return isLocationUrl(where) ? `${where.replace(/\/+$/, '')}/${name}` : path.join(where, name);
}

/**
 * The Location a folder path or an `s3://bucket/prefix` URL names. (Backup roots confine folders only: an S3
 * location is reached with its own credentials.)
 */
export function openLocation(where: string, opts: OpenLocationOptions = {}): Location {
  if (isS3Url(where)) return new S3Location(where, opts.s3);
  if (isLocationUrl(where)) {
    const scheme = where.slice(0, where.indexOf(':'));
    throw new TxlineError('USAGE', `${scheme}:// locations are not supported: use a local folder or s3://bucket/prefix`);
  }
  return new LocalLocation(where, { roots: opts.roots ?? null });
}
