/**
 * GET a JSON route handler from the browser for a react-query `queryFn`: never cached, aborted with the query,
 * and a refusal thrown as an ApiError carrying the handler's message and stable code (`{ error: { code,
 * message } }`, or a member's `{ code, message }`, read by lib/errors.ts `apiError`) so the page can show it,
 * with the code's hint, beside the last data.
 */
import { apiError } from '@/lib/errors';

/** A refused request: the server's message, its stable code (lib/errors.ts) when it gave one, and the HTTP status. */
export class ApiError extends Error {
  readonly code: string | null;
  readonly status: number;

  constructor(message: string, code: string | null, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
  if (!res.ok) throw await refusal(res);
  return (await res.json()) as T;
}

/** The error of an answer that is not ok: the server's code and message, or its status when the body says neither. */
async function refusal(res: Response): Promise<ApiError> {
  const body: unknown = await res.json().catch(() => null);
  const e = apiError(body);
  return new ApiError(e?.message ?? `the server answered ${res.status} ${res.statusText}`.trim(), e?.code ?? null, res.status);
}
