/**
 * GET /api/jobs/{id}: one job with its progress and log, and `settled`: false while the server still applies
 * what follows the job's end (indexing its folder), so a page refreshed on it reads the folder's new state.
 */
import { connection } from 'next/server';
import { getJob } from '@/lib/db/queries/jobs';
import { errorResponse, guardedJson } from '@/lib/server/action';

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  await connection();
  const { id } = await params;
  if (!/^\d{1,12}$/.test(id)) return errorResponse('BAD_REQUEST', 'job id must be a number');
  return guardedJson('jobs.read', (ctx) => {
    const job = getJob(ctx.db, { id: Number(id) });
    return job ? { ...job, settled: ctx.runner.settled(job.id) } : errorResponse('NOT_FOUND', `no job #${id}`);
  });
}
