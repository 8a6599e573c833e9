/**
 * The pages a SQLite write-ahead log holds (https://www.sqlite.org/fileformat.html#the_write_ahead_log): a
 * 32-byte header (magic, format version, page size, checkpoint sequence, salts, checksums), then frames of a
 * 24-byte header (page number, ...) and one page each.
 *
 * Used to know which pages of a store changed since the log was empty: a checkpoint writes into the database
 * file exactly the pages of the log's frames (and sets its size), so while nothing checkpoints, a file that was
 * byte-equal to the store before becomes byte-equal to it after the checkpoint by copying those pages and
 * taking its size. Every frame counts, committed or not, of this log's salt or not: more pages than changed is
 * only more bytes copied, never a wrong copy.
 */
import fs from 'node:fs';
import { TxlineError } from '../errors';

const MAGIC = [0x377f0682, 0x377f0683];
const HEADER = 32;
const FRAME_HEADER = 24;

export interface WalPages {
  pageSize: number;
  /** page numbers (1-based), ascending, each once; page 1 (the header) always */
  pages: number[];
}

/**
 * Adds to `pages` the page of every frame in the log `walFile` (nothing when it does not exist or is empty),
 * reading the frame headers alone; and page 1 (the header) always.
 */
export function walPages(walFile: string, dbPageSize: number, pages: Set<number> = new Set()): WalPages {
  pages.add(1);
  const result = () => ({ pageSize: dbPageSize, pages: [...pages].sort((a, b) => a - b) });
  let fd: number;
  try {
    // not following a symlink, not waiting on a FIFO swapped in under its name
    fd = fs.openSync(walFile, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return result();
    throw e;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new TxlineError('INTERNAL', `${walFile} is not a file`);
    if (st.size < HEADER) return result();
    const head = Buffer.alloc(HEADER);
    fs.readSync(fd, head, 0, HEADER, 0);
    const pageSize = head.readUInt32BE(8);
    if (!MAGIC.includes(head.readUInt32BE(0)) || pageSize !== dbPageSize) {
      throw new TxlineError('INTERNAL', `${walFile} is not a write-ahead log of pages of ${dbPageSize} bytes`);
    }
    const frame = FRAME_HEADER + pageSize;
    const header = Buffer.alloc(4);
    for (let at = HEADER; at + frame <= st.size; at += frame) {
      if (fs.readSync(fd, header, 0, 4, at) < 4) break;
      const page = header.readUInt32BE(0);
      if (page > 0) pages.add(page);
    }
    return result();
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The byte ranges of `pages` (of `pageSize` bytes, ascending) that fall in [from, to), adjacent pages joined:
 * what of a chunk of the file at `from` a copy is patched with. `cursor.next` is the index of the first page not
 * yet wholly covered (kept between calls over consecutive chunks).
 */
export function pageRanges(pages: number[], pageSize: number, from: number, to: number, cursor: { next: number }): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  while (cursor.next < pages.length) {
    const start = (pages[cursor.next] - 1) * pageSize;
    const end = start + pageSize;
    if (start >= to) break;
    if (end <= from) {
      cursor.next++;
      continue;
    }
    const a = Math.max(start, from);
    const b = Math.min(end, to);
    const last = out[out.length - 1];
    if (last && last[1] === a) last[1] = b;
    else out.push([a, b]);
    if (end > to) break; // the rest of this page is in the next chunk
    cursor.next++;
  }
  return out;
}
