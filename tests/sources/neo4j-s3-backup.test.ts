/**
 * `txline database backup --cluster=<neo4j cluster> --to-path=s3://…`: the URL goes to neo4j-admin as it is (it
 * writes to S3 itself), with the S3-compatible endpoint in its environment as AWS_ENDPOINT_URL_S3 (here given to
 * Txline as AWS_ENDPOINT_URL only, so the pass-through is what puts it there), and the post-check lists the new
 * artifact through Txline's S3 location. The stand-in neo4j-admin (tests/fixtures/neo4j-admin) lists the bucket
 * with the AWS SDK and has the embedded cluster's backup uploaded there, to a real s3rver on loopback. A missing
 * bucket is a clear error naming the location, before neo4j-admin runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLocation } from '../../lib/storage';
import { startTestCluster, tempFolders, type TestCluster } from '../helpers/cluster';
import { jsonlLines, runTxline, writeTx } from '../helpers/engine';
import { addAsNeo4j } from '../helpers/neo4j';
import { S3RVER_CREDENTIALS, startS3, type TestS3 } from '../helpers/s3';

const folders = tempFolders('neo4j-s3-backup');
let cluster: TestCluster;
let s3: TestS3;
let dataDir: string;
let standinLog: string;
let env: Record<string, string>;

beforeAll(async () => {
  [cluster, s3] = await Promise.all([startTestCluster({ members: 2, secondaries: 0, boltNeo4jVersion: '5.26.0' }), startS3()]);
  await writeTx(cluster.writer, 'neo4j', 5);
  dataDir = folders.folder('data');
  standinLog = path.join(dataDir, 'standin.jsonl');
  env = {
    TXLINE_DATA_DIR: dataDir,
    STANDIN_LOG: standinLog,
    STANDIN_NEO4J_VERSION: '5.26', // the version the embedded cluster reports over Bolt (started as 5.26 above)
    AWS_ENDPOINT_URL: s3.endpoint,
    AWS_ENDPOINT_URL_S3: '',
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  fs.mkdirSync(path.join(dataDir, 'backups'));
  await addAsNeo4j(cluster, { dataDir, location: path.join(dataDir, 'backups'), cli });
}, 90_000);

afterAll(async () => {
  await Promise.all([cluster?.stop(), s3?.stop()]);
  folders.removeAll();
});

function cli(args: string[]) {
  return runTxline(args, { env, timeoutMs: 120_000 });
}

interface Result {
  exitCode: number;
  toPath: string;
  results: Array<{ database: string; ok: boolean; artifact: string | null; full: boolean | null; lowestTx: number | null; highestTx: number | null; error: { code: string; message: string } | null }>;
}

async function backup(to: string) {
  const run = await cli(['database', 'backup', '--cluster=prod', `--to-path=${to}`, '--progress=jsonl', 'neo4j']);
  return { run, result: jsonlLines(run.stdout).find((l) => l.event === 'result') as unknown as Result | undefined };
}

const standinRuns = (): Array<{ argv: string[]; s3Endpoint: string | null }> =>
  fs.existsSync(standinLog) ? fs.readFileSync(standinLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { argv: string[]; s3Endpoint: string | null }) : [];

describe('txline database backup --cluster (neo4j kind) to s3://', () => {
  it('passes the URL and the endpoint to neo4j-admin, and confirms the new artifact by listing it through the S3 location; then a differential', async () => {
    const bucket = await s3.bucket();
    const url = `s3://${bucket}/neo4j/prod`;
    const first = await backup(`${url}/`);
    expect(first.run.code, first.run.stderr).toBe(0);
    expect(first.result?.toPath).toBe(url);
    const [r] = first.result?.results ?? [];
    expect(r).toMatchObject({ database: 'neo4j', ok: true, full: true, lowestTx: 1 });
    expect(r.error).toBeUndefined();
    const loc = openLocation(url, { s3: s3.options() });
    expect((await loc.list()).map((e) => e.name)).toEqual([r.artifact]);
    // what neo4j-admin got: the URL as it is, and the endpoint as AWS_ENDPOINT_URL_S3
    const runs = standinRuns();
    const backupRun = runs.find((x) => x.argv[0] === 'database' && x.argv[1] === 'backup');
    expect(backupRun?.argv).toContain(`--to-path=${url}`);
    expect(backupRun?.s3Endpoint).toBe(s3.endpoint);
    expect(runs.find((x) => x.argv[0] === 'backup' && x.argv[1] === 'inspect')?.argv).toContain(url);
    expect(fs.readdirSync(path.join(dataDir, 'backups'))).toEqual([]); // nothing went to the registered folder

    await writeTx(cluster.writer, 'neo4j', 3);
    await new Promise((res) => setTimeout(res, 1100)); // artifact names are per second
    const second = await backup(url);
    expect(second.run.code, second.run.stderr).toBe(0);
    const [d] = second.result?.results ?? [];
    expect(d).toMatchObject({ ok: true, full: false, lowestTx: (r.highestTx ?? 0) + 1 });
    expect((await loc.list()).map((e) => e.name).sort()).toEqual([r.artifact, d.artifact].sort());
  }, 180_000);

  it('a missing bucket is refused naming the location, before neo4j-admin runs', async () => {
    const before = standinRuns().length;
    const r = await cli(['database', 'backup', '--cluster=prod', '--to-path=s3://no-such-bucket-neo/prod', 'neo4j']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/s3:\/\/no-such-bucket-neo\/prod: the bucket does not exist \(NoSuchBucket\)/);
    expect(standinRuns().slice(before).some((x) => x.argv[0] === 'database' && x.argv[1] === 'backup')).toBe(false);
  }, 60_000);
});
