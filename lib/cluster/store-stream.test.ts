/**
 * A compressed store from a slow disk: a source that gives zeros (the free pages of a store after a bulk
 * delete) slowly, sent by the member's own sendStore. Flushed, its bytes keep coming every second or two
 * where zstd alone holds them back for a whole 2 MiB job; over real HTTP at the floor speed the header of
 * ./watchdog.ts names (1 MiB/s of nothing but zeros), the client's watchdog takes it whole by the compressed
 * store's rule, and the throughput rule of raw streams (64 KiB per 15 s) would have failed it.
 */
import http from 'node:http';
import type net from 'node:net';
import { Readable, type Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { decompressor } from '../graph/codec';
import { isTxlineError } from '../errors';
import { rawRequest } from './client';
import { sendStore } from './store-stream';
import { COMPRESSED_STORE_MIN_RATE, DEFAULT_MIN_RATE } from './watchdog';

const MiB = 1024 * 1024;
const servers: http.Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A disk that reads `chunk` bytes of zeros every `everyMs`, `total` bytes in all. */
function slowZeros(total: number, chunk: number, everyMs: number): Readable {
  return Readable.from(
    (async function* () {
      for (let done = 0; done < total; done += chunk) {
        await sleep(everyMs);
        yield Buffer.alloc(Math.min(chunk, total - done));
      }
    })(),
  );
}

/** Where each piece of the compressed stream arrived (ms since start) and the bytes it decodes to. */
async function sendAndWatch(source: Readable, flushEveryMs: number): Promise<{ arrivals: number[]; decoded: number }> {
  const t0 = performance.now(); // (monotonic: a step of the wall clock would move the arrivals)
  const arrivals: number[] = [];
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(c: Buffer, _e, cb) {
      arrivals.push(performance.now() - t0);
      chunks.push(c);
      cb();
    },
  });
  await sendStore(source, sink, { compress: true, flushEveryMs });
  let decoded = 0;
  await pipeline(Readable.from(chunks), decompressor('zstd') as Transform, new Writable({
    write(c: Buffer, _e, cb) {
      if (c.some((b) => b !== 0)) return cb(new Error('decoded a byte that is not zero'));
      decoded += c.length;
      cb();
    },
  }));
  return { arrivals, decoded };
}

const longestGap = (times: number[]) => Math.max(...times.slice(1).map((t, i) => t - times[i]));

describe('a compressed store read slowly', () => {
  it('keeps coming every second or two when flushed; without the flush zstd holds back whole 2 MiB jobs', async () => {
    // 256 KiB every 500 ms (0.5 MiB/s) for 3 MiB
    const [flushed, unflushed] = await Promise.all([
      sendAndWatch(slowZeros(3 * MiB, 256 * 1024, 500), 1000),
      sendAndWatch(slowZeros(3 * MiB, 256 * 1024, 500), 0),
    ]);
    expect(flushed.decoded).toBe(3 * MiB);
    expect(unflushed.decoded).toBe(3 * MiB);
    // the first bytes within two seconds of the first read, then never more than two seconds apart
    expect(flushed.arrivals[0]).toBeLessThan(500 + 2500);
    expect(longestGap(flushed.arrivals), JSON.stringify(flushed.arrivals)).toBeLessThan(2500);
    expect(unflushed.arrivals[0], JSON.stringify(unflushed.arrivals)).toBeGreaterThanOrEqual(3500);
  }, 30_000);

  it("at 1 MiB/s of nothing but zeros, passes the compressed store's rule over HTTP, which 64 KiB per 15 s fails", async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/zstd' }); // no length: chunked, as the member sends it
      void sendStore(slowZeros(18 * MiB, MiB, 1000), res, { compress: true }).catch((e) => res.destroy(e));
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const fetchStore = async (minRate: typeof DEFAULT_MIN_RATE) => {
      const res = await rawRequest(address, '/db/neo4j/store?compress=zstd', { timeoutMs: 5000, minRate });
      let decoded = 0;
      await pipeline(res, decompressor('zstd') as Transform, new Writable({
        write(c: Buffer, _e, cb) {
          decoded += c.length;
          cb();
        },
      }));
      return decoded;
    };
    const [live, throughput] = await Promise.allSettled([fetchStore(COMPRESSED_STORE_MIN_RATE), fetchStore(DEFAULT_MIN_RATE)]);
    expect(live).toEqual({ status: 'fulfilled', value: 18 * MiB });
    expect(throughput.status).toBe('rejected');
    const error = (throughput as PromiseRejectedResult).reason;
    expect(isTxlineError(error, 'SOURCE_UNREACHABLE'), String(error)).toBe(true);
    expect(error.message).toMatch(/ is too slow: it sent only \d+ bytes of its answer to GET \/db\/neo4j\/store\?compress=zstd in 15(\.\d)? s \(the minimum is 64 KiB per 15 s\)$/);
  }, 60_000);
});

describe('a store whose snapshot ends while it is sent (its database was stopped)', () => {
  it('breaks off before its last bytes, uncompressed, or before its frame ends, compressed', async () => {
    const chunks = [Buffer.alloc(MiB, 1), Buffer.alloc(MiB, 2), Buffer.alloc(MiB, 3)];
    for (const compress of [false, true]) {
      const got: Buffer[] = [];
      const sink = new Writable({
        write(c: Buffer, _e, cb) {
          got.push(c);
          cb();
        },
      });
      const sent = sendStore(Readable.from(chunks), sink, { compress, stillValid: () => 'db was stopped while its store was sent' });
      await expect(sent, String(compress)).rejects.toMatchObject({ code: 'INCONSISTENT_STORE', message: 'db was stopped while its store was sent' });
      const bytes = Buffer.concat(got);
      if (!compress) expect(bytes.equals(Buffer.concat(chunks.slice(0, 2))), 'all but the last chunk').toBe(true);
      else await expect(pipeline(Readable.from([bytes]), decompressor('zstd') as Transform, new Writable({ write: (_c, _e, cb) => cb() }))).rejects.toThrow();
      // still valid: everything goes out
      const all: Buffer[] = [];
      await sendStore(Readable.from(chunks), new Writable({ write: (c: Buffer, _e, cb) => (all.push(c), cb()) }), { compress: false, stillValid: () => null });
      expect(Buffer.concat(all).equals(Buffer.concat(chunks))).toBe(true);
    }
  });
});
