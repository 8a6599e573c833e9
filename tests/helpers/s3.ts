/**
 * A real S3-compatible server for tests: s3rver (npm) in its own process on 127.0.0.1, port 0, storing in a
 * temporary folder, with a bucket made through its own API. Its own process, so that a test measuring its
 * memory measures the client only, and so that a killed writer can be a separate process talking to it.
 * s3rver knows one account, access key S3RVER, secret S3RVER; it refuses another access key (InvalidAccessKeyId)
 * but does not verify SigV4 signatures, so a wrong secret passes there: startRefusingServer() answers as AWS does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3LocationOptions } from '@/lib/storage/s3';

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

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

let bucketSeq = 0;

export async function startS3(): Promise<TestS3> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-s3rver-'));
  const child = spawn(process.execPath, ['-e', SERVER_SCRIPT, dir], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`s3rver did not start within 20 s: ${err}`));
    }, 20_000);
    child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
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
      reject(new Error(`s3rver exited (${code}): ${err}`));
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
      const name = `txline-${process.pid}-${++bucketSeq}`;
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

/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
