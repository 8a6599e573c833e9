/**
 * One engine operation per database and backup folder at a time: the lock of a local folder (Location.lock).
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
 * - Neither file is ever a symlink, so nothing is locked, read or written elsewhere through one planted in the
 *   folder: the lock file is created (or found) with O_NOFOLLOW before SQLite opens it by name, and after
 *   locking the name must still be that regular file, not a symlink; the owner record is read and written with
 *   O_NOFOLLOW. A symlink in either place is refused, naming it. (SQLite opens by name: a symlink put in and
 *   taken out again between our open and the check after locking would go unseen; it needs two renames timed
 *   to the microsecond, and then what SQLite locks is only another file's header.)
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { TxlineError, describeError } from '../../errors';
import { normalizeDatabaseName } from '../../graph/names';
import type { Lock, LockOwner } from '../location';

export function lockFileName(database: string): string {
  // The name becomes part of a file name: never a path.
  if (normalizeDatabaseName(database) !== database) throw new TxlineError('INVALID_NAME', `Invalid database name "${database}" for a lock file name`);
  return `.txline-lock-${database}`;
}

export function acquireLock(dir: string, database: string, what: string, opts: { tempDirs?: string[] } = {}): Lock {
  const file = path.join(dir, lockFileName(database));
  const ownerFile = `${file}.owner`;
  for (let attempt = 0; ; attempt++) {
    const before = createLockFile(file);
    const db = lockFile(file, ownerFile, database, dir);
    // Another process may have released (and removed) the file between our open and our lock, or a symlink
    // may have been put in its place: the lock holds only if the name still leads to the file we opened.
    let now: fs.Stats | undefined;
    try {
      now = fs.lstatSync(file, { throwIfNoEntry: false });
    } catch (e) {
      db.close();
      throw new TxlineError('IO_ERROR', `cannot read ${file}: ${describeError(e)}`, { cause: e });
    }
    if (now?.isFile() && now.ino === before) return hold(db, file, ownerFile, what, opts.tempDirs ?? []);
    db.close();
    if (now?.isSymbolicLink()) throw symlinkRefused(file, 'a lock file');
    if (attempt >= 20) throw new TxlineError('IO_ERROR', `cannot lock ${file}: it keeps being replaced`);
  }
}

function symlinkRefused(file: string, what: string): TxlineError {
  return new TxlineError('IO_ERROR', `${file} is a symlink; ${what} never is, so it is not followed (remove it when no Txline operation runs in this folder)`);
}

/** Opens (creating it if need be) the lock file without following a symlink; returns its inode. */
function createLockFile(file: string): number {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO planted under the name does not hang the open
    fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw symlinkRefused(file, 'a lock file');
    throw new TxlineError('IO_ERROR', `cannot open the lock file ${file}: ${describeError(e)}`, { cause: e });
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new TxlineError('IO_ERROR', `${file} is not a regular file; a lock file always is`);
    return st.ino;
  } finally {
    fs.closeSync(fd);
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
    writeOwner(ownerFile, me);
  } catch (e) {
    db.close();
    if (e instanceof TxlineError) throw e;
    throw new TxlineError('IO_ERROR', `cannot write ${ownerFile}: ${describeError(e)}`, { cause: e });
  }
  let released = false;
  return {
    previous,
    // the operating system holds it for as long as this process lives, and only the holder removes the file
    confirm: () => (released ? Promise.reject(new TxlineError('INTERNAL', `the lock ${file} was released already`)) : Promise.resolve()),
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

function writeOwner(ownerFile: string, me: LockOwner): void {
  let fd: number;
  try {
    fd = fs.openSync(ownerFile, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK, 0o644);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw symlinkRefused(ownerFile, "a lock's owner record");
    throw e;
  }
  try {
    if (!fs.fstatSync(fd).isFile()) throw new TxlineError('IO_ERROR', `${ownerFile} is not a regular file; a lock's owner record always is`);
    fs.writeSync(fd, JSON.stringify(me));
  } finally {
    fs.closeSync(fd);
  }
}

function readOwner(ownerFile: string): LockOwner | null {
  let text: string;
  try {
    // not through a symlink (writeOwner refuses one), nor blocking on a FIFO
    const fd = fs.openSync(ownerFile, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    try {
      if (!fs.fstatSync(fd).isFile()) return null;
      text = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') return null;
    throw new TxlineError('IO_ERROR', `cannot read ${ownerFile}: ${describeError(e)}`, { cause: e });
  }
  try {
    const o = JSON.parse(text) as LockOwner;
    return typeof o?.pid === 'number' ? o : null;
  } catch {
    return null; // a torn write by a run killed while writing it: nothing to learn from it
  }
}
