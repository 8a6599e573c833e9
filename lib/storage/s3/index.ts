/**
 * S3-compatible object storage as a storage location (see ../location.ts): `s3://bucket/prefix`.
 *
 * - list() is ListObjectsV2 of the prefix's direct children (paginated) whose names are artifact names: a
 *   complete object only, as S3 shows an object only once its upload completed. Nothing is opened to list.
 * - stat() is a HEAD; readHead() one ranged GET (`bytes=0-N`) whose Content-Range gives the whole size, so head
 *   and size come from one version of the object; read() streams a ranged GET and fails ARTIFACT_CORRUPT when
 *   the object is not the size expected.
 * - write(): upload.ts (a streaming multipart upload, visible when complete, never replacing an object);
 *   cleanLeftovers(): leftovers.ts, then notes left without their object; delete(): the object's notes, then
 *   DeleteObject (S3 answers the same for a name already gone).
 * - Notes (notes.ts): commit({ note }) keeps the note in the key of an empty object beside the artifact, and
 *   list() hands it back with the entry of that very object (one more listing, of `<prefix>/.txline-index/`).
 * - probe(): a listing, then a tiny hidden object `<prefix>/.txline-probe-<random>` written and deleted (the
 *   dashboard's "Test connection": each failure is the error a backup would meet, naming the location).
 * - No `sync` capability and no `localFolder`: object storage has neither synchronous reads nor a folder for
 *   lock files. S3 reads are strongly consistent (AWS since 2020, and the compatible servers tested).
 * - The client (client.ts): the standard credential chain and region, AWS_ENDPOINT_URL_S3 with path-style
 *   addressing, checksums only when required, every request bounded in time. Failures (errors.ts) are
 *   TxlineErrors naming the location, never a credential.
 * - This module is light: the URL is checked when the location is made (a USAGE error at once), and the AWS SDK
 *   is loaded with location-impl.ts on first use, so a CLI process that never touches S3 never loads it.
 */
import type { Readable } from 'node:stream';
import { TxlineError } from '../../errors';
import type { ByteRange, Head, Location, LocationEntry, Lock, WriteHandle } from '../location';
import type { S3ClientOptions } from './client';
import { endpointFromEnv, checkName } from './context';
import type { S3LocationImpl } from './location-impl';
import { formatS3Url, parseS3Url, type S3Url } from './url';

export { isS3Url, parseS3Url } from './url';

export interface S3LocationOptions extends S3ClientOptions {
  /** how old another host's upload marker or an unmarked incomplete upload must be to count as left over */
  leftoverGraceMs?: number;
}

export class S3Location implements Location {
  readonly bucket: string;
  readonly prefix: string;
  private readonly url: S3Url;
  private readonly where: string;
  private readonly endpoint: string | undefined;
  private loaded: Promise<S3LocationImpl> | null = null;

  constructor(
    url: string,
    private readonly opts: S3LocationOptions = {},
  ) {
    this.url = parseS3Url(url);
    this.bucket = this.url.bucket;
    this.prefix = this.url.prefix;
    this.where = formatS3Url(this.url);
    this.endpoint = opts.endpoint ?? endpointFromEnv();
  }

  describe(): string {
    return this.where;
  }

  addressOf(name: string): string {
    return `${this.where}/${checkName(name)}`;
  }

  async list(): Promise<LocationEntry[]> {
    return (await this.impl()).list();
  }

  async stat(name: string): Promise<LocationEntry | null> {
    return (await this.impl()).stat(name);
  }

  async readHead(name: string, bytes: number): Promise<Head> {
    return (await this.impl()).readHead(name, bytes);
  }

  async read(name: string, range?: ByteRange, opts?: { expectSize?: number }): Promise<Readable> {
    return (await this.impl()).read(name, range, opts);
  }

  async write(name: string, opts?: { size?: number }): Promise<WriteHandle> {
    return (await this.impl()).write(name, opts);
  }

  async delete(name: string): Promise<void> {
    return (await this.impl()).delete(name);
  }

  async cleanLeftovers(): Promise<string[]> {
    return (await this.impl()).cleanLeftovers();
  }

  async lock(database: string, what: string, opts?: { tempDirs?: string[] }): Promise<Lock> {
    return (await this.impl()).lock(database, what, opts);
  }

  async probe(): Promise<void> {
    return (await this.impl()).probe();
  }

  private impl(): Promise<S3LocationImpl> {
    this.loaded ??= import('./location-impl').then(
      (m) => new m.S3LocationImpl(this.url, this.endpoint, this.opts),
      (e: unknown) => {
        this.loaded = null;
        throw new TxlineError('INTERNAL', `${this.where}: the S3 client could not be loaded`, { cause: e });
      },
    );
    return this.loaded;
  }
}
