/**
 * `txline backup delete` of artifacts in S3-compatible storage (a real s3rver on loopback, artifacts written by
 * the engine's own writer and uploaded as objects): the same chain rules as for a folder, through the Location
 * interface. An artifact with dependents is refused, naming them, and nothing changes; --dry-run deletes
 * nothing; --with-dependents deletes them newest first and says what remains; a held lease refuses the delete;
 * a lease taken over (another run's, read back through a proxy) stops the writer, removeArtifacts, prune and
 * delete before they commit or delete anything; wrong URLs (not naming an artifact, missing, two locations,
 * mixed with a path) are refused with their codes.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { openLocation } from '../../lib/storage';
import { listArtifactsIn, type Artifact } from '../../lib/engine/artifact';
import { ChainIndex } from '../../lib/engine/chain';
import { removeArtifacts } from '../../lib/engine/delete';
import { leaseTakenOverProxy, s3rverEnv, startS3, type TestS3 } from '../helpers/s3';
import { tempFolders } from '../helpers/cluster';
import { designTable, writeChain } from '../helpers/chains';
import { jsonlLines, runTxline } from '../helpers/engine';

let s3: TestS3;
let env: Record<string, string>;
const { folder, removeAll } = tempFolders('s3-delete');

beforeAll(async () => {
  s3 = await startS3();
  env = s3rverEnv(s3.endpoint);
}, 60_000);

afterAll(async () => {
  await s3?.stop();
  removeAll();
});

const txline = (args: string[]) => runTxline(args, { env, timeoutMs: 60_000 });

/** DESIGN.md's chain table as objects under a fresh `s3://bucket/prefix`; the artifacts by label, and the URL. */
async function chainInS3(name: string, preferDiff: boolean): Promise<{ url: string; a: Record<string, Artifact> }> {
  const dir = folder(name);
  const a = await writeChain(dir, designTable(preferDiff));
  const bucket = await s3.bucket();
  for (const x of Object.values(a)) {
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: `backups/${name}/${x.file}`, Body: fs.readFileSync(x.path) }));
  }
  return { url: `s3://${bucket}/backups/${name}`, a };
}

/** The labels of the artifacts left in `url`, sorted; every one of them in an intact chain. */
async function labelsIn(url: string, by: Record<string, Artifact>): Promise<string[]> {
  const listed = await listArtifactsIn(openLocation(url, { s3: s3.options() }));
  expect(listed.problems).toEqual([]);
  const index = new ChainIndex(listed.artifacts);
  for (const x of listed.artifacts) {
    const st = index.status(x);
    expect(st.ok ? 'intact' : st.problem, x.file).toBe('intact');
  }
  const names = new Map(Object.entries(by).map(([label, x]) => [x.file, label]));
  return listed.artifacts.map((x) => names.get(x.file) ?? x.file).sort();
}

const ALL = ['backup1', 'backup2', 'backup3', 'backup4', 'backup5', 'backup6'];

describe('backup delete of s3:// artifacts', () => {
  it('refuses an artifact others depend on, naming them; --dry-run deletes nothing; --with-dependents goes newest first', async () => {
    const { url, a } = await chainInS3('tree', true);
    const refused = await txline(['backup', 'delete', `${url}/${a.backup2.file}`]);
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toContain(`${a.backup2.file} has dependents (backups whose chain leads to it): ${a.backup3.file} (differential, transactions 21..30), ${a.backup4.file} (empty differential), ${a.backup6.file} (differential, transactions 31..50)`);
    expect(await labelsIn(url, a)).toEqual(ALL);

    const dry = await txline(['backup', 'delete', '--with-dependents', '--dry-run', '--json', `${url}/${a.backup2.file}`]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ folder: url, dryRun: true, deleted: [{ file: a.backup6.file }, { file: a.backup4.file }, { file: a.backup3.file }, { file: a.backup2.file, requested: true }] });
    expect(await labelsIn(url, a)).toEqual(ALL);

    const r = await txline(['backup', 'delete', '--with-dependents', '--progress=jsonl', `${url}/${a.backup2.file}`]);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonlLines(r.stdout);
    expect(lines.filter((l) => l.phase === 'delete' && l.file).map((l) => l.file)).toEqual([a.backup6.file, a.backup4.file, a.backup3.file, a.backup2.file]);
    expect(lines.at(-1)).toMatchObject({ event: 'result', exitCode: 0, folder: url, txDone: 40, databases: [{ database: 'neo4j', remaining: 2, restorable: [{ fromTx: 10, toTx: 10 }, { fromTx: 40, toTx: 40 }] }] });
    expect(await labelsIn(url, a)).toEqual(['backup1', 'backup5']);
    // the lease is released: nothing but the artifacts is listed, and a next delete works
    const tip = await txline(['backup', 'delete', `${url}/${a.backup5.file}`]);
    expect(tip.code, tip.stderr).toBe(0);
    expect(tip.stdout).toMatch(/^neo4j: 1 artifact\(s\) remain; restorable: transactions 10\.\.10 /m);
    expect(await labelsIn(url, a)).toEqual(['backup1']);
  }, 60_000);

  it('a database whose lease another operation holds is refused, and nothing is deleted', async () => {
    const { url, a } = await chainInS3('leased', false);
    const lock = await openLocation(url, { s3: s3.options() }).lock!('neo4j', 'backup');
    try {
      const r = await txline(['backup', 'delete', `${url}/${a.backup6.file}`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`another operation on neo4j is running in ${url} (backup, process ${process.pid} on `);
      expect(await labelsIn(url, a)).toEqual(ALL);
    } finally {
      await lock.release();
    }
    const r = await txline(['backup', 'delete', `${url}/${a.backup6.file}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(await labelsIn(url, a)).toEqual(ALL.filter((l) => l !== 'backup6'));
  }, 60_000);

  it('under a lease another run took over, nothing more is committed or deleted: a new artifact is not listed, no artifact goes', async () => {
    const { url, a } = await chainInS3('lost', false);
    const loc = openLocation(url, { s3: s3.options() });
    const lock = await loc.lock!('neo4j', 'backup');
    const bucket = url.slice('s3://'.length).split('/')[0];
    try {
      // another run judged the lease stale (not renewed for two minutes: a paused process, the storage away) and took it
      const theirs = { pid: 4242, host: 'elsewhere', what: 'prune', since: '2026-12-07T10:00:00.000Z', token: 'theirs', expiresAt: Date.now() + 120_000 };
      await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'backups/lost/.txline-locks/neo4j.json', Body: JSON.stringify(theirs) }));
      const lost = { code: 'BACKUP_IN_PROGRESS', message: expect.stringContaining('was lost while this backup ran (taken over by prune, process 4242 on elsewhere') };
      // written and uploaded, then refused before its commit; the upload is abandoned
      await expect(writeChain(folder('lost-scratch'), [{ label: 'late', full: 60 }], { location: loc, lock })).rejects.toMatchObject(lost);
      const listed = (await listArtifactsIn(loc)).artifacts;
      const doomed = listed.filter((x) => x.file === a.backup6.file || x.file === a.backup5.file);
      expect(doomed).toHaveLength(2);
      await expect(removeArtifacts(loc, doomed, () => lock)).rejects.toMatchObject(lost);
      expect(await labelsIn(url, a)).toEqual(ALL);
      const keys = (await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'backups/lost/' }))).Contents?.map((o) => o.Key) ?? [];
      expect(keys.sort()).toEqual([...Object.values(a).map((x) => `backups/lost/${x.file}`), 'backups/lost/.txline-locks/neo4j.json'].sort());
    } finally {
      await lock.release();
    }
  }, 60_000);

  it('prune and delete on the command line stop before their first delete once their lease is taken over', async () => {
    const proxy = await leaseTakenOverProxy(s3.endpoint, 'neo4j', 'backup');
    try {
      const viaProxy = (args: string[]) => runTxline(args, { env: s3rverEnv(proxy.endpoint), timeoutMs: 60_000 });
      const lost = 'was lost while this prune ran (taken over by backup, process 4242 on elsewhere, since 2026-12-07T10:00:00.000Z): nothing more of it is committed or deleted';
      const { url, a } = await chainInS3('lost-cli', false);
      const prune = await viaProxy(['backup', 'prune', `--from-path=${url}`, '--keep-full=1']);
      expect(prune.code, prune.stderr).toBe(1);
      expect(prune.stderr).toContain(`the lock of neo4j in ${url} ${lost}`);
      expect(await labelsIn(url, a)).toEqual(ALL);
      proxy.again();
      const del = await viaProxy(['backup', 'delete', `${url}/${a.backup6.file}`]);
      expect(del.code, del.stderr).toBe(1);
      expect(del.stderr).toContain(`the lock of neo4j in ${url} ${lost.replace('this prune', 'this delete')}`);
      expect(await labelsIn(url, a)).toEqual(ALL);
      // the storage answering truly again, both work
      const again = await txline(['backup', 'prune', `--from-path=${url}`, '--keep-full=1']);
      expect(again.code, again.stderr).toBe(0);
      expect(await labelsIn(url, a)).toEqual(['backup5', 'backup6']);
    } finally {
      await proxy.stop();
    }
  }, 90_000);

  it('wrong URLs: not an artifact, missing, two locations, mixed with a path, credentials in the URL', async () => {
    const { url, a } = await chainInS3('wrong', false);
    const other = (await chainInS3('other', false)).url;
    const cases: Array<[string[], string, RegExp]> = [
      [[url], 'NOT_AN_ARTIFACT', /does not name a backup artifact/],
      [[`${url}/neo4j-2020-01-01T00-00-00.backup`], 'PATH_NOT_FOUND', /neo4j-2020-01-01T00-00-00\.backup does not exist/],
      [[`${url}/${a.backup6.file}`, `${other}/${a.backup6.file}`], 'USAGE', /must all be in one location; these are in 2/],
      [[`${url}/${a.backup6.file}`, a.backup6.path], 'USAGE', /must all be in one location/],
      [[`s3://KEY:SECRET@${url.slice(5)}/${a.backup6.file}`], 'USAGE', /credentials or a port do not belong in the URL/],
    ];
    for (const [args, code, message] of cases) {
      const r = await txline(['backup', 'delete', '--progress=jsonl', ...args]);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(jsonlLines(r.stdout).at(-1), args.join(' ')).toMatchObject({ event: 'error', code });
      expect(r.stdout + r.stderr, args.join(' ')).toMatch(message);
      expect(r.stdout + r.stderr).not.toContain('SECRET');
    }
    expect(await labelsIn(url, a)).toEqual(ALL);
  }, 60_000);
});
