import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { positionalChunks, positionalWriter } from './fs';

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
