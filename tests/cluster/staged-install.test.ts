/**
 * A restore's install, streamed to every member at once (lib/sources/txline/install.ts, lib/cluster/staging.ts):
 * every member installs the very bytes that were sent (the SHA-256 each reports, and its store file, equal the
 * restore's), and their content digests are the restore's; a member killed (-9) while it receives a store keeps
 * its old store and serves it after its restart, with nothing of the reception left; a staged store must carry
 * the identity announced for it. Members on this host get the store written into a file they reserve and
 * check it by its XXH3 (lib/readback.ts); with the local copy off, it is uploaded over HTTP.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { xxh3 } from '@node-rs/xxhash';
import { readBackOf } from '../../lib/readback';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restore } from '../../lib/engine/restore';
import { silentLog } from '../../lib/engine/progress';
import { backupDatabases } from '../../lib/engine/backup';
import { rawRequest } from '../../lib/cluster/client';
import { splitAddress } from '../../lib/net/address';
import { TxlineSource } from '../../lib/sources/txline/source';
import { giveUpLocal } from '../../lib/sources/txline/install';
import { convergedDigests, rawHttp, startTestCluster, tempFolders, TEST_TOKEN, waitFor, type TestCluster } from '../helpers/cluster';
import { backupOptions } from '../helpers/engine';

let cluster: TestCluster;
const { folder, removeAll } = tempFolders('staged');

beforeAll(async () => {
  cluster = await startTestCluster({ members: 3, secondaries: 1, databases: ['neo4j'] });
  for (let i = 0; i < 20; i++) {
    await cluster.writer.commit('neo4j', [
      { op: 'createNode', ref: '$a', labels: ['Person'], properties: { name: `p${i}` } },
      { op: 'createNode', ref: '$b', labels: ['Person'], properties: { name: `q${i}` } },
      { op: 'createRelationship', type: 'KNOWS', start: '$a', end: '$b', properties: { since: 2000 + i } },
    ]);
  }
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  removeAll();
});

/** XXH3-64 as the members answer it (lib/readback.ts), computed here by the library's one-shot function */
const xxh3Of = (b: Uint8Array) => xxh3.xxh64(b).toString(16).padStart(16, '0');
const dataDir = (id: string) => cluster.sup.info().members.find((m) => m.id === id)?.dataDir as string;
const incoming = (id: string) => fs.readdirSync(path.join(dataDir(id), 'databases')).filter((n) => n.startsWith('.incoming-'));

/**
 * How many members hold `db`'s store as the same bytes, with the XXH3 each logged when it staged a copy
 * written on this host (without `sha256`, every copy was; with it, the SHA-256 of what was uploaded); fails on
 * any difference.
 */
function installedAlike(db: string, sha256?: string): number {
  const ids = ['member-1', 'member-2', 'member-3'];
  const files = ids.map((id) => fs.readFileSync(path.join(dataDir(id), 'databases', db, 'store.sqlite')));
  const shas = new Set(files.map((f) => createHash('sha256').update(f).digest('hex')));
  expect(shas.size, `${db}: the members' stores differ`).toBe(1);
  if (sha256) expect([...shas][0]).toBe(sha256);
  ids.forEach((id, i) => {
    // the last store staged for it
    const logged = [...fs.readFileSync(path.join(dataDir(id), 'member.log'), 'utf8').matchAll(new RegExp(`staged a store for ${db} at transaction \\d+ written on this host \\(\\d+ bytes, XXH3 ([0-9a-f]{16})\\)`, 'g'))].pop();
    if (!sha256) expect(logged, `${id} logged the XXH3 of the copy written on this host`).toBeDefined();
    if (logged) expect(logged[1], id).toBe(xxh3Of(files[i]));
  });
  return files.length;
}

/** The writer's store of neo4j as it serves it for a backup: a real store file, in WAL mode. */
async function storeBytes(): Promise<{ bytes: Buffer; storeId: string; databaseId: string }> {
  const res = await rawRequest(cluster.addresses[0], '/db/neo4j/store', { timeoutMs: 30_000 });
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return { bytes: Buffer.concat(chunks), storeId: String(res.headers['x-txline-store-id']), databaseId: String(res.headers['x-txline-database-id']) };
}

/** A chain in a new folder `name`: a full of neo4j, then a differential of one transaction. */
async function fullAndDiff(name: string): Promise<string> {
  const to = folder(name);
  expect((await backupDatabases(backupOptions(cluster, to, { type: 'full' }))).exitCode).toBe(0);
  await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['Once'], properties: {} }]);
  expect((await backupDatabases(backupOptions(cluster, to, {}))).exitCode).toBe(0);
  return to;
}

describe('a restore streamed to every member', () => {
  // members on this host get the store written into a file they reserve; with localCopy off, an HTTP upload
  it.each([
    ['written into files the members reserve', 'copy', true],
    ['uploaded over HTTP', 'copyhttp', false],
  ] as const)('installs the same bytes on all three members, with equal digests (%s)', async (_how, target, localCopy) => {
    const to = folder(`full-${target}`);
    const b = await backupDatabases(backupOptions(cluster, to, { type: 'full' }));
    expect(b.exitCode).toBe(0);
    const logged: string[] = [];
    const log = { ...silentLog, info: (m: string) => logged.push(m), debug: (m: string) => logged.push(m) };
    const source = new TxlineSource({ addresses: cluster.addresses, resolve: true, localCopy });
    const r = await restore({ fromPaths: [to], sourceDatabase: 'neo4j', target, point: { kind: 'latest' }, overwrite: false, source, log });
    expect(logged.join('\n')).toMatch(/every member received the store/);
    // on this host the store is rebuilt in the file the writer reserved: the writer's copy is the rebuilt file
    expect(logged.join('\n')).toMatch(localCopy ? new RegExp(`rebuilding the store in .*/\\.incoming-${target}-[0-9a-f]+\\.sqlite, reserved by member-1`) : /rebuilding the store in .*txline-restore-/);
    expect(r.install.members.map((m) => m.member.id).sort()).toEqual(['member-1', 'member-2', 'member-3']);
    // an upload is checked by SHA-256; a copy written on this host by the XXH3 its member reads back
    if (localCopy) expect(r.install.storeSha256).toBeUndefined();
    else expect(r.install.storeSha256).toMatch(/^[0-9a-f]{64}$/);
    // each member's store file is exactly what was sent (nothing was written since: WAL mode leaves it alone)
    expect(installedAlike(target, r.install.storeSha256)).toBe(3);
    for (const id of ['member-1', 'member-2', 'member-3']) {
      expect(incoming(id), id).toEqual([]);
      const memberLog = fs.readFileSync(path.join(dataDir(id), 'member.log'), 'utf8');
      expect(memberLog, id).toMatch(new RegExp(`staged a store for ${target} at transaction \\d+ ${localCopy ? 'written on this host \\(\\d+ bytes, XXH3 [0-9a-f]{16}\\)' : '\\(\\d+ bytes, sha256 [0-9a-f]{16}'}`));
    }
    const ds = await convergedDigests(cluster, target);
    for (const [id, d] of Object.entries(ds)) expect(d, id).toEqual(r.install.digest);
    expect(r.install.digest.contentHash).toBe((await cluster.writer.digest('neo4j')).contentHash);
    // replication goes on from the restored store on every member
    await cluster.writer.commit(target, [{ op: 'createNode', labels: ['After'], properties: {} }]);
    const after = await convergedDigests(cluster, target);
    expect(new Set(Object.values(after).map((d) => d.contentHash)).size).toBe(1);
    expect(after['member-1'].nodes).toBe(r.install.digest.nodes + 1);
  }, 120_000);

  it("copies the full's store into the other members' reserved files during the replay, then the pages it changed: each installs the rebuilt bytes", async () => {
    const to = folder('seeded');
    await convergedDigests(cluster, 'neo4j');
    expect((await backupDatabases(backupOptions(cluster, to, { type: 'full' }))).exitCode).toBe(0);
    // changes all over the store (updates of old rows, deletes) and growth well past the full's end
    const before = fs.statSync(path.join(dataDir('member-1'), 'databases', 'neo4j', 'store.sqlite')).size;
    for (let i = 0; i < 30; i++) {
      await cluster.writer.commit('neo4j', Array.from({ length: 40 }, (_, j) => ({ op: 'createNode' as const, labels: ['Grown'], properties: { i, j, pad: 'g'.repeat(400) } })));
    }
    const people = await cluster.writer.nodes('neo4j', 'Person', 10);
    await cluster.writer.commit('neo4j', people.map((n) => ({ op: 'setProperties' as const, node: n.id, properties: { updated: 'u'.repeat(300) } })));
    const grown = await cluster.writer.nodes('neo4j', 'Grown', 5);
    await cluster.writer.commit('neo4j', grown.map((n) => ({ op: 'deleteNode' as const, node: n.id })));
    // (the differential may come from any member: each has every transaction first, or one behind under load
    // leaves some out)
    await convergedDigests(cluster, 'neo4j');
    expect((await backupDatabases(backupOptions(cluster, to, {}))).exitCode).toBe(0);
    const logged: string[] = [];
    const log = { ...silentLog, info: (m: string) => logged.push(m), debug: (m: string) => logged.push(m) };
    const source = new TxlineSource({ addresses: cluster.addresses, resolve: true, localCopy: true });
    const r = await restore({ fromPaths: [to], sourceDatabase: 'neo4j', target: 'seeded', point: { kind: 'latest' }, overwrite: false, source, log });
    expect(r.replayed).toBe(32);
    expect(logged.join('\n')).toMatch(/the full's store also in the files member-2, member-3 reserved/);
    // only the changed pages were written into the followers' copies
    const [, pages, of] = /the other members' copies get the (\d+) page\(s\) the replay changed, of (\d+)/.exec(logged.join('\n')) ?? [];
    expect(Number(pages)).toBeGreaterThan(1);
    expect(Number(pages)).toBeLessThan(Number(of));
    expect(installedAlike('seeded')).toBe(3);
    for (const id of ['member-1', 'member-2', 'member-3']) expect(incoming(id), id).toEqual([]);
    expect(fs.statSync(path.join(dataDir('member-2'), 'databases', 'seeded', 'store.sqlite')).size).toBeGreaterThan(before);
    const ds = await convergedDigests(cluster, 'seeded');
    for (const [id, d] of Object.entries(ds)) expect(d, id).toEqual(r.install.digest);
    expect(r.install.digest.contentHash).toBe((await cluster.writer.digest('neo4j')).contentHash);

    // over the restored database: each member's old store keeps a second name through the switch, removed after
    const again = await restore({ fromPaths: [to], sourceDatabase: 'neo4j', target: 'seeded', point: { kind: 'latest' }, overwrite: true, source, log });
    expect(installedAlike('seeded')).toBe(3);
    expect(again.install.digest).toEqual(r.install.digest);
    for (const id of ['member-1', 'member-2', 'member-3']) {
      await waitFor(`${id} to remove the replaced store`, () => incoming(id).length === 0, 10_000);
      const memberLog = fs.readFileSync(path.join(dataDir(id), 'member.log'), 'utf8');
      expect(memberLog, id).not.toMatch(/could not remove the replaced store|no second name/);
    }
  }, 120_000);

  it('with the writer on another host (its reservation given up here), the store is rebuilt in a private folder and the full still copied into the followers\' files', async () => {
    const to = await fullAndDiff('nowriter');
    class RemoteWriter extends TxlineSource {
      override async reserveForBuild(db: string, identity: { storeId: string; databaseId: string }, log: (m: string) => void) {
        const sinks = await super.reserveForBuild(db, identity, log);
        const writer = sinks.filter((x) => x.holds === 'rebuilt');
        await giveUpLocal(writer);
        return sinks.filter((x) => !writer.includes(x));
      }
    }
    const logged: string[] = [];
    const log = { ...silentLog, info: (m: string) => logged.push(m), debug: (m: string) => logged.push(m), warn: (m: string) => logged.push(m) };
    const r = await restore({ fromPaths: [to], sourceDatabase: 'neo4j', target: 'nowriter', point: { kind: 'latest' }, overwrite: false, source: new RemoteWriter({ addresses: cluster.addresses, resolve: true, localCopy: true }), log });
    expect(logged.join('\n')).toMatch(/rebuilding the store in .*txline-restore-.*, the full's store also in the files member-2, member-3 reserved/);
    expect(logged.join('\n')).toMatch(/the other members' copies get the \d+ page\(s\) the replay changed/);
    expect(logged.join('\n')).not.toMatch(/could not copy/);
    expect(installedAlike('nowriter')).toBe(3);
    const ds = await convergedDigests(cluster, 'nowriter');
    for (const [id, d] of Object.entries(ds)) expect(d, id).toEqual(r.install.digest);
  }, 120_000);

  it("falls back to whole copies when the full's store cannot be copied into the reserved files; a write that fails fails the restore whole, installing nothing and leaving no reserved file", async () => {
    const to = await fullAndDiff('seeded-fail');
    // the files the followers reserved, open here only for reading: the copy's first write fails
    const readOnly: number[] = [];
    class UnwritableCopies extends TxlineSource {
      override async reserveForBuild(db: string, identity: { storeId: string; databaseId: string }, log: (m: string) => void) {
        const sinks = await super.reserveForBuild(db, identity, log);
        for (const s of sinks.filter((x) => x.holds === 'full')) {
          s.fd = fs.openSync(s.file, 'r');
          readOnly.push(s.fd);
        }
        return sinks;
      }
    }
    const source = new UnwritableCopies({ addresses: cluster.addresses, resolve: true, localCopy: true });
    const warned: string[] = [];
    try {
      await expect(restore({ fromPaths: [to], sourceDatabase: 'neo4j', target: 'seedfail', point: { kind: 'latest' }, overwrite: false, source, log: { ...silentLog, warn: (m) => warned.push(m) } })).rejects.toThrow(/EBADF/);
      expect(warned.join('\n')).toMatch(/could not copy the full's store into the files the other members reserved; they get the whole store: .*EBADF/);
    } finally {
      for (const fd of readOnly) fs.closeSync(fd);
    }
    expect(readOnly).toHaveLength(2);
    for (const id of ['member-1', 'member-2', 'member-3']) {
      expect(incoming(id), id).toEqual([]);
      expect(fs.existsSync(path.join(dataDir(id), 'databases', 'seedfail')), id).toBe(false);
    }
  }, 120_000);

  it("refuses to install a copy on this host that does not read back as the rebuilt store (compared by the XXH3 each member answers): nothing installed, no reserved file left", async () => {
    const to = await fullAndDiff('badcopy');
    let flipped: string | null = null;
    class CorruptCopy extends TxlineSource {
      // one byte of a follower's copy changed where the replay changed nothing: only the read-backs can tell
      override installStore(db: string, storeFile: string, opts: Parameters<TxlineSource['installStore']>[2]) {
        const sink = opts.prepared?.sinks.find((x) => x.holds === 'full');
        const changed = opts.prepared?.changed;
        if (!sink || !changed) throw new Error("expected a follower's copy of the full and the pages the replay changed");
        const pages = fs.fstatSync(sink.fd).size / changed.pageSize;
        const page = Array.from({ length: pages }, (_, i) => i + 1).find((p) => p > 1 && !changed.pages.includes(p)) as number;
        const at = (page - 1) * changed.pageSize + 100;
        const b = Buffer.alloc(1);
        fs.readSync(sink.fd, b, 0, 1, at);
        b[0] ^= 0xff;
        fs.writeSync(sink.fd, b, 0, 1, at);
        flipped = sink.member.id;
        return super.installStore(db, storeFile, opts);
      }
    }
    const source = new CorruptCopy({ addresses: cluster.addresses, resolve: true, localCopy: true });
    const err = await restore({ fromPaths: [to], sourceDatabase: 'neo4j', target: 'badcopy', point: { kind: 'latest' }, overwrite: false, source, log: silentLog }).catch((e: Error) => e);
    expect(flipped).toMatch(/^member-[23]$/);
    expect(String(err)).toMatch(new RegExp(`the copies of ${flipped} \\(\\d+ bytes, XXH3 [0-9a-f]{16}\\) do not read back as the rebuilt store \\(\\d+ bytes, XXH3 [0-9a-f]{16}, as member-1 reads the rebuilt store back\\); nothing was installed`));
    for (const id of ['member-1', 'member-2', 'member-3']) {
      await waitFor(`${id} to drop what it staged`, () => incoming(id).length === 0, 10_000);
      expect(fs.existsSync(path.join(dataDir(id), 'databases', 'badcopy')), id).toBe(false);
    }
  }, 120_000);
});

describe('a member receiving a store', () => {
  it('killed (-9) mid-stream, keeps serving its old store after its restart, and the partial file is gone', async () => {
    const before = await cluster.clients['member-2'].digest('neo4j');
    const [host, port] = splitAddress(cluster.addresses[1]);
    const q = new URLSearchParams({ storeId: randomUUID(), databaseId: randomUUID() });
    const total = 64 * 1024 * 1024;
    const req = http.request({
      host,
      port: Number(port),
      method: 'PUT',
      path: `/admin/db/neo4j/staged?${q}`,
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/vnd.sqlite3', 'content-length': String(total) },
      agent: false,
    });
    req.on('error', () => undefined); // the member dies under it
    req.write(Buffer.alloc(8 * 1024 * 1024, 1));
    await waitFor('the member to write what it receives', () => incoming('member-2').some((n) => fs.statSync(path.join(dataDir('member-2'), 'databases', n)).size > 0), 15_000);
    await cluster.sup.killMember('member-2');
    req.destroy();
    expect(incoming('member-2').length).toBe(1); // what the killed member was receiving
    await cluster.sup.startMember('member-2');
    expect(incoming('member-2')).toEqual([]);
    await waitFor('member-2 to serve neo4j again', async () => (await cluster.clients['member-2'].status()).databases.some((d) => d.name === 'neo4j' && d.status === 'online'), 20_000);
    const ds = await convergedDigests(cluster, 'neo4j');
    expect(ds['member-2']).toEqual(before);
    expect(ds['member-2']).toEqual(ds['member-1']);
  }, 90_000);

  it('killed (-9) between keeping a replaced store under a second name and removing it: the live store is kept, the second name dropped at the restart', async () => {
    const storeFile = path.join(dataDir('member-2'), 'databases', 'neo4j', 'store.sqlite');
    await cluster.sup.killMember('member-2');
    // what an install killed after its link (lib/cluster/database.ts installStaged) leaves: the same inode, twice
    const second = path.join(dataDir('member-2'), 'databases', '.incoming-neo4j-replaced-0123456789ab.sqlite');
    fs.linkSync(storeFile, second);
    expect(fs.statSync(storeFile).nlink).toBe(2);
    await cluster.sup.startMember('member-2');
    expect(incoming('member-2')).toEqual([]);
    expect(fs.statSync(storeFile).nlink).toBe(1);
    await waitFor('member-2 to serve neo4j again', async () => (await cluster.clients['member-2'].status()).databases.some((d) => d.name === 'neo4j' && d.status === 'online'), 20_000);
    const ds = await convergedDigests(cluster, 'neo4j');
    expect(ds['member-2']).toEqual(ds['member-1']);
  }, 90_000);

  it('stages a whole store with the announced identity, reports its SHA-256, and discards it on request', async () => {
    const s = await storeBytes();
    const q = new URLSearchParams({ storeId: s.storeId, databaseId: s.databaseId });
    const r = await rawHttp(cluster.addresses[2], 'PUT', `/admin/db/neo4j/staged?${q}`, s.bytes, { 'content-type': 'application/vnd.sqlite3' });
    expect(r.status, r.text).toBe(200);
    expect(r.json.sha256).toBe(createHash('sha256').update(s.bytes).digest('hex'));
    expect(r.json.bytes).toBe(s.bytes.length);
    expect(incoming('member-3').length).toBe(1);
    const d = await rawHttp(cluster.addresses[2], 'DELETE', `/admin/db/neo4j/staged?stage=${r.json.stage}`);
    expect(d.json).toEqual({ discarded: true });
    expect(incoming('member-3')).toEqual([]);
    const i = await rawHttp(cluster.addresses[2], 'POST', `/admin/db/neo4j/staged/install?stage=${r.json.stage}`);
    expect(i.status).toBe(404);
  }, 60_000);

  it('stages a store a restore on its host wrote into the file it reserved, checked by its XXH3; refuses one that differs or was swapped', async () => {
    const s = await storeBytes();
    const q = new URLSearchParams({ storeId: s.storeId, databaseId: s.databaseId, bytes: String(s.bytes.length) });
    const reserve = async () => {
      const r = await rawHttp(cluster.addresses[2], 'POST', `/admin/db/neo4j/incoming?${q}`);
      expect(r.status, r.text).toBe(201);
      const st = fs.statSync(r.json.file, { bigint: true });
      expect({ dev: String(st.dev), ino: String(st.ino), size: st.size }).toEqual({ dev: r.json.dev, ino: r.json.ino, size: 16n });
      expect(fs.readFileSync(r.json.file).toString('hex'), 'the file holds the nonce until it is written').toBe(r.json.nonce);
      expect(r.json.readBack, 'how the member checks the copy').toBe('xxh3');
      expect(path.dirname(r.json.file)).toBe(path.join(dataDir('member-3'), 'databases'));
      return r.json as { id: string; file: string };
    };
    const complete = (id: string, body: unknown) => rawHttp(cluster.addresses[2], 'POST', `/admin/db/neo4j/incoming/${id}`, JSON.stringify(body), { 'content-type': 'application/json' });
    const sum = xxh3Of(s.bytes);
    expect(readBackOf(s.bytes)).toBe(sum);
    // (XXH3-64 itself, seed 0: its value for no input, as the reference implementation gives it)
    expect(readBackOf(new Uint8Array(0))).toBe('2d06800538d394c2');

    const good = await reserve();
    fs.writeFileSync(good.file, s.bytes);
    const staged = await complete(good.id, { bytes: s.bytes.length, xxh3: sum });
    expect(staged.status, staged.text).toBe(200);
    expect(staged.json).toMatchObject({ stage: good.id, xxh3: sum, sha256: null, bytes: s.bytes.length, storeId: s.storeId });
    expect((await rawHttp(cluster.addresses[2], 'DELETE', `/admin/db/neo4j/staged?stage=${good.id}`)).json).toEqual({ discarded: true });

    const flipped = await reserve();
    const bad = Buffer.from(s.bytes);
    bad[bad.length - 100] ^= 1;
    fs.writeFileSync(flipped.file, bad);
    const refused = await complete(flipped.id, { bytes: s.bytes.length, xxh3: sum });
    expect(refused.status).toBe(400);
    expect(refused.json.message).toMatch(/reads back as \d+ bytes with XXH3 [0-9a-f]{16}, not the \d+ bytes with XXH3 [0-9a-f]{16} written/);

    // without an XXH3 claimed, the member answers the one it reads back (the writer compares): here the flipped file's
    const unclaimed = await reserve();
    fs.writeFileSync(unclaimed.file, bad);
    const answered = await complete(unclaimed.id, { bytes: s.bytes.length });
    expect(answered.status, answered.text).toBe(200);
    expect(answered.json).toMatchObject({ stage: unclaimed.id, xxh3: xxh3Of(bad), bytes: s.bytes.length });
    expect((await rawHttp(cluster.addresses[2], 'DELETE', `/admin/db/neo4j/staged?stage=${unclaimed.id}`)).json).toEqual({ discarded: true });
    const badClaim = await reserve();
    expect((await complete(badClaim.id, { bytes: s.bytes.length, xxh3: 'abc' })).status).toBe(400);
    expect((await complete(badClaim.id, { bytes: s.bytes.length, xxh3: 123 })).status).toBe(400);
    expect((await complete(badClaim.id, { bytes: s.bytes.length, xxh3: 'ABCDEF0123456789' })).status).toBe(400);
    // a restore of an older version claims a CRC-32: refused, saying so
    const older = await complete(badClaim.id, { bytes: s.bytes.length, crc32: 123 });
    expect(older.status).toBe(400);
    expect(older.json.message).toMatch(/checks a copy written on its host by its XXH3, not a CRC-32: the restore that wrote it runs another version/);
    expect((await rawHttp(cluster.addresses[2], 'DELETE', `/admin/db/neo4j/incoming/${badClaim.id}`)).json).toEqual({ discarded: true });

    const swapped = await reserve();
    fs.rmSync(swapped.file);
    fs.writeFileSync(swapped.file + '.other', s.bytes);
    fs.symlinkSync(swapped.file + '.other', swapped.file);
    const notIt = await complete(swapped.id, { bytes: s.bytes.length, xxh3: sum });
    expect(notIt.status).toBe(400);
    expect(notIt.json.message).toMatch(/ELOOP|replaced after it was reserved/);
    fs.rmSync(swapped.file + '.other');

    const given = await reserve();
    // a reservation alone does not hold replication off: the follower keeps its store up to date meanwhile
    const { txId } = await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['WhileReserved'], properties: {} }]);
    await waitFor('member-3 to replicate while a file is reserved on it', async () => ((await cluster.clients['member-3'].status()).databases.find((d) => d.name === 'neo4j')?.lastCommittedTxn ?? 0) >= txId, 15_000);
    expect((await rawHttp(cluster.addresses[2], 'PUT', `/admin/db/neo4j/incoming/${given.id}`)).json).toEqual({ renewed: true });
    expect((await rawHttp(cluster.addresses[2], 'DELETE', `/admin/db/neo4j/incoming/${given.id}`)).json).toEqual({ discarded: true });
    expect((await rawHttp(cluster.addresses[2], 'PUT', `/admin/db/neo4j/incoming/${given.id}`)).status).toBe(404);
    expect((await complete(given.id, { bytes: 1, xxh3: '0'.repeat(16) })).status).toBe(404);
    expect((await complete('0'.repeat(24), { bytes: 1, xxh3: '0'.repeat(16) })).status).toBe(404);
    expect((await rawHttp(cluster.addresses[2], 'POST', `/admin/db/neo4j/incoming?${new URLSearchParams({ storeId: s.storeId, databaseId: s.databaseId, bytes: '-1' })}`)).status).toBe(400);
    expect(incoming('member-3')).toEqual([]);
    expect((await cluster.clients['member-3'].status()).databases.find((d) => d.name === 'neo4j')?.status).toBe('online');
  }, 60_000);

  it('refuses a store whose identity is not the one announced, or that is cut short, and keeps nothing of it', async () => {
    const s = await storeBytes();
    const other = new URLSearchParams({ storeId: randomUUID(), databaseId: s.databaseId });
    const r = await rawHttp(cluster.addresses[2], 'PUT', `/admin/db/neo4j/staged?${other}`, s.bytes, { 'content-type': 'application/vnd.sqlite3' });
    expect(r.status).toBe(400);
    expect(r.json.message).toMatch(/storeId/);
    const notStore = await rawHttp(cluster.addresses[2], 'PUT', `/admin/db/neo4j/staged?${other}`, Buffer.alloc(8192, 7), { 'content-type': 'application/vnd.sqlite3' });
    expect(notStore.status).toBe(400);
    expect(incoming('member-3')).toEqual([]);
    expect((await cluster.clients['member-3'].status()).databases.find((d) => d.name === 'neo4j')?.status).toBe('online');
  }, 60_000);
});
