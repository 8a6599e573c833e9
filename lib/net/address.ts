/**
 * Network addresses as Txline writes them (`host:port`, an IPv6 host in brackets), whatever protocol a cluster
 * speaks: neutral helpers for the CLI, the catalog and every cluster kind (lib/sources).
 */
import net from 'node:net';
import { TxlineError } from '../errors';

/** `host:port`, with an IPv6 host in brackets (`[::1]:6362`), as splitAddress reads it back. */
export function formatAddress(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Whether `host` is a loopback address: 127.0.0.0/8, ::1 (also as ::ffff:127.x.x.x) or localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped) return mapped[1].startsWith('127.');
    return new net.SocketAddress({ address: h, family: 'ipv6' }).address === '::1';
  }
  return false;
}

/** `host:port`, an IPv6 host in brackets; anything else (an unclosed bracket too) is INVALID_ARGUMENT, naming it. */
export function splitAddress(address: string): [string, string] {
  const m = /^(?:\[([^\][]*)\]|([A-Za-z0-9._-]+)):(\d{1,5})$/.exec(address.trim());
  const host = m?.[1] ?? m?.[2];
  if (!m || host === undefined || (m[1] !== undefined && !net.isIPv6(m[1])) || Number(m[3]) > 65535) {
    const hint = /\[[^\]]*$/.test(address) ? ' (the "[" of an IPv6 host is not closed: [::1]:6362)' : '';
    throw new TxlineError('INVALID_ARGUMENT', `Invalid address "${address}": expected host:port, e.g. localhost:6362${hint}.`);
  }
  return [host, m[3]];
}
