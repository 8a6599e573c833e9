/**
 * A real S3-compatible server for tests: s3rver (npm) in its own process on 127.0.0.1, port 0, storing in a
 * temporary folder, with a bucket made through its own API. Its own process, so that a test measuring its
 * memory measures the client only, and so that a killed writer can be a separate process talking to it.
 * s3rver knows one account, access key S3RVER, secret S3RVER; it refuses another access key (InvalidAccessKeyId)
 * but does not verify SigV4 signatures, so a wrong secret passes there: startRefusingServer() answers as AWS does.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { fileURLToPath } from 'node:url';
import type { Location } from '@/lib/storage/location';
import type { S3LocationOptions } from '@/lib/storage/s3';
import { S3Context } from '@/lib/storage/s3/context';
import { noteKey } from '@/lib/storage/s3/notes';
import { encodeArtifactNote } from '@/lib/engine/artifact-note';
import { METADATA_BYTES } from '@/lib/engine/artifact';

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * The standard AWS variables that point an AWS SDK client (Txline's S3 locations, a spawned CLI or job, a
 * neo4j-admin stand-in) at `endpoint` with s3rver's account, as a server's environment would.
 */
export function s3rverEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** Sets `vars` in this process's environment; the function it returns puts back what was there (unset what was not). */
export function setProcessEnv(vars: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

export interface TestS3 {
  endpoint: string;
  port: number;
  /** where s3rver keeps its files */
  dir: string;
  /** options that reach this server with the right credentials */
  options(extra?: Partial<S3LocationOptions>): S3LocationOptions;
  /** a new bucket (random name) */
  bucket(): Promise<string>;
  client: S3Client;
  stop(): Promise<void>;
}

const SERVER_SCRIPT = `
const S3rver = require('s3rver');
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.argv[1] });
server.run().then((a) => process.stdout.write(JSON.stringify({ port: a.port }) + '\\n'), (e) => { console.error(e); process.exit(1); });
process.on('disconnect', () => process.exit(0));
`;

/**
 * moto's S3 (Python), where it is installed: unlike s3rver it lists and aborts multipart uploads and honours
 * `If-None-Match: *` on PUT and on completing an upload (412). It accepts any credentials.
 */
const MOTO_SCRIPT = `
import sys
from werkzeug.serving import make_server
from moto.server import DomainDispatcherApplication, create_backend_app
srv = make_server('127.0.0.1', 0, DomainDispatcherApplication(create_backend_app), threaded=True)
print('{"port": %d}' % srv.server_port, flush=True)
srv.serve_forever()
`;

/** Whether moto's server can run here (python3 with moto, flask and werkzeug). */
export function motoAvailable(): boolean {
  return spawnSync('python3', ['-c', 'import moto.server, werkzeug.serving'], { stdio: 'ignore', timeout: 30_000 }).status === 0;
}

let bucketSeq = 0;

export async function startS3(server: 's3rver' | 'moto' = 's3rver'): Promise<TestS3> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `txline-${server}-`));
  const child =
    server === 'moto'
      ? spawn('python3', ['-c', MOTO_SCRIPT], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
      : // --openssl-legacy-provider: s3rver makes its listings' continuation tokens with DES, which OpenSSL 3 leaves
        // out; without it every listing of more than 1,000 keys fails (HTTP 500)
        spawn(process.execPath, ['--openssl-legacy-provider', '-e', SERVER_SCRIPT, dir], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${server} did not start within 30 s: ${err}`));
    }, 30_000);
    child.stderr?.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${server} exited (${code}): ${err}`));
    });
  });
  child.stdout?.resume();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: S3RVER_CREDENTIALS, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  return {
    endpoint,
    port,
    dir,
    client,
    options: (extra = {}) => ({ endpoint, region: 'us-east-1', credentials: S3RVER_CREDENTIALS, ...extra }),
    async bucket() {
      const name = `txline-${process.pid}-${++bucketSeq}-${server}`;
      await client.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    },
    async stop() {
      client.destroy();
      await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * A small HTTP server on 127.0.0.1 that answers every request as S3 refuses one: 403 with an S3 error XML body,
 * `AccessDenied` as a policy that denies the bucket does, `SignatureDoesNotMatch` as AWS does for a wrong secret.
 * (A real peer on the wire, for the client's error paths.)
 */
export async function startRefusingServer(code: 'AccessDenied' | 'SignatureDoesNotMatch' = 'AccessDenied'): Promise<{ endpoint: string; requests: () => number; stop(): Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    n++;
    req.resume();
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>refused by the test server</Message><RequestId>TXLINE0TEST</RequestId></Error>`;
    res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': 'TXLINE0TEST' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => n,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const WRITER_CHILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../storage/s3-writer-child.ts');

/**
 * Starts the writer child (tests/storage/s3-writer-child.ts) on `loc` of the server `s3` (through the standard environment variables) and SIGKILLs it once it has
 * handed `killAt` MiB to the sink, or once `killAt()` says so (asked after each MiB); resolves with what it printed.
 */
export async function killedWriter(s3: TestS3, loc: Location, name: string, totalMiB: number, killAt: number | (() => Promise<boolean>)): Promise<string> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
  delete env.NODE_OPTIONS;
  delete env.AWS_PROFILE;
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER_CHILD, loc.describe(), name, String(totalMiB)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the writer was not killed within 30 s; it printed: ${out}\n${err}`));
    }, 30_000);
    let asking = false;
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const wrote = [...out.matchAll(/^wrote (\d+)$/gm)].map((m) => Number(m[1]));
      if (typeof killAt === 'number') {
        if ((wrote.at(-1) ?? 0) >= killAt) child.kill('SIGKILL');
      } else if (!asking && wrote.length > 0) {
        asking = true;
        killAt().then(
          (now) => {
            asking = false;
            if (now) child.kill('SIGKILL');
          },
          (e: unknown) => {
            child.kill('SIGKILL');
            reject(e instanceof Error ? e : new Error(String(e)));
          },
        );
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(out);
      else reject(new Error(`the writer ended on its own (${code}) before it was killed: ${out}\n${err}`));
    });
  });
}

/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** What a counting proxy saw: requests by method, GETs with and without a Range, and the bytes it sent back. */
export interface ProxyCounts {
  requests: number;
  byMethod: Record<string, number>;
  /** GETs of an object with a Range header, and the ranges asked for */
  rangedGets: number;
  ranges: Map<string, number>;
  /** GETs of an object without a Range (a whole object) */
  wholeGets: number;
  /** listings (GET of the bucket with list-type=2) */
  listings: number;
  /** bytes of the answers' bodies */
  bytesOut: number;
}

/**
 * A proxy (countingProxy) in front of `target` that, from the third read of `database`'s lease on (a run's first
 * two are its own: none there yet, then its read back), answers with the lease of another run (`what`, process
 * 4242 on host `elsewhere`), as if that run had judged this one's stale and taken it over. `again()` counts the
 * reads from zero, for the next run.
 */
export async function leaseTakenOverProxy(target: string, database: string, what: string): Promise<Awaited<ReturnType<typeof countingProxy>> & { again(): void }> {
  let reads = 0;
  const theirs = JSON.stringify({ pid: 4242, host: 'elsewhere', what, since: '2026-12-07T10:00:00.000Z', token: 'theirs', expiresAt: Date.now() + 600_000 });
  const proxy = await countingProxy(target, {
    answer: (method, url) => (method === 'GET' && url.includes(`/.txline-locks/${database}.json`) && ++reads >= 3 ? theirs : null),
  });
  return Object.assign(proxy, { again: () => (reads = 0) });
}

/**
 * A real HTTP proxy on 127.0.0.1 in front of an S3-compatible server: forwards every request as it is, and counts
 * what passes (requests, ranged reads, bytes sent back). `refuse(method, url)`: answer that request 403
 * AccessDenied instead, as a bucket policy that denies it would (a key that may list and read but not write).
 * `answer(method, url)`: a body to answer that request with (200, JSON) instead of asking the server, as if
 * another program had put it there just before (the server's copy stays as it is).
 */
export async function countingProxy(
  target: string,
  opts: { refuse?: (method: string, url: string) => boolean; answer?: (method: string, url: string) => string | null } = {},
): Promise<{ endpoint: string; counts: ProxyCounts; reset(): void; stop(): Promise<void> }> {
  const to = new URL(target);
  const fresh = (): ProxyCounts => ({ requests: 0, byMethod: {}, rangedGets: 0, ranges: new Map(), wholeGets: 0, listings: 0, bytesOut: 0 });
  let counts = fresh();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const c = counts;
    c.requests++;
    const method = req.method ?? 'GET';
    c.byMethod[method] = (c.byMethod[method] ?? 0) + 1;
    const url = req.url ?? '/';
    if (opts.refuse?.(method, url)) {
      req.resume();
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>TXLINE0PROXY</RequestId></Error>`;
      res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const forged = opts.answer?.(method, url) ?? null;
    if (forged !== null) {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(forged), etag: '"forged"' });
      res.end(forged);
      return;
    }
    if (method === 'GET') {
      if (/[?&]list-type=2/.test(url)) c.listings++;
      else if (req.headers.range) {
        c.rangedGets++;
        c.ranges.set(req.headers.range, (c.ranges.get(req.headers.range) ?? 0) + 1);
      } else c.wholeGets++;
    }
    const up = http.request({ host: to.hostname, port: to.port, method, path: url, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.on('data', (chunk: Buffer) => (c.bytesOut += chunk.length));
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get counts() {
      return counts;
    },
    reset() {
      counts = fresh();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Puts `count` objects named `<database>-<time>.backup` (one second apart) under `prefix` of `bucket`, straight
 * into s3rver's own store on disk (its file layout: `<key>._S3rver_object`, `.md5`, `metadata.json`), each a hard
 * link to one of `sources` (artifact files) in turn: 10,000 artifacts in a few seconds, where PUTs through its
 * API take about a minute. s3rver serves them as it serves what was uploaded (it reads its folder on every request).
 */
export function seedS3rverObjects(s3: TestS3, bucket: string, prefix: string, sources: string[], count: number, database = 'neo4j'): string[] {
  const dir = path.join(s3.dir, bucket, ...prefix.split('/').filter(Boolean));
  fs.mkdirSync(dir, { recursive: true });
  const md5s = sources.map((f) => createHash('md5').update(fs.readFileSync(f)).digest('hex'));
  const meta = JSON.stringify({ 'content-type': 'application/octet-stream' });
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${database}-${new Date(t0 + i * 1000).toISOString().slice(0, 19).replace(/:/g, '-')}.backup`;
    const base = path.join(dir, `${name}._S3rver_`);
    fs.linkSync(sources[i % sources.length], `${base}object`);
    fs.writeFileSync(`${base}object.md5`, md5s[i % sources.length]);
    fs.writeFileSync(`${base}metadata.json`, meta);
    names.push(name);
  }
  return names;
}

/**
 * Seeds the index notes (lib/storage/s3/notes.ts) of objects seeded by seedS3rverObjects straight into s3rver's
 * store, as a Txline writer would have put them after each commit: one empty object per artifact, whose key holds
 * the artifact's metadata. `sources` and `names` as seedS3rverObjects took and returned them.
 */
export function seedS3rverNotes(s3: TestS3, bucket: string, prefix: string, sources: string[], names: string[]): void {
  const ctx = new S3Context(bucket, prefix ? `${prefix.replace(/\/+$/, '')}/` : '', `s3://${bucket}/${prefix}`, s3.endpoint, () => Promise.reject(new Error('not used')));
  const notes = sources.map((f) => {
    const bytes = fs.readFileSync(f);
    return { size: bytes.length, etag: createHash('md5').update(bytes).digest('hex'), note: encodeArtifactNote(bytes.toString('utf8', 512, 512 + METADATA_BYTES)) };
  });
  const empty = createHash('md5').digest('hex');
  const meta = JSON.stringify({ 'content-type': 'application/octet-stream' });
  names.forEach((name, i) => {
    const n = notes[i % notes.length];
    const key = noteKey(ctx, name, n.size, n.etag, n.note);
    if (!key) throw new Error(`the note of ${name} does not fit a key`);
    const base = path.join(s3.dir, bucket, ...key.split('/'));
    fs.mkdirSync(path.dirname(base), { recursive: true });
    fs.writeFileSync(`${base}._S3rver_object`, '');
    fs.writeFileSync(`${base}._S3rver_object.md5`, empty);
    fs.writeFileSync(`${base}._S3rver_metadata.json`, meta);
  });
}
