import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ThreadedHash, prestartHasher } from './hasher';

describe('ThreadedHash', () => {
  it('a process that only started the hashing thread ends by itself', () => {
    // (a backup starts it before asking for the topology: one that fails there must still exit)
    const hasherFile = fileURLToPath(new URL('./hasher.ts', import.meta.url));
    const script = `import(${JSON.stringify(hasherFile)}).then((m) => { m.prestartHasher(); console.log('started'); })`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stdout.trim()).toBe('started');
    expect({ signal: run.signal, status: run.status }).toEqual({ signal: null, status: 0 }); // (not killed by the time limit)
  });

  it('hashes and writes what it is given after a prestart, as one SHA-256 of the whole', async () => {
    prestartHasher();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-hasher-'));
    const file = path.join(dir, 'out');
    const fd = fs.openSync(file, 'w+');
    try {
      const parts = [randomBytes(3 * 1024 * 1024 + 17), randomBytes(5), randomBytes(4 * 1024 * 1024)];
      const h = new ThreadedHash();
      let at = 0;
      for (const p of parts) {
        const batch = await h.acquire(p.length);
        p.copy(batch);
        h.update(batch, p.length, { fd, position: at });
        at += p.length;
      }
      const digest = await h.digest();
      await h.idle();
      const whole = Buffer.concat(parts);
      expect(digest).toBe(createHash('sha256').update(whole).digest('hex'));
      expect(fs.readFileSync(file).equals(whole)).toBe(true);
    } finally {
      fs.closeSync(fd);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
