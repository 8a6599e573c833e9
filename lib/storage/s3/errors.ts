/**
 * What an S3 location's failures mean to a user: a TxlineError with a code to act on (STORAGE_UNREACHABLE,
 * STORAGE_CREDENTIALS_REJECTED, STORAGE_ACCESS_DENIED, PATH_NOT_FOUND for a missing bucket), naming the location
 * and the endpoint's host, never a credential. No SDK code here: the SDK is loaded only when a location is used.
 */
import { TxlineError, describeError } from '../../errors';

/** An endpoint as it may be shown: scheme, host and port only (never a user or password in it). */
export function showEndpoint(endpoint: string | undefined): string {
  if (!endpoint) return 'the AWS S3 endpoint';
  try {
    const u = new URL(endpoint);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'the configured endpoint (AWS_ENDPOINT_URL_S3), which is not a URL';
  }
}

const CREDENTIAL_ERRORS = new Set(['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'InvalidToken', 'ExpiredToken', 'TokenRefreshRequired', 'InvalidClientTokenId', 'UnrecognizedClientException']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

/** What an S3 error is called: the service's error code, or the network error's code. */
export function s3ErrorName(e: unknown): string {
  const o = e as { name?: unknown; Code?: unknown; code?: unknown } | null;
  if (o && typeof o.code === 'string' && NETWORK_CODES.has(o.code)) return o.code;
  if (o && typeof o.Code === 'string') return o.Code;
  return o && typeof o.name === 'string' ? o.name : 'Error';
}

export function s3Status(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/**
 * A failure of `doing` on the location `where` as a TxlineError with a code a user can act on. Messages hold the
 * location, the endpoint's host and the server's error code, never a credential.
 */
export function storageError(e: unknown, where: string, doing: string, endpoint: string | undefined): TxlineError {
  if (e instanceof TxlineError) return e;
  const name = s3ErrorName(e);
  const status = s3Status(e);
  if (CREDENTIAL_ERRORS.has(name) || name === 'CredentialsProviderError') {
    const why = name === 'CredentialsProviderError' ? 'no AWS credentials were found (environment, shared credentials and config files, AWS_PROFILE, instance role)' : `the server rejected the credentials (${name})`;
    return new TxlineError('STORAGE_CREDENTIALS_REJECTED', `${where}: ${doing} failed: ${why}; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the profile`, { cause: e });
  }
  if (name === 'NoSuchBucket') return new TxlineError('PATH_NOT_FOUND', `${where}: the bucket does not exist (NoSuchBucket) at ${showEndpoint(endpoint)}`, { cause: e });
  if (name === 'AccessDenied' || name === 'AllAccessDisabled' || status === 403) {
    return new TxlineError('STORAGE_ACCESS_DENIED', `${where}: access denied while ${doing} (${name}): the credentials are not allowed to do this on the bucket`, { cause: e });
  }
  if (NETWORK_CODES.has(name) || name === 'TimeoutError' || name === 'RequestTimeout') {
    const what = /TIMEDOUT|Timeout/.test(name) ? 'did not answer in time' : /RESET|PIPE|ABORTED/.test(name) ? 'closed the connection' : 'cannot be reached';
    return new TxlineError('STORAGE_UNREACHABLE', `${where}: ${showEndpoint(endpoint)} ${what} while ${doing} (${name})`, { cause: e });
  }
  return new TxlineError('IO_ERROR', `${where}: ${doing} failed: ${status ? `HTTP ${status} ` : ''}${describeError(e)}`, { cause: e });
}
