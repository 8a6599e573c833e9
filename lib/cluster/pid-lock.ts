/**
 * Exclusive claims on a folder by a process: a lock file holding `{ pid, what, since }`.
 *
 * - A lock is taken by linking a fully written temporary file into place (link(2) fails when the name
 *   exists), so nobody ever sees a half-written lock.
 * - A lock whose process is alive is refused (DATA_DIR_IN_USE). One whose process is gone (a `kill -9`, a
 *   crash) is stale and taken over: it is first moved aside under a unique name and only removed when it
 *   still names the dead process, so two processes taking over the same stale lock cannot both win.
 * - A lock may name a marker that the owner's command line holds (a member's configuration file); on Linux
 *   a live pid whose command line lacks it is another program that reuses the pid, and the lock is stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { TxlineError } from '../errors';

export interface LockOwner {
  pid: number;
  /** what holds the lock, for messages: "member-1 of /data/cluster" */
  what: string;
  since: string;
  /** a string the owner's command line contains (checked through /proc where there is one) */
  marker?: string;
}

export interface PidLock {
  readonly file: string;
  release(): void;
}

/** Locks this process holds, so a second claim from the same process is refused too. */
const held = new Set<string>();

/** Whether a process with this pid exists (EPERM: it exists, it is someone else's). */
export function pidAlive(pid: unknown): pid is number {
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` is alive and, when `marker` is given and /proc tells, runs a command line containing it.
 * A zombie (exited, not yet reaped) counts as gone.
 */
export function processAlive(pid: unknown, marker?: string): pid is number {
  if (!pidAlive(pid)) return false;
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return true; // no /proc (not Linux): the pid alone decides
  }
  if (/\)\s+Z\s/.test(status)) return false;
  if (!marker) return true;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(marker));
  } catch {
    return true; // gone meanwhile or not readable: keep the cautious answer
  }
}

/** The owner a lock file names, or null when there is none (or it is not a lock file's content). */
export function readLock(file: string): LockOwner | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TxlineError('IO_ERROR', `cannot read the lock file ${file}: ${(e as Error).message}`, { cause: e });
  }
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o?.pid !== 'number') return null;
    return { pid: o.pid, what: String(o.what ?? 'a process'), since: String(o.since ?? '?'), marker: typeof o.marker === 'string' ? o.marker : undefined };
  } catch {
    return null; // not JSON: not written by a live owner (they are written whole), so stale
  }
}

/** The live owner of a lock file, or null when it is free or stale. */
export function liveOwner(file: string): LockOwner | null {
  const owner = readLock(file);
  if (!owner) return null;
  if (owner.pid === process.pid) return held.has(path.resolve(file)) ? owner : null;
  return processAlive(owner.pid, owner.marker) ? owner : null;
}

export function describeOwner(o: LockOwner): string {
  return `${o.what}, process ${o.pid}, since ${o.since}`;
}

/**
 * Takes the lock `file` for this process, taking over a stale one; throws DATA_DIR_IN_USE naming the owner
 * while it is held by a live process. `inUse` words the refusal: "…: <inUse>".
 */
export function acquirePidLock(file: string, owner: { what: string; marker?: string }, inUse: string): PidLock {
  const abs = path.resolve(file);
  const mine: LockOwner = { pid: process.pid, what: owner.what, since: new Date().toISOString(), ...(owner.marker ? { marker: owner.marker } : {}) };
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = `${abs}.${tag}.tmp`;
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  try {
    fs.writeFileSync(tmp, `${JSON.stringify(mine)}\n`, { flush: true });
    for (let attempt = 0; ; attempt++) {
      try {
        fs.linkSync(tmp, abs);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new TxlineError('IO_ERROR', `cannot create the lock file ${abs}: ${(e as Error).message}`, { cause: e });
        }
      }
      const live = liveOwner(abs);
      if (live) throw new TxlineError('DATA_DIR_IN_USE', `${inUse}: ${abs} is held by ${describeOwner(live)}`, { details: { lockFile: abs, pid: live.pid } });
      if (attempt >= 5) throw new TxlineError('DATA_DIR_IN_USE', `${inUse}: could not take over the stale lock ${abs} (others keep taking it)`);
      // Stale: move it aside, and drop it only if it is still the stale one (not a lock someone just took).
      const stale = readLock(abs);
      const aside = `${abs}.stale-${tag}`;
      try {
        fs.renameSync(abs, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // someone else moved it: try again
        throw new TxlineError('IO_ERROR', `cannot take over the stale lock ${abs}: ${(e as Error).message}`, { cause: e });
      }
      const moved = readLock(aside);
      if (moved && moved.pid !== stale?.pid && processAlive(moved.pid, moved.marker)) {
        // We moved a lock that a live process had just taken: put it back (unless another took its place).
        try {
          fs.linkSync(aside, abs);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
      }
      fs.rmSync(aside, { force: true });
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  held.add(abs);
  let released = false;
  return {
    file: abs,
    release() {
      if (released) return;
      released = true;
      held.delete(abs);
      // Only our own lock is removed (never one a later owner took over).
      if (readLock(abs)?.pid === process.pid) fs.rmSync(abs, { force: true });
    },
  };
}
