/**
 * The storage contract (location-contract.ts) on S3-compatible object storage, against a real s3rver on
 * loopback (tests/helpers/s3.ts), and what only object storage has: multi-part uploads round-tripped byte for
 * byte, writers killed with SIGKILL in the middle of an upload, the errors of a wrong key, a missing bucket, an
 * unreachable endpoint and a denying server, and memory that stays flat while a large stream goes up.
 */
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import os from 'node:os';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TxlineError, describeError } from '@/lib/errors';
import { openLocation } from '@/lib/storage';
import { S3Location, parseS3Url } from '@/lib/storage/s3';
import { makeS3Client } from '@/lib/storage/s3/client';
import { PART_SIZE, partSizeFor } from '@/lib/storage/s3/upload';
import type { S3Lock } from '@/lib/storage/s3/lock';
import { closedPort, countingProxy, killedWriter, startRefusingServer, startS3, type TestS3 } from '../helpers/s3';
import { locationContract } from './location-contract';

const MIB = 1024 * 1024;

let s3: TestS3;
beforeAll(async () => {
  s3 = await startS3();
});
afterAll(async () => {
  await s3?.stop();
});

/** A fresh location: a new bucket, under a two-level prefix. */
async function freshLocation(extra: Parameters<TestS3['options']>[0] = {}): Promise<S3Location> {
  return new S3Location(`s3://${await s3.bucket()}/backups/prod`, s3.options(extra));
}

/** `mib` MiB of random bytes in 1 MiB chunks, hashed as they are produced. */
function randomStream(mib: number): { stream: Readable; sha256: () => string } {
  const h = createHash('sha256');
  let i = 0;
  const stream = new Readable({
    read() {
      if (i++ >= mib) return void this.push(null);
      const b = randomBytes(MIB);
      h.update(b);
      this.push(b);
    },
  });
  return { stream, sha256: () => h.digest('hex') };
}

locationContract('s3', {
  make: () => freshLocation(),
  async plantKilledWriter(loc) {
    await killedWriter(s3, loc, 'db-2026-01-01T00-00-00.backup', 40, 10);
  },
});

describe('an s3 location, beyond the contract', () => {
  it("its client streams a body up unchanged (checksums only when required: the SDK's default frames it in aws-chunked, which s3rver stores)", async () => {
    // write() goes through lib-storage, which sends each part as a buffer; a streamed PutObject (a sealed file
    // sent as it is read) is where the default corrupts: keep the client safe for it
    const bucket = await s3.bucket();
    const client = await makeS3Client(s3.options());
    try {
      const data = randomBytes(3 * MIB);
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'streamed', Body: Readable.from([data.subarray(0, MIB), data.subarray(MIB)]), ContentLength: data.length }));
      const back = Buffer.from(await ((await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'streamed' }))).Body?.transformToByteArray() ?? []));
      expect(back.length).toBe(data.length);
      expect(createHash('sha256').update(back).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    } finally {
      client.destroy();
    }
  });

  it('a lock whose lease another run took over is never renewed over it: it says it was lost, and leaves that lease', async () => {
    const bucket = await s3.bucket();
    const loc = new S3Location(`s3://${bucket}/backups/prod`, s3.options());
    const client = await makeS3Client(s3.options());
    const key = 'backups/prod/.txline-locks/neo4j.json';
    const lease = async () => JSON.parse(await ((await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString() ?? '')) as { token: string; expiresAt: number };
    try {
      const lock = (await loc.lock('neo4j', 'backup')) as S3Lock;
      const mine = await lease();
      await lock.renew();
      expect(lock.lost).toBeNull();
      expect((await lease()).token).toBe(mine.token);
      await expect(lock.confirm()).resolves.toBeUndefined();
      // another run judged it stale (not renewed for two minutes) and took it
      const theirs = { pid: 4242, host: 'elsewhere', what: 'prune', since: '2026-12-07T10:00:00.000Z', token: 'theirs', expiresAt: Date.now() + 120_000 };
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(theirs) }));
      await lock.renew();
      expect(lock.lost).toBe('taken over by prune, process 4242 on elsewhere, since 2026-12-07T10:00:00.000Z');
      expect(await lease()).toEqual(theirs);
      // nothing more is committed or deleted under it
      await expect(lock.confirm()).rejects.toMatchObject({
        code: 'BACKUP_IN_PROGRESS',
        message: `the lock of neo4j in s3://${bucket}/backups/prod was lost while this backup ran (taken over by prune, process 4242 on elsewhere, since 2026-12-07T10:00:00.000Z): nothing more of it is committed or deleted`,
      });
      await lock.release();
      expect(await lease()).toEqual(theirs);
      await expect(loc.lock('neo4j', 'backup')).rejects.toMatchObject({ code: 'BACKUP_IN_PROGRESS' });
    } finally {
      client.destroy();
    }
  });

  it('confirming a lock reads its lease then and there: taken over or removed since the last renewal, it is lost', async () => {
    const bucket = await s3.bucket();
    const loc = new S3Location(`s3://${bucket}/confirm`, s3.options());
    const client = await makeS3Client(s3.options());
    const key = (db: string) => `confirm/.txline-locks/${db}.json`;
    try {
      const taken = (await loc.lock('neo4j', 'prune')) as S3Lock;
      const theirs = { pid: 77, host: 'other-host', what: 'backup', since: '2026-12-07T11:00:00.000Z', token: 'theirs', expiresAt: Date.now() + 120_000 };
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key('neo4j'), Body: JSON.stringify(theirs) }));
      // no renewal ran in between: confirm() finds out by itself
      expect(taken.lost).toBeNull();
      await expect(taken.confirm()).rejects.toMatchObject({ code: 'BACKUP_IN_PROGRESS', message: expect.stringContaining('was lost while this prune ran (taken over by backup, process 77 on other-host') });
      expect(taken.lost).toMatch(/^taken over by backup/);
      await taken.release();

      const removed = (await loc.lock('system', 'delete')) as S3Lock;
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key('system') }));
      await expect(removed.confirm()).rejects.toMatchObject({ code: 'BACKUP_IN_PROGRESS', message: expect.stringContaining('was lost while this delete ran (removed by another run)') });
      await removed.release();
      // and the database is free again for the next run
      const next = await loc.lock('system', 'delete');
      await expect(next.confirm()).resolves.toBeUndefined();
      await next.release();
    } finally {
      client.destroy();
    }
  });

  it("confirming a lease that must be renewed and cannot be fails with the storage's own error", async () => {
    let refuseLeases = false;
    const proxy = await countingProxy(s3.endpoint, { refuse: (method, url) => refuseLeases && method === 'PUT' && url.includes('.txline-locks') });
    const bucket = await s3.bucket();
    const loc = new S3Location(`s3://${bucket}/renew`, s3.options({ endpoint: proxy.endpoint }));
    try {
      const lock = (await loc.lock('neo4j', 'backup')) as S3Lock;
      await expect(lock.confirm()).resolves.toBeUndefined();
      // 61 s later (the timer's renewals did not run, as in a paused process), with leases no longer writable
      refuseLeases = true;
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + 61_000);
      await expect(lock.confirm()).rejects.toMatchObject({
        code: 'STORAGE_ACCESS_DENIED',
        message: expect.stringMatching(new RegExp(`^the lock of neo4j in s3://${bucket}/renew could not be renewed \\(.*\\); its lease ends .*: nothing more of this backup is committed or deleted$`)),
      });
      expect(lock.lost).toBeNull();
      // writable again, the renewal goes through and the lease is confirmed
      refuseLeases = false;
      await expect(lock.confirm()).resolves.toBeUndefined();
      vi.useRealTimers();
      await lock.release();
    } finally {
      vi.useRealTimers();
      await proxy.stop();
    }
  });

  it('round-trips a multi-part object byte for byte', async () => {
    const loc = await freshLocation();
    const src = randomStream(20); // 20 MiB: parts of 8, 8 and 4 MiB
    const w = await loc.write('db-2026-01-01T00-00-00.backup');
    await pipeline(src.stream, w.sink);
    const name = await w.commit();
    expect((await loc.stat(name))?.size).toBe(20 * MIB);
    const back = createHash('sha256');
    await pipeline(await loc.read(name, {}, { expectSize: 20 * MIB }), back);
    expect(back.digest('hex')).toBe(src.sha256());
    // a range across a part boundary, and the head with the whole size
    const head = await loc.readHead(name, 4096);
    expect(head.size).toBe(20 * MIB);
    const mid = createHash('sha256');
    await pipeline(await loc.read(name, { start: 8 * MIB - 100, end: 8 * MIB + 100 }), mid);
    expect(mid.digest('hex')).toHaveLength(64);
  });

  it('never shows a writer killed at random moments of its upload; the next write works; leftovers are reported and cleaned', async () => {
    const loc = await freshLocation();
    const name = 'db-2026-01-01T00-00-00.backup';
    const moments = [1, 9 + Math.floor(Math.random() * 8), 17 + Math.floor(Math.random() * 14)];
    for (const at of moments) {
      await killedWriter(s3, loc, name, 32, at);
      expect(await loc.list(), `killed after ${at} MiB`).toEqual([]);
    }
    const w = await loc.write(name);
    w.sink.end(Buffer.alloc(1000, 7));
    const written = await w.commit();
    expect((await loc.list()).map((e) => [e.name, e.size])).toEqual([[written, 1000]]);
    const cleaned = await loc.cleanLeftovers();
    console.log(`s3 leftovers of ${moments.length} killed writers (at ${moments.join(', ')} MiB):\n  ${cleaned.join('\n  ')}`);
    expect(cleaned).toHaveLength(moments.length);
    // s3rver neither lists nor aborts multipart uploads: said so, per killed writer, and not thrown
    for (const line of cleaned) expect(line).toMatch(/left by process \d+ on .*: the server does not implement ListMultipartUploads|nothing of it was left/);
    expect(await loc.cleanLeftovers()).toEqual([]);
    expect((await loc.list()).map((e) => e.name)).toEqual([written]);
  }, 120_000);

  it("leaves a running writer's upload alone, and reports an abort the server refuses instead of failing", async () => {
    const loc = await freshLocation();
    const w = await loc.write('db-2026-01-01T00-00-00.backup');
    await new Promise<void>((resolve, reject) => w.sink.write(randomBytes(20 * MIB), (e) => (e ? reject(e) : resolve())));
    expect(await loc.cleanLeftovers()).toEqual([]); // its process (this one) is running
    await w.abort(); // s3rver refuses AbortMultipartUpload: no throw
    expect(await loc.list()).toEqual([]);
    const cleaned = await loc.cleanLeftovers();
    expect(cleaned).toHaveLength(1);
    expect(cleaned[0]).toMatch(/server refused to abort the incomplete upload of s3:\/\/.*\/backups\/prod\/db-2026-01-01T00-00-00\.backup .*MethodNotAllowed/);
    expect(await loc.cleanLeftovers()).toEqual([]);
  });

  it("trusts nothing of a marker found in the bucket: odd content is an unknown writer's, judged by its age", async () => {
    const bucket = await s3.bucket();
    const put = (key: string, body: string) => s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: `backups/prod/.txline-uploads/${key}`, Body: body }));
    await put('db-2026-01-01T00-00-00.backup.0zz.json', JSON.stringify({ host: 'evil\nhost: spoofed line', pid: 1, started: 'x' }));
    await put('db-2026-01-02T00-00-00.backup.0zz.json', 'x'.repeat(100_000));
    await put('not-a-marker.txt', 'left alone');
    const young = new S3Location(`s3://${bucket}/backups/prod`, s3.options());
    expect(await young.cleanLeftovers()).toEqual([]); // another host's, maybe running: not before the grace period
    const old = new S3Location(`s3://${bucket}/backups/prod`, s3.options({ leftoverGraceMs: 0 }));
    const cleaned = await old.cleanLeftovers();
    expect(cleaned).toHaveLength(2);
    for (const line of cleaned) expect(line).toMatch(/^could not look for the incomplete upload of s3:\/\/[^\n]*left by an unknown writer: the server does not implement ListMultipartUploads[^\n]*$/);
    expect(await old.cleanLeftovers()).toEqual([]);
  });

  it('takes a fresh name while another writer of the same name is uploading, and never replaces it', async () => {
    const loc = await freshLocation();
    const a = await loc.write('db-2026-01-01T00-00-00.backup');
    const b = await loc.write('db-2026-01-01T00-00-00.backup');
    b.sink.end(Buffer.from('second'));
    a.sink.end(Buffer.from('first'));
    expect(await b.commit()).toBe('db-2026-01-01T00-00-00-1.backup');
    expect(await a.commit()).toBe('db-2026-01-01T00-00-00.backup');
    const got = await Promise.all((await loc.list()).map(async (e) => [e.name, (await loc.readHead(e.name, 100)).bytes.toString()]));
    expect(got.sort()).toEqual([
      ['db-2026-01-01T00-00-00-1.backup', 'second'],
      ['db-2026-01-01T00-00-00.backup', 'first'],
    ]);
  });

  it('keeps memory flat while a large stream goes up', async () => {
    const loc = await freshLocation();
    const mib = 256;
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const started = Date.now();
    try {
      const w = await loc.write('db-2026-01-01T00-00-00.backup');
      // the same zeroed MiB over and over: the test itself holds nothing but one chunk
      const chunk = Buffer.alloc(MIB, 1);
      let i = 0;
      await pipeline(new Readable({ read() { this.push(i++ < mib ? chunk : null); } }), w.sink);
      const name = await w.commit();
      expect((await loc.stat(name))?.size).toBe(mib * MIB);
    } finally {
      clearInterval(timer);
    }
    const growth = (peak - before) / MIB;
    const secs = (Date.now() - started) / 1000;
    console.log(`s3 upload of ${mib} MiB: ${(mib / secs).toFixed(1)} MiB/s, RSS growth at peak ${growth.toFixed(1)} MiB (parts of 8 MiB, 3 at a time)`);
    expect(growth).toBeLessThan(150);
  }, 120_000);
});

describe('an s3 location fails clearly, naming the location and never a secret', () => {
  const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCY-not-the-key';

  async function failure(p: Promise<unknown>): Promise<TxlineError> {
    const started = Date.now();
    const e = await p.then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(TxlineError);
    expect(Date.now() - started).toBeLessThan(10_000);
    const all = `${describeError(e)} ${JSON.stringify(e)} ${String((e as Error).stack)}`;
    expect(all).not.toContain(SECRET);
    return e as TxlineError;
  }

  it('wrong credentials: an unknown access key (s3rver), a wrong secret (a server answering as AWS does)', async () => {
    const bucket = await s3.bucket();
    const unknown = new S3Location(`s3://${bucket}/backups`, s3.options({ credentials: { accessKeyId: 'NOBODY', secretAccessKey: SECRET } }));
    const e = await failure(unknown.list());
    expect(e.code).toBe('STORAGE_CREDENTIALS_REJECTED');
    expect(e.message).toMatch(new RegExp(`^s3://${bucket}/backups: listing failed: the server rejected the credentials \\(InvalidAccessKeyId\\)`));
    expect((await failure(unknown.write('db-2026-01-01T00-00-00.backup'))).code).toBe('STORAGE_CREDENTIALS_REJECTED');
    const refusing = await startRefusingServer('SignatureDoesNotMatch');
    try {
      const loc = new S3Location('s3://bucket/backups', { endpoint: refusing.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET } });
      const w = await failure(loc.readHead('db-2026-01-01T00-00-00.backup', 512));
      expect(w.code).toBe('STORAGE_CREDENTIALS_REJECTED');
      expect(w.message).toMatch(/^s3:\/\/bucket\/backups: reading db-2026-01-01T00-00-00\.backup failed: the server rejected the credentials \(SignatureDoesNotMatch\)/);
    } finally {
      await refusing.stop();
    }
  });

  it('a missing bucket', async () => {
    const loc = new S3Location('s3://no-such-bucket/backups', s3.options());
    const e = await failure(loc.list());
    expect(e.code).toBe('PATH_NOT_FOUND');
    expect(e.message).toMatch(/^s3:\/\/no-such-bucket\/backups: the bucket does not exist/);
    expect((await failure(loc.readHead('db-2026-01-01T00-00-00.backup', 10))).code).toBe('PATH_NOT_FOUND');
  });

  it('an unreachable endpoint, within seconds', async () => {
    const port = await closedPort();
    const loc = new S3Location('s3://bucket/backups', { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET } });
    const e = await failure(loc.list());
    expect(e.code).toBe('STORAGE_UNREACHABLE');
    expect(e.message).toBe(`s3://bucket/backups: http://127.0.0.1:${port} cannot be reached while listing (ECONNREFUSED)`);
    expect((await failure(loc.write('db-2026-01-01T00-00-00.backup'))).code).toBe('STORAGE_UNREACHABLE');
  });

  it('a server that accepts connections and never answers: each request is bounded in time', async () => {
    const sockets: Socket[] = [];
    const silent = net.createServer((sock) => void sockets.push(sock));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const loc = new S3Location('s3://bucket/backups', { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET }, smallRequestTimeoutMs: 500 });
      const e = await failure(loc.list());
      expect(e.code).toBe('STORAGE_UNREACHABLE');
      expect(e.message).toBe(`s3://bucket/backups: http://127.0.0.1:${port} did not answer in time while listing (ETIMEDOUT)`);
      expect(sockets.length).toBe(3); // three attempts, then the error
    } finally {
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a download cut in the middle fails the reader with an error naming the location', async () => {
    const cutting = http.createServer((req, res) => {
      res.writeHead(206, { 'content-length': '100000', 'content-range': 'bytes 0-99999/100000', etag: '"x"' });
      res.write(Buffer.alloc(10_000, 1), () => res.socket?.destroy());
    });
    await new Promise<void>((resolve) => cutting.listen(0, '127.0.0.1', resolve));
    const { port } = cutting.address() as AddressInfo;
    try {
      const loc = new S3Location('s3://bucket/backups', { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET } });
      const stream = await loc.read('db-2026-01-01T00-00-00.backup', { start: 0, end: 100_000 });
      const e = await failure(pipeline(stream, createHash('sha256')));
      expect(e.code).toBe('STORAGE_UNREACHABLE');
      expect(e.message).toBe(`s3://bucket/backups: http://127.0.0.1:${port} closed the connection while reading db-2026-01-01T00-00-00.backup (ECONNRESET)`);
    } finally {
      await new Promise<void>((resolve) => cutting.close(() => resolve()));
    }
  });

  it('a download that stops coming, the connection kept open, fails within the request timeout', async () => {
    const sockets: Socket[] = [];
    const stalling = http.createServer((req, res) => {
      sockets.push(req.socket);
      res.writeHead(206, { 'content-length': '100000', 'content-range': 'bytes 0-99999/100000', etag: '"x"' });
      res.write(Buffer.alloc(10_000, 1)); // and nothing more, ever
    });
    await new Promise<void>((resolve) => stalling.listen(0, '127.0.0.1', resolve));
    const { port } = stalling.address() as AddressInfo;
    try {
      const loc = new S3Location('s3://bucket/backups', { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET }, requestTimeoutMs: 1_500 });
      const stream = await loc.read('db-2026-01-01T00-00-00.backup', { start: 0, end: 100_000 });
      const t0 = performance.now();
      const e = await failure(pipeline(stream, createHash('sha256')));
      const waited = performance.now() - t0;
      expect(e.code).toBe('STORAGE_UNREACHABLE');
      expect(e.message).toContain('s3://bucket/backups');
      expect(e.message).toContain('db-2026-01-01T00-00-00.backup');
      expect(waited).toBeGreaterThanOrEqual(1_000);
      expect(waited).toBeLessThan(10_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => stalling.close(() => resolve()));
    }
  });

  it('a server that denies access', async () => {
    const denying = await startRefusingServer("AccessDenied");
    try {
      const loc = new S3Location('s3://bucket/backups', { endpoint: denying.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET } });
      const calls = [() => loc.list(), () => loc.readHead('db-2026-01-01T00-00-00.backup', 10), () => loc.write('db-2026-01-01T00-00-00.backup'), () => loc.delete('db-2026-01-01T00-00-00.backup')];
      for (const call of calls) {
        const e = await failure(call());
        expect(e.code).toBe('STORAGE_ACCESS_DENIED');
        expect(e.message).toMatch(/^s3:\/\/bucket\/backups: access denied while .* \(AccessDenied\)/);
      }
      expect(denying.requests()).toBeGreaterThan(0);
    } finally {
      await denying.stop();
    }
  });
});

describe('the S3 client of a location', () => {
  it('reads the endpoint from AWS_ENDPOINT_URL_S3 (then AWS_ENDPOINT_URL) with path-style addressing, the region from the profile or us-east-1, and checksums only when required', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-aws-'));
    try {
      vi.stubEnv('AWS_REGION', undefined as unknown as string);
      vi.stubEnv('AWS_DEFAULT_REGION', undefined as unknown as string);
      vi.stubEnv('AWS_PROFILE', undefined as unknown as string);
      vi.stubEnv('AWS_CONFIG_FILE', path.join(dir, 'none'));
      vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', path.join(dir, 'none'));
      vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.2:9000');
      vi.stubEnv('AWS_ENDPOINT_URL_S3', 'http://127.0.0.1:9001');
      let c = await makeS3Client({});
      expect(await c.config.region()).toBe('us-east-1');
      expect(c.config.forcePathStyle).toBe(true);
      expect((await c.config.endpoint?.())?.hostname).toBe('127.0.0.1');
      expect((await c.config.endpoint?.())?.port).toBe(9001);
      expect(await c.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
      expect(await c.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
      c.destroy();
      vi.stubEnv('AWS_ENDPOINT_URL_S3', '');
      fs.writeFileSync(path.join(dir, 'config'), '[default]\nregion = eu-west-3\n');
      vi.stubEnv('AWS_CONFIG_FILE', path.join(dir, 'config'));
      c = await makeS3Client({});
      expect(await c.config.region()).toBe('eu-west-3');
      expect((await c.config.endpoint?.())?.port).toBe(9000);
      c.destroy();
      await expect(makeS3Client({ endpoint: 'http://user:pw@127.0.0.1:9000' })).rejects.toThrow(/must not hold credentials/);
      await expect(makeS3Client({ endpoint: 'ftp://127.0.0.1' })).rejects.toMatchObject({ code: 'USAGE' });
    } finally {
      vi.unstubAllEnvs();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the part size of an upload', () => {
  it('is 8 MiB up to 70 GiB, then grows so that no object needs more than 9,000 parts; past S3\u2019s largest object it is refused', () => {
    const MiB = 1024 ** 2;
    const GiB = 1024 ** 3;
    expect(partSizeFor()).toBe(PART_SIZE);
    expect(PART_SIZE).toBe(8 * MiB);
    for (const size of [0, 1, 8 * MiB, 70 * GiB]) expect(partSizeFor(size)).toBe(PART_SIZE);
    for (const size of [78 * GiB, 100 * GiB, 1024 * GiB, 5 * 1024 * GiB]) {
      const part = partSizeFor(size);
      expect(part % MiB).toBe(0);
      expect(part).toBeGreaterThan(PART_SIZE);
      expect(Math.ceil(size / part), `${size / GiB} GiB in parts of ${part / MiB} MiB`).toBeLessThanOrEqual(9_000);
      expect(part).toBeLessThanOrEqual(5 * GiB);
    }
    expect(partSizeFor(1024 * GiB)).toBe(117 * MiB);
    for (const size of [5 * 1024 * GiB + 1, 10 * 1024 * GiB]) expect(() => partSizeFor(size)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('s3:// URLs', () => {
  it.each([
    ['s3://bucket', { bucket: 'bucket', prefix: '' }],
    ['s3://my.bucket-1/a/b/', { bucket: 'my.bucket-1', prefix: 'a/b' }],
    ['S3://bucket/prod/neo4j_2026=x', { bucket: 'bucket', prefix: 'prod/neo4j_2026=x' }],
  ])('%s is read as %j', (url, want) => {
    expect(parseS3Url(url)).toEqual(want);
  });

  it.each([
    ['s3://', /no bucket/],
    ['s3:///prefix', /no bucket/],
    ['s3://Bucket/x', /not a bucket name/],
    ['s3://ab/x', /not a bucket name/],
    ['s3://bucket/a/../b', /a "\.\." segment/],
    ['s3://bucket/./b', /a "\." segment/],
    ['s3://bucket/a//b', /empty path segment/],
    ['s3://bucket/a b', /spaces/],
    ['s3://bucket/a,b', /comma/],
    ['s3://bucket/a?x=1', /query/],
    ['s3://bucket/a%2e%2e', /character outside/],
    ['s3://bucket/é', /control characters|character outside/],
  ])('%s is refused: %s', (url, why) => {
    expect(() => parseS3Url(url)).toThrow(why);
    expect(() => parseS3Url(url)).toThrow(TxlineError);
  });

  it('never echoes a URL that holds credentials', () => {
    let e: unknown = null;
    try {
      parseS3Url(`s3://AKID:${'x'.repeat(8)}SECRET@bucket/x`);
    } catch (x) {
      e = x;
    }
    expect(e).toMatchObject({ code: 'USAGE' });
    expect((e as Error).message).not.toContain('SECRET');
    expect((e as Error).message).toMatch(/credentials .* do not belong in the URL/);
  });

  it('openLocation gives an S3 location for s3:// (no sync reads, no local folder), and refuses other schemes', () => {
    const loc = openLocation('s3://bucket/prefix/');
    expect(loc).toBeInstanceOf(S3Location);
    expect(loc.describe()).toBe('s3://bucket/prefix');
    expect(loc.addressOf('db-2026-01-01T00-00-00.backup')).toBe('s3://bucket/prefix/db-2026-01-01T00-00-00.backup');
    expect(loc.sync).toBeUndefined();
    expect(loc.localFolder).toBeUndefined();
    expect(() => openLocation('gs://bucket/prefix')).toThrow(/gs:\/\/ locations are not supported/);
    expect(() => openLocation('s3://bucket/../x')).toThrow(/"\.\." segment/);
  });
});
