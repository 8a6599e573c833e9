/** GET /api/jobs[?database=&status=&limit=]: recent jobs with their progress (logs left out). */
import { connection } from 'next/server';
import { z } from 'zod';
import { listJobs } from '@/lib/db/queries/jobs';
import { JOB_STATUSES } from '@/lib/db/schema';
import { guardedJson } from '@/lib/server/action';

const query = z.object({
  database: z.string().regex(/^[a-z0-9.-]{1,63}$/).optional(),
  status: z.enum(JOB_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export async function GET(request: Request): Promise<Response> {
  await connection();
  const q = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!q.success) return Response.json({ code: 'BAD_REQUEST', message: q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }, { status: 400 });
  return guardedJson('jobs.read', (ctx) => ({ jobs: listJobs(ctx.db, q.data).map(({ log: _log, ...j }) => j) }));
}
