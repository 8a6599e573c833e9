/**
 * What the parts of an S3 location share: the bucket, the key prefix, the client (made on first use) and the
 * one way a failure becomes a TxlineError naming the location. Keys are `<prefix>/<name>`; the writers' upload
 * markers (upload.ts) live under `<prefix>/.txline-uploads/`, which a listing of the prefix's direct children
 * never shows.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { TxlineError } from '../../errors';
import { isArtifactName } from '../location';
import { storageError } from './errors';

export const MARKER_FOLDER = '.txline-uploads/';

/** ms until the headers of a small request's answer (a HEAD, a listing page, a delete) */
export const SMALL_REQUEST_TIMEOUT_MS = 10_000;

export function endpointFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
}


export class S3Context {
  private made: Promise<S3Client> | null = null;

  constructor(
    readonly bucket: string,
    /** '' or `a/b/` */
    readonly keyPrefix: string,
    /** `s3://bucket/prefix`, for messages */
    readonly where: string,
    readonly endpoint: string | undefined,
    private readonly make: () => Promise<S3Client>,
    smallRequestTimeoutMs = SMALL_REQUEST_TIMEOUT_MS,
  ) {
    this.small = { requestTimeout: smallRequestTimeoutMs };
  }

  client(): Promise<S3Client> {
    if (!this.made) {
      this.made = this.make();
      this.made.catch(() => {
        this.made = null; // the next call tries again (and throws the same error if nothing changed)
      });
    }
    return this.made;
  }

  /** options of a small request (HEAD, a listing page, a delete, a marker) */
  readonly small: { requestTimeout: number };

  fail(e: unknown, doing: string): TxlineError {
    return storageError(e, this.where, doing, this.endpoint);
  }

  keyOf(name: string): string {
    return this.keyPrefix + checkName(name);
  }

  addressOf(name: string): string {
    return `${this.where}/${checkName(name)}`;
  }

  get markerPrefix(): string {
    return this.keyPrefix + MARKER_FOLDER;
  }
}

/** A plain artifact name: no separator, no control character, not `.` or `..`. */
export function checkName(name: string): string {
  if (!name || name === '.' || name === '..' || /[/\\\0-\x1f\x7f]/.test(name)) throw new TxlineError('INTERNAL', `${JSON.stringify(name)} is not a plain file name`);
  return name;
}

/** A name write() accepts: an artifact name without a comma (the command line splits `--from-path` on commas). */
export function checkWritableName(name: string): string {
  if (checkName(name).includes(',') || !isArtifactName(name)) throw new TxlineError('INTERNAL', `${name} is not an artifact name`);
  return name;
}
