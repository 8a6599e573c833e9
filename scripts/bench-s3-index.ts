/**
 * How long the catalog takes to index an `s3://` location of many artifacts, and what it reads to do so:
 *
 *   npx tsx scripts/bench-s3-index.ts [--count 10000]
 *
 * Starts s3rver on loopback (tests/helpers/s3.ts) with a counting proxy in front of it, seeds `--count` artifacts
 * (copies of the checked-in golden artifacts, one second apart) straight into its store, and times the indexer
 * (lib/db/indexer.ts) over the location: a first scan (every head read with one ranged GET) and a second scan of
 * the unchanged location (a listing only). Prints the time, the requests and the bytes read. s3rver is a small
 * single-threaded server (a few hundred ranged GETs a second here): against AWS S3 or MinIO the time is bound by
 * latency at 32 reads in flight.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCatalog } from '../lib/db';
import { indexFolder } from '../lib/db/indexer';
import { ensureFolder } from '../lib/db/queries/clusters';
import { PAYLOAD_OFFSET } from '../lib/engine/artifact';
import { countingProxy, S3RVER_CREDENTIALS, seedS3rverObjects, startS3 } from '../tests/helpers/s3';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};

async function main(): Promise<void> {
  const count = arg('count', 10_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-bench-s3-index-'));
  const s3 = await startS3();
  const proxy = await countingProxy(s3.endpoint);
  Object.assign(process.env, { AWS_ENDPOINT_URL_S3: proxy.endpoint, AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey, AWS_REGION: 'us-east-1' });
  try {
    // the golden artifacts, copied next to s3rver's store (hard links need one filesystem)
    const golden = path.resolve(import.meta.dirname, '../tests/fixtures/artifacts/zstd-27c8168');
    const sources = fs.readdirSync(golden).filter((f) => f.endsWith('.backup')).map((f) => {
      const to = path.join(work, f);
      fs.copyFileSync(path.join(golden, f), to);
      return to;
    });
    const bucket = await s3.bucket();
    const s0 = performance.now();
    seedS3rverObjects(s3, bucket, 'prod/golden', sources, count, 'golden');
    console.log(`seeded ${count} artifacts into s3rver's store in ${((performance.now() - s0) / 1000).toFixed(1)} s`);
    const db = openCatalog(path.join(work, 'txline.sqlite'));
    const folder = ensureFolder(db, { name: 'bench', path: `s3://${bucket}/prod/golden`, isDefault: false });
    for (const scan of ['first scan', 'second scan (unchanged)']) {
      proxy.reset();
      const t0 = performance.now();
      const r = await indexFolder(db, folder, { backupRoots: [work], backupDir: work });
      const s = (performance.now() - t0) / 1000;
      const c = proxy.counts;
      console.log(
        `${scan}: ${s.toFixed(2)} s (${Math.round(count / s)} artifacts/s); added ${r.added}, unchanged ${r.unchanged}, problems ${r.problems.length}; ` +
          `${c.requests} requests: ${c.listings} listings, ${c.rangedGets} ranged GETs of ${PAYLOAD_OFFSET} bytes, ${c.wholeGets} whole GETs; ${(c.bytesOut / 1048576).toFixed(1)} MiB read`,
      );
    }
    db.$client.close();
  } finally {
    await proxy.stop();
    await s3.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
