/**
 * Client addresses come from the socket, not from headers the client wrote: the rule on its own, then real
 * HTTP and HTTPS servers with the hook installed, where forged headers must not change the address that
 * login throttling and the audit log use.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../db';
import { parseEnv } from '../env';
import { listAudit } from './audit';
import { PEER_HEADER, PEER_TLS_HEADER, addressOf, clientAddress, httpsOf, installPeerHook, isLoopback, normalizeAddress, overHttpsFrom } from './client-address';
import { login } from './login';
import { FREE_FAILURES } from './throttle';
import { ensureInitialAdmin } from './users';

describe('the client address rule', () => {
  it.each([
    // peer, x-forwarded-for, trusted proxies, client
    ['127.0.0.1', null, [], '127.0.0.1'],
    ['127.0.0.1', '203.0.113.9', [], '127.0.0.1'],
    ['::ffff:10.0.0.7', '203.0.113.9, 127.0.0.1', [], '10.0.0.7'],
    ['10.0.0.2', '203.0.113.9', ['10.0.0.2'], '203.0.113.9'],
    ['10.0.0.2', '198.51.100.1, 203.0.113.9', ['10.0.0.2'], '203.0.113.9'],
    ['10.0.0.2', '203.0.113.9, 10.0.0.3', ['10.0.0.0/24'], '203.0.113.9'],
    ['10.0.0.2', '10.0.0.4, 10.0.0.3', ['10.0.0.0/24'], '10.0.0.4'],
    ['10.0.0.2', 'garbage, 203.0.113.9:4711', ['10.0.0.2'], '203.0.113.9'],
    ['10.0.0.2', 'garbage', ['10.0.0.2'], '10.0.0.2'],
    ['fd00::5', '2001:db8::1', ['fd00::/64'], '2001:db8::1'],
    ['fd00:1::5', '2001:db8::1', ['fd00::/64'], 'fd00:1::5'],
    ['192.0.2.1', '[2001:db8::2]:443', ['192.0.2.1'], '2001:db8::2'],
    [null, '203.0.113.9', ['10.0.0.2'], null],
  ] as const)('peer %s with forwarded-for %s and trusted %j is %s', (peer, forwardedFor, trusted, expected) => {
    expect(clientAddress({ peer, forwardedFor, trusted })).toBe(expected);
  });

  it('believes X-Forwarded-Proto only from a trusted proxy', () => {
    expect(overHttpsFrom({ peer: '127.0.0.1', peerTls: false, forwardedProto: 'https', trusted: [] })).toBe(false);
    expect(overHttpsFrom({ peer: '127.0.0.1', peerTls: false, forwardedProto: 'https', trusted: ['127.0.0.1'] })).toBe(true);
    expect(overHttpsFrom({ peer: '127.0.0.1', peerTls: false, forwardedProto: 'http, https', trusted: ['127.0.0.1'] })).toBe(false);
    expect(overHttpsFrom({ peer: '127.0.0.1', peerTls: true, forwardedProto: null, trusted: [] })).toBe(true);
  });

  it('reads TXLINE_TRUSTED_PROXIES (default none) and names a bad entry', () => {
    expect(parseEnv({}, '/').trustedProxies).toEqual([]);
    expect(parseEnv({ TXLINE_TRUSTED_PROXIES: ' 127.0.0.1, 10.0.0.0/8,::1,fd00::/64 ' }, '/').trustedProxies).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/64']);
    for (const bad of ['localhost', '10.0.0.0/33', '::1/129', '10.0.0.1,', '10.0.0.300', '*']) {
      expect(() => parseEnv({ TXLINE_TRUSTED_PROXIES: bad }, '/'), bad).toThrow(/^Invalid environment: TXLINE_TRUSTED_PROXIES: expected a comma-separated list of IP addresses or CIDR ranges/);
    }
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '[::1]'].map(isLoopback)).toEqual([true, true, true, true, true]);
    expect(['10.0.0.1', '::2', '', null, 'localhost', '128.0.0.1', '::ffff:10.0.0.1'].map(isLoopback)).toEqual([false, false, false, false, false, false, false]);
    expect(normalizeAddress('FE80::1%eth0')).toBe('fe80::1');
  });
});

type Seen = { address: string | null; https: boolean; peerHeader: string | null };

/** A real server with the hook installed that answers with what the app would take from the request. */
function serverWith(trusted: readonly string[], onRequest?: (address: string | null) => Promise<unknown>) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    const h = { get: (n: string) => [req.headers[n]].flat().join(', ') || null };
    const seen: Seen = { address: addressOf(h, trusted), https: httpsOf(h, trusted), peerHeader: h.get(PEER_HEADER) };
    void (onRequest ? onRequest(seen.address) : Promise.resolve(null)).then((extra) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ...seen, extra }));
    });
  };
}

function listen(server: http.Server | https.Server, host: string): Promise<string> {
  return new Promise((resolve) => server.listen(0, host, () => resolve(`${host}:${(server.address() as AddressInfo).port}`)));
}

/** A GET with the given headers, from `localAddress` when given (node's own client, so TLS can be self-signed). */
function get(url: string, headers: Record<string, string>, opts: { localAddress?: string } = {}): Promise<Seen & { extra: unknown }> {
  const lib = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.get(url, { headers, localAddress: opts.localAddress, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
  });
}

const FORGED = { 'x-forwarded-for': '203.0.113.9', 'x-real-ip': '203.0.113.9', 'x-forwarded-proto': 'https', [PEER_HEADER]: '203.0.113.9', [PEER_TLS_HEADER]: '1' };

describe('a real server with the socket-address hook', () => {
  const servers: Array<http.Server | https.Server> = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-addr-'));
  beforeAll(() => installPeerHook());
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('takes the socket address whatever the client sends, and forwarded headers only from a trusted proxy', async () => {
    const plain = http.createServer(serverWith([]));
    const behindProxy = http.createServer(serverWith(['127.0.0.1']));
    servers.push(plain, behindProxy);
    const a = await listen(plain, '127.0.0.1');
    const b = await listen(behindProxy, '127.0.0.1');
    expect(await get(`http://${a}/`, FORGED)).toEqual({ address: '127.0.0.1', https: false, peerHeader: '127.0.0.1', extra: null });
    expect(await get(`http://${a}/`, {})).toEqual({ address: '127.0.0.1', https: false, peerHeader: '127.0.0.1', extra: null });
    // the socket is a trusted proxy: what it forwards counts (and the forged peer header still does not)
    expect(await get(`http://${b}/`, FORGED)).toEqual({ address: '203.0.113.9', https: true, peerHeader: '127.0.0.1', extra: null });
  });

  it('sees a remote socket as remote, however loopback the headers claim to be', async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (!external) throw new Error('this test needs a non-loopback IPv4 interface to connect from');
    const server = http.createServer(serverWith([]));
    servers.push(server);
    const at = await listen(server, external);
    const seen = await get(`http://${at}/`, { ...FORGED, 'x-forwarded-for': '127.0.0.1', [PEER_HEADER]: '127.0.0.1' }, { localAddress: external });
    expect(seen.address).toBe(external);
    expect(isLoopback(seen.address)).toBe(false);
  });

  it('knows a TLS socket is HTTPS', async () => {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    const server = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, serverWith([]));
    servers.push(server);
    const at = await listen(server, '127.0.0.1');
    expect(await get(`https://${at}/`, { 'x-forwarded-proto': 'http' })).toMatchObject({ address: '127.0.0.1', https: true });
    const plain = http.createServer(serverWith([]));
    servers.push(plain);
    expect(await get(`http://${await listen(plain, '127.0.0.1')}/`, { [PEER_TLS_HEADER]: '1', 'x-forwarded-proto': 'https' })).toMatchObject({ https: false });
  });

  it('a forged X-Forwarded-For changes neither the throttled address nor the audit log', async () => {
    const db = openCatalog(':memory:');
    await ensureInitialAdmin(db, 'the-admin-password');
    let n = 0;
    // each request is one sign-in with a fresh user name, as the login action does it
    const server = http.createServer(serverWith([], (address) => login(db, { username: `guess${n++}`, password: 'wrong-password' }, address ?? 'unknown')));
    servers.push(server);
    const at = await listen(server, '127.0.0.1');
    for (let i = 0; i < FREE_FAILURES; i++) {
      const r = await get(`http://${at}/`, { ...FORGED, 'x-forwarded-for': `203.0.113.${i + 1}` });
      expect(r.extra).toMatchObject({ ok: false, error: 'Wrong user name or password.' });
    }
    // a sixth user name from yet another forged address: the socket's address has used up its attempts
    const sixth = await get(`http://${at}/`, { ...FORGED, 'x-forwarded-for': '198.51.100.77' });
    expect(sixth.extra).toMatchObject({ ok: false, error: expect.stringMatching(/^Too many failed attempts/) });
    const rows = listAudit(db, { action: 'login' });
    expect(rows).toHaveLength(FREE_FAILURES + 1);
    expect(new Set(rows.map((r) => r.address))).toEqual(new Set(['127.0.0.1']));
    expect(db.$client.prepare('SELECT DISTINCT address FROM login_attempts').all()).toEqual([{ address: '127.0.0.1' }]);
  });
});
