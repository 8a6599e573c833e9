/**
 * Durability helpers shared by the embedded cluster's log and the backup engine's artifacts: a file renamed
 * into a folder is durable only once the folder itself is synced.
 */
import fs from 'node:fs';

/** Syncs a folder, so that entries created, renamed or removed in it survive a crash. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
