/**
 * Opening the catalog: one better-sqlite3 connection per process (WAL, so the dashboard reads while jobs
 * write), drizzle on top, migrations from drizzle/ applied on open. Query functions take the database first
 * (`listArtifacts(db, { ... })`) so tests can pass an in-memory one.
 *
 * The catalog file is the server's own and holds secrets (password hashes, sessions, remote clusters' tokens):
 * it is created with mode 0600 and tightened to it when found looser; SQLite gives its -wal and -shm files the
 * database file's mode.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { projectRoot } from '../paths';
import * as schema from './schema';

export type Catalog = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export function openCatalog(file: string): Catalog {
  if (file !== ':memory:') {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    ownerOnly(file);
  }
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema }) as Catalog;
  migrate(db, { migrationsFolder: path.join(projectRoot(), 'drizzle') });
  return db;
}

/** Creates `file` (empty) with mode 0600 if it is missing, and takes group and other access from it and its -wal and -shm files. */
function ownerOnly(file: string): void {
  fs.closeSync(fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    let mode: number;
    try {
      mode = fs.statSync(f).mode;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    if ((mode & 0o077) !== 0) fs.chmodSync(f, mode & 0o700);
  }
}

const globalForCatalog = globalThis as unknown as { __txlineCatalog?: { file: string; db: Catalog } };

/** The process's catalog (kept on globalThis: Next.js may load this module more than once). */
export function catalogAt(file: string): Catalog {
  const cur = globalForCatalog.__txlineCatalog;
  if (cur && cur.file === file) return cur.db;
  const db = openCatalog(file);
  globalForCatalog.__txlineCatalog = { file, db };
  return db;
}

export { schema };
