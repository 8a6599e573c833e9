/**
 * What a member's API and the supervisor's control API check before routing a request, so that neither a web
 * page in the DBA's browser nor anybody else on the machine can drive them:
 *
 * - Host (and the authority of an absolute-form target) must name this server: its own host or a loopback name
 *   (localhost, 127.x.x.x, [::1]), and its own port (a Host without a port means 80). A foreign name is DNS
 *   rebinding: 403 FORBIDDEN. (A proxy in front of a member must pass the member's host:port on, as nginx's
 *   default `Host $proxy_host` does.)
 * - No Origin header at all: a browser sends one on every cross-origin POST (also the "simple" ones that skip
 *   the preflight), and no client of these APIs sends one (they serve no page, so no request of theirs comes
 *   from a page of their own origin either). 403 FORBIDDEN.
 * - `Authorization: Bearer <cluster token>` on every route but the open ones (/metrics), compared in constant
 *   time: 401 UNAUTHENTICATED.
 * - A body must be JSON (`Content-Type: application/json`) where a route reads JSON, and wherever a route reads
 *   none; only binary upload routes take other bodies: 415 UNSUPPORTED_MEDIA_TYPE.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { TxlineError } from '../errors';
import { isLoopbackHost } from '../net/address';

export interface GuardOptions {
  /** the cluster token */
  token: string;
  /** the host this server listens on (a loopback address) */
  host: string;
  /** the port it listens on */
  port: number;
}

/** Refuses a foreign Host or Origin, then a missing or wrong token (unless `open`). Throws a TxlineError. */
export function guardRequest(req: http.IncomingMessage, opts: GuardOptions & { open?: boolean }): void {
  checkHost(req, opts);
  checkOrigin(req);
  if (!opts.open) checkToken(req, opts.token);
}

function isOwnHost(hostname: string, opts: GuardOptions): boolean {
  const h = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return isLoopbackHost(h) || h === opts.host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

/** Whether `port` (a Host's or URL's; none: 80) is this server's. */
function isOwnPort(port: string | undefined, opts: GuardOptions): boolean {
  return Number(port || 80) === opts.port;
}

/** `host[:port]` of a Host header; null when it is not one. */
function parseAuthority(value: string): { hostname: string; port: string | undefined } | null {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]/@]+)(?::(\d{1,5}))?$/.exec(value);
  return m ? { hostname: m[1], port: m[2] } : null;
}

function checkHost(req: http.IncomingMessage, opts: GuardOptions): void {
  const raw = req.headers.host;
  const authority = raw === undefined ? null : parseAuthority(raw.trim());
  if (!authority || !isOwnHost(authority.hostname, opts) || !isOwnPort(authority.port, opts)) {
    throw new TxlineError(
      'FORBIDDEN',
      raw === undefined
        ? 'the request has no Host header'
        : `Host "${raw.slice(0, 200)}" is not this server: only its own address or a loopback name (localhost, 127.0.0.1, [::1]) with its port ${opts.port} is served`,
    );
  }
  // An absolute-form target (`GET http://host/path`) names the server too.
  const target = req.url ?? '/';
  if (!target.startsWith('/')) {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return; // not a URL: routing answers 400 for it
    }
    if (!isOwnHost(url.hostname, opts) || !isOwnPort(url.port || (url.protocol === 'https:' ? '443' : '80'), opts)) {
      throw new TxlineError('FORBIDDEN', `the request target names another server ("${url.host.slice(0, 200)}")`);
    }
  }
}

function checkOrigin(req: http.IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  throw new TxlineError('FORBIDDEN', `requests from the web origin "${origin.slice(0, 200)}" are refused: this API serves Txline's own clients only, and they send no Origin`);
}

function checkToken(req: http.IncomingMessage, token: string): void {
  const auth = req.headers.authorization;
  const m = auth === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!m) {
    throw new TxlineError(
      'UNAUTHENTICATED',
      'this API requires the cluster token: send "Authorization: Bearer <token>" (TXLINE_CLUSTER_TOKEN, or the token file beside the cluster\'s cluster.json)',
    );
  }
  if (!tokensEqual(m[1], token)) throw new TxlineError('UNAUTHENTICATED', 'the cluster token is wrong');
}

/** Constant-time comparison (of digests, so neither the content nor the length of the token leaks). */
export function tokensEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Whether the request carries a body (a length above 0, or chunks). */
function hasBody(req: http.IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length.trim() !== '0');
}

function isJsonType(contentType: string | undefined): boolean {
  const mime = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return mime === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mime);
}

/**
 * Refuses a body that is not JSON: on a route that reads JSON (`required`) any request without a JSON
 * Content-Type, elsewhere one that carries a body. The body is drained, so the connection can answer.
 */
export function requireJsonBody(req: http.IncomingMessage, required: boolean): void {
  if (isJsonType(req.headers['content-type'])) return;
  if (!required && !hasBody(req)) return;
  req.resume();
  const got = req.headers['content-type'] === undefined ? 'no Content-Type' : `Content-Type "${req.headers['content-type'].slice(0, 100)}"`;
  throw new TxlineError('UNSUPPORTED_MEDIA_TYPE', `${required ? 'this route reads JSON' : 'this route takes no body but JSON'}: send Content-Type: application/json (got ${got})`);
}
