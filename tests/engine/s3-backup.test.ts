/**
 * Backups in S3-compatible storage, end to end through the command line (real member processes, a real s3rver
 * on loopback): a full and differentials to `s3://`, inspect, check, and a restore from `s3://` to a point
 * whose digest equals the same restore from a local folder; a second operation on a database whose lease is
 * held is refused, and one whose lease is taken over while it runs commits nothing; `kill -9` of a backup at
 * random moments never leaves a listed artifact that does not check out, and the next backup works.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocation } from '../../lib/storage';
import { leaseTakenOverProxy, s3rverEnv, startS3, type TestS3 } from '../helpers/s3';
import { digests, startTestCluster, tempFolders, type TestCluster } from '../helpers/cluster';
import { collect, lastTx, runTxline, spawnTxline, writeTx } from '../helpers/engine';

let cluster: TestCluster;
let s3: TestS3;
let env: Record<string, string>;
const { folder, removeAll } = tempFolders('s3-backup');

beforeAll(async () => {
  [cluster, s3] = await Promise.all([startTestCluster({ members: 2, secondaries: 0 }), startS3()]);
  env = s3rverEnv(s3.endpoint);
}, 120_000);

afterAll(async () => {
  await Promise.all([cluster?.stop(), s3?.stop()]);
  removeAll();
});

function txline(args: string[], timeoutMs = 90_000) {
  return runTxline(args, { addresses: cluster.addresses, env, timeoutMs });
}

async function backup(to: string) {
  const r = await txline(['database', 'backup', `--to-path=${to}`, '--json', 'neo4j']);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

function s3Location(url: string) {
  return openLocation(url, { s3: s3.options() });
}

describe('backups in s3://', () => {
  it('full and differentials to s3, inspect, check, and a restore to a point equal to the same restore from a folder', async () => {
    const bucket = await s3.bucket();
    const url = `s3://${bucket}/prod/neo4j`;
    const dir = folder('dir');
    const writer = cluster.writer;
    await writeTx(writer, 'neo4j', 20, 'a');
    await backup(url);
    await backup(dir);
    await writeTx(writer, 'neo4j', 15, 'b');
    const point = (await lastTx(cluster, 'neo4j')) + 1; // the database will end at the transaction before it
    await writeTx(writer, 'neo4j', 10, 'c');
    await backup(url);
    await backup(dir);
    await writeTx(writer, 'neo4j', 5, 'd');
    await backup(url);

    const listed = await s3Location(url).list();
    expect(listed.map((e) => e.name).sort()).toHaveLength(3);
    const inspect = await txline(['backup', 'inspect', url, '--json']);
    expect(inspect.code, inspect.stderr).toBe(0);
    const rows = JSON.parse(inspect.stdout) as Array<{ file: string; full: boolean }>;
    expect(rows.map((r) => r.full)).toEqual([false, false, true]); // newest first
    const check = await txline(['database', 'check', `--from-path=${url}`]);
    expect(check.code, check.stderr).toBe(0);

    const fromS3 = await txline(['database', 'restore', `--from-path=${url}`, '--from-database=neo4j', `--restore-until=${point}`, 'froms3']);
    expect(fromS3.code, fromS3.stderr).toBe(0);
    const fromDir = await txline(['database', 'restore', `--from-path=${dir}`, '--from-database=neo4j', `--restore-until=${point}`, 'fromdir']);
    expect(fromDir.code, fromDir.stderr).toBe(0);
    const a = await digests(cluster, 'froms3');
    const b = await digests(cluster, 'fromdir');
    const one = Object.values(a)[0];
    expect(one.lastCommittedTxn).toBe(point - 1);
    for (const d of [...Object.values(a), ...Object.values(b)]) expect(d).toEqual(one);

    // one artifact named by its URL: the chain ends at it, its location supplies the ancestors
    const newest = rows[0].file;
    const single = await txline(['database', 'check', `--from-path=${url}/${newest}`]);
    expect(single.code, single.stderr).toBe(0);
  }, 240_000);

  it('a database whose lease another live operation holds is refused, naming the holder; released, it is free again', async () => {
    const bucket = await s3.bucket();
    const url = `s3://${bucket}/locked`;
    const loc = s3Location(url);
    const lock = await loc.lock!('neo4j', 'backup');
    try {
      const r = await txline(['database', 'backup', `--to-path=${url}`, 'neo4j']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`another operation on neo4j is running in ${url.replace(/[/.]/g, '\\$&')} \\(backup, process ${process.pid} on `));
    } finally {
      await lock.release();
    }
    await backup(url);
    expect(await loc.list()).toHaveLength(1);
  }, 120_000);

  it('a backup whose lease is taken over while it runs commits nothing, and says so', async () => {
    const bucket = await s3.bucket();
    const url = `s3://${bucket}/taken`;
    const proxy = await leaseTakenOverProxy(s3.endpoint, 'neo4j', 'prune');
    try {
      const r = await runTxline(['database', 'backup', `--to-path=${url}`, 'neo4j'], { addresses: cluster.addresses, env: s3rverEnv(proxy.endpoint), timeoutMs: 90_000 });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`the lock of neo4j in ${url} was lost while this backup ran (taken over by prune, process 4242 on elsewhere, since 2026-12-07T10:00:00.000Z): nothing more of it is committed or deleted`);
      expect(await s3Location(url).list()).toEqual([]);
    } finally {
      await proxy.stop();
    }
    // the storage answering truly again, the next backup works
    await backup(url);
    expect(await s3Location(url).list()).toHaveLength(1);
  }, 120_000);

  it('kill -9 of a backup at random moments: every listed artifact checks out, and the next backup works', async () => {
    const bucket = await s3.bucket();
    const url = `s3://${bucket}/killed`;
    const loc = s3Location(url);
    await writeTx(cluster.writer, 'neo4j', 30, 'k');
    for (let trial = 0; trial < 4; trial++) {
      const child = spawnTxline(['database', 'backup', `--to-path=${url}`, '--type=full', 'neo4j'], { addresses: cluster.addresses, env });
      const done = collect(child, 90_000);
      await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 2500)));
      child.kill('SIGKILL');
      await done;
      for (const e of await loc.list()) {
        const c = await txline(['database', 'check', `--from-path=${url}/${e.name}`]);
        expect(c.code, `trial ${trial}: ${e.name} is listed but does not check out: ${c.stderr}`).toBe(0);
      }
    }
    // the killed runs' leases are stale (their processes are gone): the next backup takes over and succeeds
    const next = await backup(url);
    expect(next.stderr).not.toMatch(/another operation/);
    const after = await loc.list();
    expect(after.length).toBeGreaterThan(0);
    const check = await txline(['database', 'check', `--from-path=${url}`]);
    expect(check.code, check.stderr).toBe(0);
  }, 300_000);
});
