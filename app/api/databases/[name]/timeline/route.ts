/** GET /api/databases/{name}/timeline[?folder=N&limit=N]: the chain timeline and overview of one database. */
import { connection } from 'next/server';
import { isValidDatabaseName } from '@/lib/cluster/names';
import { databasePageData } from '@/lib/dashboard/data';
import { guardedJson } from '@/lib/server/action';

export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }): Promise<Response> {
  await connection();
  const { name } = await params;
  if (!isValidDatabaseName(name)) return Response.json({ code: 'INVALID_NAME', message: `invalid database name "${name}"` }, { status: 400 });
  const url = new URL(request.url);
  const limit = Math.min(5000, Math.max(1, Number(url.searchParams.get('limit')) || 400));
  return guardedJson('catalog.read', async (ctx) => {
    const d = await databasePageData(ctx, name.toLowerCase(), url.searchParams.get('folder'), { limit });
    return { database: d.database, folder: d.folder, overview: d.overview, timeline: d.timeline, jobs: d.jobs };
  });
}
