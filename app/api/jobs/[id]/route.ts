/** GET /api/jobs/{id}: one job with its progress and log. */
import { connection } from 'next/server';
import { getJob } from '@/lib/db/queries/jobs';
import { guardedJson } from '@/lib/server/action';

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  await connection();
  const { id } = await params;
  if (!/^\d{1,12}$/.test(id)) return Response.json({ code: 'BAD_REQUEST', message: 'job id must be a number' }, { status: 400 });
  return guardedJson('jobs.read', (ctx) => getJob(ctx.db, { id: Number(id) }) ?? Response.json({ code: 'NOT_FOUND', message: `no job #${id}` }, { status: 404 }));
}
