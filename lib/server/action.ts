/**
 * The shape of every server action and route handler: ask the guard (lib/server/auth.ts), act with the
 * server context, and write audited actions to the audit log with their outcome. A refusal is a typed result
 * (actions, with the code UNAUTHENTICATED or FORBIDDEN) or a 401/403 (route handlers), never a thrown error.
 */
import 'server-only';
import { ACTIONS, type Action, type Caller } from '../auth/guard';
import { recordAudit } from '../auth/audit';
import type { Fail } from '../dashboard/commands/shared';
import { codeOf, describeError, errorResponse } from '../errors';

export { errorResponse };
import { authorize } from './auth';
import { serverContext, type ServerContext } from './context';

/** The thing an action works on, for the audit log: the first of these fields the input has. */
export function describeTarget(input: unknown): string | null {
  if (!input || typeof input !== 'object') return null;
  const o = input as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of ['database', 'newName', 'memberId', 'artifactId', 'jobId', 'username', 'userId', 'name', 'path', 'clusterId', 'folderId']) {
    const v = o[k];
    if (typeof v === 'string' && v !== '') parts.push(`${k}=${v.slice(0, 120)}`);
    else if (typeof v === 'number') parts.push(`${k}=${v}`);
    if (parts.length === 2) break;
  }
  return parts.length ? parts.join(' ') : null;
}

/** What an audited result's entry should say instead of the defaults (see `withAuditNote`). */
export interface AuditNote {
  target?: string | null;
  detail?: string | null;
}

const notes = new WeakMap<object, AuditNote>();

/** Marks a result with its audit entry's target and detail (the result itself goes to the browser unchanged). */
export function withAuditNote<T extends object>(result: T, note: AuditNote): T {
  notes.set(result, note);
  return result;
}

type WithoutAudit<T> = T extends { audit: unknown } ? Omit<T, 'audit'> : T;

/** A lib result with an `audit` part ({ target, detail }): the part becomes the audit note, the rest is returned. */
export function noted<T extends { ok: boolean; audit?: AuditNote }>(r: T): WithoutAudit<T> {
  if (!r.audit) return r as WithoutAudit<T>;
  const { audit, ...rest } = r;
  return withAuditNote(rest, audit) as WithoutAudit<T>;
}

/**
 * Asks the guard, acts, and audits. The target of the audit entry is `opts.target`, or else described from
 * the input; a result marked with `withAuditNote` replaces target and detail.
 */
export async function guarded<T>(action: Action, fn: (ctx: ServerContext, caller: Caller) => T | Promise<T>, input?: unknown, opts: { target?: string | null } = {}): Promise<T | Fail> {
  const target = opts.target !== undefined ? opts.target : describeTarget(input);
  const d = await authorize(action, target);
  if (!d.ok) return { ok: false, code: d.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', error: d.error };
  let result: T | Fail;
  try {
    result = await fn(serverContext(), d.caller);
  } catch (e) {
    // a TxlineError keeps its code; anything else was not expected
    result = { ok: false, code: codeOf(e), error: describeError(e) };
  }
  if (ACTIONS[action].audit) {
    const failed = typeof result === 'object' && result !== null && (result as { ok?: unknown }).ok === false;
    const r = result as { jobId?: number; error?: string };
    const note = typeof result === 'object' && result !== null ? notes.get(result) : undefined;
    recordAudit(serverContext().db, {
      username: d.caller.username,
      address: d.caller.address,
      action,
      target: note?.target !== undefined ? note.target : target,
      outcome: failed ? 'failed' : 'ok',
      detail: note?.detail !== undefined ? note.detail : failed ? (r.error ?? null) : r.jobId !== undefined ? `job #${r.jobId}` : null,
    });
  }
  return result;
}

/**
 * A route handler's body: JSON out; 401/403 when the guard refuses; a thrown TxlineError answers with its
 * code's status, anything else with a 500 (INTERNAL); always as `{ error: { code, message } }`.
 */
export async function guardedJson(action: Action, fn: (ctx: ServerContext, caller: Caller) => unknown | Promise<unknown>): Promise<Response> {
  const d = await authorize(action);
  if (!d.ok) return errorResponse(d.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', d.error);
  try {
    const body = await fn(serverContext(), d.caller);
    if (body instanceof Response) return body;
    return Response.json(body, { headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    return errorResponse(codeOf(e), describeError(e));
  }
}

/** FormData to a plain object (what the command schemas parse). */
export function formObject(form: FormData | Record<string, unknown>): Record<string, unknown> {
  if (!(form instanceof FormData)) return form;
  const out: Record<string, unknown> = {};
  for (const [k, v] of form.entries()) if (typeof v === 'string') out[k] = v;
  return out;
}
