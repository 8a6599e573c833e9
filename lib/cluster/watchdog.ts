/**
 * Bounds on one HTTP exchange with a member, so that a peer that trickles cannot hold its caller forever (an
 * idle-socket timeout never fires on one byte every 500 ms):
 * - a deadline for the answer to start (its headers complete), counted from the request, or, when the
 *   request streams a body, once until it has a connection and again from the moment that body is sent;
 * - a minimum rate from the answer's first byte on (headers included, which makes a trickled header block
 *   fail the same way) and while a request body is sent: at least `bytes` in every `windowMs`. Time during
 *   which this side holds things up (the caller has not taken what arrived: a slow disk; the body being
 *   uploaded has nothing ready) restarts the window instead of counting against the peer, but an upload
 *   whose own source has had nothing to send for SOURCE_STALL_WINDOWS windows (60 s by default) fails
 *   (IO_ERROR: a read that never returns must not hang a restore);
 * - `answerDeadline` bounds a whole answer (headers and body), for the JSON calls.
 * A breach destroys the request (or the answer) with SOURCE_UNREACHABLE naming the member, the path and
 * what was too slow; the caller sees it wherever it reads.
 *
 * The minimum rate is a liveness rule, not a throughput rule: it must catch a peer that makes no real
 * progress, and never a working one, however slow its disk. The rule counts bytes on the wire (an answer
 * without a length comes in chunks of its own framing, about 6 bytes per write). What it must catch, the
 * trickle of one byte every 500 ms: 30 bytes of answer per 15 s, 180 on the wire when each byte is a chunk.
 * - Raw bytes (a store without compression, transaction records: DEFAULT_MIN_RATE, 64 KiB per 15 s) are
 *   the member's disk reads one for one, so any disk that gives 4.4 KB/s beats it, 360 times the trickle.
 * - A compressed store (COMPRESSED_STORE_MIN_RATE, 512 bytes per 15 s) is not: zstd level 1 writes a
 *   128 KiB block of zeros (a store's free pages after a bulk delete) as 4 bytes, 256 MiB of them as 9 KB,
 *   so 64 KiB per 15 s would ask a member to read free pages at 120 MB/s. The member flushes its compressor
 *   each second in which it read something and sent nothing (./store-stream.ts), and a flushed MiB of zeros
 *   is 39 bytes: a member that reads at least 1 MiB/s, even of nothing but zeros, sends 45 bytes a second
 *   with the framing, 675 per window; a store with data sends far more. 512 is almost three times the
 *   trickle's 180.
 */
import type http from 'node:http';
import type net from 'node:net';
import { TxlineError } from '../errors';

export interface MinRate {
  bytes: number;
  windowMs: number;
}

/**
 * 64 KiB in every 15 s (about 4 KiB/s): far below any disk or network a member streams from, and a stall
 * that long is no hiccup; a trickle of one byte every 500 ms fails about 16 s after its first byte.
 */
export const DEFAULT_MIN_RATE: MinRate = { bytes: 64 * 1024, windowMs: 15_000 };

/** A zstd-compressed store (GET /db/{name}/store?compress=zstd): see the header. */
export const COMPRESSED_STORE_MIN_RATE: MinRate = { bytes: 512, windowMs: 15_000 };

/** How many windows of the minimum rate the source of an upload may have nothing to send before it fails. */
export const SOURCE_STALL_WINDOWS = 4;

export interface ExchangeBounds {
  address: string;
  /** the request as the message names it, e.g. "GET /db/neo4j/store" */
  what: string;
  /**
   * until the answer's headers are in (0: no deadline); with a streamed body, until it has a connection
   * and again once the body is sent
   */
  timeoutMs: number;
  /** null: no minimum rate */
  minRate: MinRate | null;
  /** the request body is a stream: see timeoutMs; its upload is held to minRate */
  streamedBody: boolean;
}

/** Watches `req` (before it is ended) until its answer is complete or either is closed. */
export function watchExchange(req: http.ClientRequest, b: ExchangeBounds): void {
  let socket: net.Socket | null = null;
  let res: http.IncomingMessage | null = null;
  let readBase = 0;
  let writeBase = 0;
  let sent = !b.streamedBody;
  let deadline: NodeJS.Timeout | null = null;
  // the current window: which way bytes go, since when, and the byte count at its start
  let window: { dir: 'up' | 'down'; since: number; base: number } | null = null;
  // since when an upload's source has had nothing to send, and how far it had got then
  let stalled: { since: number; count: number } | null = null;

  const fail = (message: string, code: 'SOURCE_UNREACHABLE' | 'IO_ERROR' = 'SOURCE_UNREACHABLE') => {
    stop();
    const err = new TxlineError(code, message, { details: { address: b.address, slow: code === 'SOURCE_UNREACHABLE' } });
    if (res) res.destroy(err);
    else {
      req.destroy(err);
      // Still queued for a socket, it has nothing to fail through: Node would report it once it gets one.
      if (!socket) req.emit('error', err);
    }
  };
  const disarm = () => {
    if (deadline) clearTimeout(deadline);
    deadline = null;
  };
  const arm = (message: string) => {
    disarm();
    if (b.timeoutMs > 0 && !res) {
      deadline = setTimeout(() => fail(`${message} within ${seconds(b.timeoutMs)}`), b.timeoutMs);
      deadline.unref();
    }
  };
  const rate = b.minRate;
  const tick = rate || b.streamedBody ? setInterval(() => check(), rate ? Math.max(50, Math.min(1000, rate.windowMs / 10)) : 1000) : null;
  tick?.unref();
  function stop(): void {
    disarm();
    if (tick) clearInterval(tick);
  }

  /** At least rate.bytes moved `dir` since the window opened, or the window is not over yet; `held`: this side is the slow one. */
  function measure(dir: 'up' | 'down', count: number, held: boolean): void {
    if (!rate) return;
    const now = performance.now();
    if (!window || window.dir !== dir || held || count - window.base >= rate.bytes) {
      window = { dir, since: now, base: count };
      return;
    }
    if (now - window.since >= rate.windowMs) {
      const n = count - window.base;
      const how = dir === 'down' ? `sent only ${n} bytes of its answer to ${b.what}` : `took only ${n} bytes of the body of ${b.what}`;
      fail(`${b.address} is too slow: it ${how} in ${seconds(now - window.since)} (the minimum is ${size(rate.bytes)} per ${seconds(rate.windowMs)})`);
    }
  }

  /** An upload whose own source has nothing to send: not the member's doing, but not forever either. */
  function sourceStall(count: number, idle: boolean): void {
    const now = performance.now();
    if (!idle || (stalled && count > stalled.count)) stalled = null;
    else if (!stalled) stalled = { since: now, count };
    else if (now - stalled.since >= SOURCE_STALL_WINDOWS * (rate ?? DEFAULT_MIN_RATE).windowMs) {
      fail(`the body of ${b.what} to ${b.address} had nothing to send for ${seconds(now - stalled.since)} (its source is stalled)`, 'IO_ERROR');
    }
  }

  function check(): void {
    // no connection yet (queued in the pool, connecting): the deadline covers it
    if (!socket || socket.connecting) return;
    if (res?.complete) return stop();
    const received = socket.bytesRead - readBase;
    if (received > 0) {
      // The answer has started. Held when the caller has not taken what arrived: a caller that reads slowly
      // (or has paused the answer) leaves bytes in its buffer, as the socket reads on up to highWaterMark.
      // (isPaused() says nothing here: an async iterator reads in paused mode.)
      measure('down', received, !!res && res.readableLength > 0);
    } else if (!sent) {
      // uploading: held when nothing is waiting to go out (the body's source is the slow one)
      const written = socket.bytesWritten - writeBase;
      const idle = socket.writableLength === 0 && !req.writableNeedDrain;
      measure('up', written, idle);
      sourceStall(written, idle);
    }
  }

  req.on('socket', (s) => {
    socket = s;
    readBase = s.bytesRead;
    writeBase = s.bytesWritten;
    if (!sent) {
      if (s.connecting) s.once('connect', disarm);
      else disarm();
    }
  });
  req.on('finish', () => {
    if (sent) return;
    sent = true;
    arm(`${b.address} did not answer ${b.what}`);
  });
  req.on('response', (r) => {
    res = r;
    disarm();
    r.on('end', stop);
    r.on('close', stop);
  });
  req.on('close', () => {
    if (!res) stop();
  });
  arm(sent ? `${b.address} did not answer ${b.what}` : `${b.address} did not accept a connection for ${b.what}`);
}

/**
 * Destroys `res` with SOURCE_UNREACHABLE unless it has been read to its end `ms` after `startedAt` (a
 * performance.now(): a step of the wall clock moves no deadline): with the header deadline, a bound on the whole
 * exchange. Returns the function that disarms it.
 */
export function answerDeadline(res: http.IncomingMessage, b: { address: string; what: string; timeoutMs: number; startedAt: number }): () => void {
  if (b.timeoutMs <= 0) return () => undefined;
  const timer = setTimeout(
    () => res.destroy(new TxlineError('SOURCE_UNREACHABLE', `${b.address} did not send all of its answer to ${b.what} within ${seconds(b.timeoutMs)}`, { details: { address: b.address, slow: true } })),
    Math.max(0, b.startedAt + b.timeoutMs - performance.now()),
  );
  timer.unref();
  const disarm = () => clearTimeout(timer);
  res.once('close', disarm);
  return disarm;
}

function size(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
