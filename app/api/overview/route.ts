/**
 * GET /api/overview[?folder=N]: what the overview's database cards show (lib/dashboard/data.ts
 * overviewCardsData), polled so that a database created by a restore, or one a cluster starts reporting,
 * appears as a card without a reload.
 */
import { connection } from 'next/server';
import { overviewCardsData } from '@/lib/dashboard/data';
import { guardedJson } from '@/lib/server/action';

export async function GET(request: Request): Promise<Response> {
  await connection();
  const folder = new URL(request.url).searchParams.get('folder');
  return guardedJson('catalog.read', (ctx) => overviewCardsData(ctx, folder));
}
