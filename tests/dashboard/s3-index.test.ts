/**
 * The catalog's index of an `s3://bucket/prefix` location reads metadata only: 2,000 artifacts in s3rver (10,000
 * with TXLINE_S3_INDEX_COUNT=10000; real artifact files, seeded into its store, without index notes, as older
 * Txline versions and other programs leave them: s3-index-notes.test.ts has those with notes), indexed through a
 * counting proxy in front of it. The indexer lists the
 * prefix (a page of 1,000 names per request) and reads each artifact's head with one ranged GET of the metadata's
 * bytes, never a whole object, never a write; a second scan of an unchanged location only lists. The index runs
 * confined to backup roots (as the server's does), which do not refuse the URL. The time is printed, not asserted
 * (`npm run bench:s3-index` measures it on its own).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { indexFolder } from '../../lib/db/indexer';
import { databasesWithBackups, listArtifactsOfFolder } from '../../lib/db/queries/artifacts';
import { ensureFolder, getFolder } from '../../lib/db/queries/clusters';
import { PAYLOAD_OFFSET } from '../../lib/engine/artifact';
import { designTable, writeChain } from '../helpers/chains';
import { tempFolders } from '../helpers/cluster';
import { countingProxy, S3RVER_CREDENTIALS, seedS3rverObjects, startS3, type TestS3 } from '../helpers/s3';

// 10,000 with TXLINE_S3_INDEX_COUNT=10000 (about a minute on a quiet machine: s3rver serves a few hundred reads a second);
// the reads counted per artifact do not depend on the count
const COUNT = Number(process.env.TXLINE_S3_INDEX_COUNT ?? 2_000);
const { folder, removeAll } = tempFolders('s3-index');
let s3: TestS3;
let proxy: Awaited<ReturnType<typeof countingProxy>>;
let db: Catalog;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  s3 = await startS3();
  proxy = await countingProxy(s3.endpoint);
  const aws = { AWS_ENDPOINT_URL_S3: proxy.endpoint, AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  for (const [k, v] of Object.entries(aws)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  db = openCatalog(path.join(folder('catalog'), 'txline.sqlite'));
}, 60_000);

afterAll(async () => {
  db?.$client.close();
  await proxy?.stop();
  await s3?.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  removeAll();
});

describe('indexing an s3:// location', () => {
  it(`indexes ${COUNT.toLocaleString('en')} artifacts by listing and ranged reads of their metadata only`, async () => {
    const chain = await writeChain(folder('chain'), designTable(false));
    const sources = Object.values(chain).map((a) => a.path);
    const bucket = await s3.bucket();
    const names = seedS3rverObjects(s3, bucket, 'prod/neo4j', sources, COUNT);
    const roots = folder('roots');
    const location = ensureFolder(db, { name: 'offsite', path: `s3://${bucket}/prod/neo4j/`.replace(/\/$/, ''), isDefault: false });
    proxy.reset();
    const t0 = performance.now();
    const r = await indexFolder(db, location, { backupRoots: [roots], backupDir: roots });
    const ms = performance.now() - t0;
    const c = proxy.counts;
    const objectBytes = sources.reduce((n, f) => n + fs.statSync(f).size, 0) / sources.length;
    console.log(
      `indexed ${COUNT} s3:// artifacts in ${(ms / 1000).toFixed(2)} s: ${c.listings} listings, ${c.rangedGets} ranged GETs of ${PAYLOAD_OFFSET} bytes, ${c.wholeGets} whole GETs, ` +
        `${(c.bytesOut / 1048576).toFixed(1)} MiB read (the objects hold ${((objectBytes * COUNT) / 1048576).toFixed(1)} MiB)`,
    );
    expect(getFolder(db, { id: location.id })?.lastScanError).toBeNull();
    expect(r).toMatchObject({ added: COUNT, updated: 0, removed: 0, problems: [] });
    expect(getFolder(db, { id: location.id })?.lastScanError).toBeNull();
    // metadata only: one ranged GET of the head per artifact, the listing in pages, nothing whole, nothing written
    expect(c.listings).toBeGreaterThanOrEqual(Math.ceil(COUNT / 1000));
    expect(c.listings).toBeLessThanOrEqual(Math.ceil(COUNT / 1000) + 1);
    expect(c.rangedGets).toBe(COUNT);
    expect([...c.ranges.entries()]).toEqual([[`bytes=0-${PAYLOAD_OFFSET - 1}`, COUNT]]);
    expect(c.wholeGets).toBe(0);
    expect(Object.keys(c.byMethod)).toEqual(['GET']);
    expect(c.requests).toBe(c.listings + c.rangedGets);
    // what came back: the heads, and the listings' XML (about 300 bytes a name), not the objects
    expect(c.bytesOut).toBeLessThan(COUNT * (PAYLOAD_OFFSET + 400));
    expect(objectBytes).toBeGreaterThan(PAYLOAD_OFFSET);

    // in the catalog as a folder's artifacts are
    const rows = listArtifactsOfFolder(db, { folderId: location.id });
    expect(rows).toHaveLength(COUNT);
    expect(new Set(rows.map((x) => x.file))).toEqual(new Set(names));
    expect(databasesWithBackups(db, { folderId: location.id })).toMatchObject([{ database: 'neo4j', count: COUNT }]);

    // unchanged: a second scan only lists
    proxy.reset();
    const again = await indexFolder(db, location, { backupRoots: [roots], backupDir: roots });
    expect(again).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: COUNT });
    expect(proxy.counts.rangedGets).toBe(0);
    expect(proxy.counts.requests).toBe(proxy.counts.listings);
  }, 600_000);
});
