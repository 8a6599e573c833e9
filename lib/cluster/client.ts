/**
 * HTTP client for a member's API: JSON calls and binary streams over keep-alive connections on loopback.
 * Every failure becomes a TxlineError: SOURCE_UNREACHABLE when the member cannot be reached, otherwise the
 * code the member answered with.
 */
import http from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import { TxlineError, describeError, type ErrorCode, ERROR_CODES } from '../errors';
import type { ClientOp } from '../graph/ops';
import type { Digest, NodeRow } from '../graph/store';
import { clusterTokenFor, trustPeers } from './token';
import { splitAddress } from '../net/address';
import { answerDeadline, DEFAULT_MIN_RATE, watchExchange, type MinRate } from './watchdog';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const DEFAULT_TIMEOUT_MS = 10_000;

export interface MemberStatus {
  /** boltAddress: where the member serves Bolt (`host:port`), when it does */
  member: { id: string; address: string; mode: 'primary' | 'secondary'; boltAddress?: string };
  databases: DatabaseStatus[];
}

export interface DatabaseStatus {
  name: string;
  databaseId: string | null;
  storeId: string | null;
  role: 'writer' | 'follower' | 'secondary';
  status: 'online' | 'offline';
  lastCommittedTxn: number;
  lowestAvailableTxn: number;
  replicationLag: number;
  lastCommitTime: number | null;
}

export interface ClusterInfo {
  writer: string;
  members: Array<{ id: string; address: string; mode: 'primary' | 'secondary' }>;
}

export interface ReplicationSettings {
  paused: boolean;
  lagMs: number;
}

export interface RequestOptions {
  method?: string;
  json?: unknown;
  body?: Readable | Buffer;
  headers?: Record<string, string>;
  /**
   * How long the member has to answer (default 10 s; 0: no bound): with requestJson the whole answer, with
   * rawRequest until its headers are in (with a streamed request body: until it has a connection, and again
   * from the end of the upload). See ./watchdog.
   */
  timeoutMs?: number;
  /** the least an answer (from its first byte) or a streamed request body must move; null: no minimum */
  minRate?: MinRate | null;
  signal?: AbortSignal;
  /** the cluster token to send (null: none); default: the one of the cluster `address` belongs to (./token), if any */
  token?: string | null;
}

/** Sends a request; resolves with the response (body unread) whatever the status. */
export function rawRequest(address: string, path: string, opts: RequestOptions = {}): Promise<http.IncomingMessage> {
  const [host, portStr] = splitAddress(address);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? clusterTokenFor(address) : opts.token;
    if (token && headers.authorization === undefined) headers.authorization = `Bearer ${token}`;
    let payload: Buffer | undefined;
    if (opts.json !== undefined) {
      payload = Buffer.from(JSON.stringify(opts.json));
      headers['content-type'] = 'application/json';
    } else if (Buffer.isBuffer(opts.body)) {
      payload = opts.body;
    }
    if (payload) headers['content-length'] = String(payload.length);
    const req = http.request(
      { host, port: Number(portStr), path, method: opts.method ?? 'GET', headers, agent, signal: opts.signal },
      resolve,
    );
    watchExchange(req, {
      address,
      what: `${opts.method ?? 'GET'} ${path}`,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      minRate: opts.minRate === undefined ? DEFAULT_MIN_RATE : opts.minRate,
      streamedBody: !payload && !!opts.body,
    });
    req.on('error', (e) => {
      if (e instanceof TxlineError) return reject(e);
      if ((e as { name?: string }).name === 'AbortError') return reject(e);
      reject(new TxlineError('SOURCE_UNREACHABLE', `cannot reach ${address}: ${(e as NodeJS.ErrnoException).code ?? e.message}`, { cause: e }));
    });
    if (payload) req.end(payload);
    else if (opts.body && !Buffer.isBuffer(opts.body)) sendBody(opts.body, req, `${opts.method ?? 'GET'} ${path} to ${address}`, reject);
    else req.end();
  });
}

/**
 * Streams `body` into `req`. A source that fails fails the request with IO_ERROR (its own error, not the
 * member's), and a request that fails closes the source: both are in pipeline's hands, where pipe() left a
 * failing source's error uncaught and a stalled one's request open.
 */
function sendBody(body: Readable, req: http.ClientRequest, what: string, reject: (e: Error) => void): void {
  // before pipeline's own listener, so that this error, not the request's echo of it, is the one reported
  body.once('error', (e) => {
    reject(e instanceof TxlineError ? e : new TxlineError('IO_ERROR', `cannot read the body of ${what}: ${describeError(e)}`, { cause: e }));
  });
  // every failure reaches the 'error' listeners of body and req, which settle the request
  pipeline(body, req, () => undefined);
}

export async function readBody(res: http.IncomingMessage, limit = 64 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res) {
    n += (c as Buffer).length;
    if (n > limit) throw new TxlineError('INTERNAL', `response larger than ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Turns a non-2xx response into the member's error (its body is read). */
export async function errorFrom(address: string, res: http.IncomingMessage): Promise<TxlineError> {
  const text = (await readBody(res, 1024 * 1024)).toString('utf8');
  let body: { code?: string; message?: string; [k: string]: unknown } = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = { message: text.slice(0, 200) };
  }
  const code = (body.code && body.code in ERROR_CODES ? body.code : 'INTERNAL') as ErrorCode;
  const { code: _c, message, ...details } = body;
  return new TxlineError(code, `${address}: ${message ?? `HTTP ${res.statusCode}`}`, { details: { status: res.statusCode, ...details } });
}

export async function requestJson<T>(address: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const buf = await requestBody(address, path, opts, true);
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch (cause) {
    throw new TxlineError('SOURCE_UNREACHABLE', `${address} answered ${path} with something that is not JSON`, { cause });
  }
}

/** The whole answer's body, read within opts.timeoutMs of the request (headers and body together). */
async function requestBody(address: string, path: string, opts: RequestOptions, mustSucceed: boolean): Promise<Buffer> {
  const startedAt = performance.now(); // (monotonic: a step of the wall clock neither ends nor extends the call)
  const res = await rawRequest(address, path, opts);
  const disarm = answerDeadline(res, { address, what: `${opts.method ?? 'GET'} ${path}`, timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, startedAt });
  try {
    if (mustSucceed && (res.statusCode ?? 500) >= 300) throw await errorFrom(address, res);
    return await readBody(res);
  } catch (e) {
    if (e instanceof TxlineError) throw e;
    throw new TxlineError('SOURCE_UNREACHABLE', `${address} broke off its answer to ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  } finally {
    disarm();
  }
}

/**
 * Typed calls of one member's API, with `token` (null: none) or else the token of the cluster the address
 * belongs to (./token).
 */
export class MemberClient {
  constructor(
    readonly address: string,
    private readonly token?: string | null,
  ) {}

  private call<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    return requestJson(this.address, path, { ...opts, token: this.token });
  }

  status(timeoutMs = 3000): Promise<MemberStatus> {
    return this.call('/status', { timeoutMs });
  }

  /** The cluster as this member sees it; its members get the token this member gets (./token trustPeers). */
  async cluster(timeoutMs = 3000): Promise<ClusterInfo> {
    const info = await this.call<ClusterInfo>('/cluster', { timeoutMs });
    if (this.token === undefined && Array.isArray(info.members)) trustPeers(this.address, info.members.map((m) => m.address));
    return info;
  }

  commit(db: string, ops: ClientOp[] | unknown[]): Promise<{ txId: number; ids: Record<string, number> }> {
    return this.call(`/db/${encodeURIComponent(db)}/tx`, { method: 'POST', json: { ops } });
  }

  /** The digest the writer keeps; `scratch`: from every row, `ordered`: with format 2's ordered hash (drills). */
  digest(db: string, opts: { scratch?: boolean; ordered?: boolean } = {}): Promise<Digest> {
    const q = new URLSearchParams();
    if (opts.scratch) q.set('scratch', '1');
    if (opts.ordered) q.set('ordered', '1');
    const query = q.size ? `?${q}` : '';
    // from every row of a big store: minutes are possible on a slow disk
    return this.call(`/db/${encodeURIComponent(db)}/digest${query}`, { timeoutMs: opts.scratch || opts.ordered ? 600_000 : 120_000 });
  }

  /** Every node (with `label`), or the first `limit` of them. */
  nodes(db: string, label?: string, limit?: number): Promise<NodeRow[]> {
    const q = new URLSearchParams({ ...(limit !== undefined ? { limit: String(limit) } : {}), ...(label ? { label } : {}) });
    return this.call(`/db/${encodeURIComponent(db)}/nodes?${q}`);
  }

  createDatabase(name: string): Promise<{ name: string; databaseId: string; storeId: string }> {
    return this.call('/admin/databases', { method: 'POST', json: { name } });
  }

  dropDatabase(name: string): Promise<{ ok: true }> {
    return this.call(`/admin/db/${encodeURIComponent(name)}`, { method: 'DELETE' });
  }

  stopDatabase(name: string): Promise<{ ok: true }> {
    return this.call(`/admin/db/${encodeURIComponent(name)}/stop`, { method: 'POST', timeoutMs: 60_000 });
  }

  /** Installs a store staged by PUT /admin/db/{name}/staged (./staging.ts), exactly as it was received. */
  installStaged(name: string, stage: string): Promise<{ sha256: string; bytes: number; storeId: string; databaseId: string; lastCommittedTxn: number }> {
    return this.call(`/admin/db/${encodeURIComponent(name)}/staged/install?${new URLSearchParams({ stage })}`, { method: 'POST', timeoutMs: 120_000 });
  }

  /** Discards a staged store; false when there was none (any more). */
  discardStaged(name: string, stage: string): Promise<{ discarded: boolean }> {
    return this.call(`/admin/db/${encodeURIComponent(name)}/staged?${new URLSearchParams({ stage })}`, { method: 'DELETE', timeoutMs: 30_000 });
  }

  startDatabase(name: string): Promise<{ ok: true }> {
    return this.call(`/admin/db/${encodeURIComponent(name)}/start`, { method: 'POST', timeoutMs: 60_000 });
  }

  replication(settings?: Partial<ReplicationSettings>): Promise<ReplicationSettings> {
    return settings ? this.call('/admin/replication', { method: 'POST', json: settings }) : this.call('/admin/replication');
  }

  metrics(): Promise<string> {
    return requestBody(this.address, '/metrics', { token: this.token }, false).then((buf) => buf.toString('utf8'));
  }
}
