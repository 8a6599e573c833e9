/**
 * `txline cluster start` options: what it starts with the defaults for small clusters, and what it refuses
 * up front (exit 2, before anything in the data folder is touched).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterFile } from '../../lib/cluster/supervisor';
import { txlineBin } from '../../lib/paths';
import { tempDir, waitFor } from '../helpers/cluster';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = tempDir('cluster-cli');
  dirs.push(d);
  return path.join(d, 'c');
}

/** Runs `txline cluster start ARGS`; once it serves, `whenUp` runs and the cluster gets SIGTERM. */
function clusterStart(args: string[], whenUp?: (info: ClusterFile) => Promise<void> | void) {
  return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [txlineBin(), 'cluster', 'start', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let checked: Promise<void> | null = null;
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (!checked && stderr.includes('Ctrl-C stops the cluster')) {
        const dir = args[args.indexOf('--data-dir') + 1];
        checked = Promise.resolve()
          .then(() => whenUp?.(JSON.parse(fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8')) as ClusterFile))
          .finally(() => child.kill('SIGTERM'));
        checked.catch(reject);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', async (code) => {
      clearTimeout(timer);
      try {
        await checked;
        resolve({ code, stderr });
      } catch (e) {
        reject(e);
      }
    });
  });
}

describe('txline cluster start', () => {
  it.each<[number, string[]]>([
    [1, ['primary']],
    [2, ['primary', 'primary']],
  ])('--members %i without --secondaries starts that many primaries', async (members, modes) => {
    const dir = dataDir();
    let seen: string[] = [];
    const r = await clusterStart(['--members', String(members), '--base-port', '0', '--data-dir', dir], (info) => {
      seen = info.members.map((m) => m.mode);
    });
    expect(r.code, r.stderr).toBe(0);
    expect(seen).toEqual(modes);
  });

  it('--members 3 has one secondary by default', async () => {
    let seen: string[] = [];
    const r = await clusterStart(['--base-port', '0', '--data-dir', dataDir()], (info) => {
      seen = info.members.map((m) => m.mode);
    });
    expect(r.code, r.stderr).toBe(0);
    expect(seen).toEqual(['primary', 'primary', 'secondary']);
  });
});

describe('txline cluster start refuses, touching nothing', () => {
  it.each<[string, string[], RegExp]>([
    ['as many secondaries as members', ['--members', '2', '--secondaries', '2'], /--secondaries must be at least 0 and leave at least one primary/],
  ])('%s: exit 2', async (_what, args, message) => {
    const dir = dataDir();
    const r = await clusterStart([...args, '--base-port', '0', '--data-dir', dir]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
