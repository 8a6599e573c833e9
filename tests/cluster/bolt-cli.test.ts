/**
 * `txline cluster start` and Bolt: it prints each member's Bolt address and where the password is (never the
 * password), the password is generated into the data folder (0600) and kept on a restart, or is
 * TXLINE_BOLT_PASSWORD when set; the real driver logs in with it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import neo4j from 'neo4j-driver';
import { afterAll, describe, expect, it } from 'vitest';
import type { ClusterFile } from '../../lib/cluster/supervisor';
import { txlineBin } from '../../lib/paths';
import { tempFolders } from '../helpers/cluster';

const folders = tempFolders('bolt-cli');
afterAll(() => folders.removeAll());

/** Runs `txline cluster start` until it serves, calls `whenUp`, then stops it with SIGTERM. */
function clusterStart(dir: string, env: Record<string, string>, whenUp: (info: ClusterFile, stderr: string) => Promise<void>) {
  return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
    const childEnv = { ...process.env, ...env };
    if (env.TXLINE_BOLT_PASSWORD === undefined) delete childEnv.TXLINE_BOLT_PASSWORD;
    const child = spawn(process.execPath, [txlineBin(), 'cluster', 'start', '--members', '2', '--base-port', '0', '--data-dir', dir], { stdio: ['ignore', 'ignore', 'pipe'], env: childEnv });
    let stderr = '';
    let checked: Promise<void> | null = null;
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      if (!checked && stderr.includes('Ctrl-C stops the cluster')) {
        checked = Promise.resolve()
          .then(() => whenUp(JSON.parse(fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8')) as ClusterFile, stderr))
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

async function login(address: string, password: string): Promise<void> {
  const d = neo4j.driver(`neo4j://${address}`, neo4j.auth.basic('neo4j', password), { connectionTimeout: 5000 });
  try {
    const r = await d.executeQuery('SHOW SERVERS', {}, { database: 'system' });
    expect(r.records).toHaveLength(2);
  } finally {
    await d.close();
  }
}

describe('txline cluster start and Bolt', () => {
  it('prints the Bolt addresses and the password file, keeps the password on a restart, and takes TXLINE_BOLT_PASSWORD', async () => {
    const dir = path.join(folders.folder('start'), 'c');
    const file = path.join(dir, 'bolt-password');
    let first = '';
    const r1 = await clusterStart(dir, {}, async (info, stderr) => {
      first = fs.readFileSync(file, 'utf8').trim();
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      for (const m of info.members) expect(stderr).toContain(`${m.id} primary   http://${m.address} bolt://${m.boltAddress}`);
      expect(stderr).toContain(`user neo4j, password in ${file}`);
      expect(stderr).not.toContain(first);
      await login(info.members[1].boltAddress as string, first);
    });
    expect(r1.code, r1.stderr).toBe(0);
    expect(first).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const r2 = await clusterStart(dir, {}, async (info) => {
      expect(fs.readFileSync(file, 'utf8').trim()).toBe(first);
      await login(info.members[0].boltAddress as string, first);
    });
    expect(r2.code, r2.stderr).toBe(0);

    const given = 'given-bolt-password-123';
    const r3 = await clusterStart(dir, { TXLINE_BOLT_PASSWORD: given }, async (info, stderr) => {
      expect(fs.readFileSync(file, 'utf8').trim()).toBe(given);
      expect(stderr).not.toContain(given);
      await login(info.members[0].boltAddress as string, given);
      await expect(login(info.members[0].boltAddress as string, first)).rejects.toMatchObject({ code: 'Neo.ClientError.Security.Unauthorized' });
    });
    expect(r3.code, r3.stderr).toBe(0);
  });

  it('refuses a TXLINE_BOLT_PASSWORD that is too short, touching nothing', async () => {
    const dir = path.join(folders.folder('short'), 'c');
    const r = await clusterStart(dir, { TXLINE_BOLT_PASSWORD: 'short' }, async () => {
      throw new Error('the cluster started');
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TXLINE_BOLT_PASSWORD must be 8 to 1024 printable characters/);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
