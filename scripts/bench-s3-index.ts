/**
 * How long the catalog's first index of an `s3://` location of many artifacts takes, and what it reads to do so:
 *
 *   npx tsx scripts/bench-s3-index.ts [--count 10000] [--old-count 1000] [--rounds 3]
 *
 * Starts s3rver on loopback (tests/helpers/s3.ts) with a counting proxy in front of it and seeds straight into its
 * store (copies of the checked-in golden artifacts, one second apart):
 * - `--count` artifacts as this Txline writes them: each with its index note (lib/storage/s3/notes.ts), so a first
 *   index reads the notes' and the artifacts' listings (1,000 keys a page) and no object;
 * - `--old-count` artifacts as older Txline versions wrote them (no note): the old path, one ranged GET of the
 *   9 KiB head per artifact, 32 at a time; a smaller sample, as s3rver serves a few hundred (on a loaded machine a
 *   few dozen) GETs a second.
 * Rounds alternate the two first indexes (a fresh catalog each time) so that the machine's load weighs on both;
 * prints each round, then medians, the old path's time projected to `--count`, and the ratio, then a second
 * (unchanged) scan of the noted location, which only lists.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCatalog } from '../lib/db';
import { indexFolder, type IndexResult } from '../lib/db/indexer';
import { ensureFolder } from '../lib/db/queries/clusters';
import { countingProxy, S3RVER_CREDENTIALS, seedS3rverNotes, seedS3rverObjects, startS3, type ProxyCounts } from '../tests/helpers/s3';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const count = arg('count', 10_000);
  const oldCount = arg('old-count', 1_000);
  const rounds = arg('rounds', 3);
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
    const names = seedS3rverObjects(s3, bucket, 'prod/noted', sources, count, 'golden');
    seedS3rverNotes(s3, bucket, 'prod/noted', sources, names);
    seedS3rverObjects(s3, bucket, 'prod/old', sources, oldCount, 'golden');
    console.log(`seeded ${count} artifacts with notes and ${oldCount} without into s3rver's store in ${((performance.now() - s0) / 1000).toFixed(1)} s`);

    const line = (what: string, n: number, s: number, r: IndexResult, c: ProxyCounts) =>
      `${what}: ${s.toFixed(2)} s for ${n} (${((s * 1000) / n).toFixed(3)} ms/artifact); added ${r.added}, from notes ${r.fromNotes}, problems ${r.problems.length}, findings ${r.findings.length}; ` +
      `${c.requests} requests: ${c.listings} LIST, ${c.rangedGets} ranged GET, ${c.wholeGets} whole GET, ${Object.entries(c.byMethod).filter(([m]) => m !== 'GET').map(([m, k]) => `${k} ${m}`).join(', ') || 'nothing else'}; ${(c.bytesOut / 1048576).toFixed(1)} MiB read`;
    const firstIndex = async (round: number, prefix: string, n: number) => {
      const db = openCatalog(path.join(work, `catalog-${prefix}-${round}.sqlite`));
      const folder = ensureFolder(db, { name: prefix, path: `s3://${bucket}/prod/${prefix}`, isDefault: false });
      proxy.reset();
      const t0 = performance.now();
      const r = await indexFolder(db, folder, { backupRoots: [work], backupDir: work });
      const s = (performance.now() - t0) / 1000;
      if (r.added !== n || r.problems.length || r.findings.length) throw new Error(`${prefix}: indexed ${r.added} of ${n}, ${JSON.stringify(r.problems.slice(0, 3))} ${JSON.stringify(r.findings.slice(0, 3))}`);
      return { db, folder, r, s, c: proxy.counts };
    };
    const noted: number[] = [];
    const old: number[] = [];
    let last: Awaited<ReturnType<typeof firstIndex>> | null = null;
    for (let round = 1; round <= rounds; round++) {
      const a = await firstIndex(round, 'noted', count);
      console.log(line(`round ${round}, first index, notes (this version)`, count, a.s, a.r, a.c));
      noted.push(a.s);
      last?.db.$client.close();
      last = a;
      const b = await firstIndex(round, 'old', oldCount);
      console.log(line(`round ${round}, first index, heads (older versions)`, oldCount, b.s, b.r, b.c));
      old.push(b.s);
      b.db.$client.close();
    }
    const projected = (median(old) / oldCount) * count;
    console.log(
      `median first index of ${count}: ${median(noted).toFixed(2)} s with notes; ${median(old).toFixed(2)} s for ${oldCount} by heads, ` +
        `${projected.toFixed(1)} s projected for ${count}; notes are ${(projected / median(noted)).toFixed(0)}x faster`,
    );
    if (last) {
      proxy.reset();
      const t0 = performance.now();
      const r = await indexFolder(last.db, last.folder, { backupRoots: [work], backupDir: work });
      console.log(line('second scan (unchanged), notes', count, (performance.now() - t0) / 1000, r, proxy.counts));
      last.db.$client.close();
    }
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
