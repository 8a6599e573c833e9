/**
 * `npx txline cluster start` runs node under npm and a shell. A SIGTERM to npm ends npm without passing the
 * signal on; the supervisor, re-parented, notices its parent is gone and stops itself and every member.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processAlive, readLock } from '../../lib/cluster/pid-lock';
import { projectRoot } from '../../lib/paths';
import { tempDir, waitFor } from '../helpers/cluster';

const dir = tempDir('parent-exit');
let groupLeader: number | undefined;

afterAll(() => {
  // whatever is left of the process group (nothing, when the test passes)
  if (groupLeader) {
    try {
      process.kill(-groupLeader, 'SIGKILL');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the supervisor under npx', () => {
  it('stops itself and every member when npm gets SIGTERM', async () => {
    const dataDir = path.join(dir, 'c');
    const npx = spawn('npx', ['txline', 'cluster', 'start', '--members', '2', '--secondaries', '0', '--base-port', '0', '--data-dir', dataDir], {
      cwd: projectRoot(),
      detached: true, // its own process group, so that the test's SIGTERM reaches npm alone
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    groupLeader = npx.pid;
    let stderr = '';
    npx.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitFor('the cluster to start', () => stderr.includes('Ctrl-C stops the cluster'), 60_000);

    const supervisor = readLock(path.join(dataDir, 'cluster.lock'))?.pid;
    const members = (JSON.parse(fs.readFileSync(path.join(dataDir, 'cluster.json'), 'utf8')).members as Array<{ pid: number }>).map((m) => m.pid);
    expect(supervisor).toBeGreaterThan(0);
    expect(supervisor).not.toBe(npx.pid); // node runs below npm (and a shell)
    expect(members).toHaveLength(2);
    for (const pid of [supervisor, ...members]) expect(processAlive(pid), `process ${pid}`).toBe(true);

    process.kill(npx.pid as number, 'SIGTERM');
    await waitFor('the supervisor and both members to exit', () => [supervisor, ...members].every((pid) => !processAlive(pid)), 20_000);
    expect(stderr).toContain('stopping (the parent process went away)');
    // a clean stop: no lock left, cluster.json says stopped
    expect(fs.existsSync(path.join(dataDir, 'cluster.lock'))).toBe(false);
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, 'cluster.json'), 'utf8')) as { members: Array<{ state: string; pid: number | null }> };
    expect(info.members.map((m) => m.state)).toEqual(['stopped', 'stopped']);
  });
});
