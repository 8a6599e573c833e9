/**
 * One engine operation per database and backup folder at a time.
 *
 * The lock is an exclusive SQLite transaction on `.txline-lock-<db>`: the operating system holds it for
 * exactly as long as the process lives, so a `kill -9` releases it and the next run takes it over. A sidecar
 * `.txline-lock-<db>.owner` says who holds it (for the error message) and which temporary folders that run
 * writes to, so that the run after a killed one can clean them.
 *
 * Invariants:
 * - Both files exist only while an operation runs (or after a `kill -9`, until the next one takes over):
 *   release() removes them, before giving up the lock, so only the holder ever removes the lock file.
 * - A lock taken on a file that another process removed meanwhile is not a lock: after locking, the name must
 *   still lead to the locked file (same inode), otherwise the lock is taken again.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { TxlineError, describeError } from '../errors';
import { normalizeDatabaseName } from '../cluster/names';

export interface LockOwner {
  pid: number;
  what: string;
  since: string;
  /** folders this run writes temporary files to (its --temp-path, the backup folder) */
  tempDirs?: string[];
}

export interface Lock {
  /** the owner record a killed run left behind (its process is gone), or null */
  readonly previous: LockOwner | null;
  release(): void;
}

export function lockFileName(database: string): string {
  // The name becomes part of a file name: never a path.
  if (normalizeDatabaseName(database) !== database) throw new TxlineError('INVALID_NAME', `Invalid database name "${database}" for a lock file name`);
  return `.txline-lock-${database}`;
}

export function acquireLock(dir: string, database: string, what: string, opts: { tempDirs?: string[] } = {}): Lock {
  const file = path.join(dir, lockFileName(database));
  const ownerFile = `${file}.owner`;
  for (let attempt = 0; ; attempt++) {
    const before = inode(file);
    const db = lockFile(file, ownerFile, database, dir);
    // Another process may have released (and removed) the file between our stat and our lock.
    if (before !== null && inode(file) === before) return hold(db, file, ownerFile, what, opts.tempDirs ?? []);
    db.close();
    if (attempt >= 20) throw new TxlineError('IO_ERROR', `cannot lock ${file}: it keeps being replaced`);
  }
}

function inode(file: string): number | null {
  try {
    return fs.statSync(file).ino;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TxlineError('IO_ERROR', `cannot read ${file}: ${describeError(e)}`, { cause: e });
  }
}

function lockFile(file: string, ownerFile: string, database: string, dir: string): Database.Database {
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: 0 });
  } catch (e) {
    throw new TxlineError('IO_ERROR', `cannot open the lock file ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    return db;
  } catch (e) {
    db.close();
    const code = (e as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      const o = readOwner(ownerFile);
      const owner = o ? ` (${o.what}, process ${o.pid}, since ${o.since})` : '';
      throw new TxlineError('BACKUP_IN_PROGRESS', `another operation on ${database} is running in ${dir}${owner}; try again when it has finished`);
    }
    throw new TxlineError('IO_ERROR', `cannot lock ${file}: ${(e as Error).message}`, { cause: e });
  }
}

function hold(db: Database.Database, file: string, ownerFile: string, what: string, tempDirs: string[]): Lock {
  // We hold the lock: an owner record still there was left by a run that was killed.
  const previous = readOwner(ownerFile);
  // Folders a killed run wrote to stay recorded until a run that gets to clean them ends normally.
  const dirs = [...new Set([...tempDirs, ...(previous?.tempDirs ?? [])])];
  const me: LockOwner = { pid: process.pid, what, since: new Date().toISOString(), tempDirs: dirs };
  try {
    fs.writeFileSync(ownerFile, JSON.stringify(me));
  } catch (e) {
    db.close();
    throw new TxlineError('IO_ERROR', `cannot write ${ownerFile}: ${describeError(e)}`, { cause: e });
  }
  let released = false;
  return {
    previous,
    release() {
      if (released) return;
      released = true;
      try {
        fs.rmSync(ownerFile, { force: true });
        fs.rmSync(file, { force: true });
      } finally {
        db.exec('ROLLBACK');
        db.close();
      }
    },
  };
}

function readOwner(ownerFile: string): LockOwner | null {
  let text: string;
  try {
    text = fs.readFileSync(ownerFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TxlineError('IO_ERROR', `cannot read ${ownerFile}: ${describeError(e)}`, { cause: e });
  }
  try {
    const o = JSON.parse(text) as LockOwner;
    return typeof o?.pid === 'number' ? o : null;
  } catch {
    return null; // a torn write by a run killed while writing it: nothing to learn from it
  }
}
