/** GET /api/lag?cluster=N&database=NAME&window=5m|1h|24h: lag per member over time, and the writer's commit rate. */
import { connection } from 'next/server';
import { z } from 'zod';
import { lagData } from '@/lib/dashboard/data';
import { errorResponse, guardedJson } from '@/lib/server/action';

const query = z.object({
  cluster: z.coerce.number().int().positive(),
  database: z.string().regex(/^[a-z0-9.-]{1,63}$/),
  window: z.enum(['5m', '1h', '24h']).default('5m'),
});

export async function GET(request: Request): Promise<Response> {
  await connection();
  const q = query.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!q.success) return errorResponse('BAD_REQUEST', q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return guardedJson('cluster.read', (ctx) => lagData(ctx, { clusterId: q.data.cluster, database: q.data.database, window: q.data.window }));
}
