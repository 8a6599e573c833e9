import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pageRanges, walPages } from './wal';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-wal-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Copies into `copy` the bytes of `file` at `pages`, and gives it `file`'s size. */
function patch(file: string, copy: string, pages: number[], pageSize: number): void {
  const src = fs.readFileSync(file);
  const fd = fs.openSync(copy, 'r+');
  fs.ftruncateSync(fd, src.length);
  const cursor = { next: 0 };
  for (const [a, b] of pageRanges(pages, pageSize, 0, src.length, cursor)) fs.writeSync(fd, src, a, b - a, a);
  fs.closeSync(fd);
}

describe('walPages', () => {
  it('names every page a checkpoint writes, so a copy of the file before becomes the file after by those pages alone', () => {
    const file = path.join(dir, 'db.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX t_v ON t (v)');
    const ins = db.prepare('INSERT INTO t (id, v) VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 20_000; i++) ins.run(i, `value ${i} ${'x'.repeat(i % 50)}`);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const before = path.join(dir, 'before.sqlite');
    fs.copyFileSync(file, before);
    const size0 = fs.statSync(file).size;

    // changes spread over the file, and growth past its end
    db.transaction(() => {
      db.prepare('UPDATE t SET v = v || ? WHERE id % 997 = 0').run('!');
      db.prepare('DELETE FROM t WHERE id % 1500 = 7').run();
      for (let i = 20_000; i < 30_000; i++) ins.run(i, `more ${i}`);
    })();
    const seen = new Set<number>();
    walPages(`${file}-wal`, db.pragma('page_size', { simple: true }) as number, seen);
    db.pragma('wal_checkpoint(TRUNCATE)');
    // more after a checkpoint: the pages of both logs together
    db.prepare('UPDATE t SET v = ? WHERE id = 5').run('after the checkpoint');
    const { pageSize, pages } = walPages(`${file}-wal`, db.pragma('page_size', { simple: true }) as number, seen);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    expect(pages[0]).toBe(1);
    expect(pages).toEqual([...new Set(pages)].sort((a, b) => a - b));
    expect(fs.statSync(file).size).toBeGreaterThan(size0);
    // fewer pages than the file has: a copy, not a rewrite
    expect(pages.length).toBeLessThan(fs.statSync(file).size / pageSize);

    const copy = path.join(dir, 'copy.sqlite');
    fs.copyFileSync(before, copy);
    expect(fs.readFileSync(copy).equals(fs.readFileSync(file))).toBe(false);
    patch(file, copy, pages, pageSize);
    expect(fs.readFileSync(copy).equals(fs.readFileSync(file))).toBe(true);

    // without one of the changed pages (other than the header) the copy is not the file
    const short = path.join(dir, 'short.sqlite');
    fs.copyFileSync(before, short);
    patch(file, short, pages.filter((p) => p !== pages[Math.floor(pages.length / 2)]), pageSize);
    expect(fs.readFileSync(short).equals(fs.readFileSync(file))).toBe(false);
  });

  it('names only the header when there is no log, and refuses a file that is not a log of that page size, or a FIFO', () => {
    expect(walPages(path.join(dir, 'none-wal'), 4096)).toEqual({ pageSize: 4096, pages: [1] });
    const bogus = path.join(dir, 'bogus-wal');
    fs.writeFileSync(bogus, Buffer.alloc(4096, 7));
    expect(() => walPages(bogus, 4096)).toThrow(/not a write-ahead log/);
    const fifo = path.join(dir, 'fifo-wal');
    execFileSync('mkfifo', [fifo]);
    expect(() => walPages(fifo, 4096)).toThrow(/is not a file/);
  });
});

describe('pageRanges', () => {
  it('joins adjacent pages and splits a page across the chunks it straddles', () => {
    const cursor = { next: 0 };
    // pages 1, 2, 3 and 7 of 100 bytes; chunks of 250 bytes
    expect(pageRanges([1, 2, 3, 7], 100, 0, 250, cursor)).toEqual([[0, 250]]);
    expect(cursor.next).toBe(2);
    expect(pageRanges([1, 2, 3, 7], 100, 250, 500, cursor)).toEqual([[250, 300]]);
    expect(pageRanges([1, 2, 3, 7], 100, 500, 750, cursor)).toEqual([[600, 700]]);
    expect(pageRanges([1, 2, 3, 7], 100, 750, 1000, cursor)).toEqual([]);
    expect(cursor.next).toBe(4);
  });
});
