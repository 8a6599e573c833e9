/**
 * One engine operation per database and location at a time: the engine takes the location's lock (the `lock`
 * capability of lib/storage/location.ts) and, holding it, cleans what a killed run left.
 */
import { TxlineError } from '../errors';
import { realPathInside } from '../auth/paths';
import type { Location, Lock } from '../storage';
import { engineRoots } from './confine';
import type { EngineLog } from './progress';

export type { Lock } from '../storage';

/** Takes the lock of `database` in `loc` for `what`; NOT_SUPPORTED when the location cannot lock. */
export async function lockIn(loc: Location, database: string, what: string, opts: { tempDirs?: string[] } = {}): Promise<Lock> {
  if (!loc.lock) throw new TxlineError('NOT_SUPPORTED', `${what} on ${loc.describe()} is not supported: the location cannot lock a database`);
  return loc.lock(database, what, opts);
}

/**
 * Folders to clean of what a killed run left: `own` (this run's), and those a killed run recorded in its owner
 * record; confined (confine.ts), only those inside the backup roots (the record is a file in the folder).
 */
export function foldersToClean(lock: Lock, own: string[], log: EngineLog): string[] {
  const out = new Set(own);
  const roots = engineRoots();
  const recorded = lock.previous?.tempDirs;
  for (const d of Array.isArray(recorded) ? recorded : []) {
    if (typeof d !== 'string' || out.has(d)) continue;
    if (roots && !realPathInside(d, roots)) {
      log.warn(`not cleaning ${d}, which the lock's owner record names: it is outside the backup roots`);
      continue;
    }
    out.add(d);
  }
  return [...out];
}
