/**
 * GET /api/jobs[?database=&status=&limit=&before=&withRestoresFrom=1]: jobs newest first with their progress
 * (logs left out); `before` (a job ID) pages back to the jobs older than it; `withRestoresFrom=1` adds, to a
 * database's jobs, the restores made from it (filed under their targets). The answer says whether there are older ones.
 * Each job says whether what follows its end (indexing its folder) is done (`settled`, see GET /api/jobs/{id}).
 */
import { connection } from 'next/server';
import { z } from 'zod';
import { listJobs } from '@/lib/db/queries/jobs';
import { JOB_STATUSES } from '@/lib/db/schema';
import { errorResponse, guardedJson } from '@/lib/server/action';

const query = z.object({
  database: z.string().regex(/^[a-z0-9.-]{1,63}$/).optional(),
  status: z.enum(JOB_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional(),
  withRestoresFrom: z.literal('1').transform(() => true).optional(),
});

export async function GET(request: Request): Promise<Response> {
  await connection();
  const q = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!q.success) return errorResponse('BAD_REQUEST', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return guardedJson('jobs.read', (ctx) => {
    // one more than asked tells whether an older page exists
    const rows = listJobs(ctx.db, { ...q.data, limit: q.data.limit + 1 });
    const jobs = rows.slice(0, q.data.limit).map((j) => ({ ...j, settled: ctx.runner.settled(j.id) }));
    return { jobs, more: rows.length > q.data.limit };
  });
}
