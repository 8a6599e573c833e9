/**
 * `s3://bucket/prefix` as a user gives it, checked before anything is sent anywhere. The bucket follows S3's
 * naming rules (3-63 lowercase letters, digits, dots and dashes; a letter or digit at each end); the prefix is
 * `/`-separated segments of a conservative set of characters (letters, digits, `. _ - ~ = + @`), with no empty,
 * `.` or `..` segment, so a key can never climb out of the prefix or mean two things to two servers. Nothing of
 * the URL may hold credentials, a query, a fragment or a comma (the command line reads `--from-path` as a
 * comma-separated list). Messages never echo a URL that holds an `@` (it may carry a secret).
 */
import { TxlineError } from '../../errors';

export interface S3Url {
  bucket: string;
  /** `a/b` for `s3://bucket/a/b/`; empty for the bucket's top */
  prefix: string;
}

const BUCKET_RE = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SEGMENT_RE = /^[A-Za-z0-9._~=+@-]+$/;

export function isS3Url(where: string): boolean {
  return /^s3:\/\//i.test(where);
}

export function parseS3Url(where: string): S3Url {
  const shown = where.includes('@') ? 'the s3:// location' : JSON.stringify(where);
  const usage = (why: string) => new TxlineError('USAGE', `${shown} is not a valid S3 location (s3://bucket/prefix): ${why}`);
  if (!isS3Url(where)) throw usage('it must start with s3://');
  const rest = where.slice('s3://'.length);
  if (/[?#,\\\s\0]/.test(rest) || /[^\x21-\x7e]/.test(rest)) throw usage('it must not hold a query, a fragment, a comma, a backslash, spaces or control characters');
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  if (!bucket) throw usage('no bucket');
  if (bucket.includes('@') || bucket.includes(':')) throw usage('credentials or a port do not belong in the URL: use the standard AWS environment variables or shared files, and AWS_ENDPOINT_URL_S3 for the server');
  if (!BUCKET_RE.test(bucket) || bucket.includes('..')) throw usage(`${JSON.stringify(bucket)} is not a bucket name (3-63 lowercase letters, digits, dots and dashes)`);
  const path = slash < 0 ? '' : rest.slice(slash + 1).replace(/\/+$/, '');
  const segments = path ? path.split('/') : [];
  for (const s of segments) {
    if (s === '') throw usage('an empty path segment (//)');
    if (s === '.' || s === '..') throw usage(`a ${JSON.stringify(s)} segment`);
    if (!SEGMENT_RE.test(s)) throw usage(`${JSON.stringify(s)} holds a character outside letters, digits and . _ - ~ = + @`);
  }
  const prefix = segments.join('/');
  if (prefix.length > 512) throw usage('the prefix is longer than 512 characters');
  return { bucket, prefix };
}

/** The canonical form: `s3://bucket/prefix` (no trailing slash). */
export function formatS3Url(u: S3Url): string {
  return `s3://${u.bucket}${u.prefix ? `/${u.prefix}` : ''}`;
}
