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
    } finally {
      fs.closeSync(fd);
    }
  });
});
