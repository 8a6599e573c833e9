/**
 * The catalog on real files and a real cluster: the indexer (files are the truth: a new catalog indexes the
 * same chains back), lag samples (collector, downsampling, bounded chart queries).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { indexFolder } from '../../lib/db/indexer';
import { listArtifactsByDatabase } from '../../lib/db/queries/artifacts';
import { ensureFolder, upsertEmbeddedCluster } from '../../lib/db/queries/clusters';
import { downsampleLag, insertLagSamples, lagSeries } from '../../lib/db/queries/lag';
import { lagSamples } from '../../lib/db/schema';
import { buildTimeline } from '../../lib/dashboard/timeline';
import { backupDatabases } from '../../lib/engine/backup';
import { silentLog } from '../../lib/engine/progress';
import { parseEnv } from '../../lib/env';
import { Collector } from '../../lib/monitor/collector';
import { startTestCluster, tempDir, waitForConvergence, type TestCluster } from '../helpers/cluster';
import { sourceFor, writeTx } from '../helpers/engine';

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

  function indexInto(file: string): { db: Catalog; folderId: number } {
    const db = openCatalog(file);
    const folder = ensureFolder(db, { name: 'default', path: backups, isDefault: true });
    const r = indexFolder(db, folder);
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

  it('indexes every artifact, and a new catalog indexes the same chains back from the files', () => {
    const dir = tempDir('catalog');
    try {
      const first = indexInto(path.join(dir, 'one.sqlite'));
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
      const second = indexInto(path.join(dir, 'two.sqlite'));
      expect(chains(second.db, second.folderId)).toEqual(a);
      second.db.$client.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('follows the folder: a removed file leaves the catalog, an added one enters, unchanged ones are not read again', async () => {
    const dir = tempDir('catalog');
    try {
      const { db, folderId } = indexInto(path.join(dir, 'c.sqlite'));
      const folder = ensureFolder(db, { name: 'default', path: backups, isDefault: true });
      const before = listArtifactsByDatabase(db, { folderId, database: 'neo4j' });
      const moved = path.join(dir, before[before.length - 1].file);
      fs.renameSync(path.join(backups, before[before.length - 1].file), moved);
      let r = indexFolder(db, folder);
      expect(r).toMatchObject({ removed: 1, added: 0, unchanged: before.length - 1 });
      const broken = buildTimeline('neo4j', listArtifactsByDatabase(db, { folderId, database: 'neo4j' }));
      expect(broken.total).toBe(before.length - 1);
      fs.renameSync(moved, path.join(backups, before[before.length - 1].file));
      r = indexFolder(db, folder);
      expect(r).toMatchObject({ removed: 0, added: 1 });
      // a file that is not an artifact is reported, not indexed
      fs.writeFileSync(path.join(backups, 'junk.backup'), 'not an artifact');
      r = indexFolder(db, folder);
      expect(r.problems.map((p) => p.file)).toEqual(['junk.backup']);
      fs.rmSync(path.join(backups, 'junk.backup'));
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
