/**
 * The one place that turns a location given by a user (a folder path; later `s3://bucket/prefix`) into a
 * Location. Everything above lib/storage asks here and then talks to the interface only (location.ts).
 */
import { TxlineError } from '../errors';
import { LocalLocation } from './local';
import type { Location } from './location';

export type { Location, LocationEntry, ByteRange, Head, WriteHandle, SyncReads, SealedFile } from './location';

export interface OpenLocationOptions {
  /** the backup roots this process is confined to (null: not confined) */
  roots?: string[] | null;
}

/** The Location a folder path (or, once that kind exists, a URL) names. */
export function openLocation(where: string, opts: OpenLocationOptions = {}): Location {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(where)) {
    throw new TxlineError('USAGE', `${where}: only local folders are supported as backup locations for now`);
  }
  return new LocalLocation(where, { roots: opts.roots ?? null });
}
