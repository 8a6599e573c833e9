/**
 * `txline backup drill` as a real process against a real cluster: exit 0 and a measured RTO for a good chain
 * (from a folder and from s3://); exit 1 naming the differential whose byte was flipped; a drill killed with
 * SIGKILL while its scratch database exists leaves it, and the next drill of that database (or the server's
 * `--drop-leftovers` at its start) drops it; usage errors exit 2.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAYLOAD_OFFSET, listArtifacts } from '../../lib/engine/artifact';
import { isScratchName } from '../../lib/engine/drill';
import type { ClientOp } from '../../lib/graph/ops';
import { jobResult } from '../../lib/jobs/protocol';
import { startTestCluster, tempFolders, waitFor, type TestCluster } from '../helpers/cluster';
import { collect, runTxline, sourceFor, spawnTxline, Workload } from '../helpers/engine';
import { s3rverEnv, startS3, type TestS3 } from '../helpers/s3';

let cluster: TestCluster;
let s3: TestS3;
let s3Env: Record<string, string>;
const { folder, removeAll } = tempFolders('drill-cli');
let dir: string;

beforeAll(async () => {
  [cluster, s3] = await Promise.all([startTestCluster({ members: 2, secondaries: 0, databases: ['neo4j', 'big'] }), startS3()]);
  s3Env = s3rverEnv(s3.endpoint);
  dir = folder('backups');
  const work = new Workload(cluster.writer, 'neo4j', 3);
  for (let i = 0; i < 4; i++) {
    await work.write(30);
    await backupTo(dir, 'neo4j');
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([cluster?.stop(), s3?.stop()]);
  removeAll();
});

function txline(args: string[], env: Record<string, string> = {}) {
  return runTxline(args, { addresses: cluster.addresses, env, timeoutMs: 90_000 });
}

async function backupTo(to: string, db: string, env: Record<string, string> = {}) {
  const r = await txline(['database', 'backup', `--to-path=${to}`, `--from=${cluster.writer.address}`, db], env);
  expect(r.code, r.stderr).toBe(0);
}

async function scratchLeft(): Promise<string[]> {
  return (await sourceFor(cluster).scratch.databaseNames()).filter((n) => isScratchName(n));
}

describe('txline backup drill', () => {
  it('passes a good chain: exit 0, PASSED with the RTO, each check, and no scratch database left', async () => {
    const r = await txline(['backup', 'drill', `--from-path=${dir}`, '--database=neo4j']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^PASSED: drill of neo4j at transaction \d+; RTO [\d.]+ m?s/);
    for (const check of ['chain', 'artifacts', 'restore', 'reads', 'consistency', 'counts', 'cleanup']) expect(r.stdout).toContain(`ok   ${check}:`);
    expect(await scratchLeft()).toEqual([]);
  }, 60_000);

  it('--json and --progress=jsonl give the result the job protocol reads; --point=random and --point=<tx>', async () => {
    const j = await txline(['backup', 'drill', `--from-path=${dir}`, '--database=neo4j', '--point=random', '--json']);
    expect(j.code, j.stderr).toBe(0);
    const parsed = JSON.parse(j.stdout) as { passed: boolean; rtoMs: number; point: { kind: string; before: number }; restoredTx: number };
    expect(parsed).toMatchObject({ passed: true, point: { kind: 'random' } });
    expect(parsed.point.before).toBe(parsed.restoredTx + 1);
    const p = await txline(['backup', 'drill', `--from-path=${dir}`, '--database=neo4j', '--point=40', '--progress=jsonl']);
    expect(p.code, p.stderr).toBe(0);
    const lines = p.stdout.trim().split('\n').map((l) => JSON.parse(l) as { phase: string });
    expect(lines.map((l) => l.phase)).toEqual(expect.arrayContaining(['drill:plan', 'drill:restore', 'drill:reads', 'drill:consistency', 'drill:counts', 'drill:cleanup']));
    const result = jobResult('drill', lines[lines.length - 1]);
    expect(result).toMatchObject({ passed: true, restoredTx: 39, point: { kind: 'tx', before: 40 } });
    expect(result?.rtoMs).toBeGreaterThan(0);
  }, 60_000);

  it('fails with exit 1 naming the differential whose byte was flipped, and the check', async () => {
    const bad = folder('flipped');
    for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(bad, f));
    const middle = listArtifacts(bad).artifacts.filter((a) => !a.full).sort((a, b) => a.tipTx - b.tipTx)[1];
    const fd = fs.openSync(middle.path, 'r+');
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, PAYLOAD_OFFSET + 17);
    b[0] ^= 0x80;
    fs.writeSync(fd, b, 0, 1, PAYLOAD_OFFSET + 17);
    fs.closeSync(fd);
    const r = await txline(['backup', 'drill', `--from-path=${bad}`, '--database=neo4j']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain(`FAILED: drill of neo4j: the artifacts check failed on ${middle.file}`);
    expect(await scratchLeft()).toEqual([]);
  }, 60_000);

  it('works on an s3:// location', async () => {
    const bucket = await s3.bucket();
    const url = `s3://${bucket}/drills/neo4j`;
    await backupTo(url, 'neo4j', s3Env);
    await new Workload(cluster.writer, 'neo4j', 9).write(10);
    await backupTo(url, 'neo4j', s3Env);
    const r = await txline(['backup', 'drill', `--from-path=${url}`, '--database=neo4j', '--json'], s3Env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ passed: true, chain: [expect.any(String), expect.any(String)] });
  }, 90_000);

  it('killed with SIGKILL while its scratch database exists: the next drill drops it, and --drop-leftovers drops any', async () => {
    // a store big enough that the kill lands while the drill checks the scratch database
    const bigDir = folder('big');
    const make = (i: number): ClientOp[] => Array.from({ length: 500 }, (_, k) => ({ op: 'createNode', labels: ['Bulk'], properties: { i, k, pad: 'p'.repeat(200) } }));
    for (let i = 0; i < 40; i++) await cluster.writer.commit('big', make(i));
    await backupTo(bigDir, 'big');
    const child = spawnTxline(['backup', 'drill', `--from-path=${bigDir}`, '--database=big', '--progress=jsonl'], { addresses: cluster.addresses });
    const done = collect(child, 60_000);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the drill never reached its consistency check')), 60_000);
      readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        if (line.includes('"phase":"drill:consistency"')) {
          child.kill('SIGKILL');
          clearTimeout(timer);
          resolve();
        }
      });
    });
    expect((await done).signal).toBe('SIGKILL');
    const left = await scratchLeft();
    expect(left, 'the killed drill left its scratch database').toHaveLength(1);
    expect(left[0]).toMatch(/^txline-drill-big-[0-9a-f]{8}$/);

    const next = await txline(['backup', 'drill', `--from-path=${bigDir}`, '--database=big']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`dropping ${left[0]}, a scratch database a drill left behind`);
    expect(await scratchLeft()).toEqual([]);

    // what the server runs at its start: every leftover, of any database
    await cluster.writer.createDatabase('txline-drill-other-0badf00d');
    const d = await txline(['backup', 'drill', '--drop-leftovers']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toBe('dropped txline-drill-other-0badf00d\n');
    await waitFor('no scratch database left', async () => (await scratchLeft()).length === 0);
  }, 120_000);

  it('refuses a bad point, a missing database, and a scratch database as the source (exit 2)', async () => {
    for (const args of [['--database=neo4j', '--point=newest'], ['--database=neo4j', '--point=0'], [], ['--database=txline-drill-neo4j-0123abcd']]) {
      const r = await txline(['backup', 'drill', `--from-path=${dir}`, ...args]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
    }
  }, 60_000);
});
