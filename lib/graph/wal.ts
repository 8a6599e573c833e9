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

/** The pages of every frame in the log `walFile` (none when it does not exist or is empty). */
export function walPages(walFile: string, dbPageSize: number): WalPages {
  const pages = new Set<number>([1]);
  let fd: number;
  try {
    fd = fs.openSync(walFile, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { pageSize: dbPageSize, pages: [1] };
    throw e;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size < HEADER) return { pageSize: dbPageSize, pages: [1] };
    const head = Buffer.alloc(HEADER);
    fs.readSync(fd, head, 0, HEADER, 0);
    const pageSize = head.readUInt32BE(8);
    if (!MAGIC.includes(head.readUInt32BE(0)) || pageSize !== dbPageSize) {
      throw new TxlineError('INTERNAL', `${walFile} is not a write-ahead log of pages of ${dbPageSize} bytes`);
    }
    // the frame headers alone, read in batches of frames
    const frame = FRAME_HEADER + pageSize;
    const perRead = Math.max(1, Math.floor((4 * 1024 * 1024) / frame));
    const buf = Buffer.alloc(perRead * frame);
    for (let at = HEADER; at + frame <= size; ) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, size - at), at);
      const frames = Math.floor(n / frame);
      if (frames === 0) break;
      for (let i = 0; i < frames; i++) {
        const page = buf.readUInt32BE(i * frame);
        if (page > 0) pages.add(page);
      }
      at += frames * frame;
    }
    return { pageSize, pages: [...pages].sort((a, b) => a - b) };
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
