/**
 * GET /api/overview[?folder=N&q=&cluster=&trouble=&page=]: one page of what the overview's database cards show
 * (lib/dashboard/data.ts overviewCardsData; the query as the page's URL has it, lib/dashboard/overview-query.ts),
 * polled so that a database created by a restore, or one a cluster starts reporting, appears as a card without
 * a reload. Never the whole fleet: at most a page of databases per answer.
 */
import { connection } from 'next/server';
import { overviewCardsData } from '@/lib/dashboard/data';
import { parseOverviewQuery } from '@/lib/dashboard/overview-query';
import { guardedJson } from '@/lib/server/action';

export async function GET(request: Request): Promise<Response> {
  await connection();
  const params = new URL(request.url).searchParams;
  return guardedJson('catalog.read', (ctx) => overviewCardsData(ctx, params.get('folder'), parseOverviewQuery(params)));
}
