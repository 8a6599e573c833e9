/**
 * A writer to be killed (tests/storage/s3-location.test.ts): streams `mib` MiB of random bytes into an S3
 * location's write() and commits, printing `wrote <MiB>` after each MiB taken by the sink and `committed <name>`
 * at the end. The location comes from the standard environment (AWS_ENDPOINT_URL_S3, AWS_ACCESS_KEY_ID, ...).
 * Run: npx tsx tests/storage/s3-writer-child.ts s3://bucket/prefix name.backup mib
 */
import { randomBytes } from 'node:crypto';
import { openLocation } from '../../lib/storage';

async function main(): Promise<void> {
  const [url, name, mib] = process.argv.slice(2);
  const loc = openLocation(url);
  const w = await loc.write(name);
  for (let i = 1; i <= Number(mib); i++) {
    if (!w.sink.write(randomBytes(1024 * 1024))) await new Promise((resolve) => w.sink.once('drain', resolve));
    process.stdout.write(`wrote ${i}\n`);
  }
  process.stdout.write(`committed ${await w.commit()}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
