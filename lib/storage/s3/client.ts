/**
 * The S3 client of an S3 location, and what its failures mean to a user.
 *
 * - Credentials: the SDK's standard chain (environment, shared config and credentials files, AWS_PROFILE, SSO,
 *   container and instance roles), unless the caller hands some in (tests do). They are never put in a message.
 * - Region: from the standard places (AWS_REGION, the profile's `region`); us-east-1 when none says; the client
 *   follows S3's redirect when the bucket lives elsewhere.
 * - Endpoint: AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL (an S3-compatible server: MinIO, Ceph, s3rver...), with
 *   path-style addressing (`http://host/bucket/key`), which such servers expect.
 * - Checksums only when an operation requires them: the SDK's newer default (a CRC trailer in aws-chunked
 *   framing on every streamed upload) is not understood by several S3-compatible servers, and s3rver stores the
 *   framing in the object (silently corrupt data). lib-storage sends parts as buffers and escapes it, a streamed
 *   PutObject does not: tests/storage/s3-location.test.ts streams one up and compares, and round-trips a
 *   multi-part object.
 * - Every request is bounded: 3 s to connect, a time limit until the answer's headers (throwing, not warning),
 *   3 attempts. An unreachable endpoint fails in seconds with STORAGE_UNREACHABLE naming the location.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { TxlineError, describeError } from '../../errors';
import { endpointFromEnv } from './context';
import { showEndpoint } from './errors';

export interface S3ClientOptions {
  /** an S3-compatible endpoint; default AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, else AWS's own */
  endpoint?: string;
  /** default: the standard credential chain */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** default: the standard places, else us-east-1 */
  region?: string;
  /**
   * ms until an answer's headers for uploads and downloads (default 120 s), and the longest a connection may
   * stay silent in the middle of one (a body that stops coming, without a reset)
   */
  requestTimeoutMs?: number;
  /** ms until an answer's headers for small requests: HEAD, a listing page, a delete (default 10 s) */
  smallRequestTimeoutMs?: number;
  /** ms to connect (default 3 s) */
  connectionTimeoutMs?: number;
}

export async function makeS3Client(opts: S3ClientOptions): Promise<S3Client> {
  const endpoint = opts.endpoint ?? endpointFromEnv();
  if (endpoint !== undefined) {
    let u: URL | null = null;
    try {
      u = new URL(endpoint);
    } catch {
      u = null;
    }
    if (!u || !/^https?:$/.test(u.protocol)) throw new TxlineError('USAGE', `${showEndpoint(endpoint)} is not an http(s) URL; set AWS_ENDPOINT_URL_S3 to the S3-compatible server's URL`);
    if (u.username || u.password) throw new TxlineError('USAGE', `the S3 endpoint ${showEndpoint(endpoint)} must not hold credentials; use the standard AWS credential variables or files`);
  }
  const config: S3ClientConfig = {
    region: opts.region ?? (await standardRegion()),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    followRegionRedirects: true,
    requestHandler: {
      connectionTimeout: opts.connectionTimeoutMs ?? 3_000,
      requestTimeout: opts.requestTimeoutMs ?? 120_000,
      // (the request timeout ends with the headers: without this, a body that stops coming hangs its reader)
      socketTimeout: opts.requestTimeoutMs ?? 120_000,
      throwOnRequestTimeout: true,
    },
  };
  if (endpoint) {
    config.endpoint = endpoint;
    config.forcePathStyle = true;
  }
  if (opts.credentials) config.credentials = opts.credentials;
  return new S3Client(config);
}

/** The region the SDK finds in the standard places (environment, the profile's config), or us-east-1. */
async function standardRegion(): Promise<string> {
  const probe = new S3Client({});
  try {
    return await probe.config.region();
  } catch (e) {
    // "Region is missing" (none is configured anywhere): S3 itself answers for us-east-1 and redirects to the
    // bucket's region (followRegionRedirects). Anything else (a malformed config file) is the user's to fix.
    if (/region is missing/i.test(describeError(e))) return 'us-east-1';
    throw new TxlineError('USAGE', `cannot read the AWS region from the environment or the shared config: ${describeError(e)}`, { cause: e });
  } finally {
    probe.destroy();
  }
}
