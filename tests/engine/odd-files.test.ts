/**
 * Odd files in a backup folder, and damaged parents. A FIFO, a directory, a socket, and symlinks to them, all
 * named `*.backup`, are skipped with a warning that names the path, and never block: by `backup inspect` (the
 * CLI, within a bounded time), by the catalog's indexer (it runs on the server's thread) and by backup's parent
 * search. Restoring from a file of random bytes or from a folder named `dir.backup` says which path and what is
 * wrong with it. A parent whose payload is damaged does not get a differential chained onto it: the next auto
 * backup is a full, and the log says why, naming the parent (or, with --fallback-to-full=false, it fails); the same
 * when the parent is intact but the full it builds on is damaged.
 *
 * A blocking open() of a FIFO in this process would hang the test, not fail it: a watchdog process opens the
 * FIFO for writing after a while, which releases such a reader, and the test then fails on the time it took.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../lib/db';
import { indexFolder } from '../../lib/db/indexer';
import { ensureFolder, getFolder } from '../../lib/db/queries/clusters';
import { listArtifactsOfFolder } from '../../lib/db/queries/artifacts';
import { PAYLOAD_OFFSET, listArtifacts, readArtifact } from '../../lib/engine/artifact';
import { backupDatabases } from '../../lib/engine/backup';
import { startTestCluster, tempFolders, type TestCluster } from '../helpers/cluster';
import { backupOptions, captureLog, escapeRegExp, runTxline, snapshotDir, writeTx } from '../helpers/engine';

const folders = tempFolders('odd-files');
let cluster: TestCluster;
let dir: string; // one real full backup among odd *.backup names
let fifo: string;
let full: string;
let socket: net.Server;
/** each odd name, and what the warning must say it is */
let odd: Array<{ name: string; kind: string }>;

/** Runs `fn`, with a process that releases a reader blocked on `fifo` after 8 s; returns how long `fn` took. */
async function timedWithWatchdog<T>(fn: () => T | Promise<T>): Promise<{ value: T; ms: number }> {
  const code = `const fs = require('node:fs'); setTimeout(function open() { try { fs.closeSync(fs.openSync(${JSON.stringify(fifo)}, 'w')); } catch {} setImmediate(open); }, 8000);`;
  const watchdog: ChildProcess = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  const t0 = performance.now();
  try {
    const value = await fn();
    return { value, ms: performance.now() - t0 };
  } finally {
    watchdog.kill('SIGKILL');
  }
}

beforeAll(async () => {
  cluster = await startTestCluster({ members: 1, secondaries: 0 });
  dir = folders.folder('mixed');
  await writeTx(cluster.writer, 'neo4j', 5);
  const first = await backupDatabases(backupOptions(cluster, dir, { type: 'full' }));
  expect(first.exitCode).toBe(0);
  full = first.results[0].artifact?.path as string;
  fifo = path.join(dir, 'fifo.backup');
  execFileSync('mkfifo', [fifo]);
  fs.mkdirSync(path.join(dir, 'dir.backup'));
  socket = net.createServer();
  await new Promise<void>((resolve) => socket.listen(path.join(dir, 'sock.backup'), resolve));
  fs.symlinkSync(fifo, path.join(dir, 'link-to-fifo.backup'));
  fs.symlinkSync(path.join(dir, 'dir.backup'), path.join(dir, 'link-to-dir.backup'));
  odd = [
    { name: 'fifo.backup', kind: 'a FIFO' },
    { name: 'dir.backup', kind: 'a directory' },
    { name: 'sock.backup', kind: 'a socket' },
    { name: 'link-to-fifo.backup', kind: 'a FIFO' },
    { name: 'link-to-dir.backup', kind: 'a directory' },
  ];
});

afterAll(async () => {
  await new Promise((r) => socket?.close(r));
  await cluster?.stop();
  folders.removeAll();
});

const warning = (o: { name: string; kind: string }) => `${path.join(dir, o.name)} is ${o.kind}, not a backup artifact file`;

describe('non-regular files named *.backup', () => {
  it('backup inspect lists the real artifact and warns about each odd name, within a bounded time', async () => {
    const r = await runTxline(['backup', 'inspect', dir, '--json'], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as Array<{ file: string }>).map((x) => x.file)).toEqual([path.basename(full)]);
    for (const o of odd) expect(r.stderr).toContain(`warning: ${warning(o)}; skipped`);
    // named on its own, a FIFO is an error that says what it is
    const one = await runTxline(['backup', 'inspect', fifo], { timeoutMs: 30_000 });
    expect(one.code).toBe(1);
    expect(one.stderr).toContain(`${fifo} is a FIFO, not a backup artifact file`);
  });

  it('the indexer skips them without opening them, and says so in the folder\u2019s scan result', async () => {
    const catalogDir = folders.folder('catalog');
    const db = openCatalog(path.join(catalogDir, 'txline.sqlite'));
    try {
      const folder = ensureFolder(db, { name: 'mixed', path: dir, isDefault: false });
      const { value: r, ms } = await timedWithWatchdog(() => indexFolder(db, folder, { backupRoots: [dir], backupDir: dir }));
      expect(ms).toBeLessThan(5000);
      expect(r).toMatchObject({ added: 1, removed: 0 });
      expect(r.problems.map((p) => p.message).sort()).toEqual(odd.map(warning).sort());
      expect(listArtifactsOfFolder(db, { folderId: folder.id }).map((a) => a.file)).toEqual([path.basename(full)]);
      const scanned = getFolder(db, { id: folder.id });
      for (const o of odd) expect(scanned?.lastScanError).toContain(warning(o));
      // and again (the indexer runs every 15 s): the same, still without blocking
      const again = await timedWithWatchdog(() => indexFolder(db, folder, { backupRoots: [dir], backupDir: dir }));
      expect(again.ms).toBeLessThan(5000);
      expect(again.value).toMatchObject({ added: 0, unchanged: 1, removed: 0 });
    } finally {
      db.$client.close();
    }
  });

  it('backup finds the parent among them, warning about each, and takes a differential', async () => {
    await writeTx(cluster.writer, 'neo4j', 2);
    const log = captureLog();
    const before = new Set(fs.readdirSync(dir));
    const { value: r, ms } = await timedWithWatchdog(() => backupDatabases(backupOptions(cluster, dir, { log })));
    expect(ms).toBeLessThan(20_000);
    expect(r.exitCode, log.text()).toBe(0);
    expect(r.results[0]).toMatchObject({ ok: true, type: 'diff' });
    expect(r.results[0].artifact?.parent).toBe(path.basename(full));
    for (const o of odd) expect(log.lines).toContainEqual({ level: 'warn', message: `${warning(o)}; skipped` });
    const added = fs.readdirSync(dir).filter((n) => !before.has(n));
    expect(added).toEqual([r.results[0].artifact?.file]);
    fs.rmSync(r.results[0].artifact?.path as string); // the folder as the other tests expect it
  });
});

describe('errors that name the path', () => {
  it('restoring from random bytes, a folder named dir.backup, or a FIFO says which path and what is wrong', async () => {
    const other = folders.folder('errors');
    const random = path.join(other, 'random.backup');
    const bytes = randomBytes(64 * 1024);
    bytes[100] = 0x81; // the tar parser's "invalid base256 encoding", whatever the random bytes
    fs.writeFileSync(random, bytes);
    const emptyDir = path.join(other, 'dir.backup');
    fs.mkdirSync(emptyDir);
    const cases = [
      { from: random, message: `${random} is not a Txline backup artifact (no tar header where a Txline artifact starts: invalid base256 encoding)` },
      { from: emptyDir, message: `no backup artifacts found at --from-path: ${emptyDir} is a directory, not a backup artifact file, and holds no backup artifacts` },
      { from: fifo, message: `${fifo} is a FIFO, not a backup artifact file` },
      { from: path.join(dir, 'dir.backup'), message: `${path.join(dir, 'dir.backup')} is a directory, not a backup artifact file, and holds no backup artifacts` },
    ];
    const results = await Promise.all(cases.map((c) => runTxline(['database', 'restore', `--from-path=${c.from}`, 'copy'], { addresses: cluster.addresses, timeoutMs: 60_000 })));
    for (const [i, c] of cases.entries()) {
      expect(results[i].code, results[i].stderr).toBe(1);
      expect(results[i].stderr).toContain(c.message);
      expect(results[i].stderr).not.toMatch(/\n\s+at .*\.(ts|js|mjs):\d+/);
    }
    expect((await cluster.writer.status()).databases.map((d) => d.name)).not.toContain('copy');
  });
});

/** One flipped byte in the middle of an artifact's payload: its metadata and size still fine. */
function damagePayload(file: string): void {
  const { payload } = readArtifact(file);
  const fd = fs.openSync(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    const at = PAYLOAD_OFFSET + Math.floor(payload.sizeBytes / 2);
    fs.readSync(fd, b, 0, 1, at);
    b[0] ^= 0xff;
    fs.writeSync(fd, b, 0, 1, at);
  } finally {
    fs.closeSync(fd);
  }
}

describe('a damaged parent', () => {
  it('is not chained onto: the next auto backup is a full naming the parent, or fails with --fallback-to-full=false', async () => {
    const damaged = folders.folder('damaged');
    await writeTx(cluster.writer, 'neo4j', 3);
    const first = await backupDatabases(backupOptions(cluster, damaged));
    expect(first.results[0]).toMatchObject({ ok: true, type: 'full' });
    const parent = first.results[0].artifact?.path as string;
    // an intact parent gets a differential (so the check below is what changes the outcome)
    await writeTx(cluster.writer, 'neo4j', 1);
    const control = await backupDatabases(backupOptions(cluster, damaged));
    expect(control.results[0]).toMatchObject({ ok: true, type: 'diff' });
    fs.rmSync(control.results[0].artifact?.path as string);
    damagePayload(parent);
    expect(listArtifacts(damaged).artifacts.map((a) => a.path)).toEqual([parent]);
    await writeTx(cluster.writer, 'neo4j', 2);

    const why = `the parent backup ${parent} failed its check (${path.basename(parent)} is corrupt: payload checksum mismatch`;
    const refused = captureLog();
    const before = snapshotDir(damaged);
    const no = await backupDatabases(backupOptions(cluster, damaged, { log: refused, fallbackToFull: false }));
    expect(no.exitCode).toBe(1);
    expect(no.results[0].error).toMatchObject({ code: 'FALLBACK_DISABLED', message: expect.stringContaining(why) });
    expect(snapshotDir(damaged)).toEqual(before);

    const log = captureLog();
    const yes = await backupDatabases(backupOptions(cluster, damaged, { log }));
    expect(yes.exitCode, log.text()).toBe(0);
    expect(yes.results[0]).toMatchObject({ ok: true, type: 'full', fallbackReason: expect.stringContaining(why) });
    expect(log.lines).toContainEqual({ level: 'warn', message: expect.stringMatching(/^Falling back to a full backup of neo4j from .*: the parent backup .* failed its check/) });
  });

  it('hashes only within the run\u2019s budget: a full beyond it is trusted on its metadata and size, and the log names it', async () => {
    const chain = folders.folder('over-budget');
    await writeTx(cluster.writer, 'neo4j', 3);
    const full = await backupDatabases(backupOptions(cluster, chain, { compress: false }));
    const fullArtifact = full.results[0].artifact;
    expect(fullArtifact?.payload.sizeBytes).toBeGreaterThan(1000);
    await writeTx(cluster.writer, 'neo4j', 1);
    const diff = await backupDatabases(backupOptions(cluster, chain));
    expect(diff.results[0]).toMatchObject({ ok: true, type: 'diff' });
    damagePayload(fullArtifact?.path as string);
    await writeTx(cluster.writer, 'neo4j', 2);
    // a budget that holds the differential parent but not the full: the damaged full goes unnoticed here (the
    // price of a bounded check) and the log says it was not hashed
    const budget = (diff.results[0].artifact?.payload.sizeBytes ?? 0) + 1;
    const log = captureLog();
    const next = await backupDatabases(backupOptions(cluster, chain, { log, chainHashBudgetBytes: budget }));
    expect(next.results[0], log.text()).toMatchObject({ ok: true, type: 'diff' });
    expect(log.lines).toContainEqual({ level: 'info', message: expect.stringMatching(new RegExp(`^not hashed before chaining .*: ${escapeRegExp(fullArtifact?.file ?? '?')} \\(`)) });
  });

  it('nor is a chain whose full rotted under an intact differential parent: the next auto backup is a full naming the full', async () => {
    const chain = folders.folder('damaged-full');
    await writeTx(cluster.writer, 'neo4j', 3);
    const full = await backupDatabases(backupOptions(cluster, chain));
    expect(full.results[0]).toMatchObject({ ok: true, type: 'full' });
    const fullPath = full.results[0].artifact?.path as string;
    await writeTx(cluster.writer, 'neo4j', 1);
    const diff = await backupDatabases(backupOptions(cluster, chain));
    expect(diff.results[0]).toMatchObject({ ok: true, type: 'diff', artifact: { parent: path.basename(fullPath) } });
    damagePayload(fullPath);
    await writeTx(cluster.writer, 'neo4j', 2);

    const log = captureLog();
    const next = await backupDatabases(backupOptions(cluster, chain, { log }));
    expect(next.exitCode, log.text()).toBe(0);
    const why = `the backup ${fullPath}, which the parent ${diff.results[0].artifact?.file} builds on, failed its check (${path.basename(fullPath)} is corrupt: payload checksum mismatch`;
    expect(next.results[0]).toMatchObject({ ok: true, type: 'full', fallbackReason: expect.stringContaining(why) });
  });
});
