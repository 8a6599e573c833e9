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
  INTERNAL: 1,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The HTTP status a member or the supervisor's control API answers an error with; any other code is a 500. */
export const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  INVALID_ARGUMENT: 400,
  INVALID_NAME: 400,
  USAGE: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TX_INVALID: 422,
  NOT_FOUND: 404,
  DATABASE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  NOT_WRITER: 409,
  DATABASE_EXISTS: 409,
  STORE_MISMATCH: 409,
  ARTIFACT_HAS_DEPENDENTS: 409,
  TX_PRUNED: 410,
  DATABASE_OFFLINE: 503,
};

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
