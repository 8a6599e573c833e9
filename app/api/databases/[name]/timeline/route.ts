/**
 * GET /api/databases/{name}/timeline[?folder=N&size=N&from=N&artifact=N&go=...]: the chain timeline (a window of
 * `size` artifacts, 400 by default, at most 5,000; `limit` is the older name of `size`) and the overview of one
 * database. The window is the newest, or starts at `from`, or holds the backup `artifact` or what `go` names (a
 * transaction ID, a UTC time or a file name). Chain analysis (restorable ranges, health) covers every artifact.
 */
import { connection } from 'next/server';
import { isValidDatabaseName } from '@/lib/graph/names';
import { databasePageData } from '@/lib/dashboard/data';
import { parseTarget, type WindowTarget } from '@/lib/dashboard/timeline-window';
import { errorResponse, guardedJson } from '@/lib/server/action';

function count(v: string | null): number | null {
  const n = Number(v);
  return v !== null && v !== '' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }): Promise<Response> {
  await connection();
  const { name } = await params;
  if (!isValidDatabaseName(name)) return errorResponse('INVALID_NAME', `invalid database name "${name}"`);
  const q = new URL(request.url).searchParams;
  const size = Math.min(5000, Math.max(1, count(q.get('size') ?? q.get('limit')) || 400));
  const artifact = count(q.get('artifact'));
  const go = q.get('go');
  const target: WindowTarget | null = artifact ? { kind: 'artifact', id: artifact } : go ? parseTarget(go) : null;
  if (go && !target) return errorResponse('BAD_REQUEST', `go=${go} is neither a transaction ID, a UTC time nor a backup's file name`);
  return guardedJson('catalog.read', async (ctx) => {
    const d = await databasePageData(ctx, name.toLowerCase(), q.get('folder'), { size, start: count(q.get('from')), target, clusterId: count(q.get('cluster')) });
    return { database: d.database, folder: d.folder, overview: d.overview, timeline: d.timeline, jobs: d.jobs };
  });
}
