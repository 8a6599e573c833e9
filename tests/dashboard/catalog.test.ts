/**
 * The catalog on real files and a real cluster: the indexer (files are the truth: a new catalog indexes the
 * same chains back; a folder of 2,000 artifacts is scanned without holding the event loop, one scan of a folder
 * at a time), lag samples (collector, offline samples of a stopped member, downsampling seconds to
 * minutes to hours, the collector's own downsampling schedule, bounded chart queries).
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { indexFolder, type IndexResult } from '../../lib/db/indexer';
import { listArtifactsByDatabase, listArtifactsOfFolder } from '../../lib/db/queries/artifacts';
import { addRemoteCluster, ensureFolder, upsertEmbeddedCluster } from '../../lib/db/queries/clusters';
import { bucket, downsampleLag, insertLagSamples, lagSeries, RETENTION_MS } from '../../lib/db/queries/lag';
import { lagSamples } from '../../lib/db/schema';
import { buildTimeline } from '../../lib/dashboard/timeline';
import { backupDatabases } from '../../lib/engine/backup';
import { silentLog } from '../../lib/engine/progress';
import { parseEnv } from '../../lib/env';
import { Collector } from '../../lib/monitor/collector';
import { startTestCluster, tempDir, TEST_TOKEN, waitFor, waitForConvergence, type TestCluster } from '../helpers/cluster';
import { sourceFor, unusedPort, writeTx } from '../helpers/engine';

describe('indexer', () => {
  let cluster: TestCluster;
  let backups: string;

  beforeAll(async () => {
    cluster = await startTestCluster();
    backups = tempDir('catalog-backups');
    // Every member caught up first, so that the member chosen as the source holds what was written.
    const backup = async (type: 'auto' | 'full', preferDiffAsParent = false) => {
      await waitForConvergence(cluster, 'neo4j');
      return backupDatabases({
        source: sourceFor(cluster),
        explicitSources: false,
        toPath: backups,
        type,
        preferDiffAsParent,
        compress: true,
        keepFailed: false,
        fallbackToFull: true,
        maxLag: 1000,
        databases: ['neo4j'],
        log: silentLog,
      });
    };
    // A chain with a branch: full, diff, diff, empty, full, then a diff preferring the older diff as parent.
    await writeTx(cluster.writer, 'neo4j', 5);
    await backup('full');
    await writeTx(cluster.writer, 'neo4j', 5);
    await backup('auto');
    await writeTx(cluster.writer, 'neo4j', 5);
    await backup('auto');
    await backup('auto');
    await writeTx(cluster.writer, 'neo4j', 5);
    await backup('full');
    await writeTx(cluster.writer, 'neo4j', 5);
    await backup('auto', true);
  });

  afterAll(async () => {
    await cluster?.stop();
    fs.rmSync(backups, { recursive: true, force: true });
  });

  async function indexInto(file: string): Promise<{ db: Catalog; folderId: number }> {
    const db = openCatalog(file);
    const folder = ensureFolder(db, { name: 'default', path: backups, isDefault: true });
    const r = await indexFolder(db, folder);
    expect(r.problems).toEqual([]);
    return { db, folderId: folder.id };
  }

  /** The chains as a DBA sees them, without catalog row IDs. */
  function chains(db: Catalog, folderId: number) {
    const tl = buildTimeline('neo4j', listArtifactsByDatabase(db, { folderId, database: 'neo4j' }));
    return {
      health: tl.health,
      restorable: tl.restorable,
      generations: tl.generations.map((g) => ({
        storeId: g.storeId,
        gaps: g.gaps,
        artifacts: g.artifacts.map((a) => ({ file: a.file, full: a.full, empty: a.empty, fromTx: a.fromTx, toTx: a.toTx, parent: a.parentFile, depth: a.depth, problem: a.chainProblem })),
      })),
    };
  }

  it('indexes every artifact, and a new catalog indexes the same chains back from the files', async () => {
    const dir = tempDir('catalog');
    try {
      const first = await indexInto(path.join(dir, 'one.sqlite'));
      const a = chains(first.db, first.folderId);
      expect(a.generations).toHaveLength(1);
      expect(a.generations[0].artifacts).toHaveLength(6);
      // the branch: the last differential follows the older differential, not the newer full
      const arts = a.generations[0].artifacts;
      expect(arts[5].parent).toBe(arts[2].file);
      expect(arts[3].empty).toBe(true);
      expect(a.restorable.length).toBe(2);
      first.db.$client.close();
      fs.rmSync(path.join(dir, 'one.sqlite'));
      const second = await indexInto(path.join(dir, 'two.sqlite'));
      expect(chains(second.db, second.folderId)).toEqual(a);
      second.db.$client.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('follows the folder: a removed file leaves the catalog, an added one enters, unchanged ones are not read again', async () => {
    const dir = tempDir('catalog');
    try {
      const { db, folderId } = await indexInto(path.join(dir, 'c.sqlite'));
      const folder = ensureFolder(db, { name: 'default', path: backups, isDefault: true });
      const before = listArtifactsByDatabase(db, { folderId, database: 'neo4j' });
      const moved = path.join(dir, before[before.length - 1].file);
      fs.renameSync(path.join(backups, before[before.length - 1].file), moved);
      let r = await indexFolder(db, folder);
      expect(r).toMatchObject({ removed: 1, added: 0, unchanged: before.length - 1 });
      const broken = buildTimeline('neo4j', listArtifactsByDatabase(db, { folderId, database: 'neo4j' }));
      expect(broken.total).toBe(before.length - 1);
      fs.renameSync(moved, path.join(backups, before[before.length - 1].file));
      r = await indexFolder(db, folder);
      expect(r).toMatchObject({ removed: 0, added: 1 });
      // a file that is not an artifact is reported, not indexed
      fs.writeFileSync(path.join(backups, 'junk.backup'), 'not an artifact');
      r = await indexFolder(db, folder);
      expect(r.problems.map((p) => p.file)).toEqual(['junk.backup']);
      fs.rmSync(path.join(backups, 'junk.backup'));
      db.$client.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scans a folder of 2,000 artifacts without holding the event loop, one scan of a folder at a time', async () => {
    const dir = tempDir('catalog-many');
    try {
      // 2,000 names of one artifact (hard links): each is stat'ed, and its head read and parsed, as a folder of
      // 2,000 backups would be
      const many = path.join(dir, 'many');
      fs.mkdirSync(many);
      const one = path.join(backups, fs.readdirSync(backups).filter((n) => n.endsWith('.backup'))[0]);
      for (let i = 0; i < 2000; i++) fs.linkSync(one, path.join(many, `neo4j-${String(i).padStart(4, '0')}.backup`));
      const db = openCatalog(path.join(dir, 'c.sqlite'));
      const folder = ensureFolder(db, { name: 'many', path: many, isDefault: false });
      // what a page served meanwhile would wait for: the longest time between two 10 ms ticks
      let last = performance.now();
      let gap = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        gap = Math.max(gap, now - last);
        last = now;
      }, 10);
      const t0 = performance.now();
      let scans: IndexResult[];
      let second: Promise<IndexResult>;
      let third: Promise<IndexResult>;
      try {
        const first = indexFolder(db, folder);
        // asked again while it runs (a job finished, the 15 s timer): one more scan after it, shared
        second = indexFolder(db, folder);
        third = indexFolder(db, folder);
        scans = await Promise.all([first, second]);
        await sleep(30); // a tick after the scans, whatever they did
      } finally {
        clearInterval(ticker);
      }
      const ms = performance.now() - t0;
      // relative to the scans' own time, so that a loaded machine (everything slower alike) does not fail it: a
      // scan that held the loop, or wrote its 2,000 rows in one stretch, is one gap of about half of that time
      expect(gap, `the longest gap between ticks during two scans of 2,000 artifacts (${Math.round(ms)} ms in all)`).toBeLessThan(Math.max(250, ms / 5));
      expect(third).toBe(second);
      // the second scan started after the first had written its rows: nothing to read again
      expect(scans[0]).toMatchObject({ added: 2000, unchanged: 0, problems: [] });
      expect(scans[1]).toMatchObject({ added: 0, updated: 0, unchanged: 2000, removed: 0 });
      expect(listArtifactsOfFolder(db, { folderId: folder.id })).toHaveLength(2000);
      db.$client.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the collector samples every member and database each tick', async () => {
    const dir = tempDir('collector');
    try {
      const db = openCatalog(path.join(dir, 'c.sqlite'));
      const env = parseEnv({ TXLINE_DATA_DIR: dir, TXLINE_CLUSTER_FILE: path.join(cluster.dir, 'cluster.json') });
      upsertEmbeddedCluster(db, { addresses: [], controlAddress: null });
      const collector = new Collector(db, env, { intervalMs: 1000 });
      await collector.tick(1_000_000_000_000);
      await collector.tick(1_000_000_001_000);
      const snap = collector.latest.get(1);
      expect(snap?.report.members.map((m) => m.id)).toEqual(['member-1', 'member-2', 'member-3']);
      expect(snap?.cluster.addresses).toEqual(cluster.addresses);
      const rows = db.select().from(lagSamples).all();
      // 3 members x 2 databases (system, neo4j) x 2 ticks
      expect(rows).toHaveLength(12);
      expect(new Set(rows.map((r) => `${r.memberId}/${r.database}`)).size).toBe(6);
      db.$client.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a member that stops answering gets an offline sample per database it hosted, under its own name', async () => {
    const dir = tempDir('collector');
    const db = openCatalog(path.join(dir, 'c.sqlite'));
    // registered by addresses (as a cluster added in Settings): an unreachable member is known only by its address
    const row = addRemoteCluster(db, { name: 'watched', addresses: cluster.addresses, token: TEST_TOKEN });
    const env = parseEnv({ TXLINE_DATA_DIR: dir });
    const collector = new Collector(db, env, { intervalMs: 1000 });
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    try {
      await collector.tick(t0);
      const before = db.select().from(lagSamples).all().filter((r) => r.memberId === 'member-3');
      expect(before.map((r) => [r.database, r.online]).sort()).toEqual([
        ['neo4j', true],
        ['system', true],
      ]);
      await cluster.sup.stopMember('member-3');
      await collector.tick(t0 + 1000);
      const snap = collector.latest.get(row.id);
      const m3 = snap?.report.members.find((m) => m.address === cluster.sup.member('member-3').address);
      expect(m3).toMatchObject({ reachable: false, id: 'member-3' });
      const after = db
        .select()
        .from(lagSamples)
        .all()
        .filter((r) => r.ts === t0 + 1000);
      // the two answering members as before, and member-3 offline at its last known transaction
      expect(after).toHaveLength(6);
      const offline = after.filter((r) => r.memberId === 'member-3');
      expect(offline.map((r) => r.database).sort()).toEqual(['neo4j', 'system']);
      for (const o of offline) {
        expect(o.online).toBe(false);
        expect(o.lastCommittedTxn).toBe(before.find((b) => b.database === o.database)?.lastCommittedTxn);
      }
      // the chart query leaves member-3's lag out there and marks it offline
      const series = lagSeries(db, { clusterId: row.id, database: 'neo4j', window: '5m', now: t0 + 2000 });
      expect(series.filter((p) => p.memberId === 'member-3').map((p) => p.online)).toEqual([true, false]);
    } finally {
      await cluster.sup.startMember('member-3');
      db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a member that never answered gets offline samples for the databases its cluster hosts', async () => {
    const dir = tempDir('collector');
    const db = openCatalog(path.join(dir, 'c.sqlite'));
    const dead = `127.0.0.1:${await unusedPort()}`;
    const row = addRemoteCluster(db, { name: 'half', addresses: [cluster.addresses[0], dead], token: TEST_TOKEN });
    const collector = new Collector(db, parseEnv({ TXLINE_DATA_DIR: dir }), { intervalMs: 1000 });
    try {
      await collector.tick(Date.now());
      const rows = db.select().from(lagSamples).all();
      expect(rows.filter((r) => r.memberId === dead).map((r) => [r.database, r.online]).sort()).toEqual([
        ['neo4j', false],
        ['system', false],
      ]);
      expect(rows.filter((r) => r.memberId === 'member-1').every((r) => r.online)).toBe(true);
      expect(Object.fromEntries(collector.latest.get(row.id)?.report.members.map((m) => [m.address, m.reachable]) ?? [])).toEqual({ [cluster.addresses[0]]: true, [dead]: false });
    } finally {
      db.$client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('lag samples', () => {
  const HOUR = 3_600_000;
  const now = Date.UTC(2026, 10, 23, 12, 0, 0);

  function seeded(): Catalog {
    const db = openCatalog(':memory:');
    upsertEmbeddedCluster(db, { addresses: ['127.0.0.1:1'], controlAddress: null });
    const rows = [];
    // three hours of per-second samples for two members; member-2 lags by (second % 10)
    for (let t = now - 3 * HOUR; t < now; t += 1000) {
      rows.push({ clusterId: 1, memberId: 'member-1', database: 'neo4j', ts: t, lastCommittedTxn: (t - (now - 3 * HOUR)) / 1000, replicationLag: 0, online: true });
      rows.push({ clusterId: 1, memberId: 'member-2', database: 'neo4j', ts: t, lastCommittedTxn: 0, replicationLag: -((t / 1000) % 10), online: true });
    }
    for (let i = 0; i < rows.length; i += 1000) insertLagSamples(db, rows.slice(i, i + 1000));
    return db;
  }

  it('folds seconds older than an hour into minute averages and keeps the last hour per second', () => {
    const db = seeded();
    const before = db.select().from(lagSamples).all().length;
    expect(before).toBe(2 * 3 * 3600);
    const r = downsampleLag(db, now);
    const all = db.select().from(lagSamples).all();
    const seconds = all.filter((s) => s.resolution === 's');
    const minutes = all.filter((s) => s.resolution === 'm');
    expect(Math.min(...seconds.map((s) => s.ts))).toBeGreaterThanOrEqual(now - HOUR);
    expect(minutes).toHaveLength(2 * 2 * 60);
    // member-2's lag cycles 0..-9 each 10 s: a minute's average is -4.5, rounded
    for (const m of minutes.filter((x) => x.memberId === 'member-2')) expect(Math.abs(m.replicationLag + 4.5)).toBeLessThanOrEqual(0.5);
    // the writer's last committed transaction is the highest of the minute
    const w = minutes.filter((x) => x.memberId === 'member-1').sort((a, b) => a.ts - b.ts);
    expect(w[1].lastCommittedTxn - w[0].lastCommittedTxn).toBe(60);
    expect(r.deleted).toBe(2 * 2 * 3600);
    // idempotent
    expect(downsampleLag(db, now)).toEqual({ folded: 0, deleted: 0 });
    expect(db.select().from(lagSamples).all()).toHaveLength(all.length);
  });

  it('folds minutes older than a week into hourly averages, and deletes hours older than 90 days', () => {
    const DAY = 24 * HOUR;
    const db = openCatalog(':memory:');
    upsertEmbeddedCluster(db, { addresses: ['127.0.0.1:1'], controlAddress: null });
    const minutes = [];
    // nine days of minute rows (from downsampled seconds): member-2's lag is -(minute % 6), member-1 writes 60 a minute
    for (let t = now - 9 * DAY; t < now; t += 60_000) {
      const k = (t - (now - 9 * DAY)) / 60_000;
      minutes.push({ clusterId: 1, memberId: 'member-1', database: 'neo4j', resolution: 'm' as const, ts: t, lastCommittedTxn: 60 * k, replicationLag: 0, online: true });
      minutes.push({ clusterId: 1, memberId: 'member-2', database: 'neo4j', resolution: 'm' as const, ts: t, lastCommittedTxn: 60 * k - 3, replicationLag: -(k % 6), online: true });
    }
    // and one hour row from long ago, past the hourly retention
    const ancient = { clusterId: 1, memberId: 'member-1', database: 'neo4j', resolution: 'h' as const, ts: now - RETENTION_MS.h - HOUR, lastCommittedTxn: 1, replicationLag: 0, online: true };
    for (let i = 0; i < minutes.length; i += 1000) db.insert(lagSamples).values(minutes.slice(i, i + 1000)).run();
    db.insert(lagSamples).values(ancient).run();

    const r = downsampleLag(db, now);
    const all = db.select().from(lagSamples).all();
    const weekAgo = now - RETENTION_MS.m;
    const keptMinutes = all.filter((x) => x.resolution === 'm');
    const hours = all.filter((x) => x.resolution === 'h');
    // minutes of the last week stay; the two days before it become 48 hours per member
    expect(Math.min(...keptMinutes.map((x) => x.ts))).toBeGreaterThanOrEqual(weekAgo);
    expect(keptMinutes).toHaveLength(2 * 7 * 1440);
    expect(hours).toHaveLength(2 * 2 * 24);
    expect(hours.every((h) => h.ts % HOUR === 0 && h.ts < weekAgo)).toBe(true);
    // an hour's lag is the average of its minutes (0..5 repeating: 2.5, rounded), its transaction the highest
    for (const h of hours.filter((x) => x.memberId === 'member-2')) expect(Math.abs(h.replicationLag + 2.5)).toBeLessThanOrEqual(0.5);
    const w = hours.filter((x) => x.memberId === 'member-1').sort((a, b) => a.ts - b.ts);
    expect(w[1].lastCommittedTxn - w[0].lastCommittedTxn).toBe(3600);
    expect(w[0].lastCommittedTxn).toBe(60 * 59);
    expect(all.some((x) => x.ts === ancient.ts)).toBe(false);
    expect(r).toEqual({ folded: 2 * 2 * 24, deleted: 2 * 2 * 1440 + 1 });
    expect(downsampleLag(db, now)).toEqual({ folded: 0, deleted: 0 });
  });

  it('offline samples carry no lag: a bucket averages where the member answered, and is offline only if it never did', () => {
    const p = (ts: number, lag: number, online: boolean) => ({ ts, memberId: 'member-3', lastCommittedTxn: 100 + ts / 1000, replicationLag: lag, online });
    expect(bucket([p(0, -10, true), p(1000, 0, false), p(2000, -20, true), p(60_000, 0, false), p(61_000, 0, false)], 60_000)).toEqual([
      { ts: 0, memberId: 'member-3', lastCommittedTxn: 102, replicationLag: -15, online: true },
      { ts: 60_000, memberId: 'member-3', lastCommittedTxn: 161, replicationLag: 0, online: false },
    ]);
    // the SQL of downsampling follows the same rule
    const db = openCatalog(':memory:');
    upsertEmbeddedCluster(db, { addresses: ['127.0.0.1:1'], controlAddress: null });
    const t = Math.floor((now - 2 * HOUR) / 60_000) * 60_000;
    insertLagSamples(db, [
      { clusterId: 1, memberId: 'member-3', database: 'neo4j', ts: t, lastCommittedTxn: 5, replicationLag: -10, online: true },
      { clusterId: 1, memberId: 'member-3', database: 'neo4j', ts: t + 1000, lastCommittedTxn: 5, replicationLag: 0, online: false },
      { clusterId: 1, memberId: 'member-3', database: 'neo4j', ts: t + 2000, lastCommittedTxn: 6, replicationLag: -20, online: true },
      { clusterId: 1, memberId: 'member-3', database: 'neo4j', ts: t + 60_000, lastCommittedTxn: 6, replicationLag: 0, online: false },
    ]);
    downsampleLag(db, now);
    expect(
      db
        .select()
        .from(lagSamples)
        .all()
        .map((x) => [x.resolution, x.ts - t, x.lastCommittedTxn, x.replicationLag, x.online]),
    ).toEqual([
      ['m', 0, 6, -15, true],
      ['m', 60_000, 6, 0, false],
    ]);
  });

  it('a tick while a round runs waits for that round instead of starting one', async () => {
    const net = await import('node:net');
    // a member that accepts connections and never answers: a round lasts until its timeout
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const db = openCatalog(':memory:');
    const row = addRemoteCluster(db, { name: 'silent', addresses: [`127.0.0.1:${(silent.address() as import('node:net').AddressInfo).port}`] });
    const collector = new Collector(db, parseEnv({}), { intervalMs: 200 });
    try {
      const first = collector.tick();
      const second = collector.tick();
      expect(second).toBe(first);
      expect(collector.latest.has(row.id)).toBe(false);
      await second; // resolves when the round is done: the cluster's report is there
      expect(collector.latest.get(row.id)?.report.members[0]).toMatchObject({ reachable: false });
      const third = collector.tick();
      expect(third).not.toBe(first);
      await third;
    } finally {
      silent.close();
      db.$client.close();
    }
  });

  it('the collector downsamples on its own schedule, not on every tick', async () => {
    const db = openCatalog(':memory:');
    const dead = `127.0.0.1:${await unusedPort()}`;
    addRemoteCluster(db, { name: 'gone', addresses: [dead] });
    const start = Date.now();
    const old = [];
    // two hours ago: seconds that are due to become minutes
    const from = Math.floor((start - 2 * HOUR) / 60_000) * 60_000;
    for (let t = from; t < from + 120_000; t += 1000) old.push({ clusterId: 1, memberId: 'member-1', database: 'neo4j', ts: t, lastCommittedTxn: 1, replicationLag: 0, online: true });
    insertLagSamples(db, old);
    const collector = new Collector(db, parseEnv({}), { intervalMs: 100, downsampleEveryMs: 1500 });
    const seconds = () => db.select().from(lagSamples).all().filter((x) => x.resolution === 's' && x.ts < start - HOUR).length;
    expect(seconds()).toBe(120);
    collector.start();
    try {
      await waitFor('the first downsampling', () => collector.lastDownsampled !== null, 5000);
      expect(seconds()).toBe(0);
      expect(db.select().from(lagSamples).all().filter((x) => x.resolution === 'm')).toHaveLength(2);
      const first = collector.lastDownsampled?.at as number;
      // more seconds due: the next run comes about 1.5 s later, not at the next tick (0.1 s)
      insertLagSamples(db, old.map((o) => ({ ...o, ts: o.ts - 600_000 })));
      await new Promise((r) => setTimeout(r, 600));
      expect(collector.lastDownsampled?.at).toBe(first);
      expect(seconds()).toBe(120);
      await waitFor('the second downsampling', () => (collector.lastDownsampled?.at ?? 0) > first, 5000);
      expect((collector.lastDownsampled?.at as number) - first).toBeGreaterThanOrEqual(1500);
      expect(seconds()).toBe(0);
    } finally {
      collector.stop();
      db.$client.close();
    }
  });

  it('chart queries read bounded rows per window', () => {
    const db = seeded();
    downsampleLag(db, now);
    const five = lagSeries(db, { clusterId: 1, database: 'neo4j', window: '5m', now });
    expect(five).toHaveLength(2 * 300);
    const hour = lagSeries(db, { clusterId: 1, database: 'neo4j', window: '1h', now });
    expect(hour).toHaveLength(2 * 360); // 10-second buckets
    const day = lagSeries(db, { clusterId: 1, database: 'neo4j', window: '24h', now });
    // 2 hours of minute rows and the last hour's seconds folded to minutes
    expect(day).toHaveLength(2 * 180);
    expect(day.every((p, i) => i === 0 || p.ts >= day[i - 1].ts)).toBe(true);
  });
});
