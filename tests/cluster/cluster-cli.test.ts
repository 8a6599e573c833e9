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

  it.each(['127.0.0.2', '::1', 'localhost'])('--host %s, a loopback address, is taken', async (host) => {
    let info: ClusterFile | null = null;
    const r = await clusterStart(['--members', '2', '--host', host, '--base-port', '0', '--data-dir', dataDir()], async (i) => {
      info = i;
      // the follower reached the writer at that address: it copied the writer's databases
      const { MemberClient } = await import('../../lib/cluster/client');
      await waitFor('the follower to host neo4j', async () => (await new MemberClient(i.members[1].address).status()).databases.some((d) => d.name === 'neo4j'));
    });
    expect(r.code, r.stderr).toBe(0);
    const addresses = (info as ClusterFile | null)?.members.map((m) => m.address) ?? [];
    expect(addresses).toHaveLength(2);
    for (const a of addresses) expect(a.startsWith(host === '::1' ? '[::1]:' : `${host}:`), a).toBe(true);
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
    ['--host 0.0.0.0', ['--host', '0.0.0.0'], /--host must be a loopback address \(127\.0\.0\.1, another 127\.x\.x\.x, ::1 or localhost\), got "0\.0\.0\.0"/],
    ['--host ::', ['--host', '::'], /--host must be a loopback address/],
    ['--host of another machine', ['--host', '192.168.1.20'], /--host must be a loopback address/],
    ['--host by name', ['--host', 'example.com'], /--host must be a loopback address/],
    ['a lag for the writer', ['--lag-ms', 'member-1=200'], /--lag-ms names member-1, the writer: it applies nothing from another member, so there is no apply to delay; give the lag to member-2, member-3/],
    ['a lag for a member that does not exist', ['--members', '2', '--lag-ms', 'member-3=200'], /--lag-ms names member-3, but the cluster has member-1, member-2/],
    ['a base port that leaves member-3 above 65535', ['--base-port', '65530'], /--base-port 65530 puts member-3 on port 65550, above 65535; with 3 members the base port can be at most 65514/],
    ['a base port that leaves member-2 above 65535', ['--members', '2', '--base-port', '65526'], /--base-port 65526 puts member-2 on port 65536/],
  ])('%s: exit 2', async (_what, args, message) => {
    const dir = dataDir();
    const r = await clusterStart([...(args.includes('--base-port') ? [] : ['--base-port', '0']), ...args, '--data-dir', dir]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
