/**
 * Faults, on a real cluster (3 members, transaction log in 4K segments, retention "2 files") through the
 * `txline` CLI as a child process: the first --from server down or breaking mid-stream (the next one is used,
 * exit 1 with a warning), every server down (exit 1, nothing written), transactions pruned after the parent (a
 * full, with the reason in the log), a flipped byte (check and restore name the corrupt file), a middle
 * differential deleted (restore names the missing range), and two backups of one database at once (one runs,
 * the other fails fast with BACKUP_IN_PROGRESS).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYLOAD_OFFSET, listArtifacts, readArtifact } from '../../lib/engine/artifact';
import { FAILED_FORMAT } from '../../lib/engine/artifact-writer';
import { backupDatabases } from '../../lib/engine/backup';
import { chainTo } from '../../lib/engine/chain';
import { silentLog } from '../../lib/engine/progress';
import { TxlineSource } from '../../lib/sources/txline/source';
import { dbStatus, startTestCluster, tempFolders, waitFor, waitForConvergence, waitForDatabases, type TestCluster } from '../helpers/cluster';
import {
  collect,
  escapeRegExp,
  expectOnlyArtifacts,
  inspectCli,
  leftovers,
  readHeadMetadata,
  runTxline,
  snapshotDir,
  sourceFor,
  spawnTxline,
  throttleProxy,
  unusedPort,
  verifyFolder,
  waitForFile,
  writeMany,
  writeTx,
} from '../helpers/engine';

let cluster: TestCluster;
let addr: Record<string, string>;
const { folder, removeAll } = tempFolders('faults');

beforeAll(async () => {
  cluster = await startTestCluster({ members: 3, secondaries: 1, txLogRotationSize: '4K', txLogRetention: '2 files', databases: ['neo4j', 'big', 'pruned'] });
  addr = Object.fromEntries(cluster.sup.info().members.map((m) => [m.id, m.address]));
  // a store of a few MB for the streaming cases (random text: it does not compress away)
  await writeMany(cluster.writer, 'big', 40, (i) =>
    Array.from({ length: 10 }, (_, j) => ({ op: 'createNode' as const, labels: ['Blob'], properties: { i, j, data: randomBytes(6000).toString('base64') } })),
  );
  await writeTx(cluster.writer, 'neo4j', 5);
  for (const db of ['neo4j', 'big']) await waitForConvergence(cluster, db);
});

afterAll(async () => {
  await cluster?.stop();
  removeAll();
});

const cli = (args: string[]) => runTxline(args, { addresses: cluster.addresses });
/** These faults are in the HTTP stream: an uncompressed full backup must not copy the store on this host instead. */
const overHttp = (args: string[]) => runTxline(args, { addresses: cluster.addresses, env: { TXLINE_LOCAL_STORE_COPY: 'off' } });

describe('sources down', () => {
  it('the first --from server is not listening: the next one is used; exit 1 with a warning', async () => {
    const dir = folder('first-down');
    const dead = `127.0.0.1:${await unusedPort()}`;
    const r = await cli(['database', 'backup', `--from=${dead},${addr['member-2']}`, `--to-path=${dir}`, 'neo4j']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`WARN.*server ${dead} could not be reached`));
    const rows = await inspectCli(dir);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ database: 'neo4j', full: true, member: 'member-2', highestTx: 5 });
    expect(await verifyFolder(dir)).toHaveLength(1);
    expect(leftovers(dir)).toEqual([]);
  });

  it('the first --from server is a killed member: the next one is used; exit 1 with a warning', async () => {
    const dir = folder('first-killed');
    await cluster.sup.killMember('member-3');
    try {
      const r = await cli(['database', 'backup', `--from=${addr['member-3']},${addr['member-1']}`, `--to-path=${dir}`, 'neo4j']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`WARN.*server ${addr['member-3']} \\(member-3\\) could not be reached`));
      expect(await inspectCli(dir)).toMatchObject([{ member: 'member-1', full: true }]);
      expect(await verifyFolder(dir)).toHaveLength(1);
    } finally {
      await cluster.sup.startMember('member-3');
      await waitForDatabases(Object.values(cluster.clients), cluster.writer);
    }
  });

  it('the first server breaks mid-stream: the next one is used, the artifact is whole, nothing partial is left', async () => {
    const dir = folder('mid-stream');
    const proxy = await throttleProxy(addr['member-2'], { cutAfterBytes: 512 * 1024 });
    try {
      const r = await overHttp(['database', 'backup', `--from=${proxy.address},${addr['member-1']}`, '--type=full', '--compress=false', `--to-path=${dir}`, 'big']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/WARN.*backup of big from member-2 .* failed: .*; trying the next server/);
      const rows = await inspectCli(dir);
      expect(rows).toMatchObject([{ database: 'big', member: 'member-1', full: true }]);
      expect(rows[0].sizeBytes).toBeGreaterThan(2_000_000);
      expect(await verifyFolder(dir)).toHaveLength(1);
      expect(expectOnlyArtifacts(dir)).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('every server down: exit 1, no artifact, no temporary file, the folder unchanged', async () => {
    const dir = folder('all-down');
    const first = await cli(['database', 'backup', `--to-path=${dir}`, 'neo4j']);
    expect(first.code, first.stderr).toBe(0);
    const before = snapshotDir(dir);
    const [p1, p2] = [await unusedPort(), await unusedPort()];
    const viaFrom = await cli(['database', 'backup', `--from=127.0.0.1:${p1},127.0.0.1:${p2}`, `--to-path=${dir}`, 'neo4j']);
    expect(viaFrom.code).toBe(1);
    expect(viaFrom.stderr).toMatch(/no server could be reached; nothing was backed up/);
    expect(viaFrom.stderr).toContain(`127.0.0.1:${p1}`);
    expect(viaFrom.stderr).toContain(`127.0.0.1:${p2}`);
    const viaEnv = await runTxline(['database', 'backup', `--to-path=${dir}`, 'neo4j'], { addresses: [`127.0.0.1:${p1}`, `127.0.0.1:${p2}`] });
    expect(viaEnv.code).toBe(1);
    expect(viaEnv.stderr).toMatch(/no server could be reached/);
    expect(snapshotDir(dir)).toEqual(before);
  });

  it('the only server breaks mid-stream: exit 1, nothing left at all (no artifact, temporary or lock file)', async () => {
    const dir = folder('only-breaks');
    const proxy = await throttleProxy(addr['member-1'], { cutAfterBytes: 256 * 1024 });
    try {
      const r = await cli(['database', 'backup', `--from=${proxy.address}`, '--type=full', `--to-path=${dir}`, 'big']);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/Backup of big failed: .*(connection to member-1|ended after|aborted|closed)/i);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('--keep-failed', () => {
  /** A kept attempt: its payload is the bytes received, behind a head (and a .json beside it) saying what was known. */
  function expectKept(dir: string, name: string, received: { max: number; member: string }) {
    const file = path.join(dir, name);
    const meta = readHeadMetadata(file);
    expect(JSON.parse(fs.readFileSync(`${file}.json`, 'utf8'))).toEqual(meta);
    expect(meta).toMatchObject({ format: FAILED_FORMAT, database: 'big', full: true, compressed: false, member: { id: received.member }, lowestTx: 1, payload: { entry: 'store.sqlite', complete: false } });
    expect(meta.error).toMatch(/connection to member-\d .* broke|ended after/);
    const n = meta.payload.sizeBytes as number;
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThanOrEqual(received.max);
    expect(meta.storeBytesReceived).toBe(n);
    expect(meta.storeBytesExpected).toBeGreaterThan(n);
    // a tar of the metadata and the payload received so far
    expect(fs.statSync(file).size).toBe(PAYLOAD_OFFSET + Math.ceil(n / 512) * 512 + 1024);
    const payload = Buffer.alloc(n);
    const fd = fs.openSync(file, 'r');
    fs.readSync(fd, payload, 0, n, PAYLOAD_OFFSET);
    fs.closeSync(fd);
    expect(payload.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
    expect(payload.subarray(Math.max(0, n - 4096)).some((b) => b !== 0), 'the last bytes received are kept too').toBe(true);
    return meta;
  }

  it('keeps the bytes received and what was known, under names that never replace a file: two failed attempts in one run, two files', async () => {
    const dir = folder('keep-failed');
    // both servers cut the store after a few 64 KiB pieces (less than one write batch: all of it was still pending)
    const a = await throttleProxy(addr['member-1'], { cutAfterBytes: 300 * 1024 });
    const b = await throttleProxy(addr['member-2'], { cutAfterBytes: 200 * 1024 });
    try {
      const r = await overHttp(['database', 'backup', `--from=${a.address},${b.address}`, '--type=full', '--compress=false', '--keep-failed', `--to-path=${dir}`, 'big']);
      expect(r.code, r.stderr).toBe(1);
      const kept = fs.readdirSync(dir).filter((n) => /^big-[\dT-]+\.failed-\d+$/.test(n)).sort();
      expect(kept).toHaveLength(2);
      expect(fs.readdirSync(dir).sort()).toEqual([...kept, ...kept.map((k) => `${k}.json`)].sort());
      for (const k of kept) expect(r.stderr).toMatch(new RegExp(`WARN.*kept the failed attempt as ${escapeRegExp(path.join(dir, k))}, with what was known in ${escapeRegExp(k)}\\.json`));
      const members = kept.map((k) => expectKept(dir, k, { max: 300 * 1024, member: readHeadMetadata(path.join(dir, k)).member.id }).member.id).sort();
      expect(members).toEqual(['member-1', 'member-2']);
      expect(listArtifacts(dir)).toEqual({ artifacts: [], problems: [] });
      expect(await inspectCli(dir)).toEqual([]);

      // the same second for both attempts: the second name gets a counter, the first stays as it was
      const again = folder('keep-failed-same-second');
      const now = new Date('2026-12-01T20:04:51.250Z');
      const res = await backupDatabases({
        source: new TxlineSource({ addresses: [a.address, b.address], resolve: false, localCopy: false }),
        explicitSources: true,
        toPath: again,
        type: 'full',
        preferDiffAsParent: false,
        compress: false,
        keepFailed: true,
        fallbackToFull: true,
        maxLag: 1000,
        databases: ['big'],
        log: silentLog,
        now: () => now,
      });
      expect(res.exitCode).toBe(1);
      const names = fs.readdirSync(again).sort();
      expect(names).toEqual([
        `big-2026-12-01T20-04-51-1.failed-${process.pid}`,
        `big-2026-12-01T20-04-51-1.failed-${process.pid}.json`,
        `big-2026-12-01T20-04-51.failed-${process.pid}`,
        `big-2026-12-01T20-04-51.failed-${process.pid}.json`,
      ]);
      expectKept(again, names[2], { max: 300 * 1024, member: 'member-1' });
      expectKept(again, names[0], { max: 200 * 1024, member: 'member-2' });
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('transactions pruned after the parent', () => {
  it('the next backup is a full, and the log says why; with --fallback-to-full=false it fails and writes nothing', async () => {
    const dir = folder('pruned');
    await writeTx(cluster.writer, 'pruned', 3);
    await waitForConvergence(cluster, 'pruned');
    const first = await cli(['database', 'backup', `--to-path=${dir}`, 'pruned']);
    expect(first.code, first.stderr).toBe(0);
    const parent = (await inspectCli(dir))[0];
    expect(parent).toMatchObject({ full: true, highestTx: 3 });
    // enough writes that every member's log (two 4K segments) no longer holds transaction 4
    await writeMany(cluster.writer, 'pruned', 300, (i) => [{ op: 'createNode', labels: ['Item'], properties: { i, text: `item ${i}`.padEnd(80, '.') } }]);
    await waitForConvergence(cluster, 'pruned');
    await waitFor('transaction 4 to be pruned on every member', async () => {
      for (const c of Object.values(cluster.clients)) if (((await dbStatus(c, 'pruned'))?.lowestAvailableTxn ?? 0) <= 4) return false;
      return true;
    });

    const before = snapshotDir(dir);
    const refused = await cli(['database', 'backup', '--fallback-to-full=false', `--to-path=${dir}`, 'pruned']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`cannot take a differential backup of pruned: transactions 4\\.\\.\\d+ after the parent ${parent.file} were pruned .*--fallback-to-full=false`));
    expect(snapshotDir(dir)).toEqual(before);

    const r = await cli(['database', 'backup', `--to-path=${dir}`, 'pruned']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(`WARN.*Falling back to a full backup of pruned from (member-\\d) \\([\\d.:]+, \\w+\\): transactions 4\\.\\.\\d+ after the parent ${parent.file} were pruned from the transaction log of \\1 \\(lowest available: \\d+\\)`),
    );
    const tip = (await dbStatus(cluster.writer, 'pruned'))?.lastCommittedTxn;
    const rows = await inspectCli(dir);
    expect(rows.map((x) => [x.full, x.lowestTx, x.highestTx])).toEqual([
      [true, 1, tip],
      [true, 1, 3],
    ]);
    expect(await verifyFolder(dir)).toHaveLength(2);
  });
});

/** A full and three differentials of neo4j, 3 transactions apart, taken through the engine. */
async function chainOfFour(name: string): Promise<{ dir: string; files: string[]; tips: number[] }> {
  const dir = folder(name);
  for (let i = 0; i < 4; i++) {
    if (i > 0) await writeTx(cluster.writer, 'neo4j', 3, name);
    await waitForConvergence(cluster, 'neo4j');
    const r = await backupDatabases({
      source: sourceFor(cluster),
      explicitSources: false,
      toPath: dir,
      type: 'auto',
      preferDiffAsParent: false,
      compress: i % 2 === 0,
      keepFailed: false,
      fallbackToFull: false,
      maxLag: 1000,
      databases: ['neo4j'],
      log: silentLog,
    });
    expect(r.exitCode).toBe(0);
  }
  const arts = listArtifacts(dir).artifacts.sort((a, b) => a.tipTx - b.tipTx);
  expect(arts.map((a) => a.full)).toEqual([true, false, false, false]);
  return { dir, files: arts.map((a) => a.file), tips: arts.map((a) => a.tipTx) };
}

async function databases(): Promise<string[]> {
  return (await cluster.writer.status()).databases.map((d) => d.name);
}

function flipPayloadByte(file: string, at: number): void {
  const a = readArtifact(file);
  const fd = fs.openSync(file, 'r+');
  const b = Buffer.alloc(1);
  const off = PAYLOAD_OFFSET + Math.floor(a.payload.sizeBytes * at);
  fs.readSync(fd, b, 0, 1, off);
  b[0] ^= 0x20;
  fs.writeSync(fd, b, 0, 1, off);
  fs.closeSync(fd);
}

describe('damaged backups', () => {
  it('one flipped byte in a differential: check and restore report it as corrupt, naming the file; exit 1, nothing installed', async () => {
    const { dir, files, tips } = await chainOfFour('flipped');
    flipPayloadByte(path.join(dir, files[2]), 0.5);
    const reports = folder('flipped-reports');

    const checked = await cli(['database', 'check', `--from-path=${dir}`, `--report-path=${reports}`, 'neo4j']);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(new RegExp(`ERROR.*${escapeRegExp(files[2])}: corrupt: `));
    const report = fs.readdirSync(reports);
    expect(report).toHaveLength(1);
    expect(checked.stdout).toContain(report[0]);
    const text = fs.readFileSync(path.join(reports, report[0]), 'utf8');
    expect(text).toContain(files[2]);
    for (const ok of [files[0], files[1], files[3]]) expect(text).not.toMatch(new RegExp(`^- ${ok}`, 'm'));

    const restored = await cli(['database', 'restore', `--from-path=${dir}`, `--restore-until=${tips[3] + 1}`, 'flipcopy']);
    expect(restored.code).toBe(1);
    expect(restored.stderr).toMatch(new RegExp(`txline: ${escapeRegExp(files[2])} is corrupt: .*\\(ARTIFACT_CORRUPT\\)`));
    expect(await databases()).not.toContain('flipcopy');
    // over an existing database, the damaged chain never touches it: same content, online on every member
    const live = await cluster.writer.digest('neo4j');
    const over = await cli(['database', 'restore', `--from-path=${dir}`, '--overwrite-destination', 'neo4j']);
    expect(over.code).toBe(1);
    expect(over.stderr).toContain(`${files[2]} is corrupt`);
    expect(await cluster.writer.digest('neo4j')).toEqual(live);
    for (const c of Object.values(cluster.clients)) expect((await dbStatus(c, 'neo4j'))?.status).toBe('online');
    // a restore that does not need the damaged differential still works
    const before = await cli(['database', 'restore', `--from-path=${dir}`, `--restore-until=${tips[1] + 1}`, 'flipcopy']);
    expect(before.code, before.stderr).toBe(0);
    expect((await cluster.writer.digest('flipcopy')).lastCommittedTxn).toBe(tips[1]);
  });

  it('one flipped byte in a full (compressed): check and restore report it as corrupt, naming the file', async () => {
    const { dir, files, tips } = await chainOfFour('flipped-full');
    flipPayloadByte(path.join(dir, files[0]), 0.3);
    const checked = await cli(['database', 'check', `--from-path=${dir}`, `--report-path=${folder('flipped-full-reports')}`, 'neo4j']);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toMatch(new RegExp(`ERROR.*${escapeRegExp(files[0])}: (corrupt: |its store cannot be opened)`));
    const restored = await cli(['database', 'restore', `--from-path=${dir}`, `--restore-until=${tips[2] + 1}`, 'flipcopy2']);
    expect(restored.code).toBe(1);
    expect(restored.stderr).toMatch(new RegExp(`txline: ${escapeRegExp(files[0])} is corrupt: .*\\(ARTIFACT_CORRUPT\\)`));
    expect(await databases()).not.toContain('flipcopy2');
    // the file the writer reserved for the rebuild is given back: nothing incoming is left on any member
    for (const m of cluster.sup.info().members) {
      expect(fs.readdirSync(path.join(m.dataDir, 'databases')).filter((n) => n.startsWith('.incoming-')), m.id).toEqual([]);
    }
  });

  it('a middle differential deleted: restore refuses, naming the missing transaction range; check reports the broken chain', async () => {
    const { dir, files, tips } = await chainOfFour('gap');
    fs.rmSync(path.join(dir, files[2]));
    const missing = `transactions ${tips[1] + 1}..${tips[2]} are missing`;
    for (const args of [[], [`--restore-until=${tips[3] + 1}`], [`--restore-until=${tips[2] + 1}`]]) {
      const r = await cli(['database', 'restore', `--from-path=${dir}`, ...args, 'gapcopy']);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(missing);
      expect(r.stderr).toContain(files[3]);
    }
    // naming the last differential as --from-path: the same
    const named = await cli(['database', 'restore', `--from-path=${path.join(dir, files[3])}`, 'gapcopy']);
    expect(named.code).toBe(1);
    expect(named.stderr).toContain(missing);
    expect(await databases()).not.toContain('gapcopy');
    const checked = await cli(['database', 'check', `--from-path=${dir}`, `--report-path=${folder('gap-reports')}`, 'neo4j']);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(missing);
    // up to the last intact link it still restores
    const ok = await cli(['database', 'restore', `--from-path=${dir}`, `--restore-until=${tips[1] + 1}`, 'gapcopy']);
    expect(ok.code, ok.stderr).toBe(0);
  });
});

describe('two backups of one database at once', () => {
  it('one runs, the other fails fast with BACKUP_IN_PROGRESS; the chain stays valid', async () => {
    const dir = folder('concurrent');
    const seed = await cli(['database', 'backup', `--to-path=${dir}`, 'big']);
    expect(seed.code, seed.stderr).toBe(0);
    // the first backup streams the store through a link that stalls after the first MiB until the others are done
    const proxy = await throttleProxy(addr['member-1']);
    proxy.hold(1024 * 1024);
    try {
      const first = spawnTxline(['database', 'backup', `--from=${proxy.address}`, '--type=full', `--to-path=${dir}`, 'big'], { addresses: cluster.addresses });
      const firstDone = collect(first, 60_000);
      expect(await waitForFile(dir, /^\.txline-partial-big-/, first)).not.toBeNull();
      await waitFor('the first backup to be writing', () => proxy.streamed() >= 1024 * 1024 - 64 * 1024);
      const t0 = Date.now();
      const [second, agg] = await Promise.all([cli(['database', 'backup', `--to-path=${dir}`, 'big']), cli(['backup', 'aggregate', `--from-path=${dir}`, 'big'])]);
      const took = Date.now() - t0;
      expect(first.exitCode, 'the first backup is still running').toBeNull();
      const busy = `another operation on big is running in ${dir} (backup, process ${first.pid}, since `;
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(busy);
      expect(second.stderr).toMatch(/try again when it has finished \(BACKUP_IN_PROGRESS\)/);
      expect(agg.code).toBe(1);
      expect(agg.stderr).toContain(`Aggregation of big failed: ${busy}`);
      expect(took).toBeLessThan(10_000);
      proxy.release();
      const done = await firstDone;
      expect(done.code, done.stderr).toBe(0);
    } finally {
      await proxy.close();
    }
    // the first backup's artifact is whole, nothing else was written, and the chain goes on from it
    const rows = await inspectCli(dir);
    expect(rows.map((r) => r.full)).toEqual([true, true]);
    await writeTx(cluster.writer, 'big', 2);
    await waitForConvergence(cluster, 'big');
    const next = await cli(['database', 'backup', `--to-path=${dir}`, 'big']);
    expect(next.code, next.stderr).toBe(0);
    const after = listArtifacts(dir).artifacts;
    expect(after).toHaveLength(3);
    for (const a of after) expect(chainTo(a, after).ok, a.file).toBe(true);
    expect(after.find((a) => !a.full)?.parent).toBe(rows[0].file);
    expect(await verifyFolder(dir)).toHaveLength(3);
    expect(leftovers(dir)).toEqual([]);
    // the lock went with each run: the folder holds the artifacts and nothing else
    expect(expectOnlyArtifacts(dir)).toHaveLength(3);
  });
});
