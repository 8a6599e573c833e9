/**
 * Durability helpers shared by the embedded cluster's log and the backup engine's artifacts: a file renamed
 * into a folder is durable only once the folder itself is synced.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TxlineError } from './errors';

/** Syncs a folder, so that entries created, renamed or removed in it survive a crash. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Links `source` into `dir` as `<base><suffix>`, or `<base>-1<suffix>`, `-2`, ... when that name (or its
 * `.json` companion) is taken: never replaces a file.
 */
export function linkUniqueAs(source: string, dir: string, base: string, suffix: string): string {
  for (let i = 0; i < 1000; i++) {
    const candidate = path.join(dir, `${base}${i === 0 ? '' : `-${i}`}${suffix}`);
    if (fs.existsSync(`${candidate}.json`)) continue;
    try {
      fs.linkSync(source, candidate);
      return candidate;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  throw new TxlineError('IO_ERROR', `too many files named ${base}*${suffix} in ${dir}`);
}
