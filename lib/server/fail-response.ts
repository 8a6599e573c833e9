/**
 * A command's refusal (lib/dashboard/commands: `{ ok: false, code, error, fieldErrors? }`) as a route handler's
 * answer: `{ error: { code, message, fieldErrors? } }` with the code's HTTP status. The message names every field
 * at fault ("match: ..."), so a client that reads only the message still says what to fix.
 */
import 'server-only';
import { httpStatusOf } from '../errors';
import type { Fail } from '../dashboard/commands/shared';

export function failResponse(f: Fail): Response {
  const fields = Object.entries(f.fieldErrors ?? {});
  const message = fields.length ? fields.map(([k, v]) => `${k}: ${v.join('; ')}`).join(' · ') : f.error;
  return Response.json({ error: { code: f.code, message, ...(fields.length ? { fieldErrors: f.fieldErrors } : {}) } }, { status: httpStatusOf(f.code), headers: { 'cache-control': 'no-store' } });
}
