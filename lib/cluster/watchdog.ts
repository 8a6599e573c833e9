/**
 * Bounds on one HTTP exchange with a member, so that a peer that trickles cannot hold its caller forever (an
 * idle-socket timeout never fires on one byte every 500 ms):
 * - a deadline for the answer to start (its headers complete), counted from the request, or, when the
 *   request streams a body, from the moment that body is sent;
 * - a minimum rate from the answer's first byte on (headers included, which makes a trickled header block
 *   fail the same way) and while a request body is sent: at least `bytes` in every `windowMs`. Time during
 *   which this side holds things up (the caller has not taken what arrived: a slow disk; the body being
 *   uploaded has nothing ready) restarts the window instead of counting against the peer;
 * - `answerDeadline` bounds a whole answer (headers and body), for the JSON calls.
 * A breach destroys the request (or the answer) with SOURCE_UNREACHABLE naming the member, the path and
 * what was too slow; the caller sees it wherever it reads.
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

export interface ExchangeBounds {
  address: string;
  /** the request as the message names it, e.g. "GET /db/neo4j/store" */
  what: string;
  /** until the answer's headers are in; 0 for no deadline */
  timeoutMs: number;
  /** null: no minimum rate */
  minRate: MinRate | null;
  /** the request body is a stream: the deadline starts once it is sent, and its upload is held to minRate */
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

  const fail = (message: string) => {
    stop();
    const err = new TxlineError('SOURCE_UNREACHABLE', message, { details: { address: b.address, slow: true } });
    if (res) res.destroy(err);
    else req.destroy(err);
  };
  const armDeadline = () => {
    if (b.timeoutMs > 0 && !res) {
      deadline = setTimeout(() => fail(`${b.address} did not answer ${b.what} within ${seconds(b.timeoutMs)}`), b.timeoutMs);
      deadline.unref();
    }
  };
  const rate = b.minRate;
  const tick = rate ? setInterval(() => check(), Math.max(50, Math.min(1000, rate.windowMs / 10))) : null;
  tick?.unref();
  function stop(): void {
    if (deadline) clearTimeout(deadline);
    if (tick) clearInterval(tick);
    deadline = null;
  }

  /** At least rate.bytes moved `dir` since the window opened, or the window is not over yet; `held`: this side is the slow one. */
  function measure(dir: 'up' | 'down', count: number, held: boolean): void {
    if (!rate) return;
    const now = Date.now();
    if (!window || window.dir !== dir || held || count - window.base >= rate.bytes) {
      window = { dir, since: now, base: count };
      return;
    }
    if (now - window.since >= rate.windowMs) {
      const n = count - window.base;
      const how = dir === 'down' ? `sent only ${n} bytes of its answer to ${b.what}` : `took only ${n} bytes of the body of ${b.what}`;
      fail(`${b.address} is too slow: it ${how} in ${seconds(now - window.since)} (the minimum is ${rate.bytes / 1024} KiB per ${seconds(rate.windowMs)})`);
    }
  }

  function check(): void {
    if (!socket) return; // still waiting for a connection from the pool: the deadline covers it
    if (res?.complete) return stop();
    const received = socket.bytesRead - readBase;
    if (received > 0) {
      // The answer has started. Held when the caller has not taken what arrived: a caller that reads slowly
      // (or has paused the answer) leaves bytes in its buffer, as the socket reads on up to highWaterMark.
      // (isPaused() says nothing here: an async iterator reads in paused mode.)
      measure('down', received, !!res && res.readableLength > 0);
    } else if (!sent) {
      // uploading: held when nothing is waiting to go out (the body's source is the slow one)
      measure('up', socket.bytesWritten - writeBase, socket.writableLength === 0 && !req.writableNeedDrain);
    }
  }

  req.on('socket', (s) => {
    socket = s;
    readBase = s.bytesRead;
    writeBase = s.bytesWritten;
  });
  req.on('finish', () => {
    if (sent) return;
    sent = true;
    armDeadline();
  });
  req.on('response', (r) => {
    res = r;
    if (deadline) clearTimeout(deadline);
    deadline = null;
    r.on('end', stop);
    r.on('close', stop);
  });
  req.on('close', () => {
    if (!res) stop();
  });
  if (sent) armDeadline();
}

/**
 * Destroys `res` with SOURCE_UNREACHABLE unless it has been read to its end `ms` after `startedAt`: with
 * the header deadline, a bound on the whole exchange. Returns the function that disarms it.
 */
export function answerDeadline(res: http.IncomingMessage, b: { address: string; what: string; timeoutMs: number; startedAt: number }): () => void {
  if (b.timeoutMs <= 0) return () => undefined;
  const timer = setTimeout(
    () => res.destroy(new TxlineError('SOURCE_UNREACHABLE', `${b.address} did not send all of its answer to ${b.what} within ${seconds(b.timeoutMs)}`, { details: { address: b.address, slow: true } })),
    Math.max(0, b.startedAt + b.timeoutMs - Date.now()),
  );
  timer.unref();
  const disarm = () => clearTimeout(timer);
  res.once('close', disarm);
  return disarm;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
