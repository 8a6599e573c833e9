/**
 * The database page stays small with thousands of backups: `txline serve` (the built app, its embedded
 * cluster) on a data folder of 10,000 real artifact files, and the HTML of /databases/neo4j (newest window,
 * oldest window, a window found by "Go to") must be at most 150 KiB, while still drawing its timeline on the
 * server (the window's count and the timeline's picture are in the HTML). It was 709 KiB when the window's
 * artifacts went out as objects in the React payload and again as 400 interactive SVG bars.
 *
 * It needs `npx next build` (serve is started with --no-build): with no build, or one older than the sources,
 * it is skipped and says why, rather than measure another version of the page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE, createSession } from '../../lib/auth/sessions';
import { ensureInitialAdmin } from '../../lib/auth/users';
import { buildReason } from '../../lib/cli/commands/serve';
import { freePorts } from '../../lib/cluster/supervisor';
import { openCatalog } from '../../lib/db';
import { backupFolders, clusters } from '../../lib/db/schema';
import { TXLINE_BIN } from '../helpers/engine';
import { seedArtifacts } from '../helpers/seed-artifacts';

const ARTIFACTS = 10_000;
const LIMIT = 150 * 1024;
const root = path.resolve(import.meta.dirname, '../..');
const notBuilt = buildReason(root);

describe.skipIf(notBuilt !== null)(`the database page with ${ARTIFACTS.toLocaleString('en-US')} artifacts${notBuilt ? ` (skipped: ${notBuilt}; run npx next build)` : ''}`, () => {
  let dir = '';
  let serve: ChildProcess | null = null;
  let port = 0;
  let cookie = '';
  let stderr = '';

  const get = async (p: string) => {
    const r = await fetch(`http://127.0.0.1:${port}${p}`, { headers: { cookie }, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
    return { status: r.status, body: await r.text() };
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-page-size-'));
    const backups = path.join(dir, 'backups');
    fs.mkdirSync(backups);
    await seedArtifacts(backups, { count: ARTIFACTS });
    const db = openCatalog(path.join(dir, 'txline.sqlite'));
    await ensureInitialAdmin(db, 'page-size-password');
    db.$client.prepare("UPDATE users SET must_change_password = 0 WHERE username = 'admin'").run();
    const { id } = db.$client.prepare("SELECT id FROM users WHERE username = 'admin'").get() as { id: number };
    cookie = `${SESSION_COOKIE}=${createSession(db, { userId: id, address: '127.0.0.1' }).token}`;
    db.insert(clusters).values({ name: 'embedded', kind: 'txline', startedHere: true, addresses: [] }).run();
    db.insert(backupFolders).values({ name: 'default', path: backups, isDefault: true }).run();
    db.$client.close();
    [port] = await freePorts('127.0.0.1', 1);
    serve = spawn(process.execPath, [TXLINE_BIN, 'serve', '--no-build', '--port', String(port), '--data-dir', dir, '--base-port', '0', '--workload-rate', '5'], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, TXLINE_CLUSTER_ADDRESSES: '', TXLINE_CLUSTER_FILE: '', TXLINE_BACKUP_DIR: '', TXLINE_CATALOG: '' },
    });
    serve.stderr?.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
    // serve answers, and its indexer has read every file
    const deadline = Date.now() + 150_000;
    for (;;) {
      if (serve.exitCode !== null) throw new Error(`txline serve exited:\n${stderr}`);
      const r = await get('/api/databases/neo4j/timeline?size=1').catch(() => null);
      if (r?.status === 200 && (JSON.parse(r.body) as { timeline: { total: number } }).timeline.total >= ARTIFACTS) break;
      if (Date.now() > deadline) throw new Error(`txline serve did not index the ${ARTIFACTS} artifacts in time (last answer: ${r ? `HTTP ${r.status}` : 'none'}):\n${stderr}`);
      await sleep(500);
    }
  }, 240_000);

  afterAll(async () => {
    if (serve && serve.exitCode === null) {
      const exited = once(serve, 'exit');
      serve.kill('SIGTERM');
      const timer = setTimeout(() => serve?.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it.each([
    ['the newest window', '', 'Showing artifacts 9,601–10,000 of 10,000 (the newest)'],
    ['the oldest window', '?from=0', 'Showing artifacts 1–400 of 10,000 (the oldest)'],
    ['the window "Go to" a transaction finds', '?go=250000', 'of 10,000'],
  ])('%s is at most 150 KiB of HTML and draws the timeline on the server', async (_what, query, count) => {
    const r = await get(`/databases/neo4j${query}`);
    expect(r.status, r.body.slice(0, 300)).toBe(200);
    const bytes = Buffer.byteLength(r.body);
    expect(bytes, `the page is ${(bytes / 1024).toFixed(0)} KiB`).toBeLessThanOrEqual(LIMIT);
    // what a reader sees before any script runs: where the window is, and the timeline's picture with its bars
    expect(r.body.replace(/<!-- -->/g, '')).toContain(count);
    const preview = /<svg[^>]*data-testid="chain-timeline-preview"[^]*?<\/svg>/.exec(r.body)?.[0] ?? '';
    expect(preview, 'the server draws the timeline').toMatch(/aria-label="Backup chains of neo4j: 400 backups/);
    expect(preview.match(/<path d="M[^"]{2000,}"/g)?.length ?? 0, 'the bars are drawn').toBeGreaterThanOrEqual(1);
  });
});
