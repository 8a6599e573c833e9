/** Cancelling a running job. */
import { z } from 'zod';
import { fail, fromZod, id, type CommandContext, type Result } from './shared';

export function cancelJob(ctx: CommandContext, raw: unknown): Result {
  const p = z.object({ jobId: id }).safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const r = ctx.runner.cancel(p.data.jobId);
  return r.ok ? { ok: true } : fail(r.code, r.error);
}
