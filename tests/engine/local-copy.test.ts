/**
 * The local copy of a full backup (lib/sources/txline/local-store.ts, lib/cluster/store-lease.ts), on a real
 * cluster whose store leases live 1.5 s without renewal: an uncompressed full backup from a member on this
 * host copies its store file under a lease while writes go on, and the artifact is the store at the lease's
 * transaction; off, the same store comes over HTTP with the same bytes. The member's leases hold the snapshot
 * while renewed and expire when not; a hostile peer's lease (another file, a symlink, a head that differs, a
 * lease lost before the copy ends) is never used.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../../lib/cluster/client';
import { STORE_LEASE_HEAD_BYTES, type StoreLeaseAnswer } from '../../lib/cluster/store-lease';
import { listArtifacts } from '../../lib/engine/artifact';
import { openLocalStore } from '../../lib/sources/txline/local-store';
import { reserveIncoming } from '../../lib/sources/txline/install';
import { startTestCluster, tempFolders, waitForConvergence, writeLoop, type TestCluster } from '../helpers/cluster';
import { Workload, readHeadMetadata, runTxline, verifyFolder, writeMany } from '../helpers/engine';

let cluster: TestCluster;
let writerAddress: string;
const { folder, removeAll } = tempFolders('local-copy');
const TTL_MS = 1500;

beforeAll(async () => {
  process.env.TXLINE_STORE_LEASE_TTL_MS = String(TTL_MS); // the members inherit it
  cluster = await startTestCluster({ members: 3, secondaries: 1, databases: ['neo4j', 'big'] });
  delete process.env.TXLINE_STORE_LEASE_TTL_MS;
  writerAddress = cluster.sup.info().members[0].address;
  await writeMany(cluster.writer, 'big', 30, (i) =>
    Array.from({ length: 10 }, (_, j) => ({ op: 'createNode' as const, labels: ['Blob'], properties: { i, j, data: randomBytes(3000).toString('base64') } })),
  );
  await new Workload(cluster.writer, 'neo4j', 7).write(60);
  for (const db of ['neo4j', 'big']) await waitForConvergence(cluster, db);
});

afterAll(async () => {
  await cluster?.stop();
  removeAll();
});

const cli = (args: string[], env: Record<string, string> = {}) => runTxline(args, { addresses: cluster.addresses, env });
const only = (dir: string) => {
  const { artifacts, problems } = listArtifacts(dir);
  expect(problems).toEqual([]);
  expect(artifacts).toHaveLength(1);
  return artifacts[0];
};

describe('an uncompressed full backup from a member on this host', () => {
  it('copies the store file under a lease while writes go on; the artifact is the store at the lease transaction and restores to it', async () => {
    const dir = folder('busy');
    const writes = writeLoop(cluster.writer, 'big', (i) => [{ op: 'createNode', labels: ['During'], properties: { i, pad: 'y'.repeat(500) } }], { concurrency: 2 });
    let r;
    try {
      r = await cli(['database', 'backup', '--type=full', '--compress=false', `--from=${writerAddress}`, `--to-path=${dir}`, 'big']);
    } finally {
      await writes.stop();
    }
    expect(r.code, r.stderr).toBe(0);
    expect(writes.errors).toEqual([]);
    expect(writes.acked.length, 'writes went on during the backup').toBeGreaterThan(0);
    expect(r.stderr).toMatch(/Finished full backup of big from member-1: store at transaction \d+ \([^)]*copied on this host from .*store\.sqlite\)/);
    expect(await verifyFolder(dir)).toHaveLength(1);
    const a = only(dir);
    const meta = readHeadMetadata(a.path);
    // the sum the writer kept at the snapshot's own transaction, though writes went on
    expect(meta.contentDigest).toMatchObject({ tx: a.highestTx, nodes: a.store?.nodes });
    expect(meta.contentDigest.sum).toMatch(/^[0-9a-f]{64}$/);

    const restored = await cli(['database', 'restore', `--from-path=${dir}`, 'bigcopy']);
    expect(restored.code, restored.stderr).toBe(0);
    await waitForConvergence(cluster, 'bigcopy');
    const d = await cluster.writer.digest('bigcopy');
    expect({ tx: d.lastCommittedTxn, nodes: d.nodes, sum: d.contentHash }).toEqual({ tx: a.highestTx, nodes: meta.contentDigest.nodes, sum: meta.contentDigest.sum });
    const scratch = await cluster.writer.digest('bigcopy', { scratch: true });
    expect(scratch.contentHash, 'every row of the restored copy sums to the recorded sum').toBe(meta.contentDigest.sum);
  });

  it('off (TXLINE_LOCAL_STORE_COPY=off), or compressed, the store comes over HTTP; a quiet store gives the same payload both ways', async () => {
    await waitForConvergence(cluster, 'neo4j');
    const [local, viaHttp, compressed] = [folder('local'), folder('http'), folder('compressed')];
    const a = await cli(['database', 'backup', '--type=full', '--compress=false', `--to-path=${local}`, 'neo4j']);
    const b = await cli(['database', 'backup', '--type=full', '--compress=false', `--to-path=${viaHttp}`, 'neo4j'], { TXLINE_LOCAL_STORE_COPY: 'off' });
    const c = await cli(['database', 'backup', '--type=full', `--to-path=${compressed}`, 'neo4j']);
    for (const x of [a, b, c]) expect(x.code, x.stderr).toBe(0);
    expect(a.stderr).toMatch(/copied on this host from/);
    expect(b.stderr).toMatch(/Finished full backup of neo4j from member-\d: store at transaction \d+ \([^)]*received\)/);
    expect(c.stderr).toMatch(/\([^)]*received\), written as .*x smaller/);
    const [la, lb] = [only(local), only(viaHttp)];
    expect(la.payload.sha256).toBe(lb.payload.sha256);
    expect(la.highestTx).toBe(lb.highestTx);
    expect(readHeadMetadata(la.path).contentDigest).toEqual(readHeadMetadata(lb.path).contentDigest);
    expect(readHeadMetadata(lb.path).contentDigest.tx).toBe(lb.highestTx);

    const bad = await cli(['database', 'backup', '--type=full', '--compress=false', `--to-path=${folder('bad-env')}`, 'neo4j'], { TXLINE_LOCAL_STORE_COPY: 'maybe' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/TXLINE_LOCAL_STORE_COPY: expected on or off, but got "maybe"/);
  });
});

describe("a member's store leases", () => {
  const lease = (db: string) => requestJson<StoreLeaseAnswer>(writerAddress, `/db/${db}/store-lease`, { method: 'POST' });
  const renew = (db: string, id: string) => requestJson(writerAddress, `/db/${db}/store-lease/${id}`, { method: 'PUT' });
  const giveBack = (db: string, id: string) => requestJson(writerAddress, `/db/${db}/store-lease/${id}`, { method: 'DELETE' });

  it('hold the snapshot while renewed; expire when not, and checkpoints resume; unknown ones are NOT_FOUND', async () => {
    const first = await lease('neo4j');
    const st = fs.statSync(first.file, { bigint: true });
    expect({ dev: String(st.dev), ino: String(st.ino), size: Number(st.size), ttlMs: first.ttlMs }).toEqual({ dev: first.dev, ino: first.ino, size: first.size, ttlMs: TTL_MS });
    const head = Buffer.alloc(Math.min(first.size, STORE_LEASE_HEAD_BYTES));
    const fd = fs.openSync(first.file, 'r');
    fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    expect(createHash('sha256').update(head).digest('hex')).toBe(first.headSha256);

    const tip = await new Workload(cluster.writer, 'neo4j', 11).write(5);
    expect(tip).toBeGreaterThan(first.tx);
    // held: a second lease shares the held snapshot (the main file has not moved)
    const second = await lease('neo4j');
    expect(second.tx).toBe(first.tx);
    await giveBack('neo4j', second.lease);
    for (let t = 0; t < 5; t++) {
      await new Promise((r) => setTimeout(r, TTL_MS / 3));
      await renew('neo4j', first.lease);
    }
    // not renewed: gone after the TTL
    await new Promise((r) => setTimeout(r, TTL_MS + 700));
    await expect(renew('neo4j', first.lease)).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/expired \(not renewed within 1\.5 s\) or was given back/) });
    await expect(giveBack('neo4j', first.lease)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    // released: a new lease checkpoints again and sees the new transactions
    const third = await lease('neo4j');
    expect(third.tx).toBe(tip);
    await expect(giveBack('big', third.lease)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await giveBack('neo4j', third.lease);
    await expect(renew('neo4j', randomBytes(16).toString('hex'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(renew('neo4j', 'x'.repeat(32))).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/no such endpoint/) });
    await expect(lease('nosuchdb')).rejects.toMatchObject({ code: 'DATABASE_NOT_FOUND' });
  });

  it('end when the database is stopped while leased (closing it changes the file)', async () => {
    const follower = cluster.sup.info().members[1].address;
    const l = await requestJson<StoreLeaseAnswer>(follower, '/db/neo4j/store-lease', { method: 'POST' });
    await cluster.clients['member-2'].stopDatabase('neo4j');
    try {
      await expect(requestJson(follower, `/db/neo4j/store-lease/${l.lease}`, { method: 'PUT' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/stopped, replaced or dropped while it was leased/) });
    } finally {
      await cluster.clients['member-2'].startDatabase('neo4j');
    }
    // and the next lease checkpoints afresh: it is at the database's own transaction
    await waitForConvergence(cluster, 'neo4j');
    const again = await requestJson<StoreLeaseAnswer>(follower, '/db/neo4j/store-lease', { method: 'POST' });
    expect(again.tx).toBe((await cluster.clients['member-2'].digest('neo4j')).lastCommittedTxn);
    await requestJson(follower, `/db/neo4j/store-lease/${again.lease}`, { method: 'DELETE' });
  });

  it('are renewed by the backup process while it copies: held past their TTL', async () => {
    const member = { id: 'member-1', address: writerAddress, mode: 'primary' } as never;
    const local = await openLocalStore('neo4j', member, () => undefined);
    expect(local).not.toBeNull();
    await new Promise((r) => setTimeout(r, TTL_MS * 2.5)); // unrenewed, it would be gone by now
    await expect(local?.finish()).resolves.toBeUndefined();
  });
});

describe('the backup process proves the leased file is the member’s own', () => {
  let server: http.Server;
  let address: string;
  let answer: (() => unknown) | null = null;
  let releaseStatus = 200;
  const seen: string[] = [];
  const dir = tempFolders('local-copy-peer');
  let file: string;

  beforeAll(async () => {
    file = path.join(dir.folder('files'), 'store.sqlite');
    fs.writeFileSync(file, randomBytes(200_000));
    server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && answer) return send(201, answer());
      if (req.method === 'POST') return send(404, { code: 'NOT_FOUND', message: 'no such endpoint: /db/neo4j/store-lease' });
      if (req.method === 'DELETE') return releaseStatus === 200 ? send(200, { released: true }) : send(404, { code: 'NOT_FOUND', message: 'no store lease: it expired' });
      send(200, { renewed: true });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    dir.removeAll();
  });

  const leaseOf = (f: string, over: Partial<StoreLeaseAnswer> = {}): StoreLeaseAnswer => {
    const st = fs.statSync(f, { bigint: true });
    const head = fs.readFileSync(f).subarray(0, STORE_LEASE_HEAD_BYTES);
    return {
      lease: 'ab'.repeat(16),
      file: f,
      dev: String(st.dev),
      ino: String(st.ino),
      size: Number(st.size),
      headSha256: createHash('sha256').update(head).digest('hex'),
      ttlMs: 30_000,
      databaseId: 'd',
      storeId: 's',
      tx: 1,
      txChecksum: 0,
      commitTime: 0,
      nodes: 0,
      relationships: 0,
      contentSum: null,
      ...over,
    };
  };
  const tryOpen = async () => {
    const reasons: string[] = [];
    const local = await openLocalStore('neo4j', { id: 'peer', address, mode: 'primary' } as never, (r) => reasons.push(r));
    return { local, reasons };
  };

  it('refuses another file with the same identity claimed, a symlink, a head that differs, an answer that is not a lease, a member without leases', async () => {
    const copy = path.join(path.dirname(file), 'copy.sqlite');
    fs.copyFileSync(file, copy);
    const link = path.join(path.dirname(file), 'link.sqlite');
    fs.symlinkSync(file, link);
    const cases: Array<[string, (() => unknown) | null, RegExp]> = [
      ['a copy claiming the original inode', () => ({ ...leaseOf(file), file: copy }), /is not the store peer holds \(device\/inode /],
      ['a symlink to the file', () => ({ ...leaseOf(file), file: link }), /cannot open .*link\.sqlite here: .*ELOOP/],
      ['a head that differs', () => leaseOf(file, { headSha256: '0'.repeat(64) }), /its first bytes differ/],
      ['a size that differs', () => leaseOf(file, { size: 1 }), /200000 bytes, the member's 1/],
      ['not a lease', () => ({ lease: 'x' }), /peer answered the store lease with something else/],
      ['no lease route', null, /peer did not lease its store: .*no such endpoint/],
    ];
    for (const [what, make, reason] of cases) {
      answer = make;
      seen.length = 0;
      const { local, reasons } = await tryOpen();
      expect(local, what).toBeNull();
      expect(reasons.join('\n'), what).toMatch(reason);
      if (make && what !== 'not a lease') expect(seen, `${what}: the lease is given back`).toContain(`DELETE /db/neo4j/store-lease/${'ab'.repeat(16)}`);
    }
  });

  it("does not write a restore into a file the peer names unless it is the peer's fresh reservation", async () => {
    const victim = path.join(path.dirname(file), 'victim.sqlite');
    const content = randomBytes(16);
    fs.writeFileSync(victim, content);
    const nonce = randomBytes(16).toString('hex');
    const reservationOf = (f: string, over: Record<string, unknown> = {}) => {
      const st = fs.statSync(f, { bigint: true });
      return { id: 'cd'.repeat(12), file: f, dev: String(st.dev), ino: String(st.ino), nonce, ttlMs: 600_000, readBack: 'xxh3', ...over };
    };
    const single = path.join(path.dirname(file), 'single.sqlite');
    fs.writeFileSync(single, content);
    const hardlink = path.join(path.dirname(file), 'hard.sqlite');
    fs.linkSync(victim, hardlink);
    const cases: Array<[string, () => unknown, RegExp]> = [
      ['a file that does not hold the nonce', () => reservationOf(single), /does not hold the nonce/],
      ['a file with two links', () => reservationOf(hardlink), /2 link\(s\)/],
      ['a symlink to it', () => ({ ...reservationOf(victim), file: path.join(path.dirname(file), 'link.sqlite') }), /ELOOP/],
      // a member of an older version, which checks a copy by its CRC-32: uploaded to, its reservation given back
      ['no read-back checksum named', () => reservationOf(victim, { readBack: undefined }), /answered the reservation with something else \(readBack: /],
    ];
    for (const [what, make, reason] of cases) {
      answer = make;
      seen.length = 0;
      const reasons: string[] = [];
      const sink = await reserveIncoming('neo4j', { id: 'peer', address, mode: 'primary' } as never, 1000, new URLSearchParams(), (r) => reasons.push(r));
      expect(sink, what).toBeNull();
      expect(reasons.join('\n'), what).toMatch(reason);
      expect(seen, `${what}: the reservation is given up`).toContain(`DELETE /admin/db/neo4j/incoming/${'cd'.repeat(12)}`);
      for (const f of [victim, single]) expect(fs.readFileSync(f).equals(content), `${what}: ${f} is untouched`).toBe(true);
    }
  });

  it('does not use a copy whose lease was lost before it ended', async () => {
    answer = () => leaseOf(file);
    releaseStatus = 404;
    try {
      const { local } = await tryOpen();
      expect(local).not.toBeNull();
      await expect(local?.finish()).rejects.toMatchObject({ code: 'SOURCE_UNREACHABLE', message: expect.stringMatching(/was lost before the copy ended: .*; the copy is not used/) });
    } finally {
      releaseStatus = 200;
    }
    const { local } = await tryOpen();
    await expect(local?.finish()).resolves.toBeUndefined();
  });
});
