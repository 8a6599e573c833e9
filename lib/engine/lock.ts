/**
 * One engine operation per database and backup folder at a time.
 *
 * The lock is an exclusive SQLite transaction on `.txline-lock-<db>`: the operating system holds it for
 * exactly as long as the process lives, so a `kill -9` releases it and no stale lock can remain. A sidecar
 * `.txline-lock-<db>.owner` says who holds it, for the error message.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { TxlineError } from '../errors';

export interface Lock {
  release(): void;
}

export function acquireLock(dir: string, database: string, what: string): Lock {
  const file = path.join(dir, `.txline-lock-${database}`);
  const ownerFile = `${file}.owner`;
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: 0 });
  } catch (e) {
    throw new TxlineError('IO_ERROR', `cannot open the lock file ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code?.startsWith('SQLITE_BUSY') || (e as { code?: string }).code?.startsWith('SQLITE_LOCKED')) {
      let owner = '';
      try {
        const o = JSON.parse(fs.readFileSync(ownerFile, 'utf8')) as { pid: number; what: string; since: string };
        owner = ` (${o.what}, process ${o.pid}, since ${o.since})`;
      } catch {
        owner = '';
      }
      throw new TxlineError('BACKUP_IN_PROGRESS', `another operation on ${database} is running in ${dir}${owner}; try again when it has finished`);
    }
    throw new TxlineError('IO_ERROR', `cannot lock ${file}: ${(e as Error).message}`, { cause: e });
  }
  fs.writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, what, since: new Date().toISOString() }));
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      fs.rmSync(ownerFile, { force: true });
      db.exec('ROLLBACK');
      db.close();
    },
  };
}
