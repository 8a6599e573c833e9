/**
 * The requests proxy.ts refuses before Next.js answers them with a bare 500: tables of cross-origin
 * state-changing requests, server action bodies and malformed paths, each beside requests that must pass.
 */
import { describe, expect, it } from 'vitest';
import { actionBodyRefusal, crossOriginRefusal, pathRefusal } from './refusals';

const HOST = '127.0.0.1:3000';

describe('crossOriginRefusal', () => {
  const refused: [string, string, Record<string, string>][] = [
    ['a form post from another site', 'POST', { host: HOST, origin: 'http://evil.example' }],
    ['another port of the same address', 'POST', { host: HOST, origin: 'http://127.0.0.1:3001' }],
    ['another scheme with the default port', 'POST', { host: '127.0.0.1', origin: 'https://127.0.0.1:80' }],
    ['a sandboxed page (Origin null)', 'POST', { host: HOST, origin: 'null' }],
    ['an Origin that is not a URL', 'POST', { host: HOST, origin: 'evil' }],
    ['a lower-case method', 'post', { host: HOST, origin: 'http://evil.example' }],
    ['PUT', 'PUT', { host: HOST, origin: 'http://evil.example' }],
    ['DELETE', 'DELETE', { host: HOST, origin: 'http://evil.example' }],
    ['no Host header', 'POST', { origin: 'http://evil.example' }],
    ['a forwarded host that is not the Origin either', 'POST', { host: HOST, 'x-forwarded-host': 'txline.example', origin: 'http://evil.example' }],
  ];
  it.each(refused)('refuses %s with 403', (_label, method, headers) => {
    const r = crossOriginRefusal(method, new Headers(headers));
    expect(r).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(r?.message).toMatch(/^cross-origin (POST|PUT|DELETE) refused: /);
  });

  const passed: [string, string, Record<string, string>][] = [
    ['a same-origin post', 'POST', { host: HOST, origin: `http://${HOST}` }],
    ['a same-origin post on the default port', 'POST', { host: 'txline.example', origin: 'https://txline.example' }],
    ['a post behind a proxy that forwards the host', 'POST', { host: '10.0.0.5:3000', 'x-forwarded-host': 'txline.example, 10.0.0.5', origin: 'https://txline.example' }],
    ['a post without Origin (curl, the CLI)', 'POST', { host: HOST }],
    ['a GET from another site (reads are guarded by the session)', 'GET', { host: HOST, origin: 'http://evil.example' }],
    ['a HEAD from another site', 'HEAD', { host: HOST, origin: 'http://evil.example' }],
  ];
  it.each(passed)('lets %s through', (_label, method, headers) => {
    expect(crossOriginRefusal(method, new Headers(headers))).toBeNull();
  });

  it('names the Origin and the host in the message, cut short when long', () => {
    expect(crossOriginRefusal('POST', new Headers({ host: HOST, origin: 'http://evil.example' }))?.message).toBe(
      `cross-origin POST refused: the Origin "http://evil.example" is not this site ("${HOST}")`,
    );
    const long = crossOriginRefusal('POST', new Headers({ host: HOST, origin: `http://${'a'.repeat(300)}.example` }))?.message ?? '';
    expect(long.length).toBeLessThan(200);
  });
});

describe('actionBodyRefusal', () => {
  const call = (body: BodyInit, headers: Record<string, string> = {}, method = 'POST'): Request =>
    new Request(`http://${HOST}/login`, { method, body, headers: { 'next-action': '7f00aa', ...headers } });
  const multipart = (entries: [string, string][]): FormData => {
    const f = new FormData();
    for (const [k, v] of entries) f.append(k, v);
    return f;
  };

  it.each([
    ['plain text', () => call('hello, not a reply', { 'content-type': 'text/plain;charset=UTF-8' }), /the body "hello, not a reply" is neither JSON nor form data/],
    ['cut-off JSON', () => call('["$K1"', { 'content-type': 'text/plain;charset=UTF-8' }), /neither JSON nor form data/],
    ['no body at all', () => new Request(`http://${HOST}/login`, { method: 'POST', headers: { 'next-action': '7f00aa' } }), /the body "" is neither JSON/],
    ['form data without a root part', () => call(multipart([['username', 'admin']])), /no root part "0"/],
    ['form data whose root part is not JSON', () => call(multipart([['0', 'garbage{'], ['1_username', 'admin']])), /root part "garbage\{" is not JSON/],
    ['a multipart type with a broken body', () => call('--x\r\ngarbage', { 'content-type': 'multipart/form-data; boundary=x' }), /not valid multipart form data/],
  ])('refuses %s with 400', async (_label, request, message) => {
    const r = await actionBodyRefusal(request());
    expect(r).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(r?.message).toMatch(message);
  });

  it.each([
    ['a JSON reply (an action with plain arguments)', () => call('[1,"$undefined"]', { 'content-type': 'text/plain;charset=UTF-8' })],
    ['a form reply (useActionState with a form)', () => call(multipart([['0', '["$K1"]'], ['1_username', 'admin']]))],
    ['a post without Next-Action (a page form without JavaScript)', () => new Request(`http://${HOST}/login`, { method: 'POST', body: 'garbage' })],
  ])('lets %s through, and leaves the body for Next.js', async (_label, request) => {
    const req = request();
    expect(await actionBodyRefusal(req)).toBeNull();
    expect(req.bodyUsed).toBe(false);
  });
});

describe('pathRefusal', () => {
  it.each(['/api/databases/%E0%A4%A/timeline', '/databases/%', '/jobs/%zz', '/api/jobs/%C0%80'])('refuses %s with 400', (p) => {
    expect(pathRefusal(p)).toEqual({ status: 400, code: 'BAD_REQUEST', message: `the path ${JSON.stringify(p)} has malformed percent-encoding` });
  });
  it.each(['/', '/api/databases/neo4j/timeline', '/databases/my%2Ddb', '/api/databases/%E0%A4%A4/timeline'])('lets %s through', (p) => {
    expect(pathRefusal(p)).toBeNull();
  });
});
