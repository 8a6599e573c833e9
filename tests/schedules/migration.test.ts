/**
 * The catalog migration that replaces the unused `schedules` table: a catalog written before it (clusters,
 * folders, jobs, and a row in the old table) opens with the new table, empty and usable, and nothing else lost.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../lib/db';
import { listClusters, listFolders } from '../../lib/db/queries/clusters';
import { listSchedules, upsertSchedule } from '../../lib/db/queries/schedules';
import { projectRoot } from '../../lib/paths';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-schedules-migration-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

function migrationsBefore(tag: string): string {
  const dst = path.join(temp, 'drizzle-before');
  fs.cpSync(path.join(projectRoot(), 'drizzle'), dst, { recursive: true });
  const journalFile = path.join(dst, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: Array<{ tag: string }> };
  const at = journal.entries.findIndex((e) => e.tag.endsWith(tag));
  expect(at, `a migration named *${tag} exists`).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  return dst;
}

describe('the schedules migration', () => {
  it('replaces the old table and keeps clusters, folders and jobs', () => {
    const file = path.join(temp, 'old.sqlite');
    const old = new Database(file);
    migrate(drizzle(old), { migrationsFolder: migrationsBefore('_schedules') });
    old.prepare('INSERT INTO clusters (name, kind, started_here, addresses) VALUES (?, ?, 1, ?)').run('embedded', 'txline', JSON.stringify(['127.0.0.1:6362']));
    old.prepare('INSERT INTO backup_folders (name, path, is_default) VALUES (?, ?, 1)').run('default', '/var/backups/txline');
    old.prepare("INSERT INTO jobs (kind, status, cluster_id, folder_id, database, params, args) VALUES ('backup', 'succeeded', 1, 1, 'neo4j', '{}', '[]')").run();
    // the old shape: one cron and a type
    old.prepare("INSERT INTO schedules (cluster_id, folder_id, database, cron, type) VALUES (1, 1, 'neo4j', '0 2 * * *', 'auto')").run();
    old.close();

    const db = openCatalog(file);
    expect(listClusters(db).map((c) => c.name)).toEqual(['embedded']);
    expect(listFolders(db).map((f) => f.path)).toEqual(['/var/backups/txline']);
    expect(db.$client.prepare('SELECT count(*) AS n FROM jobs').get()).toEqual({ n: 1 });
    expect(listSchedules(db)).toEqual([]);
    // (the drills migration adds drill_cron after the schedules one)
    const cols = (db.$client.prepare('PRAGMA table_info(schedules)').all() as Array<{ name: string }>).map((c) => c.name);
    expect(cols).toEqual(['id', 'cluster_id', 'database_glob', 'full_cron', 'diff_cron', 'time_zone', 'enabled', 'folder_id', 'full_due_at', 'diff_due_at', 'created_at', 'updated_at', 'drill_cron']);
    const { row } = upsertSchedule(db, { clusterId: 1, databaseGlob: 'n*', fullCron: '0 2 * * *', diffCron: null, timeZone: 'UTC', enabled: true, folderId: 1 }, 1000);
    expect(row).toMatchObject({ databaseGlob: 'n*', timeZone: 'UTC', enabled: true, fullDueAt: 1000, diffDueAt: 1000 });
    // one schedule per cluster and glob
    expect(() => db.$client.prepare("INSERT INTO schedules (cluster_id, database_glob, full_cron, folder_id) VALUES (1, 'n*', '* * * * *', 1)").run()).toThrow(/UNIQUE/);
    db.$client.close();
  });
});
