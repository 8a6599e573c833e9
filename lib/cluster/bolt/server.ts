/**
 * A Bolt 5.0–5.4 server (the protocol Neo4j drivers speak), generic over a `BoltBackend` that authenticates,
 * gives routing tables and answers queries. It implements the server side of Bolt's state machine:
 *
 *   handshake → (manifest selection) → HELLO → [LOGON, 5.1+] → READY
 *   READY: RUN → STREAMING (PULL/DISCARD until done) → READY; BEGIN → TX_READY (RUN/PULL/DISCARD,
 *          COMMIT/ROLLBACK → READY); ROUTE, TELEMETRY, LOGOFF (→ authentication), RESET, GOODBYE
 *   a FAILURE moves to FAILED, where every message but RESET and GOODBYE is IGNORED.
 *
 * Invariants (every peer is untrusted):
 * - a peer is bounded in time: the handshake and authentication must finish within `authTimeoutMs` of
 *   connecting, a message once begun must end within `messageTimeoutMs`, and an idle connection is closed
 *   after `idleTimeoutMs`; a slow reader is dropped once `maxWriteBuffer` bytes wait for it;
 * - a peer is bounded in memory: a message larger than `maxMessageBytes` or that does not decode
 *   (packstream.ts bounds sizes and depth), a wrong magic or no common version closes the connection, after a
 *   FAILURE when the handshake is done; at most `maxQueued` messages wait to be processed (then the socket
 *   stops being read) and at most `maxConnections` connections are open;
 * - messages are processed one at a time, in order; a wrong password is answered with
 *   Neo.ClientError.Security.Unauthorized and the connection is closed.
 */
import net from 'node:net';
import { describeError, TxlineError } from '../../errors';
import { ChunkDecoder, frame, type BoltVersion, type VersionRange } from './framing';
import { ServerHandshake } from './handshake';
import { decode, encode, Structure, type PackValue } from './packstream';

/** A FAILURE to answer with: a Neo4j status code (Neo.ClientError.…) and a message. */
export class BoltFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface QueryResult {
  fields: string[];
  rows: PackValue[][];
}

export interface RoutingTable {
  db: string;
  ttlSeconds: number;
  writers: string[];
  readers: string[];
  routers: string[];
}

export interface BoltBackend {
  /** e.g. "Neo4j/5.26.0": drivers read the product and version from it */
  serverAgent: string;
  checkCredentials(principal: string, credentials: string): boolean;
  /** the routing table of `db` (null: the home database); throws BoltFailure */
  routingTable(db: string | null): Promise<RoutingTable>;
  /** runs `query` on `db` (null: the home database); throws BoltFailure for what it does not run */
  run(query: string, params: Record<string, PackValue>, db: string | null): Promise<QueryResult>;
}

export interface BoltServerOptions {
  authTimeoutMs?: number;
  messageTimeoutMs?: number;
  idleTimeoutMs?: number;
  maxMessageBytes?: number;
  maxWriteBuffer?: number;
  maxQueued?: number;
  maxConnections?: number;
  log?: (message: string) => void;
}

const DEFAULTS = {
  authTimeoutMs: 15_000,
  messageTimeoutMs: 30_000,
  idleTimeoutMs: 15 * 60_000,
  maxMessageBytes: 1024 * 1024,
  maxWriteBuffer: 16 * 1024 * 1024,
  maxQueued: 64,
  maxConnections: 256,
};

/** in preference order */
export const SUPPORTED_VERSIONS: BoltVersion[] = [4, 3, 2, 1, 0].map((minor) => ({ major: 5, minor }));
const SUPPORTED_RANGE: VersionRange = { major: 5, minor: 4, range: 4 };

const MSG = {
  HELLO: 0x01,
  GOODBYE: 0x02,
  RESET: 0x0f,
  RUN: 0x10,
  BEGIN: 0x11,
  COMMIT: 0x12,
  ROLLBACK: 0x13,
  DISCARD: 0x2f,
  PULL: 0x3f,
  TELEMETRY: 0x54,
  ROUTE: 0x66,
  LOGON: 0x6a,
  LOGOFF: 0x6b,
} as const;
const SUCCESS = 0x70;
const RECORD = 0x71;
const IGNORED = 0x7e;
const FAILURE = 0x7f;

const INVALID = 'Neo.ClientError.Request.Invalid';

type State = 'handshake' | 'hello' | 'authentication' | 'ready' | 'streaming' | 'tx_ready' | 'tx_streaming' | 'failed' | 'closed';

export function createBoltServer(backend: BoltBackend, options: BoltServerOptions = {}): net.Server {
  const o = { ...DEFAULTS, ...options };
  let next = 0;
  const server = net.createServer({ noDelay: true }, (socket) => {
    new BoltConnection(socket, backend, o, `bolt-${++next}`);
  });
  server.maxConnections = o.maxConnections;
  return server;
}

type Options = typeof DEFAULTS & { log?: (message: string) => void };

class BoltConnection {
  private state: State = 'handshake';
  private version: BoltVersion | null = null;
  private readonly shake = new ServerHandshake(SUPPORTED_VERSIONS, SUPPORTED_RANGE);
  private readonly chunks: ChunkDecoder;
  private readonly queue: Buffer[] = [];
  private processing = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly connectedAt = Date.now();
  private messageStartedAt: number | null = null;
  /** the result being streamed, and the database of the open transaction */
  private result: { fields: string[]; rows: PackValue[][]; pos: number; db: string } | null = null;
  private txDb: string | null = null;
  private bookmarks = 0;

  constructor(
    private readonly socket: net.Socket,
    private readonly backend: BoltBackend,
    private readonly o: Options,
    private readonly id: string,
  ) {
    this.chunks = new ChunkDecoder(o.maxMessageBytes);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
    this.arm();
  }

  // ------------------------------------------------------------------------------------------ transport

  private close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.timer) clearTimeout(this.timer);
    this.queue.length = 0;
    this.socket.destroy();
  }

  /** Ends the connection once what was written is sent. */
  private end(why: string): void {
    if (this.state === 'closed') return;
    if (why !== 'GOODBYE') this.o.log?.(`${this.id}: closing: ${why}`);
    this.state = 'closed';
    if (this.timer) clearTimeout(this.timer);
    this.queue.length = 0;
    this.socket.end();
    // a peer that does not read its last bytes is not waited for
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  /** The next deadline: handshake and login from the connection's start, a message from its start, else idle. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.state === 'closed') return;
    const now = Date.now();
    let at: number;
    let why: string;
    if (this.state === 'handshake' || this.state === 'hello' || this.state === 'authentication') {
      at = this.connectedAt + this.o.authTimeoutMs;
      why = `no handshake and login within ${this.o.authTimeoutMs} ms`;
    } else if (this.processing && this.messageStartedAt === null) {
      // a query in progress is the backend's to bound (statuses within seconds, a seeded restore within its
      // own deadline); the idle clock starts again when it is answered
      return;
    } else if (this.messageStartedAt !== null) {
      at = this.messageStartedAt + this.o.messageTimeoutMs;
      why = `a message not finished within ${this.o.messageTimeoutMs} ms`;
    } else {
      at = now + this.o.idleTimeoutMs;
      why = `idle for ${this.o.idleTimeoutMs} ms`;
    }
    this.timer = setTimeout(() => this.end(why), Math.max(0, at - now));
    this.timer.unref();
  }

  private onData(data: Buffer): void {
    if (this.state === 'closed') return;
    try {
      if (this.state === 'handshake') {
        const step = this.shake.push(data);
        if (step.answer) this.socket.write(step.answer);
        if (step.kind === 'refused') return this.end(step.why);
        if (step.kind === 'more') return;
        this.version = step.version;
        this.state = 'hello';
        data = step.rest;
        if (data.length === 0) return;
      }
      const messages = this.chunks.push(data);
      // the message deadline runs from the start of the message now incomplete (a busy peer whose packets
      // split messages is still making progress)
      if (messages.length > 0 || !this.chunks.inMessage) this.messageStartedAt = null;
      if (this.chunks.inMessage) this.messageStartedAt ??= Date.now();
      this.queue.push(...messages);
      if (this.queue.length >= this.o.maxQueued) this.socket.pause();
      void this.drain(); // marks itself processing at once: arm() then sets no idle deadline under a query
      this.arm();
    } catch (e) {
      this.protocolError(describeError(e));
    }
  }

  private send(signature: number, fields: PackValue[]): void {
    if (this.state === 'closed') return;
    this.socket.write(frame(encode(new Structure(signature, fields))));
    if (this.socket.writableLength > this.o.maxWriteBuffer) this.end('the client does not read its answers');
  }

  private success(meta: Record<string, PackValue> = {}): void {
    this.send(SUCCESS, [meta]);
  }

  private failure(code: string, message: string): void {
    this.send(FAILURE, [{ code, message }]);
    if (this.state !== 'closed') this.state = 'failed';
    this.result = null;
  }

  /** A message that breaks the protocol: FAILURE (once the handshake is done), then close. */
  private protocolError(message: string): void {
    if (this.state === 'closed') return;
    if (this.version) this.send(FAILURE, [{ code: INVALID, message }]);
    this.end(message);
  }

  // ------------------------------------------------------------------------------------------ messages

  private async drain(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    try {
      while (this.queue.length > 0 && this.state !== 'closed') {
        const raw = this.queue.shift() as Buffer;
        if (this.queue.length < this.o.maxQueued / 2 && this.socket.isPaused()) this.socket.resume();
        let msg: PackValue;
        try {
          msg = decode(raw);
        } catch (e) {
          return this.protocolError(describeError(e));
        }
        if (!(msg instanceof Structure)) return this.protocolError('a message is not a PackStream structure');
        await this.handle(msg);
        this.arm();
      }
    } catch (e) {
      // a field of the wrong type (asMap) is the peer's mistake; anything else is ours, and still ends cleanly
      this.protocolError(e instanceof TxlineError && e.code === 'BAD_REQUEST' ? e.message : `internal error: ${describeError(e)}`);
    } finally {
      this.processing = false;
      if (this.socket.isPaused() && this.state !== 'closed') this.socket.resume();
      this.arm();
    }
  }

  private async handle(msg: Structure): Promise<void> {
    const sig = msg.signature;
    const f = msg.fields;
    if (sig === MSG.GOODBYE) return this.end('GOODBYE');
    if (this.state === 'failed') {
      if (sig === MSG.RESET) return this.reset();
      return this.send(IGNORED, []);
    }
    if (this.state === 'hello') {
      if (sig !== MSG.HELLO) return this.protocolError(`expected HELLO, got message 0x${sig.toString(16)}`);
      return this.hello(asMap(f[0], 'HELLO'));
    }
    if (this.state === 'authentication') {
      if (sig !== MSG.LOGON) return this.protocolError(`expected LOGON, got message 0x${sig.toString(16)}`);
      return this.logon(asMap(f[0], 'LOGON'));
    }
    if (sig === MSG.RESET) return this.reset();
    switch (this.state) {
      case 'ready':
        switch (sig) {
          case MSG.RUN:
            return this.run(f, null);
          case MSG.BEGIN:
            return this.begin(asMap(f[0] ?? {}, 'BEGIN'));
          case MSG.ROUTE:
            return this.route(f);
          case MSG.TELEMETRY:
            return this.success();
          case MSG.LOGOFF:
            this.state = 'authentication';
            return this.success();
        }
        break;
      case 'streaming':
      case 'tx_streaming':
        if (sig === MSG.PULL || sig === MSG.DISCARD) return this.stream(sig === MSG.PULL, asMap(f[0] ?? {}, 'PULL'));
        break;
      case 'tx_ready':
        switch (sig) {
          case MSG.RUN:
            return this.run(f, this.txDb);
          case MSG.COMMIT:
            this.state = 'ready';
            this.txDb = null;
            return this.success({ bookmark: this.bookmark() });
          case MSG.ROLLBACK:
            this.state = 'ready';
            this.txDb = null;
            return this.success();
        }
        break;
    }
    this.protocolError(`message 0x${sig.toString(16)} is not allowed in state ${this.state.toUpperCase()}`);
  }

  private bookmark(): string {
    return `FB:txline-${this.id}-${++this.bookmarks}`;
  }

  private hello(meta: Record<string, PackValue>): void {
    const welcome = { server: this.backend.serverAgent, connection_id: this.id, hints: {} };
    this.state = 'authentication';
    // Bolt 5.0: the credentials are in HELLO, and its one answer says whether they are right
    if (this.version?.minor === 0) return this.logon(meta, welcome);
    this.success(welcome);
  }

  private logon(meta: Record<string, PackValue>, answer: Record<string, PackValue> = {}): void {
    const ok =
      meta.scheme === 'basic' &&
      typeof meta.principal === 'string' &&
      typeof meta.credentials === 'string' &&
      this.backend.checkCredentials(meta.principal, meta.credentials);
    if (!ok) {
      this.send(FAILURE, [{ code: 'Neo.ClientError.Security.Unauthorized', message: 'The client is unauthorized due to authentication failure.' }]);
      return this.end('authentication failed');
    }
    this.state = 'ready';
    this.success(answer);
  }

  private reset(): void {
    this.result = null;
    this.txDb = null;
    this.state = 'ready';
    this.success();
  }

  private begin(meta: Record<string, PackValue>): void {
    if (meta.imp_user !== undefined && meta.imp_user !== null) return this.failure('Neo.ClientError.Statement.ArgumentError', 'impersonation is not supported by this server');
    this.txDb = typeof meta.db === 'string' && meta.db !== '' ? meta.db : null;
    this.state = 'tx_ready';
    this.success();
  }

  private async run(f: PackValue[], txDb: string | null): Promise<void> {
    const [query, params, extra] = f;
    if (typeof query !== 'string') return this.protocolError('RUN: the query is not a string');
    const meta = txDb === null ? asMap(extra ?? {}, 'RUN') : {};
    if (meta.imp_user !== undefined && meta.imp_user !== null) return this.failure('Neo.ClientError.Statement.ArgumentError', 'impersonation is not supported by this server');
    const db = txDb ?? (typeof meta.db === 'string' && meta.db !== '' ? meta.db : null);
    const started = Date.now();
    let r: QueryResult;
    try {
      r = await this.backend.run(query, asMap(params ?? {}, 'RUN parameters'), db);
    } catch (e) {
      if (e instanceof BoltFailure) return this.failure(e.code, e.message);
      if (e instanceof TxlineError && e.code === 'BAD_REQUEST') return this.failure(INVALID, e.message);
      return this.failure('Neo.DatabaseError.General.UnknownError', describeError(e));
    }
    const inTx = this.state === 'tx_ready';
    this.result = { fields: r.fields, rows: r.rows, pos: 0, db: db ?? '' };
    this.state = inTx ? 'tx_streaming' : 'streaming';
    this.success({ fields: r.fields, t_first: Date.now() - started, ...(inTx ? { qid: 0 } : {}) });
  }

  private stream(pull: boolean, meta: Record<string, PackValue>): void {
    const r = this.result;
    if (!r) return this.protocolError('PULL or DISCARD with no result');
    const n = typeof meta.n === 'number' ? meta.n : -1;
    if (n === 0 || n < -1 || !Number.isInteger(n)) return this.failure('Neo.ClientError.Request.Invalid', `PULL/DISCARD: n must be -1 or positive, got ${String(meta.n)}`);
    const end = n === -1 ? r.rows.length : Math.min(r.rows.length, r.pos + n);
    if (pull) for (let i = r.pos; i < end; i++) this.send(RECORD, [r.rows[i]]);
    r.pos = end;
    if (r.pos < r.rows.length) return this.success({ has_more: true });
    const inTx = this.state === 'tx_streaming';
    this.result = null;
    this.state = inTx ? 'tx_ready' : 'ready';
    this.success({ type: 'r', t_last: 0, ...(r.db ? { db: r.db } : {}), ...(inTx ? {} : { bookmark: this.bookmark() }) });
  }

  private async route(f: PackValue[]): Promise<void> {
    const extra = f[2];
    let db: string | null = null;
    if (typeof extra === 'string') db = extra;
    else if (extra && typeof extra === 'object' && !Array.isArray(extra) && !(extra instanceof Structure) && !(extra instanceof Uint8Array)) {
      const m = extra as Record<string, PackValue>;
      if (typeof m.db === 'string') db = m.db;
    }
    try {
      const t = await this.backend.routingTable(db);
      this.success({
        rt: {
          ttl: t.ttlSeconds,
          db: t.db,
          servers: [
            { addresses: t.writers, role: 'WRITE' },
            { addresses: t.readers, role: 'READ' },
            { addresses: t.routers, role: 'ROUTE' },
          ],
        },
      });
    } catch (e) {
      if (e instanceof BoltFailure) return this.failure(e.code, e.message);
      this.failure('Neo.DatabaseError.General.UnknownError', describeError(e));
    }
  }
}

function asMap(v: PackValue, what: string): Record<string, PackValue> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Structure || v instanceof Uint8Array || ArrayBuffer.isView(v)) {
    throw new TxlineError('BAD_REQUEST', `${what}: expected a map`);
  }
  return v as Record<string, PackValue>;
}
