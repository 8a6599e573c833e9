/** The storage contract (location-contract.ts) on a local folder, confined to a backup root as the dashboard's jobs are. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalLocation } from '@/lib/storage/local';
import { openLocation } from '@/lib/storage';
import type { Location } from '@/lib/storage/location';
import { locationContract } from './location-contract';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'txline-loc-')));
  dirs.push(d);
  return d;
}

/** A process ID that no process has now (one that ran and exited). */
function deadPid(): number {
  const pid = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
  return Number(pid);
}

function folder(loc: Location): string {
  if (!loc.localFolder) throw new Error('not a local location');
  return loc.localFolder;
}

locationContract('local', {
  async make() {
    const root = tmp();
    fs.mkdirSync(path.join(root, 'backups'));
    return new LocalLocation(path.join(root, 'backups'), { roots: [root] });
  },
  async plantKilledWriter(loc) {
    fs.writeFileSync(path.join(folder(loc), `.txline-write-${deadPid()}-0badcafe.tmp`), Buffer.alloc(4096, 1));
  },
  async plantOdd(loc) {
    const dir = folder(loc);
    const outside = tmp();
    fs.writeFileSync(path.join(outside, 'secret.backup'), Buffer.alloc(10_000, 2));
    fs.symlinkSync(path.join(outside, 'secret.backup'), path.join(dir, 'out-2026-01-01T00-00-00.backup'));
    fs.mkdirSync(path.join(dir, 'dir-2026-01-01T00-00-00.backup'));
    execFileSync('mkfifo', [path.join(dir, 'fifo-2026-01-01T00-00-00.backup')]);
    fs.symlinkSync(path.join(dir, 'fifo-2026-01-01T00-00-00.backup'), path.join(dir, 'tofifo-2026-01-01T00-00-00.backup'));
    fs.symlinkSync(path.join(dir, 'gone'), path.join(dir, 'dangling-2026-01-01T00-00-00.backup'));
    return [
      { name: 'out-2026-01-01T00-00-00.backup', refusedAs: /is a symlink that leads to .*secret\.backup, outside the backup root/ },
      { name: 'dir-2026-01-01T00-00-00.backup', refusedAs: /is a directory, not a backup artifact file/ },
      { name: 'fifo-2026-01-01T00-00-00.backup', refusedAs: /is a FIFO, not a backup artifact file/ },
      { name: 'tofifo-2026-01-01T00-00-00.backup', refusedAs: /is a FIFO, not a backup artifact file/ },
      { name: 'dangling-2026-01-01T00-00-00.backup', refusedAs: /leads nowhere that exists|does not exist/ },
    ];
  },
});

describe('a local location, beyond the contract', () => {
  it('does not follow a symlink when unconfined only where the CLI is run by hand; confined, it is refused', async () => {
    const root = tmp();
    const outside = tmp();
    fs.writeFileSync(path.join(outside, 'x.backup'), 'hello');
    fs.symlinkSync(path.join(outside, 'x.backup'), path.join(root, 'a-2026-01-01T00-00-00.backup'));
    const free = new LocalLocation(root);
    expect((await free.readHead('a-2026-01-01T00-00-00.backup', 5)).bytes.toString()).toBe('hello');
    const confined = new LocalLocation(root, { roots: [root] });
    const [entry] = await confined.list();
    expect(entry.refused).toMatch(/is a symlink that leads out of the backup roots/);
    expect(() => confined.sync?.readHead('a-2026-01-01T00-00-00.backup', 5)).toThrow(/outside the backup root/);
  });

  it('says which location it is', () => {
    expect(openLocation('/tmp/x').describe()).toBe('/tmp/x');
    expect(openLocation('/tmp/x').localFolder).toBe('/tmp/x');
  });

  it("leaves a running writer's temporary file alone", async () => {
    const loc = new LocalLocation(tmp());
    const w = await loc.write('db-2026-01-01T00-00-00.backup');
    w.sink.write(Buffer.alloc(10));
    expect(await loc.cleanLeftovers()).toEqual([]);
    expect(fs.readdirSync(folder(loc)).filter((n) => n.startsWith('.txline-write-'))).toHaveLength(1);
    await w.abort();
    expect(fs.readdirSync(folder(loc))).toEqual([]);
  });
});
