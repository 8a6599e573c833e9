/**
 * Test bed: a real embedded cluster (member processes on free loopback ports, files in a temporary folder).
 *
 * Test clusters share one token, TEST_TOKEN, set as TXLINE_CLUSTER_TOKEN is in production: this process's
 * clients send it to loopback addresses (every test cluster's), and the CLI processes a test starts inherit it
 * (they send it to the cluster they are given and to their --from/--to/--server, as a user's would).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemberClient, type DatabaseStatus } from '../../lib/cluster/client';
import { splitAddress } from '../../lib/net/address';
import type { Digest } from '../../lib/graph/store';
import { ClusterSupervisor, type ClusterOptions } from '../../lib/cluster/supervisor';
import { setClusterToken } from '../../lib/cluster/token';

export const TEST_TOKEN = (process.env.TXLINE_CLUSTER_TOKEN ||= `test-${randomBytes(16).toString('hex')}`);
setClusterToken(TEST_TOKEN, (address) => /^(?:127\.|localhost:|\[::1\]:)/i.test(address));
/** The Content-Type of a JSON body (rawHttp adds the token itself). */
export const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export interface TestCluster {
  dir: string;
  sup: ClusterSupervisor;
  /** member clients by id */
  clients: Record<string, MemberClient>;
  writer: MemberClient;
  addresses: string[];
  stop(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `txline-${prefix}-`));
}

/** The temporary folders of one test file: `folder(name)` makes one, `removeAll()` (in afterAll) removes them. */
export function tempFolders(prefix: string) {
  const made: string[] = [];
  return {
    folder: (name: string): string => {
      const d = tempDir(`${prefix}-${name}`);
      made.push(d);
      return d;
    },
    removeAll: (): void => {
      for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    },
  };
}

/** A real cluster on free loopback ports, with TEST_TOKEN (or `opts.token`: then its clients send that one). */
export async function startTestCluster(opts: Partial<ClusterOptions> = {}): Promise<TestCluster> {
  const dir = opts.dataDir ?? tempDir('cluster');
  const sup = new ClusterSupervisor({ basePort: 0, output: 'file', token: TEST_TOKEN, ...opts, dataDir: dir });
  await sup.start();
  const clients = Object.fromEntries(sup.info().members.map((m) => [m.id, new MemberClient(m.address, opts.token)]));
  try {
    // Members serve as soon as they start; followers copy the writer's databases a moment later.
    await waitForDatabases(Object.values(clients), clients['member-1']);
  } catch (e) {
    await sup.stop();
    throw e;
  }
  return {
    dir,
    sup,
    clients,
    writer: clients['member-1'],
    addresses: sup.addresses(),
    async stop() {
      await sup.stop();
      if (!process.env.TXLINE_KEEP_TEST_DATA) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function dbStatus(client: MemberClient, db: string): Promise<DatabaseStatus | undefined> {
  return (await client.status()).databases.find((d) => d.name === db);
}

/** Waits until every member hosts, online, each database the writer has (with the writer's store ID). */
export async function waitForDatabases(clients: MemberClient[], writer: MemberClient, timeoutMs = 30_000): Promise<void> {
  const wanted = (await writer.status()).databases;
  await waitFor(
    `every member to host ${wanted.map((d) => d.name).join(', ')}`,
    async () => {
      for (const c of clients) {
        const have = (await c.status()).databases;
        for (const w of wanted) {
          const d = have.find((x) => x.name === w.name);
          if (!d || d.status !== 'online' || d.storeId !== w.storeId) return false;
        }
      }
      return true;
    },
    timeoutMs,
  );
}

/** Polls `check` until it returns true, failing with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      lastError = e;
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

/** Waits until every member's database has caught up with the writer's last committed transaction. */
export async function waitForConvergence(cluster: TestCluster, db: string, timeoutMs = 30_000): Promise<number> {
  const target = (await dbStatus(cluster.writer, db))?.lastCommittedTxn ?? 0;
  await waitFor(
    `all members of ${db} at transaction ${target}`,
    async () => {
      for (const c of Object.values(cluster.clients)) {
        const s = await dbStatus(c, db);
        if (!s || s.lastCommittedTxn < target) return false;
      }
      return true;
    },
    timeoutMs,
  );
  return target;
}

/** Every member's digest of `db`, by member id. */
export async function digests(cluster: TestCluster, db: string): Promise<Record<string, Digest>> {
  const entries = await Promise.all(Object.entries(cluster.clients).map(async ([id, c]) => [id, await c.digest(db)] as const));
  return Object.fromEntries(entries);
}

/**
 * Waits until every member's database has caught up with the writer, then returns the digests: the caller
 * asserts that they are all equal to the writer's (a stable writer is the caller's business).
 */
export async function convergedDigests(cluster: TestCluster, db: string, timeoutMs = 30_000): Promise<Record<string, Digest>> {
  await waitForConvergence(cluster, db, timeoutMs);
  return digests(cluster, db);
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** the body parsed as JSON, or undefined when it is not JSON */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any body: the tests assert on its fields directly
  json: any;
}

/**
 * A raw HTTP request, for sending what a well-behaved client would not (malformed JSON, odd paths). The path
 * is sent exactly as given, without normalisation. It carries the test token unless `headers` say otherwise
 * (`authorization: undefined` sends none).
 */
export function rawHttp(
  address: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string | undefined> = {},
): Promise<RawResponse> {
  const [host, port] = splitAddress(address);
  const sent = Object.fromEntries(
    Object.entries({ authorization: `Bearer ${TEST_TOKEN}`, ...headers }).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), method, path, headers: sent, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path} on ${address}: no answer within 15 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Runs `concurrency` loops that commit the transactions `next(i)` gives (i = 0, 1, 2, ...) until `count` are
 * sent (or `stop()` is called). Every acknowledged transaction is recorded with its index; the first error
 * stops that loop and is kept in `errors` (the caller decides whether errors are expected).
 */
export function writeLoop(
  client: MemberClient,
  db: string,
  next: (i: number) => unknown[],
  opts: { count?: number; concurrency?: number; onAck?: (a: { i: number; txId: number; ids: Record<string, number> }) => void } = {},
) {
  const acked: Array<{ i: number; txId: number; ids: Record<string, number> }> = [];
  const errors: unknown[] = [];
  let sent = 0;
  let stopped = false;
  const count = opts.count ?? Infinity;
  const loop = async () => {
    while (!stopped && sent < count) {
      const i = sent++;
      try {
        const r = await client.commit(db, next(i));
        const a = { i, txId: r.txId, ids: r.ids };
        acked.push(a);
        opts.onAck?.(a);
      } catch (e) {
        errors.push(e);
        return;
      }
    }
  };
  const done = Promise.all(Array.from({ length: opts.concurrency ?? 8 }, loop)).then(() => undefined);
  return {
    acked,
    errors,
    done,
    get sent() {
      return sent;
    },
    async stop() {
      stopped = true;
      await done;
    },
  };
}
