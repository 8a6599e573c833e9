/** GET /api/jobs/{id}: one job with its progress and log. */
import { connection } from 'next/server';
import { getJob } from '@/lib/db/queries/jobs';
import { errorResponse, guardedJson } from '@/lib/server/action';

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  await connection();
  const { id } = await params;
  if (!/^\d{1,12}$/.test(id)) return errorResponse('BAD_REQUEST', 'job id must be a number');
  return guardedJson('jobs.read', (ctx) => getJob(ctx.db, { id: Number(id) }) ?? errorResponse('NOT_FOUND', `no job #${id}`));
}
