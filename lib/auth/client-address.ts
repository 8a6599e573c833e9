/**
 * Who is on the other end of a request: the socket's address, never a header the client wrote.
 *
 * Next.js gives route handlers, server actions and proxy.ts only the request's headers, and fills in
 * X-Forwarded-For from the socket only when the client did not send one, so that header names whatever the
 * client likes. `installPeerHook()` (called from instrumentation.ts before the first request) subscribes to
 * Node's `http.server.request.start` diagnostics channel, which runs for every request before any listener,
 * and overwrites PEER_HEADER and PEER_TLS_HEADER with the socket's address and whether it is TLS: a client
 * cannot set them, whatever it sends.
 *
 * X-Forwarded-For and X-Forwarded-Proto are believed only when the socket's address is one of the trusted
 * proxies (TXLINE_TRUSTED_PROXIES; default none): the client is then the right-most forwarded address that is
 * not itself a trusted proxy.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Socket } from 'node:net';

export const PEER_HEADER = 'x-txline-peer-address';
export const PEER_TLS_HEADER = 'x-txline-peer-tls';

interface HeaderSource {
  get(name: string): string | null;
}

const g = globalThis as unknown as { __txlinePeerHook?: boolean };

/** Makes every HTTP request of this process carry its socket's address in PEER_HEADER (idempotent). */
export function installPeerHook(): void {
  if (g.__txlinePeerHook) return;
  diagnosticsChannel.subscribe('http.server.request.start', (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    const address = socket.remoteAddress;
    if (address) request.headers[PEER_HEADER] = normalizeAddress(address);
    else delete request.headers[PEER_HEADER];
    request.headers[PEER_TLS_HEADER] = (socket as Socket & { encrypted?: boolean }).encrypted ? '1' : '0';
  });
  g.__txlinePeerHook = true;
}

/** Whether PEER_HEADER can be believed in this process (the hook overwrites it on every request). */
export function peerHookInstalled(): boolean {
  return g.__txlinePeerHook === true;
}

/** "::ffff:127.0.0.1" is 127.0.0.1; brackets, ports ("1.2.3.4:80", "[::1]:80") and zone ids go. */
export function normalizeAddress(address: string): string {
  let a = address.trim();
  if (a.startsWith('[') && a.includes(']')) a = a.slice(1, a.indexOf(']'));
  const v4port = /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(a);
  if (v4port) a = v4port[1];
  const zone = a.indexOf('%');
  if (zone > 0) a = a.slice(0, zone);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return (mapped ? mapped[1] : a).toLowerCase();
}

export function isLoopback(address: string | null): boolean {
  if (!address) return false;
  const a = normalizeAddress(address);
  return a === '::1' || (net.isIPv4(a) && a.startsWith('127.'));
}

/** A matcher for TXLINE_TRUSTED_PROXIES entries (addresses or CIDR ranges, validated by lib/env.ts). */
export function trustedMatcher(trusted: readonly string[]): (address: string) => boolean {
  if (trusted.length === 0) return () => false;
  const list = new net.BlockList();
  for (const t of trusted) {
    const [addr, bits] = t.split('/');
    const a = normalizeAddress(addr);
    const type = net.isIPv6(a) ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(a, type);
    else list.addSubnet(a, Number(bits), type);
  }
  return (address) => {
    const a = normalizeAddress(address);
    const family = net.isIP(a);
    return family !== 0 && list.check(a, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/**
 * The client's address: the socket's (`peer`), or, when the socket is a trusted proxy, the right-most
 * X-Forwarded-For entry that is not a trusted proxy (the left-most when all of them are).
 */
export function clientAddress({ peer, forwardedFor, trusted }: { peer: string | null; forwardedFor: string | null; trusted: readonly string[] }): string | null {
  if (!peer) return null;
  const isTrusted = trustedMatcher(trusted);
  const from = normalizeAddress(peer);
  if (!isTrusted(from) || !forwardedFor) return from;
  const hops = forwardedFor
    .split(',')
    .map((h) => normalizeAddress(h))
    .filter((h) => net.isIP(h) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) if (!isTrusted(hops[i])) return hops[i];
  return hops[0] ?? from;
}

/** Whether the client used HTTPS: a TLS socket, or X-Forwarded-Proto https from a trusted proxy. */
export function overHttpsFrom({ peer, peerTls, forwardedProto, trusted }: { peer: string | null; peerTls: boolean; forwardedProto: string | null; trusted: readonly string[] }): boolean {
  if (peerTls) return true;
  if (!peer || !trustedMatcher(trusted)(peer)) return false;
  // the proxy nearest to the client is the left-most entry
  return (forwardedProto ?? '').split(',')[0].trim().toLowerCase() === 'https';
}

/** The socket's address as the hook recorded it, or null when the hook is not installed in this process. */
export function peerOf(h: HeaderSource): string | null {
  return peerHookInstalled() ? h.get(PEER_HEADER) : null;
}

/** The client's address of a request, from its headers (see clientAddress). */
export function addressOf(h: HeaderSource, trusted: readonly string[]): string | null {
  return clientAddress({ peer: peerOf(h), forwardedFor: h.get('x-forwarded-for'), trusted });
}

/** Whether a request came over HTTPS, from its headers (see overHttpsFrom). */
export function httpsOf(h: HeaderSource, trusted: readonly string[]): boolean {
  return overHttpsFrom({ peer: peerOf(h), peerTls: peerHookInstalled() && h.get(PEER_TLS_HEADER) === '1', forwardedProto: h.get('x-forwarded-proto'), trusted });
}
