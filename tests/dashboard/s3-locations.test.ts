/**
 * The dashboard's storage locations take `s3://bucket/prefix` (against a real s3rver on loopback, with the
 * server's AWS environment as the server has it): "Test connection" lists the location and writes and deletes a
 * tiny hidden object (leaving nothing); adding a location runs the same test first and registers its canonical URL,
 * which the backup roots do not refuse (they confine folders), and indexes it. Each failure names the location and
 * what is wrong, with the code to act on, and shows no credential: wrong credentials, a missing bucket, an
 * unreachable endpoint, a key that may list but not write; a URL with credentials in it is refused, never echoed
 * nor recorded in the audit target. Nothing is registered when the test fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { openCatalog, type Catalog } from '../../lib/db';
import { indexFolder } from '../../lib/db/indexer';
import { listArtifactsOfFolder } from '../../lib/db/queries/artifacts';
import { getFolder, listFolders } from '../../lib/db/queries/clusters';
import { addFolder, folderAuditTarget, testConnection } from '../../lib/dashboard/commands/folders';
import { folderAtUse, type CommandContext } from '../../lib/dashboard/commands/shared';
import { parseEnv } from '../../lib/env';
import { JobRunner } from '../../lib/jobs/runner';
import { Collector } from '../../lib/monitor/collector';
import { designTable, writeChain } from '../helpers/chains';
import { tempFolders } from '../helpers/cluster';
import { TXLINE_BIN } from '../helpers/engine';
import { closedPort, countingProxy, s3rverEnv, startS3, type TestS3 } from '../helpers/s3';

const { folder, removeAll } = tempFolders('s3-locations');
let s3: TestS3;
let db: Catalog;
let ctx: CommandContext;
let roots: string;
const saved: Record<string, string | undefined> = {};
const AWS_KEYS = ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_PROFILE', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'];

/** The server's AWS environment: s3rver's endpoint and credentials, with `over` changed. */
function serverEnv(over: Record<string, string> = {}): void {
  Object.assign(process.env, s3rverEnv(s3.endpoint), over);
}

beforeAll(async () => {
  for (const k of AWS_KEYS) saved[k] = process.env[k];
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_ENDPOINT_URL;
  s3 = await startS3();
  const dir = folder('data');
  roots = folder('roots');
  db = openCatalog(path.join(dir, 'txline.sqlite'));
  const env = parseEnv({ TXLINE_DATA_DIR: dir, TXLINE_BACKUP_ROOTS: roots, TXLINE_CLUSTER_ADDRESSES: '127.0.0.1:1' });
  ctx = {
    db,
    env,
    runner: new JobRunner(db, { bin: TXLINE_BIN }),
    collector: new Collector(db, env, { intervalMs: 1000 }),
    reindex: async (id?: number) => {
      for (const f of listFolders(db)) if (id === undefined || f.id === id) await indexFolder(db, f, env);
    },
  };
}, 60_000);

beforeEach(() => serverEnv());

afterAll(async () => {
  db?.$client.close();
  await s3?.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  removeAll();
});

/** Every key in the bucket (hidden ones too). */
async function keysOf(bucket: string): Promise<string[]> {
  const r = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (r.Contents ?? []).map((o) => o.Key ?? '').sort();
}

describe('s3:// storage locations in the dashboard', () => {
  it('Test connection passes and leaves nothing; adding registers the canonical URL (the roots do not refuse it) and indexes it', async () => {
    const bucket = await s3.bucket();
    const chain = await writeChain(folder('chain'), designTable(false));
    for (const a of [chain.backup1, chain.backup2]) await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: `prod/${a.file}`, Body: fs.readFileSync(a.path) }));
    const before = await keysOf(bucket);

    const t = await testConnection(ctx, { path: `s3://${bucket}/prod/` });
    expect(t).toEqual({ ok: true, location: `s3://${bucket}/prod`, backups: 2 });
    expect(await keysOf(bucket)).toEqual(before); // the probe object is gone

    const added = await addFolder(ctx, { name: 'offsite', path: ` s3://${bucket}/prod/ ` });
    expect(added).toMatchObject({ ok: true });
    if (!added.ok) return;
    const row = getFolder(db, { id: added.folderId });
    expect(row).toMatchObject({ path: `s3://${bucket}/prod`, isDefault: false, lastScanError: null });
    expect(row?.lastScanAt).not.toBeNull();
    expect(listArtifactsOfFolder(db, { folderId: added.folderId }).map((a) => a.file).sort()).toEqual([chain.backup1.file, chain.backup2.file].sort());
    // at use (a backup job, a schedule): the URL as it is, with the job still confined to the roots for its disk work
    expect(folderAtUse(ctx, row as NonNullable<typeof row>)).toEqual({ ok: true, path: `s3://${bucket}/prod`, confineToRoots: [roots] });
    // once only
    expect(await addFolder(ctx, { name: 'again', path: `s3://${bucket}/prod` })).toMatchObject({ ok: false, code: 'ALREADY_EXISTS', fieldErrors: { path: ['already registered'] } });
  });

  it('a missing bucket, wrong credentials, an unreachable endpoint, no write permission: each a clear error naming the location, nothing registered', async () => {
    const bucket = await s3.bucket();
    const url = `s3://${bucket}/prod`;
    const registered = () => listFolders(db).length;
    const n = registered();

    const missing = await testConnection(ctx, { path: 's3://no-such-bucket-here/prod' });
    expect(missing).toMatchObject({ ok: false, code: 'PATH_NOT_FOUND' });
    expect(!missing.ok && missing.error).toMatch(/^s3:\/\/no-such-bucket-here\/prod: the bucket does not exist \(NoSuchBucket\) at http:\/\/127\.0\.0\.1:\d+$/);
    expect(await addFolder(ctx, { name: 'missing', path: 's3://no-such-bucket-here/prod' })).toMatchObject({ ok: false, code: 'PATH_NOT_FOUND', fieldErrors: { path: [expect.stringContaining('no-such-bucket-here')] } });

    serverEnv({ AWS_ACCESS_KEY_ID: 'AKIAWRONGKEY0000', AWS_SECRET_ACCESS_KEY: 'wrong-secret-0000' });
    const creds = await testConnection(ctx, { path: url });
    expect(creds).toMatchObject({ ok: false, code: 'STORAGE_CREDENTIALS_REJECTED' });
    expect(!creds.ok && creds.error).toMatch(new RegExp(`^${url.replace(/[/.]/g, '\\$&')}: listing failed: the server rejected the credentials \\(InvalidAccessKeyId\\)`));
    expect(JSON.stringify(creds)).not.toMatch(/AKIAWRONGKEY0000|wrong-secret-0000/);

    serverEnv({ AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${await closedPort()}` });
    const down = await testConnection(ctx, { path: url });
    expect(down).toMatchObject({ ok: false, code: 'STORAGE_UNREACHABLE' });
    expect(!down.ok && down.error).toMatch(new RegExp(`^${url.replace(/[/.]/g, '\\$&')}: http://127\\.0\\.0\\.1:\\d+ cannot be reached while listing \\(ECONNREFUSED\\)`));

    // a key that may list and read but not write (a proxy that answers PUTs as a bucket policy denying them)
    const readOnly = await countingProxy(s3.endpoint, { refuse: (method) => method === 'PUT' });
    try {
      serverEnv({ AWS_ENDPOINT_URL_S3: readOnly.endpoint });
      const denied = await testConnection(ctx, { path: url });
      expect(denied).toMatchObject({ ok: false, code: 'STORAGE_ACCESS_DENIED' });
      expect(!denied.ok && denied.error).toBe(`${url}: access denied while writing a test object (AccessDenied): the credentials are not allowed to do this on the bucket`);
      expect(await addFolder(ctx, { name: 'readonly', path: url })).toMatchObject({ ok: false, code: 'STORAGE_ACCESS_DENIED' });
      expect(readOnly.counts.byMethod.GET).toBeGreaterThan(0); // it did list
    } finally {
      await readOnly.stop();
    }
    expect(registered()).toBe(n);
  }, 60_000);

  it('a URL with credentials in it, or not a location Txline takes, is refused without echoing it; the audit target leaves it out', async () => {
    const bucket = await s3.bucket();
    const secretUrl = `s3://AKIAEXAMPLE:verysecret@${bucket}/prod`;
    for (const r of [await testConnection(ctx, { path: secretUrl }), await addFolder(ctx, { name: 'leaky', path: secretUrl })]) {
      expect(r).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
      expect(!r.ok && r.error).toMatch(/credentials or a port do not belong in the URL/);
      expect(JSON.stringify(r)).not.toMatch(/verysecret|AKIAEXAMPLE/);
    }
    expect(folderAuditTarget({ name: 'leaky', path: secretUrl })).toBe('name=leaky path=(a URL holding credentials, not recorded)');
    expect(folderAuditTarget({ name: 'ok', path: `s3://${bucket}/prod` })).toBe(`name=ok path=s3://${bucket}/prod`);
    expect(await addFolder(ctx, { name: 'ftp', path: 'ftp://example.com/backups' })).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT', error: expect.stringMatching(/ftp:\/\/ locations are not supported/) });
    expect(await testConnection(ctx, { path: path.join(roots, 'x') })).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT', fieldErrors: { path: ['not an s3:// location'] } });
    // a folder outside the roots is still refused as before
    expect(await addFolder(ctx, { name: 'outside', path: folder('outside') })).toMatchObject({ ok: false, code: 'PATH_OUTSIDE_ROOTS' });
    expect(listFolders(db).some((f) => f.name === 'leaky' || f.name === 'ftp' || f.name === 'outside')).toBe(false);
  });
});
