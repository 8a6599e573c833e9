/**
 * GET /api/databases/{name}/preview?cluster=N&folder=N&point=tx&tx=N (or point=time&time=YYYY-MM-DD HH:MM:SS):
 * counts by label and relationship type of what a restore to that point (exclusive) gives, beside the newest
 * point, as `{ preview }`. For admins only, like the restore wizard that asks (it reads the data backed up);
 * bounded (60 s) and stopped when the browser goes away.
 */
import { connection } from 'next/server';
import { isValidDatabaseName } from '@/lib/graph/names';
import { previewPoint } from '@/lib/dashboard/commands/point-search';
import { errorResponse, guardedJson } from '@/lib/server/action';
import { failResponse } from '@/lib/server/fail-response';

export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }): Promise<Response> {
  await connection();
  const { name } = await params;
  if (!isValidDatabaseName(name)) return errorResponse('INVALID_NAME', `invalid database name "${name}"`);
  const q = new URL(request.url).searchParams;
  return guardedJson('restore.preview', async (ctx) => {
    const r = await previewPoint(
      ctx,
      { database: name, clusterId: q.get('cluster'), folderId: q.get('folder'), point: q.get('point'), tx: q.get('tx') ?? undefined, time: q.get('time') ?? undefined },
      { signal: request.signal },
    );
    return r.ok ? { preview: r.preview } : failResponse(r);
  });
}
