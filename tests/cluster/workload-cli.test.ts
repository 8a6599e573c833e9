/**
 * `txline workload` on a real cluster: bad options are usage errors (exit 2) with a message; a server it
 * cannot reach or a database that does not exist stop it at start (exit 1, with the reason); a run in which
 * every transaction failed exits 1 with the last reason; a good run exits 0. A bad TXLINE_LOG_LEVEL is a
 * usage error naming the variable.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePorts } from '../../lib/cluster/supervisor';
import { txlineBin } from '../../lib/paths';
import { rawHttp, startTestCluster, tempDir, type TestCluster } from '../helpers/cluster';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2, secondaries: 0, databases: ['neo4j', 'paused'] });
});

afterAll(async () => {
  await cluster?.stop();
});

function workload(...args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return txline({}, 'workload', ...args);
}

function txline(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [txlineBin(), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('txline workload', () => {
  it.each<[string, string[], RegExp]>([
    ['a duration that is none', ['--duration', 'abc'], /option '--duration <time>' argument 'abc' is invalid\. "abc" is not a duration/],
    ['an address without a port', ['--server', 'nonsense'], /option '--server <host:port>' argument 'nonsense' is invalid\. Invalid address "nonsense": expected host:port/],
    ['a port out of range', ['--server', '127.0.0.1:99999'], /Invalid address "127\.0\.0\.1:99999"/],
    ['an invalid database name', ['--database', '../etc'], /option '--database <name>' argument '\.\.\/etc' is invalid/],
    ['a rate of zero', ['--rate', '0'], /--rate must be a positive integer/],
  ])('%s: exit 2 with the message', async (_what, args, message) => {
    const r = await workload('--duration', '1s', ...args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a bad TXLINE_LOG_LEVEL: exit 2 naming the variable, for the workload and for cluster start', async () => {
    const message = 'txline: Invalid environment: TXLINE_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, but got "loud" (INVALID_ARGUMENT)';
    const r = await txline({ TXLINE_LOG_LEVEL: 'loud' }, 'workload', '--server', cluster.writer.address, '--duration', '1s');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(message);
    const dir = tempDir('loglevel');
    try {
      const c = await txline({ TXLINE_LOG_LEVEL: 'loud' }, 'cluster', 'start', '--base-port', '0', '--data-dir', dir);
      expect(c.code, c.stderr).toBe(2);
      expect(c.stderr.trim()).toBe(message);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    // a good level is taken: "warn" leaves out the info line at the end
    const quiet = await txline({ TXLINE_LOG_LEVEL: 'warn' }, 'workload', '--server', cluster.writer.address, '--duration', '1s');
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).not.toContain('committed');
  });

  it('a server nobody answers on: exit 1 at start, saying so', async () => {
    const [port] = await freePorts('127.0.0.1', 1);
    const t0 = Date.now();
    const r = await workload('--server', `127.0.0.1:${port}`, '--duration', '30s');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`txline: cannot reach 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
    expect(Date.now() - t0).toBeLessThan(20_000); // at start, not after 30 s of failures
  });

  it('a database that does not exist: exit 1 at start, naming it and what there is', async () => {
    for (const server of [cluster.writer.address, cluster.clients['member-2'].address]) {
      const r = await workload('--server', server, '--database', 'nosuch', '--duration', '30s');
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`txline: database "nosuch" does not exist on ${server} (it has neo4j, paused, system)`);
    }
  });

  it('every transaction failing (the database is stopped): exit 1 with the reason', async () => {
    expect((await rawHttp(cluster.writer.address, 'POST', '/admin/db/paused/stop')).status).toBe(200);
    const r = await workload('--server', cluster.writer.address, '--database', 'paused', '--duration', '2s', '--rate', '10');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/committed 0 transactions \([1-9]\d* failed\)/);
    expect(r.stderr).toMatch(/txline: every transaction failed \(\d+\); the last one: .*database "paused" is offline/);
  });

  it('a good run through a follower: exit 0, transactions committed on the writer', async () => {
    const before = (await cluster.writer.digest('neo4j')).lastCommittedTxn;
    const r = await workload('--server', cluster.clients['member-2'].address, '--duration', '2s', '--rate', '20', '--seed', '7');
    expect(r.code, r.stderr).toBe(0);
    const m = /committed (\d+) transactions \((\d+) failed\)/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m?.[1])).toBeGreaterThan(10);
    expect((await cluster.writer.digest('neo4j')).lastCommittedTxn).toBeGreaterThanOrEqual(before + Number(m?.[1]));
  });
});
