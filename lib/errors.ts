/**
 * Errors as values with stable codes that the CLI, the HTTP APIs and the dashboard can show.
 * Wrap lower-level failures with `cause` so nothing is lost.
 */
export const ERROR_CODES = {
  // usage and input
  USAGE: 2,
  INVALID_ARGUMENT: 2,
  INVALID_NAME: 2,
  BAD_REQUEST: 2,
  UNSUPPORTED_MEDIA_TYPE: 2,
  NOT_FOUND: 1,
  METHOD_NOT_ALLOWED: 1,
  // cluster
  DATABASE_NOT_FOUND: 1,
  DATABASE_EXISTS: 1,
  DATABASE_OFFLINE: 1,
  NOT_WRITER: 1,
  TX_INVALID: 1,
  TX_PRUNED: 1,
  STORE_MISMATCH: 1,
  DATA_DIR_IN_USE: 1,
  /** a member or the control API was called without the cluster token, or with a wrong one */
  UNAUTHENTICATED: 1,
  /** a member or the control API refused a foreign Origin or Host (a browser page, DNS rebinding) */
  FORBIDDEN: 1,
  // engine
  SOURCE_UNREACHABLE: 1,
  NO_SOURCE: 1,
  CHAIN_BROKEN: 1,
  ARTIFACT_CORRUPT: 1,
  NOT_AN_ARTIFACT: 1,
  PATH_NOT_FOUND: 1,
  /** a path leads out of the backup roots a dashboard job is confined to (lib/engine/confine.ts) */
  PATH_OUTSIDE_ROOTS: 1,
  RESTORE_POINT_OUTSIDE_CHAIN: 1,
  BACKUP_IN_PROGRESS: 1,
  /** an artifact to delete is the parent of others (named in the message); --with-dependents deletes them too */
  ARTIFACT_HAS_DEPENDENTS: 1,
  FALLBACK_DISABLED: 1,
  DESTINATION_EXISTS: 1,
  INCONSISTENT_STORE: 1,
  IO_ERROR: 1,
  // storage locations (object storage)
  /** the storage endpoint of a location cannot be reached (refused, unknown host, timed out) */
  STORAGE_UNREACHABLE: 1,
  /** the storage server rejected the credentials, or none were found */
  STORAGE_CREDENTIALS_REJECTED: 1,
  /** the credentials are valid but not allowed to do this on the bucket */
  STORAGE_ACCESS_DENIED: 1,
  // dashboard and jobs
  /** a name (cluster, folder) is taken, or a path is registered already */
  ALREADY_EXISTS: 1,
  /** the operation does not apply to this thing (stop a member of a remote cluster, remove the default folder) */
  NOT_SUPPORTED: 1,
  /** a destructive step needs the user to type the target's name */
  CONFIRMATION_REQUIRED: 1,
  /** a job of the same database (cluster or backup folder) is running */
  JOB_RUNNING: 1,
  /** the job is not running (finished, cancelled or interrupted) */
  JOB_NOT_RUNNING: 1,
  /** the job process could not be started */
  SPAWN_FAILED: 1,
  /** neo4j-admin failed, or answered what Txline cannot trust (exit 0 without the artifact, unreadable output) */
  ADMIN_TOOL_FAILED: 1,
  /** a bounded read (the restore wizard's transaction search or preview) did not finish in its time */
  TIMEOUT: 1,
  /** a restore drill restored a chain but a check of the restored database failed (consistency, counts, reads) */
  DRILL_FAILED: 1,
  INTERNAL: 1,
  /** a webhook URL (or what its host name resolves to) is a link-local or cloud-metadata address (lib/alerts/address.ts) */
  ADDRESS_REFUSED: 2,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * The HTTP status of every code: the dashboard's route handlers (app/api), the members and the supervisor's
 * control API answer an error with it. 500 is for the unexpected only (INTERNAL, IO_ERROR, SPAWN_FAILED).
 * docs/errors.md documents each code; tests/errors-doc.test.ts keeps the two in step.
 */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  USAGE: 400,
  INVALID_ARGUMENT: 400,
  INVALID_NAME: 400,
  BAD_REQUEST: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  DATABASE_NOT_FOUND: 404,
  DATABASE_EXISTS: 409,
  DATABASE_OFFLINE: 503,
  NOT_WRITER: 409,
  TX_INVALID: 422,
  TX_PRUNED: 410,
  STORE_MISMATCH: 409,
  DATA_DIR_IN_USE: 409,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  SOURCE_UNREACHABLE: 503,
  NO_SOURCE: 503,
  CHAIN_BROKEN: 422,
  ARTIFACT_CORRUPT: 422,
  NOT_AN_ARTIFACT: 422,
  PATH_NOT_FOUND: 404,
  PATH_OUTSIDE_ROOTS: 403,
  RESTORE_POINT_OUTSIDE_CHAIN: 422,
  BACKUP_IN_PROGRESS: 409,
  FALLBACK_DISABLED: 422,
  DESTINATION_EXISTS: 409,
  INCONSISTENT_STORE: 422,
  IO_ERROR: 500,
  STORAGE_UNREACHABLE: 503,
  STORAGE_CREDENTIALS_REJECTED: 422,
  STORAGE_ACCESS_DENIED: 422,
  ALREADY_EXISTS: 409,
  NOT_SUPPORTED: 422,
  CONFIRMATION_REQUIRED: 422,
  JOB_RUNNING: 409,
  JOB_NOT_RUNNING: 409,
  SPAWN_FAILED: 500,
  INTERNAL: 500,
  ARTIFACT_HAS_DEPENDENTS: 409,
  ADMIN_TOOL_FAILED: 422,
  TIMEOUT: 503,
  ADDRESS_REFUSED: 400,
  DRILL_FAILED: 422,
};

export function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === 'string' && Object.hasOwn(ERROR_CODES, v);
}

/** The HTTP status for a code; anything that is not a known code is unexpected: 500. */
export function httpStatusOf(code: unknown): number {
  return isErrorCode(code) ? HTTP_STATUS[code] : 500;
}

/**
 * A route handler's error (app/api): `{ error: { code, message } }` with the code's HTTP status. The member API
 * in lib/cluster keeps its own `{ code, message }`.
 */
export function errorResponse(code: ErrorCode, message: string): Response {
  return Response.json({ error: { code, message } }, { status: httpStatusOf(code), headers: { 'cache-control': 'no-store' } });
}

/**
 * Reads an error answer of the HTTP API in the browser: `{ error: { code, message } }` (app/api), or the older
 * `{ code, message }` (the member API, the proxy's refusals of pages), with the code's hint; null if neither.
 */
export function apiError(body: unknown): { code: string; message: string; hint: string | null } | null {
  const o = body && typeof body === 'object' ? ((body as { error?: unknown }).error ?? body) : null;
  if (!o || typeof o !== 'object') return null;
  const { code, message } = o as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return null;
  return { code, message, hint: hintFor(code) };
}

/** What the user can do about an error, for the codes where there is something to say (the UI shows it). */
const HINTS: Partial<Record<ErrorCode, string>> = {
  ARTIFACT_HAS_DEPENDENTS: 'later backups build on it: delete them with it (--with-dependents), or keep it',
  TX_PRUNED: 'the member no longer holds the transactions after the last backup: take a full backup',
  STORE_MISMATCH: 'the database was restored or recreated since the last backup: take a full backup',
  FALLBACK_DISABLED: 'a differential cannot be taken now: take a full backup, or allow the fallback to a full',
  CHAIN_BROKEN: 'a backup of the chain is missing or does not follow its parent: restore from another chain, or take a full backup',
  ARTIFACT_CORRUPT: 'a backup file is damaged: restore from another chain, and take a new full backup',
  SOURCE_UNREACHABLE: 'no member could be reached: check that the cluster is running and its addresses and token',
  NO_SOURCE: 'no member qualifies as a source (all lag too far behind?): wait, or back up from a chosen member',
  DATABASE_OFFLINE: 'the database is stopped: start it, then try again',
  DATABASE_EXISTS: 'choose another name, or replace the database',
  DESTINATION_EXISTS: 'choose another name, or allow the existing database to be overwritten',
  RESTORE_POINT_OUTSIDE_CHAIN: 'choose a transaction or time inside what the backups can restore',
  BACKUP_IN_PROGRESS: 'another backup job works on this database in this folder: wait for it to finish',
  JOB_RUNNING: 'wait for the running job to finish, or cancel it',
  PATH_OUTSIDE_ROOTS: 'use a folder inside the configured backup roots (TXLINE_BACKUP_ROOTS)',
  PATH_NOT_FOUND: 'check the path; the folder or file may have been moved or removed',
  STORAGE_UNREACHABLE: 'check the storage endpoint (AWS_ENDPOINT_URL_S3) and the network, then try again',
  STORAGE_CREDENTIALS_REJECTED: 'check the AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)',
  STORAGE_ACCESS_DENIED: "grant the credentials list, read, write and delete on the bucket's prefix",
  UNAUTHENTICATED: 'sign in again',
  FORBIDDEN: 'ask an administrator for a role that allows this',
  CONFIRMATION_REQUIRED: "type the database's name to confirm",
  SPAWN_FAILED: 'the server could not start the txline process: check its log and the installation',
  ADMIN_TOOL_FAILED: "read neo4j-admin's log in the job's output, fix what it names, and run it again",
  TIMEOUT: 'narrow the search: a from and to transaction, or a more precise match',
  ADDRESS_REFUSED: 'give a receiver that is not a link-local or cloud-metadata address (169.254.0.0/16, fe80::/10, fd00:ec2::254)',
  DRILL_FAILED: "the chain restores, but not to what its records say: read the drill's failed check, and take a new full backup",
};

/** A short hint for an error code, or null when there is nothing more to say than the message. */
export function hintFor(code: string | null | undefined): string | null {
  return isErrorCode(code) ? (HINTS[code] ?? null) : null;
}

export class TxlineError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TxlineError';
    this.code = code;
    this.details = opts.details;
  }

  /** The process exit code this error maps to in the CLI (2 for usage errors, else 1). */
  get exitCode(): number {
    return ERROR_CODES[this.code];
  }

  toJSON(): { code: ErrorCode; message: string } & Record<string, unknown> {
    return { code: this.code, message: this.message, ...(this.details ?? {}) };
  }
}

export function isTxlineError(e: unknown, code?: ErrorCode): e is TxlineError {
  return e instanceof TxlineError && (code === undefined || e.code === code);
}

/** A one-line description of any thrown value, following `cause` chains. */
export function describeError(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 5; depth++) {
    if (cur instanceof Error) {
      const code = (cur as { code?: unknown }).code;
      parts.push(typeof code === 'string' && !cur.message.includes(code) ? `${cur.message} (${code})` : cur.message);
      cur = cur.cause;
    } else {
      parts.push(String(cur));
      break;
    }
  }
  return parts.join(': ');
}

/** The code of a thrown value: its own when it is a TxlineError, else `fallback`. */
export function codeOf(e: unknown, fallback: ErrorCode = 'INTERNAL'): ErrorCode {
  return e instanceof TxlineError ? e.code : fallback;
}
