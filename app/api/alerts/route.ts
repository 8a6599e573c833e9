/**
 * GET /api/alerts: how many alerts are firing (not acknowledged) and acknowledged, for the header's badge, which
 * polls it.
 */
import { connection } from 'next/server';
import { alertCounts } from '@/lib/alerts/store';
import { guardedJson } from '@/lib/server/action';

export async function GET(): Promise<Response> {
  await connection();
  return guardedJson('alerts.read', (ctx) => alertCounts(ctx.db));
}
