/**
 * GET /api/databases/{name}/transactions?cluster=N&folder=N[&match=...&fromTx=N&toTx=N&limit=N]: one page of the
 * transactions of the database's newest chain in a backup folder that satisfy `match` (the grammar of `txline
 * backup log --match`), oldest first, as `{ page }`; the next page starts at `page.nextTx`. For admins only, like the
 * restore wizard that asks (a match on a property value tells whether the backed-up data ever held it);
 * bounded (at most 100 entries a page, 20 s) and stopped when the browser goes away.
 */
import { connection } from 'next/server';
import { isValidDatabaseName } from '@/lib/graph/names';
import { searchTransactions } from '@/lib/dashboard/commands/point-search';
import { errorResponse, guardedJson } from '@/lib/server/action';
import { failResponse } from '@/lib/server/fail-response';

export async function GET(request: Request, { params }: { params: Promise<{ name: string }> }): Promise<Response> {
  await connection();
  const { name } = await params;
  if (!isValidDatabaseName(name)) return errorResponse('INVALID_NAME', `invalid database name "${name}"`);
  const q = new URL(request.url).searchParams;
  return guardedJson('restore.preview', async (ctx) => {
    const r = await searchTransactions(
      ctx,
      { database: name, clusterId: q.get('cluster'), folderId: q.get('folder'), match: q.get('match') ?? '', fromTx: q.get('fromTx') ?? '', toTx: q.get('toTx') ?? '', limit: q.get('limit') ?? undefined },
      { signal: request.signal },
    );
    return r.ok ? { page: r.page } : failResponse(r);
  });
}
