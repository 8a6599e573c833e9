/**
 * The shape of every server action and route handler: ask the guard, then act with the server context.
 * A refusal is a typed result (actions) or a 403 (route handlers), never a thrown error.
 */
import 'server-only';
import { authorize, type Action, type Caller } from '../auth/guard';
import type { Fail } from '../dashboard/commands';
import { describeError, isTxlineError } from '../errors';
import { serverContext, type ServerContext } from './context';

export async function guarded<T>(action: Action, fn: (ctx: ServerContext, caller: Caller) => T | Promise<T>): Promise<T | Fail> {
  const d = await authorize(action);
  if (!d.ok) return { ok: false, error: d.error };
  try {
    return await fn(serverContext(), d.caller);
  } catch (e) {
    return { ok: false, error: describeError(e) };
  }
}

/** A route handler's body: JSON out, 403 when the guard refuses, 500 with { code, message } on failure. */
export async function guardedJson(action: Action, fn: (ctx: ServerContext, caller: Caller) => unknown | Promise<unknown>): Promise<Response> {
  const d = await authorize(action);
  if (!d.ok) return Response.json({ code: 'FORBIDDEN', message: d.error }, { status: d.caller ? 403 : 401 });
  try {
    const body = await fn(serverContext(), d.caller);
    if (body instanceof Response) return body;
    return Response.json(body, { headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    return Response.json({ code: isTxlineError(e) ? e.code : 'INTERNAL', message: describeError(e) }, { status: 500 });
  }
}

/** FormData to a plain object (what the command schemas parse). */
export function formObject(form: FormData | Record<string, unknown>): Record<string, unknown> {
  if (!(form instanceof FormData)) return form;
  const out: Record<string, unknown> = {};
  for (const [k, v] of form.entries()) if (typeof v === 'string') out[k] = v;
  return out;
}
