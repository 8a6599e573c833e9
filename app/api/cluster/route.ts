/**
 * GET /api/cluster: every member's status (see lib/monitor/cluster-report.ts), asked at request time.
 * Polled by the dashboard; unreachable members are part of the answer, not an error.
 */
import { connection } from 'next/server';
import { describeError, isTxlineError } from '@/lib/errors';
import { getClusterStatus } from '@/lib/monitor/cluster-status';

export async function GET(): Promise<Response> {
  await connection();
  try {
    const report = await getClusterStatus();
    return Response.json(report, { headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    const code = isTxlineError(e) ? e.code : 'INTERNAL';
    return Response.json({ code, message: describeError(e) }, { status: 500, headers: { 'cache-control': 'no-store' } });
  }
}
