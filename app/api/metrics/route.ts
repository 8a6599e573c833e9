/**
 * GET /api/metrics: Txline's own Prometheus metrics (lib/server/metrics.ts). No session: the guard's scrape
 * rule decides (the bearer token TXLINE_METRICS_TOKEN, or a connection from loopback).
 */
import { connection } from 'next/server';
import { guardedJson } from '@/lib/server/action';
import { txlineMetrics } from '@/lib/server/metrics';

export async function GET(): Promise<Response> {
  await connection();
  return guardedJson('metrics.scrape', async (ctx) => {
    const m = await txlineMetrics(ctx.db);
    return new Response(m.body, { headers: { 'content-type': m.contentType, 'cache-control': 'no-store' } });
  });
}
