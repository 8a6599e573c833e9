import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { copyInBackground, positionalChunks, positionalWriter, syncInBackground } from './fs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-fs-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('streams over a descriptor their owner closes', () => {
  it('write at their positions and read a range back; a failed pipeline leaves the descriptor open', async () => {
    const file = path.join(dir, 'a.bin');
    const fd = fs.openSync(file, 'w+');
    try {
      fs.writeSync(fd, Buffer.from('HEAD'), 0, 4, 0);
      await pipeline(Readable.from([Buffer.from('hello '), Buffer.from('world')]), positionalWriter(fd, 4));
      expect(fs.readFileSync(file, 'utf8')).toBe('HEADhello world');
      const read: Buffer[] = [];
      for await (const c of positionalChunks(fd, 4, 15, 4)) read.push(c);
      expect(read.map((c) => c.toString())).toEqual(['hell', 'o wo', 'rld']);
      // reused: each chunk is right when it is given, and the buffer is the same
      const seen: string[] = [];
      const buffers = new Set<ArrayBufferLike>();
      const offsets = new Set<number>();
      for await (const c of positionalChunks(fd, 4, 15, 4, { reuse: true })) {
        seen.push(c.toString());
        buffers.add(c.buffer);
        offsets.add(c.byteOffset);
      }
      expect(seen).toEqual(['hell', 'o wo', 'rld']);
      expect([buffers.size, offsets.size]).toEqual([1, 1]);
      const failing = new Readable({ read() { this.destroy(new Error('source broke')); } });
      await expect(pipeline(failing, positionalWriter(fd))).rejects.toThrow('source broke');
      expect(fs.fstatSync(fd).size, 'the descriptor is still open').toBe(15);
      // a big write under way when the source breaks: settled() waits for it (pipeline() does not)
      const big = Buffer.alloc(64 * 1024 * 1024, 1);
      let pushed = false;
      const breaking = new Readable({
        read() {
          if (pushed) return;
          pushed = true;
          this.push(big);
          setImmediate(() => this.destroy(new Error('broke mid-write')));
        },
      });
      const w = positionalWriter(fd, 15);
      await expect(pipeline(breaking, w)).rejects.toThrow('broke mid-write');
      await w.settled();
      const settledSize = fs.fstatSync(fd).size;
      await new Promise((r) => setTimeout(r, 200));
      expect(fs.fstatSync(fd).size, 'nothing is written after settled()').toBe(settledSize);
    } finally {
      fs.closeSync(fd);
    }
  });
});

describe('copyInBackground', () => {
  it('copies a file into several open files on another thread; a write that fails rejects, and stop ends it early', async () => {
    const src = path.join(dir, 'src');
    const bytes = Buffer.alloc(20 * 1024 * 1024 + 123);
    for (let i = 0; i < bytes.length; i += 4096) bytes.writeUInt32LE(i, i);
    fs.writeFileSync(src, bytes);
    const from = fs.openSync(src, 'r');
    const to = ['a', 'b'].map((n) => fs.openSync(path.join(dir, n), 'w+'));
    try {
      await copyInBackground(from, to, { length: bytes.length, syncEvery: 4 * 1024 * 1024 }).done;
      for (const n of ['a', 'b']) expect(fs.readFileSync(path.join(dir, n)).equals(bytes), n).toBe(true);
      // a descriptor open only for reading cannot be written: the copy says why
      const readOnly = fs.openSync(path.join(dir, 'a'), 'r');
      await expect(copyInBackground(from, [readOnly], { length: bytes.length }).done).rejects.toThrow(/EBADF/);
      fs.closeSync(readOnly);
      // stopped at once: it ends without copying the whole file
      const c = fs.openSync(path.join(dir, 'c'), 'w+');
      const copy = copyInBackground(from, [c], { length: bytes.length });
      copy.stop();
      await copy.done;
      expect(fs.fstatSync(c).size).toBeLessThan(bytes.length);
      fs.closeSync(c);
    } finally {
      for (const fd of [from, ...to]) fs.closeSync(fd);
    }
  });

  it('takes more threads on what is left when asked to (help), each chunk copied once, and all end before done', async () => {
    const src = path.join(dir, 'src-help');
    const bytes = Buffer.alloc(24 * 1024 * 1024 + 4321);
    for (let i = 0; i + 4 <= bytes.length; i += 512) bytes.writeUInt32LE(i ^ 0x5a5a5a5a, i);
    fs.writeFileSync(src, bytes);
    const from = fs.openSync(src, 'r');
    const to = ['h1', 'h2'].map((n) => fs.openSync(path.join(dir, n), 'w+'));
    try {
      // small chunks, so the helpers find chunks left to take
      const copy = copyInBackground(from, to, { length: bytes.length, chunk: 64 * 1024 });
      copy.help();
      copy.help();
      await copy.done;
      for (const n of ['h1', 'h2']) expect(fs.readFileSync(path.join(dir, n)).equals(bytes), n).toBe(true);
      copy.help(); // nothing left: no thread starts, done stays settled
      await copy.done;
      // a helper that fails fails the copy, and done waits for every thread
      const readOnly = fs.openSync(path.join(dir, 'h1'), 'r');
      const failing = copyInBackground(from, [readOnly], { length: bytes.length, chunk: 64 * 1024 });
      failing.help();
      await expect(failing.done).rejects.toThrow(/EBADF/);
      fs.closeSync(readOnly);
    } finally {
      for (const fd of [from, ...to]) fs.closeSync(fd);
    }
  });
});

describe('syncInBackground', () => {
  it("does not wait for libuv's pool: a sync ends while every pool thread is busy", async () => {
    const fd = fs.openSync(path.join(dir, 'synced-busy'), 'w+');
    try {
      fs.writeSync(fd, Buffer.alloc(1024 * 1024, 2));
      // every pool thread busy for about a second (a sync on the pool would wait behind them)
      let ended = 0;
      const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
      const busy = Array.from({ length: threads }, () => new Promise<void>((resolve) => crypto.pbkdf2('x', 'y', 2_000_000, 32, 'sha256', () => resolve(void ended++))));
      await syncInBackground(fd);
      expect(ended).toBe(0);
      await Promise.all(busy);
    } finally {
      fs.closeSync(fd);
    }
  });

  it("syncs on the sync thread, says why a sync failed, and a copy's failed sync fails the copy", async () => {
    const file = path.join(dir, 'synced');
    const fd = fs.openSync(file, 'w+');
    const nul = fs.openSync('/dev/null', 'w');
    const src = path.join(dir, 'src-sync');
    fs.writeFileSync(src, Buffer.alloc(3 * 1024 * 1024, 7));
    const from = fs.openSync(src, 'r');
    try {
      fs.writeSync(fd, Buffer.alloc(1024 * 1024, 1));
      await Promise.all([syncInBackground(fd), syncInBackground(fd)]);
      // /dev/null takes writes but cannot be synced
      await expect(syncInBackground(nul)).rejects.toMatchObject({ code: 'EINVAL' });
      await syncInBackground(fd); // the thread goes on after a failure
      // a copy's threads ask the same thread for their syncs (here after every chunk)
      const copy = copyInBackground(from, [nul], { length: 3 * 1024 * 1024, chunk: 1024 * 1024, syncEvery: 1024 * 1024 });
      await expect(copy.done).rejects.toThrow(/could not sync a copy: EINVAL/);
    } finally {
      for (const x of [fd, nul, from]) fs.closeSync(x);
    }
  });
});
