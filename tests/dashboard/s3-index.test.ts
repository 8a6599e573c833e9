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
import { describe, expect, it } from 'vitest';
import { indexFolder } from '../../lib/db/indexer';
import { databasesWithBackups, listArtifactsOfFolder } from '../../lib/db/queries/artifacts';
import { ensureFolder, getFolder } from '../../lib/db/queries/clusters';
import { PAYLOAD_OFFSET } from '../../lib/engine/artifact';
import { designTable, writeChain } from '../helpers/chains';
import { seedS3rverObjects } from '../helpers/s3';
import { setUpIndexedS3 } from '../helpers/s3-index';

// 10,000 with TXLINE_S3_INDEX_COUNT=10000 (about a minute on a quiet machine: s3rver serves a few hundred reads a second);
// the reads counted per artifact do not depend on the count
const COUNT = Number(process.env.TXLINE_S3_INDEX_COUNT ?? 2_000);
const t = setUpIndexedS3('s3-index');

describe('indexing an s3:// location', () => {
  it(`indexes ${COUNT.toLocaleString('en')} artifacts by listing and ranged reads of their metadata only`, async () => {
    const chain = await writeChain(t.folder('chain'), designTable(false));
    const sources = Object.values(chain).map((a) => a.path);
    const bucket = await t.s3.bucket();
    const names = seedS3rverObjects(t.s3, bucket, 'prod/neo4j', sources, COUNT);
    const location = ensureFolder(t.db, { name: 'offsite', path: `s3://${bucket}/prod/neo4j/`.replace(/\/$/, ''), isDefault: false });
    t.proxy.reset();
    const t0 = performance.now();
    const r = await indexFolder(t.db, location, { backupRoots: [t.roots], backupDir: t.roots });
    const ms = performance.now() - t0;
    const c = t.proxy.counts;
    const objectBytes = sources.reduce((n, f) => n + fs.statSync(f).size, 0) / sources.length;
    console.log(
      `indexed ${COUNT} s3:// artifacts in ${(ms / 1000).toFixed(2)} s: ${c.listings} listings, ${c.rangedGets} ranged GETs of ${PAYLOAD_OFFSET} bytes, ${c.wholeGets} whole GETs, ` +
        `${(c.bytesOut / 1048576).toFixed(1)} MiB read (the objects hold ${((objectBytes * COUNT) / 1048576).toFixed(1)} MiB)`,
    );
    expect(getFolder(t.db, { id: location.id })?.lastScanError).toBeNull();
    expect(r).toMatchObject({ added: COUNT, updated: 0, removed: 0, problems: [] });
    expect(getFolder(t.db, { id: location.id })?.lastScanError).toBeNull();
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
    const rows = listArtifactsOfFolder(t.db, { folderId: location.id });
    expect(rows).toHaveLength(COUNT);
    expect(new Set(rows.map((x) => x.file))).toEqual(new Set(names));
    expect(databasesWithBackups(t.db, { folderId: location.id })).toMatchObject([{ database: 'neo4j', count: COUNT }]);

    // unchanged: a second scan only lists
    t.proxy.reset();
    const again = await indexFolder(t.db, location, { backupRoots: [t.roots], backupDir: t.roots });
    expect(again).toMatchObject({ added: 0, updated: 0, removed: 0, unchanged: COUNT });
    expect(t.proxy.counts.rangedGets).toBe(0);
    expect(t.proxy.counts.requests).toBe(t.proxy.counts.listings);
  }, 600_000);
});
