/**
 * The member client's bounds against real HTTP servers on 127.0.0.1 that misbehave: a JSON answer whose
 * headers come at once and whose body trickles, a header block that trickles, a stream below the minimum
 * rate, an upload the peer does not read, an upload that waits for a connection; and what must not be
 * blamed on the peer: a caller that reads slowly (a slow disk) and a request body whose source is slow, though
 * one that stalls or fails ends the upload with IO_ERROR.
 */
import http from 'node:http';
import type net from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { isTxlineError } from '../errors';
import { rawRequest, readBody, requestJson } from './client';

const servers: net.Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    (s as http.Server).closeAllConnections?.();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return `127.0.0.1:${(s.address() as net.AddressInfo).port}`;
}

/** Writes one byte of `text` every `ms` until the client goes away. */
function trickle(res: { write(b: string): unknown; destroyed: boolean; on(e: 'close', f: () => void): unknown }, text: string, ms: number): void {
  let i = 0;
  const t = setInterval(() => {
    if (!res.destroyed && i < text.length) res.write(text[i++]);
  }, ms);
  res.on('close', () => clearInterval(t));
}

/** Resolves with the error `p` rejects with and how long it took. */
async function failure(p: Promise<unknown>): Promise<{ error: Error & { code?: string }; ms: number }> {
  const t0 = performance.now();
  try {
    await p;
  } catch (error) {
    return { error: error as Error, ms: performance.now() - t0 };
  }
  throw new Error('expected a failure');
}

describe('a JSON call is bounded as a whole', () => {
  it('headers at once, then a body that trickles one byte every 100 ms: fails at its deadline, naming the member and the path', async () => {
    const address = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 1000 });
      res.flushHeaders();
      trickle(res, JSON.stringify({ pad: 'x'.repeat(990) }), 100);
    });
    const { error, ms } = await failure(requestJson(address, '/status', { timeoutMs: 1500 }));
    expect(isTxlineError(error, 'SOURCE_UNREACHABLE'), String(error)).toBe(true);
    expect(error.message).toBe(`${address} did not send all of its answer to GET /status within 1.5 s`);
    expect(ms).toBeGreaterThanOrEqual(1400);
    // (the whole body would take 100 s: a bound far above the deadline still proves the call is bounded as a
    // whole, and leaves room for timers delayed on a loaded machine)
    expect(ms).toBeLessThan(10_000);
  });

  it('a header block that trickles fails at the same deadline', async () => {
    const s = (await import('node:net')).createServer((sock) => {
      sock.on('error', () => undefined);
      trickle(sock, 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}', 100);
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const address = `127.0.0.1:${(s.address() as net.AddressInfo).port}`;
    const { error, ms } = await failure(requestJson(address, '/cluster', { timeoutMs: 1000 }));
    expect(error.message).toBe(`${address} did not answer GET /cluster within 1 s`);
    // (the whole header block takes 8 s to trickle: below that, the deadline ended it)
    expect(ms).toBeLessThan(6000);
  });

  it('an answer that is merely slow to start, then whole, is taken', async () => {
    const address = await serve((_req, res) => {
      setTimeout(() => res.end(JSON.stringify({ ok: true })), 300);
    });
    expect(await requestJson(address, '/status', { timeoutMs: 2000 })).toEqual({ ok: true });
  });
});

describe('a stream is held to a minimum rate', () => {
  const minRate = { bytes: 4096, windowMs: 1000 };

  it('a trickle below the rate fails within about one window of its first byte, naming the member and what was slow', async () => {
    const address = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(100_000)); // a good start does not buy a later stall
      trickle(res, 'z'.repeat(1000), 100);
    });
    const res = await rawRequest(address, '/db/neo4j/store', { timeoutMs: 5000, minRate });
    const { error, ms } = await failure(readBody(res));
    expect(isTxlineError(error, 'SOURCE_UNREACHABLE'), String(error)).toBe(true);
    expect(error.message).toMatch(new RegExp(`^${address.replace(/\./g, '\\.')} is too slow: it sent only \\d+ bytes of its answer to GET /db/neo4j/store in 1(\\.\\d)? s \\(the minimum is 4 KiB per 1 s\\)$`));
    expect(ms).toBeLessThan(2500);
  });

  it('a caller that reads slowly (a slow disk) is not taken for a slow member', async () => {
    const size = 2 * 1024 * 1024;
    const address = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': size });
      res.end(Buffer.alloc(size, 7));
    });
    const res = await rawRequest(address, '/db/neo4j/store', { timeoutMs: 5000, minRate });
    await sleep(2500); // nothing read for two and a half windows
    let got = 0;
    // then a writer that takes 64 KiB per 100 ms: about 3 s for the whole, far longer than a window
    for await (const c of res as AsyncIterable<Buffer>) {
      got += c.length;
      await sleep((c.length / (64 * 1024)) * 100);
    }
    expect(got).toBe(size);
  }, 20_000);

  it('an upload the member does not take fails; a body whose own source is slow does not', async () => {
    const silent = await serve(() => undefined); // reads nothing, answers nothing
    const endless = Readable.from((function* () {
      for (;;) yield Buffer.alloc(64 * 1024);
    })());
    const { error, ms } = await failure(rawRequest(silent, '/admin/db/neo4j/store', { method: 'PUT', body: endless, timeoutMs: 0, minRate }));
    expect(error.message).toMatch(/ is too slow: it took only \d+ bytes of the body of PUT \/admin\/db\/neo4j\/store in 1(\.\d)? s/);
    expect(ms).toBeLessThan(10_000);
    endless.destroy();

    const taker = await serve(async (req, res) => {
      const body = await readBody(req);
      res.end(JSON.stringify({ bytes: body.length }));
    });
    const slowSource = Readable.from((async function* () {
      yield Buffer.alloc(1000);
      await sleep(2500); // the disk, not the member
      yield Buffer.alloc(1000);
    })());
    const res = await rawRequest(taker, '/admin/db/neo4j/store', { method: 'PUT', body: slowSource, timeoutMs: 2000, minRate });
    expect(JSON.parse((await readBody(res)).toString())).toEqual({ bytes: 2000 });
  }, 20_000);
});

describe('a streamed upload is bounded from its start', () => {
  const minRate = { bytes: 4096, windowMs: 1000 };
  const endless = () =>
    Readable.from((function* () {
      for (;;) yield Buffer.alloc(64 * 1024);
    })());

  it('one that waits for a connection (the pool to this member is full) fails at its deadline', async () => {
    const silent = await serve(() => undefined); // takes connections, answers nothing
    // 64 requests hold every socket the client keeps for one member
    const holds = Array.from({ length: 64 }, () => new AbortController());
    const held = holds.map((h) => rawRequest(silent, '/status', { timeoutMs: 0, minRate: null, signal: h.signal }).catch((e: Error) => e));
    try {
      const body = endless();
      const { error, ms } = await failure(rawRequest(silent, '/admin/db/neo4j/store', { method: 'PUT', body, timeoutMs: 1000, minRate }));
      expect(error.message).toBe(`${silent} did not accept a connection for PUT /admin/db/neo4j/store within 1 s`);
      expect(ms).toBeLessThan(3000);
      expect(body.destroyed, 'the source is closed').toBe(true);
    } finally {
      for (const h of holds) h.abort();
      await Promise.all(held);
    }
  });

  it('one whose source stalls for good fails after four windows with IO_ERROR, not blaming the member', async () => {
    const taker = await serve(async (req, res) => res.end(String((await readBody(req)).length)));
    const stalled = new Readable({ read() {} }); // never gives a byte, never ends
    const { error, ms } = await failure(rawRequest(taker, '/admin/db/neo4j/store', { method: 'PUT', body: stalled, timeoutMs: 1000, minRate }));
    expect(isTxlineError(error, 'IO_ERROR'), String(error)).toBe(true);
    expect(error.message).toMatch(new RegExp(`^the body of PUT /admin/db/neo4j/store to ${taker.replace(/\./g, '\\.')} had nothing to send for 4(\\.\\d)? s \\(its source is stalled\\)$`));
    expect(ms).toBeGreaterThanOrEqual(3900);
    expect(ms).toBeLessThan(7000);
    expect(stalled.destroyed, 'the source is closed').toBe(true);
  }, 15_000);

  it('one whose source fails is refused with that failure (no uncaught exception)', async () => {
    const taker = await serve(async (req, res) => res.end(String((await readBody(req).catch(() => Buffer.alloc(0))).length)));
    const failing = Readable.from((async function* () {
      yield Buffer.alloc(1000);
      await sleep(100);
      throw Object.assign(new Error('read failed'), { code: 'EIO' });
    })());
    const { error } = await failure(rawRequest(taker, '/admin/db/neo4j/store', { method: 'PUT', body: failing, timeoutMs: 1000, minRate }));
    expect(isTxlineError(error, 'IO_ERROR'), String(error)).toBe(true);
    expect(error.message).toBe(`cannot read the body of PUT /admin/db/neo4j/store to ${taker}: read failed (EIO)`);
  });
});
