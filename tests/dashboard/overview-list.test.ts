/**
 * The overview's list at fleet size (lib/dashboard/overview-list.ts, backup-facts.ts) on a real catalog file:
 * 2,000 databases with backups (every hundredth with a broken chain), a cluster that reports 100 of them, its
 * `system` and one without backups; open alerts on some, passed drills on others. Search, both filters and
 * paging answer what a user would count by hand; the trouble filter reads chains in the background and says
 * so until it has; the cache follows the catalog (a new backup, a verification, a deletion).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { deleteArtifacts, setVerification } from '../../lib/db/queries/artifacts';
import { backedUpNames } from '../../lib/dashboard/backup-facts';
import { DEFAULT_QUERY, overviewListing, parseOverviewQuery, type OverviewQuery } from '../../lib/dashboard/overview-list';
import type { ClusterSnapshot } from '../../lib/monitor/collector';
import { snapshotReporting } from '../helpers/snapshots';

const N = 2000;
const name = (i: number) => `db${String(i).padStart(4, '0')}`;
const brokenOnes = Array.from({ length: N / 100 }, (_, k) => name(k * 100 + 50));
const alerted = Array.from({ length: 10 }, (_, k) => name(k * 7 + 3));
/** passed drills within 48 h: ten on the cluster, ten of databases only in backups */
const drilledOnCluster = Array.from({ length: 10 }, (_, k) => name(k + 1));
const drilledInBackups = Array.from({ length: 10 }, (_, k) => name(k + 201));
const HOUR = 3_600_000;

let dir: string;
let db: Catalog;
let folderId: number;
let snapshots: ClusterSnapshot[];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-overview-list-'));
  db = openCatalog(path.join(dir, 'catalog.sqlite'));
  const sql = db.$client;
  const now = Date.now();
  sql.transaction(() => {
    sql.prepare("INSERT INTO clusters (name, kind, started_here, addresses) VALUES ('east', 'txline', 0, '[]')").run();
    folderId = Number(sql.prepare("INSERT INTO backup_folders (name, path, is_default) VALUES ('fleet', ?, 1)").run(path.join(dir, 'fleet')).lastInsertRowid);
    const art = sql.prepare(`INSERT INTO artifacts (folder_id, file, database, database_id, store_id, time, full, compressed, lowest_tx, highest_tx, tip_tx, tx_count, parent,
      parent_last_tx_checksum, last_tx_checksum, recovered, size_bytes, raw_bytes, sha256, file_size, file_mtime_ms, indexed_at)
      VALUES (?, ?, ?, 'id', 'store', ?, ?, 0, ?, ?, ?, 10, ?, ?, ?, 0, 1, 1, 'x', 1, 1, ?)`);
    for (let i = 1; i <= N; i++) {
      const d = name(i);
      for (let k = 0; k < 3; k++) {
        const t = now - (3 - k) * HOUR;
        const parent = k === 0 ? null : brokenOnes.includes(d) && k === 2 ? `${d}-gone.backup` : `${d}-${k - 1}.backup`;
        art.run(folderId, `${d}-${k}.backup`, d, t, k === 0 ? 1 : 0, k === 0 ? 1 : k * 10 + 1, (k + 1) * 10, (k + 1) * 10, parent, k === 0 ? null : k * 10, (k + 1) * 10, now);
      }
    }
    const alert = sql.prepare("INSERT INTO alerts (key, condition, cluster, database, state, message, since, updated_at) VALUES (?, 'rpo', NULL, ?, 'firing', 'late', ?, ?)");
    for (const d of alerted) alert.run(`rpo||${d}`, d, now, now);
    const drill = sql.prepare("INSERT INTO drills (cluster_id, folder_id, database, location, point_kind, passed, started_at, finished_at) VALUES (?, ?, ?, 'x', 'latest', ?, ?, ?)");
    for (const d of drilledOnCluster) drill.run(1, folderId, d, 1, now - HOUR, now - HOUR + 1000);
    for (const d of drilledInBackups) drill.run(null, folderId, d, 1, now - HOUR, now - HOUR + 1000);
    // a failed drill after a passed one: unverified again
    drill.run(1, folderId, name(1), 0, now - 10 * 60_000, now - 9 * 60_000);
  })();
  // cluster 1 (east) reports 100 of the databases, its system database and one without backups
  snapshots = [snapshotReporting(1, 'east', [...Array.from({ length: 100 }, (_, k) => name(k + 1)), 'system', 'newdb'])];
});

afterAll(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const list = (q: Partial<OverviewQuery>) => {
  const src = overviewListing(db, { clusters: snapshots, folderId });
  const page = src.page({ ...DEFAULT_QUERY, ...q });
  return { ...page, overviews: src.overviews(page.entries) };
};

/** Asks until the background reading of chains is done (bounded: generous for a loaded machine), then answers. */
async function settled(q: Partial<OverviewQuery>) {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const r = list(q);
    if (r.pending === 0) return r;
    if (Date.now() > deadline) throw new Error(`the chains of ${r.pending} databases were still unread after 150 s`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

describe('the overview list of a fleet', () => {
  it('reads the names of the databases with backups by a skip-scan, as DISTINCT would', () => {
    const names = backedUpNames(db, { folderId });
    expect(names).toEqual((db.$client.prepare('SELECT DISTINCT database FROM artifacts WHERE folder_id = ? ORDER BY database').pluck().all(folderId) as string[]));
    expect(names).toHaveLength(N);
  });

  it('pages every database: the cluster’s first (system last), then those only in backups', () => {
    const first = list({});
    expect(first.total).toBe(N + 2);
    expect(first.matched).toBe(N + 2);
    expect(first.pages).toBe(Math.ceil((N + 2) / 50));
    expect(first.entries).toHaveLength(50);
    expect(first.entries[0]).toEqual({ clusterId: 1, database: 'db0001' });
    const second = list({ page: 2 });
    expect(second.entries.map((e) => e.database)).toEqual([...Array.from({ length: 50 }, (_, k) => name(k + 51))].sort());
    const third = list({ page: 3 });
    // newdb sorts after db0100, system last: the cluster's 102, then the rest from db0101
    expect(third.entries.slice(0, 3).map((e) => [e.clusterId, e.database])).toEqual([
      [1, 'newdb'],
      [1, 'system'],
      [null, 'db0101'],
    ]);
    // a page past the end shows the last one
    const past = list({ page: 999 });
    expect(past.page).toBe(first.pages);
    expect(past.entries.length).toBe((N + 2) % 50 || 50);
    // each card has its backups' facts
    expect(first.overviews[0]).toMatchObject({ database: 'db0001', artifactCount: 3, fullCount: 1, clusterId: 1, health: 'unverified', restorable: { toTx: 30 } });
    expect(first.overviews[0].lastDiff).toMatchObject({ file: 'db0001-2.backup', tipTx: 30 });
  });

  it('searches by a part of the name, in any case', () => {
    const r = list({ q: 'DB19' });
    const expected = Array.from({ length: N }, (_, k) => name(k + 1)).filter((d) => d.includes('db19'));
    expect(r.matched).toBe(expected.length);
    expect(r.entries.map((e) => e.database)).toEqual(expected.slice(0, 50));
    expect(list({ q: 'no-such-database' }).matched).toBe(0);
  });

  it('filters by cluster, and by "only in backups"', () => {
    const east = list({ cluster: 1 });
    expect(east.matched).toBe(102);
    expect(east.entries.every((e) => e.clusterId === 1)).toBe(true);
    const backups = list({ cluster: 'backups' });
    expect(backups.matched).toBe(N - 100);
    expect(backups.entries.every((e) => e.clusterId === null)).toBe(true);
    expect(list({ cluster: 77 }).matched).toBe(0);
    // with a search too
    expect(list({ cluster: 1, q: 'db009' }).matched).toBe(10);
  });

  it('filters by each kind of trouble', async () => {
    expect(list({ trouble: 'no-backups' }).entries.map((e) => e.database).sort()).toEqual(['newdb', 'system']);
    expect(list({ trouble: 'alerts' }).entries.map((e) => e.database).sort()).toEqual([...alerted].sort());
    // drilled (passed within 48 h, and the last drill not failed): not unverified
    expect(list({ trouble: 'unverified', cluster: 1 }).matched).toBe(102 - 9);
    expect(list({ trouble: 'unverified', cluster: 1, q: 'db0001' }).matched).toBe(1);
    expect(list({ trouble: 'unverified', cluster: 'backups' }).matched).toBe(N - 100 - 10);
    const broken = await settled({ trouble: 'broken' });
    expect(broken.entries.map((e) => e.database).sort()).toEqual([...brokenOnes].sort());
    expect(broken.overviews.every((o) => o.troubles.includes('broken') && o.health === 'broken')).toBe(true);
    // any: the union
    const any = await settled({ trouble: 'any', q: 'db005' });
    expect(any.entries.map((e) => e.database)).toEqual(Array.from({ length: 10 }, (_, k) => name(50 + k)));
  }, 180_000);

  it('says the chains it has not read yet, and reads them in the background', async () => {
    // a change in the catalog drops what it knew of that database: a verification that finds a corrupt link
    setVerification(db, { folderId, file: 'db1222-1.backup', status: 'corrupt', message: 'bad' });
    const first = list({ trouble: 'broken', q: 'db1222' });
    expect(first.pending).toBe(1);
    expect(first.entries).toEqual([]);
    const r = await settled({ trouble: 'broken', q: 'db1222' });
    expect(r.entries.map((e) => e.database)).toEqual(['db1222']);
  });

  it('follows the catalog: a new database, a deleted one', async () => {
    const now = Date.now();
    db.$client
      .prepare(`INSERT INTO artifacts (folder_id, file, database, database_id, store_id, time, full, compressed, lowest_tx, highest_tx, tip_tx, tx_count, parent,
        parent_last_tx_checksum, last_tx_checksum, recovered, size_bytes, raw_bytes, sha256, file_size, file_mtime_ms, indexed_at)
        VALUES (?, 'zz-new-0.backup', 'zz-new', 'id', 'store', ?, 1, 0, 1, 5, 5, 5, NULL, NULL, 5, 1, 1, 1, 'x', 1, 1, ?)`)
      .run(folderId, now, now);
    expect(list({ q: 'zz-new' }).overviews[0]).toMatchObject({ database: 'zz-new', artifactCount: 1, health: 'unverified' });
    const ids = db.$client.prepare("SELECT id FROM artifacts WHERE database = 'db0150'").pluck().all() as number[];
    deleteArtifacts(db, { ids });
    expect(list({ q: 'db0150' }).matched).toBe(0);
    expect(list({}).total).toBe(N + 2);
  });

  it('answers a page of 2,000 databases quickly once the chains are read', async () => {
    await settled({ trouble: 'any' });
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) list({ trouble: 'any', page: 3 });
    const each = (performance.now() - t0) / 5;
    // generous for a loaded CI machine; typically a few milliseconds
    expect(each).toBeLessThan(250);
  }, 180_000);
});

describe('parseOverviewQuery', () => {
  it.each([
    [{}, DEFAULT_QUERY],
    [{ q: '  neo  ', cluster: '3', trouble: 'broken', page: '4', size: '10' }, { q: 'neo', cluster: 3, trouble: 'broken', page: 4, size: 10 }],
    [{ cluster: 'backups', trouble: 'any' }, { ...DEFAULT_QUERY, cluster: 'backups', trouble: 'any' }],
    // what is not understood is the default, never an error
    [{ cluster: '-1', trouble: 'on-fire', page: '0' }, DEFAULT_QUERY],
    [{ cluster: 'east', page: 'x', size: '500' }, DEFAULT_QUERY],
    [{ cluster: '', trouble: '' }, DEFAULT_QUERY],
    [{ q: 'x'.repeat(500) }, DEFAULT_QUERY],
    [{ q: ['a', 'b'], page: ['2', '3'] }, { ...DEFAULT_QUERY, q: 'a', page: 2 }],
  ] as Array<[Record<string, string | string[]>, OverviewQuery]>)('%o', (params, expected) => {
    expect(parseOverviewQuery(params)).toEqual(expected);
    expect(parseOverviewQuery(new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))))).toEqual(expected);
  });
});
