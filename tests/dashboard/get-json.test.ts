/**
 * What the browser's GET helper (components/ui/get-json.ts) makes of a route handler's answers, against a real
 * HTTP server on a free port: the body when it is ok, else an ApiError with the server's own message and code
 * (app/api's `{ error: { code, message } }`, a member's `{ code, message }`), or the status when the body says
 * neither.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, getJson } from '@/components/ui/get-json';

const ANSWERS: Record<string, { status: number; body: string; type?: string }> = {
  '/ok': { status: 200, body: JSON.stringify({ timeline: { artifacts: [] } }) },
  '/api-error': { status: 410, body: JSON.stringify({ error: { code: 'TX_PRUNED', message: 'the log was pruned' } }) },
  '/member-error': { status: 404, body: JSON.stringify({ code: 'NOT_FOUND', message: 'no such member' }) },
  '/message-only': { status: 400, body: JSON.stringify({ message: 'no code given' }) },
  '/html': { status: 502, body: '<html>bad gateway</html>', type: 'text/html' },
};

let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const a = ANSWERS[req.url ?? ''] ?? { status: 404, body: '' };
    res.writeHead(a.status, { 'content-type': a.type ?? 'application/json' }).end(a.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function refusal(path: string): Promise<ApiError> {
  const e: unknown = await getJson(`${base}${path}`).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

describe('getJson', () => {
  it('gives the body of an ok answer', async () => {
    await expect(getJson(`${base}/ok`)).resolves.toEqual({ timeline: { artifacts: [] } });
  });

  it.each<[string, string, { message: string; code: string | null; status: number }]>([
    ["a route handler's error", '/api-error', { message: 'the log was pruned', code: 'TX_PRUNED', status: 410 }],
    ["a member's error", '/member-error', { message: 'no such member', code: 'NOT_FOUND', status: 404 }],
    ['a body without a code', '/message-only', { message: 'the server answered 400 Bad Request', code: null, status: 400 }],
    ['a body that is not JSON', '/html', { message: 'the server answered 502 Bad Gateway', code: null, status: 502 }],
  ])('throws %s with its message and code', async (_what, path, expected) => {
    const e = await refusal(path);
    expect({ message: e.message, code: e.code, status: e.status }).toEqual(expected);
  });
});
