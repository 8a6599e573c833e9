/**
 * `npm run bench:web`: the dashboard's server time with a big catalog. Seeds a data folder with 10,000 real
 * artifact files (chains of one full and 199 differentials) and a catalog holding 1 million lag samples
 * (the steady state after downsampling: 63 member-database series, an hour of seconds, a week of minutes,
 * 90 days of hours), starts `txline serve` on it (with its live embedded cluster), and prints the median time
 * to the full response of the overview, database and cluster pages and of the lag query.
 *
 * With `--scale=fleet` (./web-fleet.ts) the catalog is seeded directly for one server of 50 clusters x 100
 * databases: a million artifact rows, 10 million lag samples, jobs, audit events, alerts and drills; every page
 * and every read API the pages poll is timed, the overview with its search, filters and paging, and the peak
 * RSS of the web server is printed.
 *
 * Every timed answer must be a 200: a redirect (to the sign-in page, say) or an error would otherwise be timed
 * as if it were the page. Any other status fails the run (exit code 1) naming the request and what came back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { openCatalog } from '../db';
import { SESSION_COOKIE, createSession } from '../auth/sessions';
import { ensureInitialAdmin } from '../auth/users';
import { backupFolders, clusters, lagSamples } from '../db/schema';
import { ArtifactWriter, UNRACED } from '../engine/artifact-writer';
import { folderLocation } from '../engine/artifact';
import { freePorts } from '../cluster/supervisor';
import { txlineBin } from '../paths';
import { TxlineError } from '../errors';
import { FLEET, seedFleet, type FleetSeeded } from './web-fleet';

export interface WebBenchOptions {
  /** 'small': real artifact files in the default folder; 'fleet': ./web-fleet.ts */
  scale?: 'small' | 'fleet';
  artifacts: number;
  samples: number;
  runs: number;
  keepData?: boolean;
  /** a data folder an earlier run kept (--keep-data): time its catalog again instead of seeding a new one */
  reuse?: string;
  /** time only the requests whose label contains this (case-insensitive) */
  only?: string;
}

/** What a kept data folder needs to be timed again (--reuse), written beside its catalog. */
const SEEDED_FILE = 'bench-web.json';
interface SeededInfo {
  scale: 'small' | 'fleet';
  artifacts: number;
  samples: number;
  fleet: FleetSeeded | null;
}

const out = (s: string) => process.stdout.write(`${s}\n`);

async function seedArtifacts(dir: string, count: number): Promise<void> {
  const databaseId = randomUUID();
  const storeId = randomUUID();
  const start = Date.now() - count * 60_000;
  let parent: { file: string; tip: number; checksum: number } | null = null;
  for (let i = 0; i < count; i++) {
    const full = i % 200 === 0;
    const time = new Date(start + i * 60_000);
    const w = new ArtifactWriter({ location: folderLocation(dir), lock: UNRACED, database: 'neo4j', time, full, codec: 'none', keepFailed: false });
    const payload = w.payload();
    await new Promise<void>((resolve, reject) => payload.end(Buffer.alloc(0), (e?: Error | null) => (e ? reject(e) : resolve())));
    const tip: number = full ? (parent?.tip ?? 0) : (parent?.tip ?? 0) + 50;
    const a = await w.commit({
      databaseId,
      storeId,
      lowestTx: full ? 1 : tip - 49,
      highestTx: tip,
      txCount: full ? tip : 50,
      parent: full ? null : (parent?.file ?? null),
      parentLastTxChecksum: full ? null : (parent?.checksum ?? 0),
      tipTx: tip,
      lastTxChecksum: tip,
      firstCommitTime: full ? null : time.getTime() - 50_000,
      lastCommitTime: time.getTime() - 1000,
      recovered: full,
      member: { id: 'member-3', address: '127.0.0.1:6382', role: 'secondary' },
      store: full ? { nodes: tip * 2, relationships: tip * 3 } : null,
    });
    parent = { file: a.file, tip, checksum: tip };
  }
}

async function seedCatalog(file: string, backupDir: string, samples: number, fleet = false): Promise<{ samples: number; cookie: string; fleet: FleetSeeded | null }> {
  const db = openCatalog(file);
  // A signed-in admin for the requests (sessions are required).
  await ensureInitialAdmin(db, 'bench-admin-password');
  db.$client.prepare("UPDATE users SET must_change_password = 0 WHERE username = 'admin'").run();
  const { token } = createSession(db, { userId: (db.$client.prepare("SELECT id FROM users WHERE username = 'admin'").get() as { id: number }).id, address: '127.0.0.1' });
  db.insert(clusters).values({ name: 'embedded', kind: 'txline', startedHere: true, addresses: [] }).run();
  db.insert(backupFolders).values({ name: 'default', path: backupDir, isDefault: true }).run();
  if (fleet) {
    const seeded = seedFleet(db, path.dirname(file), { samples });
    db.$client.close();
    return { samples: seeded.samples, cookie: `${SESSION_COOKIE}=${token}`, fleet: seeded };
  }
  const members = ['member-1', 'member-2', 'member-3'];
  const perSeries = 3600 + 7 * 1440 + 90 * 24;
  const series = Math.ceil(samples / perSeries);
  const dbs = Array.from({ length: Math.ceil(series / members.length) }, (_, i) => (i === 0 ? 'neo4j' : `db${i}`));
  const now = Math.floor(Date.now() / 1000) * 1000;
  const ins = db.$client.prepare(
    'INSERT OR IGNORE INTO lag_samples (cluster_id, member_id, database, resolution, ts, last_committed_txn, replication_lag, online) VALUES (1, ?, ?, ?, ?, ?, ?, 1)',
  );
  let n = 0;
  const tiers: Array<['s' | 'm' | 'h', number, number]> = [
    ['s', 3600, 1000],
    ['m', 7 * 1440, 60_000],
    ['h', 90 * 24, 3_600_000],
  ];
  db.$client.transaction(() => {
    for (const d of dbs) {
      for (const [mi, m] of members.entries()) {
        for (const [res, count, step] of tiers) {
          for (let k = 0; k < count && n < samples; k++) {
            const ts = now - (k + 1) * step - (res === 's' ? 0 : 3_600_000);
            ins.run(m, d, res, ts, 1_000_000 - k, mi === 0 ? 0 : -((k * 7 + mi * 13) % 50));
            n++;
          }
        }
      }
    }
  })();
  void lagSamples;
  db.$client.close();
  return { samples: n, cookie: `${SESSION_COOKIE}=${token}`, fleet: null };
}

let cookie = '';

function timedGet(port: number, p: string): Promise<{ ms: number; status: number; bytes: number; location: string | null }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path: p, timeout: 60_000, headers: { cookie } }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0, bytes, location: res.headers.location ?? null }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`GET ${p} timed out`)));
  });
}

/** Every page and every read API the pages poll, at the fleet's scale (the fleet's folder named). */
function fleetUrls(f: FleetSeeded): Array<[string, string]> {
  const q = (p: Record<string, string>) => `?${new URLSearchParams({ folder: String(f.folderId), ...p })}`;
  const db = encodeURIComponent(f.sample.database);
  return [
    ['overview page  GET / (page 1 of 5,002)', `/${q({})}`],
    ['overview page  GET / (search "db042")', `/${q({ q: 'db042' })}`],
    ['overview page  GET / (one cluster: embedded)', `/${q({ cluster: '1' })}`],
    ['overview page  GET / (only in backups)', `/${q({ cluster: 'backups' })}`],
    ['overview page  GET / (in trouble)', `/${q({ trouble: 'any' })}`],
    ['overview page  GET / (broken chains)', `/${q({ trouble: 'broken' })}`],
    ['overview page  GET / (page 60)', `/${q({ page: '60' })}`],
    ['overview poll  GET /api/overview', `/api/overview${q({})}`],
    ['overview poll  GET /api/overview (trouble, page 2)', `/api/overview${q({ trouble: 'any', page: '2' })}`],
    ['overview poll  GET /api/overview (search)', `/api/overview${q({ q: 'fleet07' })}`],
    ['databases      GET /databases', `/databases${q({})}`],
    ['database page  GET /databases/neo4j (100,000 artifacts)', `/databases/neo4j${q({})}`],
    ['database page  GET /databases/neo4j (oldest window)', `/databases/neo4j${q({ from: '0' })}`],
    [`database page  GET /databases/${f.sample.database}`, `/databases/${db}${q({})}`],
    ['timeline query GET /api/databases/neo4j/timeline', `/api/databases/neo4j/timeline${q({})}`],
    ['cluster page   GET /cluster', '/cluster'],
    ['cluster page   GET /cluster (a fleet cluster)', `/cluster?id=${f.sample.clusterId}`],
    ['cluster poll   GET /api/cluster?all=1', '/api/cluster?all=1'],
    ['cluster poll   GET /api/cluster', '/api/cluster'],
    ['lag query      GET /api/lag (neo4j, 5 min)', '/api/lag?cluster=1&database=neo4j&window=5m'],
    ['lag query      GET /api/lag (neo4j, 1 hour)', '/api/lag?cluster=1&database=neo4j&window=1h'],
    ['lag query      GET /api/lag (neo4j, 24 hours)', '/api/lag?cluster=1&database=neo4j&window=24h'],
    ['lag query      GET /api/lag (fleet db, 24 hours)', `/api/lag?cluster=${f.sample.clusterId}&database=${db}&window=24h`],
    ['jobs page      GET /jobs', '/jobs'],
    ['jobs poll      GET /api/jobs', '/api/jobs'],
    ['restore page   GET /restore', `/restore${q({})}`],
    ['alerts page    GET /alerts', '/alerts'],
    ['alerts poll    GET /api/alerts', '/api/alerts'],
    ['audit page     GET /admin/audit', '/admin/audit'],
    ['users page     GET /admin/users', '/admin/users'],
    ['settings page  GET /settings', '/settings'],
    ['account page   GET /account', '/account'],
    ['metrics        GET /api/metrics', '/api/metrics'],
  ];
}

/** The peak resident set of the `next start` process under `txline serve` (its child), from /proc. */
function peakRss(servePid: number | undefined): string | null {
  if (!servePid) return null;
  try {
    for (const task of fs.readdirSync(`/proc/${servePid}/task`)) {
      for (const child of fs.readFileSync(`/proc/${servePid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
        const cmd = fs.readFileSync(`/proc/${child}/cmdline`, 'utf8');
        if (!/next/.test(cmd) || !cmd.includes('start')) continue;
        const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child}/status`, 'utf8'));
        if (hwm) return `${(Number(hwm[1]) / 1024).toFixed(0)} MiB (pid ${child})`;
      }
    }
  } catch (e) {
    return `unknown (${(e as Error).message})`;
  }
  return null;
}

/** The database page's HTML, in bytes (issue 17: at most 150 KiB whatever the number of artifacts). */
async function pageBytes(port: number, folderId: number | null): Promise<number> {
  return (await timedGet(port, `/databases/neo4j${folderId === null ? '' : `?folder=${folderId}`}`)).bytes;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * A kept data folder's catalog, signed in again (a new session: the old one may have expired). Its rows keep
 * the times of their seeding: a fleet reused hours later has older backups and lag than a fresh one.
 */
function reuseData(dir: string): SeededInfo {
  const file = path.join(dir, SEEDED_FILE);
  if (!fs.existsSync(file)) throw new TxlineError('INVALID_ARGUMENT', `--reuse: ${dir} is not a data folder kept by bench:web --keep-data (no ${SEEDED_FILE})`);
  const info = JSON.parse(fs.readFileSync(file, 'utf8')) as SeededInfo;
  const db = openCatalog(path.join(dir, 'txline.sqlite'));
  try {
    const { token } = createSession(db, { userId: (db.$client.prepare("SELECT id FROM users WHERE username = 'admin'").get() as { id: number }).id, address: '127.0.0.1' });
    cookie = `${SESSION_COOKIE}=${token}`;
  } finally {
    db.$client.close();
  }
  return info;
}

async function seedData(dir: string, opts: WebBenchOptions): Promise<SeededInfo> {
  const backupDir = path.join(dir, 'backups');
  fs.mkdirSync(backupDir, { recursive: true });
  const fleetScale = opts.scale === 'fleet';
  let t = performance.now();
  if (!fleetScale) {
    await seedArtifacts(backupDir, opts.artifacts);
    out(`seeded ${opts.artifacts} artifact files in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
  }
  const seeded = await seedCatalog(path.join(dir, 'txline.sqlite'), backupDir, opts.samples, fleetScale);
  cookie = seeded.cookie;
  const fleet = seeded.fleet;
  if (fleet) {
    out(
      `seeded the catalog directly in ${((performance.now() - t) / 1000).toFixed(1)} s: ${fleet.databases} fleet databases on 50 clusters, ${fleet.artifacts} artifact rows, ${fleet.samples} lag samples, 100,500 jobs, 200,000 audit events, 20,200 alerts, 2,000 drills (${Object.entries(fleet.seconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')})`,
    );
  } else out(`seeded ${seeded.samples} lag samples in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const info: SeededInfo = { scale: fleetScale ? 'fleet' : 'small', artifacts: fleet ? FLEET.bigDatabaseArtifacts : opts.artifacts, samples: seeded.samples, fleet };
  fs.writeFileSync(path.join(dir, SEEDED_FILE), JSON.stringify(info));
  return info;
}

export async function benchWeb(opts: WebBenchOptions): Promise<void> {
  const dir = opts.reuse ? path.resolve(opts.reuse) : fs.mkdtempSync(path.join(os.tmpdir(), 'txline-bench-web-'));
  let serve: ChildProcess | null = null;
  try {
    const seeded = opts.reuse ? reuseData(dir) : await seedData(dir, opts);
    if (opts.reuse) out(`reusing ${dir}: the ${seeded.scale} catalog seeded by an earlier run`);
    const fleet = seeded.fleet;
    const artifacts = seeded.artifacts;
    const [port] = await freePorts('127.0.0.1', 1);
    const started = performance.now();
    serve = spawn(process.execPath, [txlineBin(), 'serve', '--port', String(port), '--data-dir', dir, '--base-port', '0', '--workload-rate', '5'], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'], // serve stops when this process goes away
      env: { ...process.env, TXLINE_CLUSTER_ADDRESSES: '', TXLINE_CLUSTER_FILE: '', TXLINE_BACKUP_DIR: '', TXLINE_CATALOG: '' },
    });
    let stderr = '';
    // the whole of it beside the catalog, for a slow start to be read afterwards
    const serveLog = fs.createWriteStream(path.join(dir, 'serve.log'));
    serve.stderr?.on('data', (c: Buffer) => {
      stderr = (stderr + c).slice(-4000);
      serveLog.write(c);
    });
    const deadline = Date.now() + 600_000;
    for (;;) {
      if (serve.exitCode !== null) throw new Error(`txline serve exited:\n${stderr}`);
      const ok = await timedGet(port, '/api/cluster').then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`txline serve did not answer:\n${stderr}`);
      await sleep(500);
    }
    out(`the server answered ${((performance.now() - started) / 1000).toFixed(1)} s after its start`);
    // The indexer reads the 10,000 files at start-up; wait until the catalog has them (the fleet's rows are there).
    for (; !fleet; ) {
      const r = await timedGet(port, '/api/databases/neo4j/timeline?limit=1');
      if (r.status === 200 && r.bytes > 0) {
        const body = await new Promise<string>((resolve) => http.get({ host: '127.0.0.1', port, path: '/api/databases/neo4j/timeline?limit=1', headers: { cookie } }, (res) => {
          let s = '';
          res.on('data', (c) => (s += c));
          res.on('end', () => resolve(s));
        }));
        if ((JSON.parse(body) as { timeline: { total: number } }).timeline.total >= artifacts) break;
      }
      await sleep(500);
    }
    const urls: Array<[string, string]> = fleet ? fleetUrls(fleet) : [
      ['overview page  GET /', '/'],
      ['database page  GET /databases/neo4j', '/databases/neo4j'],
      ['database page  GET /databases/neo4j (oldest window)', '/databases/neo4j?from=0'],
      ['database page  GET /databases/neo4j (go to a tx)', '/databases/neo4j?go=250000'],
      ['cluster page   GET /cluster', '/cluster'],
      ['lag query      GET /api/lag (5 min)', '/api/lag?cluster=1&database=neo4j&window=5m'],
      ['lag query      GET /api/lag (1 hour)', '/api/lag?cluster=1&database=neo4j&window=1h'],
      ['lag query      GET /api/lag (24 hours)', '/api/lag?cluster=1&database=neo4j&window=24h'],
      ['timeline query GET /api/databases/neo4j/timeline', '/api/databases/neo4j/timeline'],
    ];
    const timed = opts.only ? urls.filter(([label]) => label.toLowerCase().includes((opts.only as string).toLowerCase())) : urls;
    out('');
    out(`median (p90) of ${opts.runs} sequential requests each, full response, aim under 300 ms:`);
    const failures: string[] = [];
    const slow: string[] = [];
    for (const [label, p] of timed) {
      const times: number[] = [];
      const statuses = new Map<string, number>();
      let bytes = 0;
      for (let i = 0; i < opts.runs + 3; i++) {
        const r = await timedGet(port, p).catch((e: Error) => {
          throw new Error(`GET ${p}: ${e.message}; the server's last words:\n${stderr}`);
        });
        const what = r.status === 200 ? '200' : `${r.status}${r.location ? ` (to ${r.location})` : ''}`;
        statuses.set(what, (statuses.get(what) ?? 0) + 1);
        if (i < 3) continue; // warm-up
        times.push(r.ms);
        bytes = r.bytes;
      }
      const p90 = [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.9)];
      const bad = [...statuses].filter(([k]) => k !== '200');
      const m = median(times);
      const mark = bad.length ? '  FAILED: not every answer was 200' : m >= 300 ? '  over the aim' : '';
      out(`  ${label.padEnd(52)} ${m.toFixed(0).padStart(5)} ms (${p90.toFixed(0)} ms)  HTTP ${[...statuses].map(([k, n]) => `${k}${statuses.size > 1 ? ` x${n}` : ''}`).join(', ')}, ${(bytes / 1024).toFixed(0)} KiB${mark}`);
      if (bad.length) failures.push(`GET ${p} answered ${bad.map(([k, n]) => `HTTP ${k} ${n} of ${opts.runs + 3} times`).join(', ')}`);
      if (m >= 300) slow.push(`${label.trim()}: ${m.toFixed(0)} ms`);
    }
    out(`database page HTML at ${artifacts.toLocaleString('en-US')} artifacts: ${((await pageBytes(port, fleet?.folderId ?? null)) / 1024).toFixed(1)} KiB (aim: at most 150 KiB)`);
    out('');
    out(slow.length ? `over 300 ms: ${slow.join('; ')}` : 'every median is under 300 ms');
    const rss = peakRss(serve.pid);
    if (rss) out(`peak RSS of the web server (next start, VmHWM): ${rss}`);
    out(`load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')}`);
    if (failures.length) {
      throw new TxlineError('INTERNAL', `bench:web: the timed requests must all answer 200, but ${failures.join('; ')}; the figures above do not time the pages`);
    }
  } finally {
    if (serve && serve.exitCode === null) {
      const exited = once(serve, 'exit');
      serve.kill('SIGTERM');
      await exited;
    }
    if (opts.keepData || opts.reuse) out(`kept ${dir} (time it again with --reuse ${dir})`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}
