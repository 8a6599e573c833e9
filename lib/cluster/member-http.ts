/**
 * The HTTP API of a member (JSON on loopback). The public part of this contract is fixed: /status,
 * POST /db/{name}/tx, /db/{name}/nodes, /db/{name}/digest, /metrics. Backups use /db/{name}/store (a
 * consistent snapshot of the store file; on the member's own host, /db/{name}/store-lease lets the backup
 * process copy the file itself) and /db/{name}/tx?from=N (raw transaction records); restores use the /admin
 * routes. Every bad request gets a 4xx with `{ code, message }`; no request crashes the member.
 *
 * Every route but /metrics requires the cluster token, and every request must name this member in its Host
 * and carry no foreign Origin; bodies are JSON except a store upload (http-guard.ts).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { HTTP_STATUS, TxlineError, describeError } from '../errors';
import type { Member } from './member';
import { collectMetrics } from './metrics';
import { normalizeDatabaseName } from '../graph/names';
import { txRequestSchema } from '../graph/ops';
import { GraphDatabase } from './database';
import { sendStore } from './store-stream';
import { guardRequest, requireJsonBody } from './http-guard';
import type { LogRange } from './txlog';
import type { StagedStore } from './staging';
import { READBACK_HEX } from '../readback';

const MAX_JSON_BODY = 16 * 1024 * 1024;

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, params: { name?: string; url: URL }) => Promise<void>;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
  /** what the route reads: JSON, a binary upload, or nothing (a body, if any, must still be JSON) */
  body?: 'json' | 'binary';
}

/** The routes open without the cluster token (a scraper has none). */
const OPEN_PATHS = new Set(['/metrics']);

export function createMemberServer(member: Member, opts: { token: string }): http.Server {
  const routes = buildRoutes(member);
  const guard = { token: opts.token, host: member.config.host, port: member.config.port };
  const server = http.createServer((req, res) => {
    void handle(routes, guard, req, res).catch((e) => member.log.error(`request handling failed: ${describeError(e)}`));
  });
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  server.requestTimeout = 0; // store uploads and downloads may take long
  return server;
}

async function handle(routes: Route[], guard: { token: string; host: string; port: number }, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    const url = requestUrl(req);
    guardRequest(req, { ...guard, open: OPEN_PATHS.has(url.pathname) });
    const matching = routes.filter((r) => r.pattern.test(url.pathname));
    if (matching.length === 0) throw new TxlineError('NOT_FOUND', `no such endpoint: ${url.pathname}`);
    const route = matching.find((r) => r.method === req.method);
    if (!route) {
      res.setHeader('allow', matching.map((r) => r.method).join(', '));
      throw new TxlineError('METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${url.pathname}`);
    }
    const m = route.pattern.exec(url.pathname) as RegExpExecArray;
    let name: string | undefined;
    if (m[1] !== undefined) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(m[1]);
      } catch {
        throw new TxlineError('INVALID_NAME', `database name "${m[1]}" is not valid URL encoding`);
      }
      name = normalizeDatabaseName(decoded);
    }
    if (route.body !== 'binary') requireJsonBody(req, route.body === 'json');
    await route.handler(req, res, { name, url });
  } catch (e) {
    sendError(res, e);
  }
}

/**
 * The request target as a URL. An absolute-form target that is not a valid URL (`http://x:99999/status`,
 * `http://[zz/status`) is the client's mistake: 400, not 500.
 */
export function requestUrl(req: http.IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://member');
  } catch (e) {
    throw new TxlineError('BAD_REQUEST', `invalid request target "${String(req.url).slice(0, 200)}": ${describeError(e)}`, { cause: e });
  }
}

export function sendError(res: http.ServerResponse, e: unknown): void {
  const err = e instanceof TxlineError ? e : new TxlineError('INTERNAL', describeError(e), { cause: e });
  if (res.headersSent) {
    res.destroy(err);
    return;
  }
  if (err.code === 'UNAUTHENTICATED') res.setHeader('www-authenticate', 'Bearer realm="txline"');
  sendJson(res, HTTP_STATUS[err.code] ?? 500, err.toJSON());
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': buf.length });
  res.end(buf);
}

/** The request body as JSON. Read with listeners, not an async iterator: it is on every write's path. */
function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    let failed = false;
    const fail = (e: TxlineError) => {
      if (failed) return;
      failed = true;
      chunks.length = 0;
      req.resume(); // drain the rest, so the connection can answer
      reject(e);
    };
    req.on('data', (c: Buffer) => {
      if (failed) return;
      n += c.length;
      if (n > MAX_JSON_BODY) return fail(new TxlineError('BAD_REQUEST', `request body is larger than ${MAX_JSON_BODY} bytes`));
      chunks.push(c);
    });
    let ended = false;
    req.on('error', (e) => fail(new TxlineError('BAD_REQUEST', `request body could not be read: ${e.message}`)));
    req.on('close', () => {
      if (!ended) fail(new TxlineError('BAD_REQUEST', 'the client went away before the request body ended'));
    });
    req.on('end', () => {
      ended = true;
      if (failed) return;
      const text = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8');
      if (text.trim() === '') return fail(new TxlineError('BAD_REQUEST', 'request body is empty; expected JSON'));
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        fail(new TxlineError('BAD_REQUEST', `malformed JSON: ${(e as Error).message}`));
      }
    });
  });
}

function intParam(url: URL, key: string, opts: { min: number; max?: number; def?: number }): number {
  const raw = url.searchParams.get(key);
  if (raw === null || raw === '') {
    if (opts.def !== undefined) return opts.def;
    throw new TxlineError('BAD_REQUEST', `query parameter "${key}" is required`);
  }
  if (!/^\d+$/.test(raw)) throw new TxlineError('BAD_REQUEST', `query parameter "${key}" must be a non-negative integer, got "${raw}"`);
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < opts.min || (opts.max !== undefined && v > opts.max)) {
    throw new TxlineError('BAD_REQUEST', `query parameter "${key}" must be between ${opts.min} and ${opts.max ?? Number.MAX_SAFE_INTEGER}`);
  }
  return v;
}

function zodMessage(issues: Array<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`)
    .join('; ');
}

/** The last segment of a path (a lease or reservation ID its route's pattern checked). */
function lastSegment(url: URL): string {
  return url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
}

function buildRoutes(member: Member): Route[] {
  const route = (method: string, pattern: RegExp, handler: Handler, body?: Route['body']): Route => ({ method, pattern, handler, body });
  const requireWriter = () => {
    if (!member.isWriter) {
      throw new TxlineError('NOT_WRITER', `${member.config.id} is not the writer; send writes to ${member.writerAddress}`, {
        details: { writer: member.writerAddress },
      });
    }
  };
  const NAME = '([^/]+)';
  return [
    route('GET', /^\/status$/, async (_req, res) => sendJson(res, 200, member.status())),
    route('GET', /^\/cluster$/, async (_req, res) =>
      sendJson(res, 200, { writer: member.config.writer, members: member.config.peers }),
    ),
    route('GET', /^\/metrics$/, async (_req, res) => {
      const { contentType, body } = await collectMetrics(member);
      res.writeHead(200, { 'content-type': contentType });
      res.end(body);
    }),
    route('POST', new RegExp(`^/db/${NAME}/tx$`), async (req, res, { name }) => {
      const db = member.get(name as string);
      requireWriter();
      const parsed = txRequestSchema.safeParse(await readJson(req));
      if (!parsed.success) throw new TxlineError('BAD_REQUEST', `invalid transaction: ${zodMessage(parsed.error.issues)}`);
      const r = await db.commit(parsed.data.ops);
      sendJson(res, 200, r);
    }, 'json'),
    route('GET', new RegExp(`^/db/${NAME}/nodes$`), async (_req, res, { name, url }) => {
      const db = member.get(name as string);
      const label = url.searchParams.get('label') ?? undefined;
      if (label !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(label)) {
        throw new TxlineError('BAD_REQUEST', `invalid label "${label}"`);
      }
      // Every matching node by default (the fixed contract); `limit` and `after` page through them if asked.
      const limit = url.searchParams.has('limit') ? intParam(url, 'limit', { min: 1, max: 100_000 }) : Number.MAX_SAFE_INTEGER;
      const afterId = url.searchParams.has('after') ? intParam(url, 'after', { min: 0 }) : undefined;
      sendJson(res, 200, db.nodes({ label, limit, afterId }));
    }),
    route('GET', new RegExp(`^/db/${NAME}/digest$`), async (_req, res, { name, url }) => {
      // the kept digest by default; ?scratch=1 from every row, ?ordered=1 with format 2's ordered hash too
      const flag = (key: string) => {
        const v = url.searchParams.get(key);
        if (v !== null && v !== '1') throw new TxlineError('BAD_REQUEST', `${key} must be 1 when given, not "${v.slice(0, 40)}"`);
        return v === '1';
      };
      sendJson(res, 200, await member.get(name as string).digest({ scratch: flag('scratch'), ordered: flag('ordered') }));
    }),
    route('GET', new RegExp(`^/db/${NAME}/store$`), async (_req, res, { name, url }) => {
      const db = member.get(name as string);
      // ?compress=zstd: compressed here, by zstd's threads (the source's cores, as pg_basebackup's server-side
      // compression), so a compressed backup moves and handles a seventh of the bytes.
      const compress = url.searchParams.get('compress');
      if (compress !== null && compress !== 'zstd') throw new TxlineError('BAD_REQUEST', `compress must be "zstd", got "${compress}"`);
      const snap = await db.snapshot();
      try {
        res.writeHead(200, {
          'content-type': compress ? 'application/zstd' : 'application/vnd.sqlite3',
          ...(compress ? { 'x-txline-encoding': 'zstd' } : { 'content-length': snap.size }),
          'x-txline-store-bytes': snap.size,
          'x-txline-member': member.config.id,
          'x-txline-database-id': snap.meta.databaseId,
          'x-txline-store-id': snap.meta.storeId,
          'x-txline-tx': snap.meta.lastTxId,
          'x-txline-tx-checksum': snap.meta.lastTxChecksum,
          'x-txline-commit-time': snap.meta.lastCommitTime,
          'x-txline-nodes': snap.meta.nodeCount,
          'x-txline-relationships': snap.meta.relCount,
          // the content sum kept at the snapshot's transaction: the artifact records it even if writes go on
          ...(snap.digest && snap.digest.lastCommittedTxn === snap.meta.lastTxId ? { 'x-txline-content-sum': snap.digest.contentHash } : {}),
        });
        await sendStore(fs.createReadStream(snap.file, { highWaterMark: 1024 * 1024 }), res, {
          compress: compress !== null,
          stillValid: () => (snap.valid() ? null : `${name} was stopped, replaced or dropped while its store was sent: what was sent is not one snapshot`),
        });
      } finally {
        snap.release();
      }
    }),
    // A backup process on this host copies the store file itself, under a lease that holds the snapshot
    // (./store-lease.ts); it renews the lease while it copies and gives it back at the end.
    route('POST', new RegExp(`^/db/${NAME}/store-lease$`), async (_req, res, { name }) => {
      sendJson(res, 201, await member.storeLeases.open(member.get(name as string)));
    }),
    route('PUT', new RegExp(`^/db/${NAME}/store-lease/[0-9a-f]{32}$`), async (_req, res, { name, url }) => {
      member.storeLeases.renew(name as string, lastSegment(url));
      sendJson(res, 200, { renewed: true });
    }),
    route('DELETE', new RegExp(`^/db/${NAME}/store-lease/[0-9a-f]{32}$`), async (_req, res, { name, url }) => {
      member.storeLeases.release(name as string, lastSegment(url));
      sendJson(res, 200, { released: true });
    }),
    route('GET', new RegExp(`^/db/${NAME}/tx$`), async (_req, res, { name, url }) => {
      const db = member.get(name as string);
      const from = intParam(url, 'from', { min: 1 });
      const wait = intParam(url, 'wait', { min: 0, max: 30_000, def: 0 });
      if (from > db.lastCommittedTxn) await db.waitBeyond(from - 1, wait);
      const meta = db.meta;
      const { ranges, lastTxId } = db.logRanges(from);
      res.writeHead(200, {
        'content-type': 'application/vnd.txline.tx-records',
        'x-txline-member': member.config.id,
        'x-txline-database-id': meta.databaseId,
        'x-txline-store-id': meta.storeId,
        'x-txline-last-committed': lastTxId,
        'x-txline-lowest-available': db.lowestAvailableTxn(),
      });
      try {
        await sendRanges(ranges, res);
      } finally {
        for (const r of ranges) fs.closeSync(r.fd);
      }
    }),
    route('POST', /^\/admin\/databases$/, async (req, res) => {
      requireWriter();
      const body = (await readJson(req)) as { name?: unknown };
      const name = normalizeDatabaseName(body?.name);
      const db = member.createDatabase(name);
      sendJson(res, 201, { name, databaseId: db.meta.databaseId, storeId: db.meta.storeId });
    }, 'json'),
    route('DELETE', new RegExp(`^/admin/db/${NAME}$`), async (_req, res, { name }) => {
      const db = member.get(name as string);
      await db.drop();
      member.databases.delete(db.name);
      member.log.info(`dropped database ${db.name}`);
      sendJson(res, 200, { ok: true });
    }),
    route('POST', new RegExp(`^/admin/db/${NAME}/stop$`), async (_req, res, { name }) => {
      const db = member.get(name as string);
      await db.stop();
      member.log.info(`stopped database ${db.name}`);
      sendJson(res, 200, { ok: true });
    }),
    route('POST', new RegExp(`^/admin/db/${NAME}/start$`), async (_req, res, { name }) => {
      const db = member.get(name as string);
      await db.start();
      member.log.info(`started database ${db.name} at transaction ${db.lastCommittedTxn}`);
      sendJson(res, 200, { ok: true });
    }),
    route('PUT', new RegExp(`^/admin/db/${NAME}/store$`), async (req, res, { name, url }) => {
      const n = name as string;
      const storeId = url.searchParams.get('storeId') ?? undefined;
      const databaseId = url.searchParams.get('databaseId') ?? undefined;
      for (const [k, v] of [['storeId', storeId], ['databaseId', databaseId]] as const) {
        if (v !== undefined && !/^[0-9a-f-]{36}$/.test(v)) throw new TxlineError('BAD_REQUEST', `${k} must be a UUID`);
      }
      const meta = await installUpload(member, n, req, { storeId, databaseId });
      sendJson(res, 200, { name: n, databaseId: meta.databaseId, storeId: meta.storeId, lastCommittedTxn: meta.lastTxId });
    }, 'binary'),
    // A restore's install, in two steps on every member (./staging.ts): receive and stage the store (its
    // SHA-256 is the answer), then install the staged store as it is; or discard it.
    route('PUT', new RegExp(`^/admin/db/${NAME}/staged$`), async (req, res, { name, url }) => {
      const n = name as string;
      const storeId = uuidParam(url, 'storeId');
      const databaseId = uuidParam(url, 'databaseId');
      const length = req.headers['content-length'];
      const bytes = length === undefined ? undefined : Number(length);
      const staged = await member.staged.receive(member.databasesDir, n, req, { storeId, databaseId, bytes });
      member.log.info(`staged a store for ${n} at transaction ${staged.meta.lastTxId} (${staged.bytes} bytes, sha256 ${staged.sha256?.slice(0, 16)}…)`);
      sendJson(res, 200, stagedAnswer(n, staged));
    }, 'binary'),
    // The same on this member's host without the upload: the restore process writes the file the member
    // reserves, then says what it wrote; the member checks it reads back so and stages it (./staging.ts).
    route('POST', new RegExp(`^/admin/db/${NAME}/incoming$`), async (_req, res, { name, url }) => {
      const raw = url.searchParams.get('bytes');
      const bytes = raw === null ? undefined : /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
      if (Number.isNaN(bytes)) throw new TxlineError('BAD_REQUEST', 'query parameter "bytes", when given, must be the size of the store to write');
      const r = member.staged.reserve(member.databasesDir, name as string, { storeId: uuidParam(url, 'storeId'), databaseId: uuidParam(url, 'databaseId'), bytes });
      sendJson(res, 201, r);
    }),
    route('POST', new RegExp(`^/admin/db/${NAME}/incoming/[0-9a-f]{24}$`), async (req, res, { name, url }) => {
      const n = name as string;
      const body = (await readJson(req)) as { bytes?: unknown; xxh3?: unknown; crc32?: unknown };
      const bytes = Number(body?.bytes);
      if (body?.crc32 !== undefined) {
        throw new TxlineError('BAD_REQUEST', 'this member checks a copy written on its host by its XXH3, not a CRC-32: the restore that wrote it runs another version of Txline');
      }
      // without "xxh3" the member answers the checksum it reads back, for the writer to compare (install.ts)
      const xxh3 = body?.xxh3 === undefined || body.xxh3 === null ? null : body.xxh3;
      if (!Number.isSafeInteger(bytes) || bytes < 0 || (xxh3 !== null && (typeof xxh3 !== 'string' || !READBACK_HEX.test(xxh3)))) {
        throw new TxlineError('BAD_REQUEST', 'the body must be { "bytes": <size written>, "xxh3": <16 lowercase hex digits: XXH3 of what was written, optional> }');
      }
      const staged = await member.staged.complete(n, lastSegment(url), { bytes, xxh3 });
      member.log.info(`staged a store for ${n} at transaction ${staged.meta.lastTxId} written on this host (${staged.bytes} bytes, XXH3 ${staged.xxh3})`);
      sendJson(res, 200, stagedAnswer(n, staged));
    }, 'json'),
    route('PUT', new RegExp(`^/admin/db/${NAME}/incoming/[0-9a-f]{24}$`), async (_req, res, { name, url }) => {
      member.staged.renew(name as string, lastSegment(url));
      sendJson(res, 200, { renewed: true });
    }),
    route('DELETE', new RegExp(`^/admin/db/${NAME}/incoming/[0-9a-f]{24}$`), async (_req, res, { url }) => {
      sendJson(res, 200, { discarded: member.staged.unreserve(lastSegment(url)) });
    }),
    route('POST', new RegExp(`^/admin/db/${NAME}/staged/install$`), async (_req, res, { name, url }) => {
      const n = name as string;
      const staged = member.staged.take(n, stageParam(url));
      let db = member.databases.get(n);
      try {
        if (!db) {
          db = member.newDatabase(n);
          member.databases.set(n, db);
        }
        const meta = await db.installStaged(staged.file, staged.meta);
        sendJson(res, 200, { name: n, sha256: staged.sha256, xxh3: staged.xxh3, bytes: staged.bytes, databaseId: meta.databaseId, storeId: meta.storeId, lastCommittedTxn: meta.lastTxId });
      } catch (e) {
        if (member.databases.get(n) && !GraphDatabase.exists(member.databasesDir, n)) member.databases.delete(n);
        fs.rmSync(staged.file, { force: true });
        throw e;
      }
    }),
    route('DELETE', new RegExp(`^/admin/db/${NAME}/staged$`), async (_req, res, { url }) => {
      sendJson(res, 200, { discarded: member.staged.discard(stageParam(url)) });
    }),
    route('GET', /^\/admin\/replication$/, async (_req, res) => sendJson(res, 200, member.replication)),
    route('POST', /^\/admin\/replication$/, async (req, res) => {
      const body = (await readJson(req)) as Record<string, unknown>;
      if (member.isWriter) {
        // refused as --lag-ms for the writer is: pausing or delaying it would silently do nothing
        throw new TxlineError(
          'BAD_REQUEST',
          `${member.config.id} is the writer: it does not replicate, so it cannot be paused or given a lag; replication settings apply to followers and secondaries`,
        );
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new TxlineError('BAD_REQUEST', 'expected a JSON object');
      const unknown = Object.keys(body).filter((k) => k !== 'paused' && k !== 'lagMs');
      if (unknown.length) throw new TxlineError('BAD_REQUEST', `unknown field(s): ${unknown.join(', ')}`);
      if (body.paused !== undefined && typeof body.paused !== 'boolean') throw new TxlineError('BAD_REQUEST', '"paused" must be true or false');
      if (body.lagMs !== undefined && !(Number.isInteger(body.lagMs) && (body.lagMs as number) >= 0 && (body.lagMs as number) <= 3_600_000)) {
        throw new TxlineError('BAD_REQUEST', '"lagMs" must be an integer between 0 and 3600000');
      }
      if (body.paused !== undefined) member.replication.paused = body.paused as boolean;
      if (body.lagMs !== undefined) member.replication.lagMs = body.lagMs as number;
      member.log.info(`replication ${member.replication.paused ? 'paused' : 'running'}, lag ${member.replication.lagMs} ms`);
      sendJson(res, 200, member.replication);
    }, 'json'),
  ];
}

function uuidParam(url: URL, key: string): string {
  const v = url.searchParams.get(key);
  if (v === null || !/^[0-9a-f-]{36}$/.test(v)) throw new TxlineError('BAD_REQUEST', `query parameter "${key}" must be a UUID`);
  return v;
}

function stagedAnswer(name: string, staged: StagedStore) {
  return { name, stage: staged.id, sha256: staged.sha256, xxh3: staged.xxh3, bytes: staged.bytes, storeId: staged.meta.storeId, databaseId: staged.meta.databaseId, lastCommittedTxn: staged.meta.lastTxId };
}

function stageParam(url: URL): string {
  const v = url.searchParams.get('stage');
  if (v === null || !/^[0-9a-f]{24}$/.test(v)) throw new TxlineError('BAD_REQUEST', 'query parameter "stage" must name a staged store');
  return v;
}

const READ_CHUNK = 1024 * 1024;
const readAt = promisify(fs.read);

/**
 * Sends log ranges to `res` as one stream: one pipeline for all of them (a pipeline per range stacked
 * listeners on the response, MaxListenersExceededWarning past 10 segments), fed by positioned reads, so no
 * stream owns (and closes) the caller's fds. Settles only once no read is in flight: the caller may then
 * close the fds, also when the client hung up midway.
 */
async function sendRanges(ranges: LogRange[], res: http.ServerResponse): Promise<void> {
  let started = false;
  let idle!: () => void;
  const stopped = new Promise<void>((resolve) => (idle = resolve));
  async function* bytes(): AsyncGenerator<Buffer> {
    started = true;
    try {
      for (const r of ranges) {
        for (let pos = r.start; pos < r.end; ) {
          const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, r.end - pos));
          const { bytesRead } = await readAt(r.fd, buf, 0, buf.length, pos);
          if (bytesRead === 0) throw new TxlineError('IO_ERROR', `a transaction log segment ended at byte ${pos}, before ${r.end}`);
          pos += bytesRead;
          yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead);
        }
      }
    } finally {
      idle();
    }
  }
  try {
    await pipeline(bytes(), res);
  } finally {
    // a generator stopped midway finishes its read in flight first (then returns at its next yield)
    if (started) await stopped;
  }
}

/** Streams an uploaded store file next to the database and installs it. */
export async function installUpload(
  member: Member,
  name: string,
  body: NodeJS.ReadableStream & { headers?: http.IncomingHttpHeaders },
  opts: { storeId?: string; databaseId?: string; replication?: boolean },
) {
  fs.mkdirSync(member.databasesDir, { recursive: true });
  const tmp = path.join(member.databasesDir, `.incoming-${name}-${randomBytes(6).toString('hex')}.sqlite`);
  try {
    await pipeline(body, fs.createWriteStream(tmp, { highWaterMark: 1024 * 1024 }));
    const expected = body.headers?.['content-length'];
    if (expected !== undefined && Number(expected) !== fs.statSync(tmp).size) {
      throw new TxlineError('BAD_REQUEST', `store upload is incomplete: ${fs.statSync(tmp).size} of ${expected} bytes`);
    }
    let db = member.databases.get(name);
    if (!db) {
      db = member.newDatabase(name);
      member.databases.set(name, db);
    }
    return await db.install(tmp, opts);
  } catch (e) {
    if (member.databases.get(name) && !GraphDatabase.exists(member.databasesDir, name)) member.databases.delete(name);
    // An upload that does not open as a store is the client's mistake (400), not the member's (500).
    if (e instanceof TxlineError && e.code !== 'INCONSISTENT_STORE') throw e;
    throw new TxlineError('BAD_REQUEST', `cannot install the uploaded store for ${name}: ${describeError(e)}`, { cause: e });
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
