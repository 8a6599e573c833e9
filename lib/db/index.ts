/**
 * Opening the catalog: one better-sqlite3 connection per process (WAL, so the dashboard reads while jobs
 * write), drizzle on top, migrations from drizzle/ applied on open. Query functions take the database first
 * (`listArtifacts(db, { ... })`) so tests can pass an in-memory one.
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
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = drizzle(sqlite, { schema }) as Catalog;
  migrate(db, { migrationsFolder: path.join(projectRoot(), 'drizzle') });
  return db;
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
