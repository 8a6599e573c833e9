/**
 * The restore wizard's databases (lib/dashboard/restore-databases.ts) on a real catalog file: a short list is
 * offered whole with its backup counts per folder; past WIZARD_LIST_LIMIT only the database asked for is sent,
 * and a typed search answers the matches (exact name, then prefix, then the rest; at most WIZARD_MATCHES) with
 * their clusters and counts, as a DBA would count them by hand.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { findRestoreDatabases, WIZARD_LIST_LIMIT, WIZARD_MATCHES, wizardDatabases } from '../../lib/dashboard/restore-databases';
import { snapshotReporting } from '../helpers/snapshots';

const name = (i: number) => `fleet-db${String(i).padStart(4, '0')}`;
let dir: string;
let db: Catalog;
let folders: number[];

/** `n` databases with backups: `fleet-db0001`.. with i % 3 + 1 backups in the first folder, every tenth one more in the second. */
function seed(n: number): void {
  const sql = db.$client;
  sql.transaction(() => {
    sql.prepare('DELETE FROM artifacts').run();
    const art = sql.prepare(`INSERT INTO artifacts (folder_id, file, database, database_id, store_id, time, full, compressed, lowest_tx, highest_tx, tip_tx, tx_count, parent,
      parent_last_tx_checksum, last_tx_checksum, recovered, size_bytes, raw_bytes, sha256, file_size, file_mtime_ms, indexed_at)
      VALUES (?, ?, ?, 'id', 'store', ?, ?, 0, ?, ?, ?, 10, ?, ?, ?, 0, 1, 1, 'x', 1, 1, 1)`);
    for (let i = 1; i <= n; i++) {
      const d = name(i);
      for (let k = 0; k <= i % 3; k++) art.run(folders[0], `${d}-${k}.backup`, d, 1000 + k, k === 0 ? 1 : 0, k === 0 ? 1 : k * 10 + 1, (k + 1) * 10, (k + 1) * 10, k === 0 ? null : `${d}-${k - 1}.backup`, k === 0 ? null : k * 10, (k + 1) * 10);
      if (i % 10 === 0) art.run(folders[1], `${d}-0.backup`, d, 1000, 1, 1, 10, 10, null, null, 10);
    }
  })();
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-restore-databases-'));
  db = openCatalog(path.join(dir, 'catalog.sqlite'));
  const add = db.$client.prepare('INSERT INTO backup_folders (name, path, is_default) VALUES (?, ?, ?)');
  folders = [Number(add.run('main', path.join(dir, 'a'), 1).lastInsertRowid), Number(add.run('second', path.join(dir, 'b'), 0).lastInsertRowid)];
});

afterAll(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the restore wizard's databases", () => {
  it('lists every database, system last, with its cluster and backup counts per folder, while there are few', () => {
    seed(30);
    const snaps = [snapshotReporting(1, 'c1', ['system', name(2), 'newdb'])];
    const r = wizardDatabases(db, snaps, folders);
    expect(r.listed).toBe(true);
    expect(r.total).toBe(32);
    expect(r.databases.map((d) => d.name)).toEqual([...Array.from({ length: 30 }, (_, i) => name(i + 1)), 'newdb', 'system']);
    expect(r.databases.find((d) => d.name === name(10))).toEqual({ name: name(10), clusterId: null, backups: { [folders[0]]: 2, [folders[1]]: 1 } });
    expect(r.databases.find((d) => d.name === name(2))).toEqual({ name: name(2), clusterId: 1, backups: { [folders[0]]: 3 } });
    expect(r.databases.find((d) => d.name === 'newdb')).toEqual({ name: 'newdb', clusterId: 1, backups: {} });
  });

  it(`past ${WIZARD_LIST_LIMIT} databases sends only the one asked for, and finds those matching what is typed`, () => {
    seed(5000);
    const snaps = [snapshotReporting(7, 'c7', [name(42), 'system', 'old-sales', 'sales-eu', 'sales'])];
    const none = wizardDatabases(db, snaps, folders);
    expect(none).toEqual({ databases: [], total: 5004, listed: false });
    const asked = wizardDatabases(db, snaps, folders, name(42));
    expect(asked.databases).toEqual([{ name: name(42), clusterId: 7, backups: { [folders[0]]: 1 } }]);
    expect(wizardDatabases(db, snaps, folders, 'not-there').databases).toEqual([]);
    expect(JSON.stringify(asked).length).toBeLessThan(200);

    // "db004" (any case): fleet-db0040..fleet-db0049, with their clusters and counts
    const some = findRestoreDatabases(db, snaps, folders, 'DB004');
    expect(some.matched).toBe(10);
    expect(some.matches.map((d) => d.name)).toEqual(Array.from({ length: 10 }, (_, i) => name(40 + i)));
    expect(some.matches[0]).toEqual({ name: name(40), clusterId: null, backups: { [folders[0]]: 2, [folders[1]]: 1 } });
    expect(some.matches[2]).toEqual({ name: name(42), clusterId: 7, backups: { [folders[0]]: 1 } });
    // many matches (fleet-db1000..fleet-db1999): the first WIZARD_MATCHES, and how many there are
    const many = findRestoreDatabases(db, snaps, folders, 'db1');
    expect(many.matched).toBe(1000);
    expect(many.matches.map((d) => d.name)).toEqual(Array.from({ length: WIZARD_MATCHES }, (_, i) => name(1000 + i)));
    // the exact name, then names starting with it, then the others; blanks around it do not count
    expect(findRestoreDatabases(db, snaps, folders, ' sales ').matches.map((d) => d.name)).toEqual(['sales', 'sales-eu', 'old-sales']);
    expect(findRestoreDatabases(db, snaps, folders, 'sales').matches[0]).toEqual({ name: 'sales', clusterId: 7, backups: {} });
    expect(findRestoreDatabases(db, snaps, folders, '').matches).toEqual([]);
    expect(findRestoreDatabases(db, snaps, folders, 'zzz')).toEqual({ matches: [], matched: 0 });
  });
});
