/**
 * One data folder, one cluster. A second cluster (in this process or from the CLI) on a folder in use is
 * refused with DATA_DIR_IN_USE (exit 1) and changes nothing: not cluster.json, not a member's configuration,
 * not a transaction log, not an acknowledged transaction. The refusal holds through each layer: the
 * supervisor's lock, the live pids cluster.json names, and each member's own lock. Locks left by a kill -9
 * are taken over.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTxlineError } from '../../lib/errors';
import { readLock } from '../../lib/cluster/pid-lock';
import { ClusterSupervisor } from '../../lib/cluster/supervisor';
import { txlineBin } from '../../lib/paths';
import { startTestCluster, waitFor, waitForConvergence, type TestCluster } from '../helpers/cluster';

let cluster: TestCluster;
const acked: number[] = [];

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2, secondaries: 0 });
  for (let i = 0; i < 5; i++) acked.push((await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['Acked'], properties: { i } }])).txId);
  await waitForConvergence(cluster, 'neo4j');
});

afterAll(async () => {
  await cluster?.stop();
});

/** Every file of the folder with its bytes (member.log excepted: the running members write to it). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (p: string) => {
    for (const e of fs.readdirSync(p, { withFileTypes: true })) {
      const f = path.join(p, e.name);
      if (e.isDirectory()) visit(f);
      else if (e.name !== 'member.log' && !/\.sqlite-(wal|shm)$/.test(e.name)) {
        out[path.relative(dir, f)] = createHash('sha256').update(fs.readFileSync(f)).digest('hex').slice(0, 16);
      }
    }
  };
  visit(dir);
  return out;
}

async function expectUnharmed(before: Record<string, string>): Promise<void> {
  expect(snapshot(cluster.dir)).toEqual(before);
  expect(cluster.sup.info().members.map((m) => m.state)).toEqual(['running', 'running']);
  const nodes = await cluster.writer.nodes('neo4j', 'Acked');
  expect(nodes.map((n) => n.properties.i)).toEqual([0, 1, 2, 3, 4]);
  expect((await cluster.writer.digest('neo4j')).lastCommittedTxn).toBe(acked[acked.length - 1]);
  // and the cluster still commits and replicates
  const r = await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['Later'] }]);
  acked.push(r.txId);
  await waitFor('the follower to apply it', async () => (await cluster.clients['member-2'].digest('neo4j')).lastCommittedTxn === r.txId);
}

function cliStart(dir: string) {
  return spawnSync(process.execPath, [txlineBin(), 'cluster', 'start', '--members', '2', '--secondaries', '0', '--base-port', '0', '--data-dir', dir], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('a data folder in use', () => {
  it('the running members hold their locks, with their pids', () => {
    for (const m of cluster.sup.info().members) {
      expect(readLock(path.join(m.dataDir, 'member.lock'))?.pid).toBe(m.pid);
    }
    expect(readLock(path.join(cluster.dir, 'cluster.lock'))?.pid).toBe(process.pid);
  });

  it('a second supervisor in this process is refused and changes nothing', async () => {
    const before = snapshot(cluster.dir);
    const second = new ClusterSupervisor({ dataDir: cluster.dir, members: 2, secondaries: 0, basePort: 0, output: 'file' });
    const err = await second.start().then(() => null, (e: unknown) => e);
    expect(isTxlineError(err, 'DATA_DIR_IN_USE'), String(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(/is in use by another cluster.*cluster\.lock is held by the cluster supervisor/);
    await second.stop(); // a refused supervisor's stop touches nothing either
    await expectUnharmed(before);
  });

  it('`txline cluster start` on it exits 1 with the reason, and changes nothing', async () => {
    const before = snapshot(cluster.dir);
    const r = cliStart(cluster.dir);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/txline: the data folder .* is in use by another cluster; stop it first, or choose another --data-dir/);
    expect(r.stderr).toContain(`process ${process.pid}`);
    await expectUnharmed(before);
  });

  it('without the supervisor lock, the live member pids of cluster.json refuse it', async () => {
    const lockFile = path.join(cluster.dir, 'cluster.lock');
    const saved = fs.readFileSync(lockFile);
    fs.rmSync(lockFile);
    try {
      const before = snapshot(cluster.dir);
      const r = cliStart(cluster.dir);
      expect(r.status, r.stderr).toBe(1);
      const [m1, m2] = cluster.sup.info().members;
      expect(r.stderr).toContain(`still running there: member-1 (process ${m1.pid}), member-2 (process ${m2.pid})`);
      await expectUnharmed(before);
    } finally {
      fs.writeFileSync(lockFile, saved);
    }
  });

  it('without cluster.lock and cluster.json, the members\' own locks refuse it', async () => {
    const lockFile = path.join(cluster.dir, 'cluster.lock');
    const infoFile = path.join(cluster.dir, 'cluster.json');
    const saved = [fs.readFileSync(lockFile), fs.readFileSync(infoFile)];
    fs.rmSync(lockFile);
    fs.rmSync(infoFile);
    try {
      const before = snapshot(cluster.dir);
      const r = cliStart(cluster.dir);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/still running there: member-1 \(member-1 of .*, process \d+, since/);
      await expectUnharmed(before);
    } finally {
      fs.writeFileSync(lockFile, saved[0]);
      fs.writeFileSync(infoFile, saved[1]);
    }
  });

  it('a member process started by hand on a folder in use exits 1 before it touches the folder', async () => {
    const before = snapshot(cluster.dir);
    const r = spawnSync(process.execPath, [txlineBin(), 'member', '--config', path.join(cluster.dir, 'member-1', 'member.json')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/the data folder .*member-1 is in use by another member process: .*member\.lock is held by member-1 of/);
    await expectUnharmed(before);
  });
});

describe('stale locks', () => {
  it('a member killed with SIGKILL leaves its lock, and its restart takes it over', async () => {
    const old = cluster.sup.member('member-2').pid;
    await cluster.sup.killMember('member-2');
    const lockFile = path.join(cluster.dir, 'member-2', 'member.lock');
    expect(readLock(lockFile)?.pid).toBe(old);
    await cluster.sup.startMember('member-2');
    const now = cluster.sup.member('member-2').pid;
    expect(now).not.toBe(old);
    expect(readLock(lockFile)?.pid).toBe(now);
  });

  it('a cluster whose processes all died by SIGKILL starts again in its folder, with every acknowledged transaction', async () => {
    // pids that are surely dead: processes that have exited and been reaped
    const dead = () => spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout.trim();
    const dir = cluster.dir;
    await cluster.sup.stop();
    const last = acked[acked.length - 1];
    // as a kill -9 of everything leaves them: every lock names a dead process, cluster.json too
    for (const f of ['cluster.lock', 'member-1/member.lock', 'member-2/member.lock']) {
      fs.writeFileSync(path.join(dir, f), JSON.stringify({ pid: Number(dead()), what: 'a killed process', since: new Date().toISOString() }));
    }
    const info = JSON.parse(fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8'));
    for (const m of info.members) m.pid = Number(dead());
    fs.writeFileSync(path.join(dir, 'cluster.json'), JSON.stringify(info));

    const child = spawn(process.execPath, [txlineBin(), 'cluster', 'start', '--members', '2', '--secondaries', '0', '--base-port', '0', '--data-dir', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      await waitFor('the cluster to start again', () => stderr.includes('Ctrl-C stops the cluster'), 60_000);
      const again = JSON.parse(fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8'));
      expect(readLock(path.join(dir, 'cluster.lock'))?.pid).toBe(child.pid);
      for (const m of again.members) expect(readLock(path.join(m.dataDir, 'member.lock'))?.pid).toBe(m.pid);
      const { MemberClient } = await import('../../lib/cluster/client');
      const writer = new MemberClient(again.members[0].address);
      expect((await writer.digest('neo4j')).lastCommittedTxn).toBe(last);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    // a clean stop leaves no lock behind
    for (const f of ['cluster.lock', 'member-1/member.lock', 'member-2/member.lock']) expect(fs.existsSync(path.join(dir, f)), f).toBe(false);
  });
});
