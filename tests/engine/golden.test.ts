/**
 * Golden artifacts: `.backup` files written by earlier Txline commits (tests/fixtures/artifacts, made by its
 * make-golden.ts, described in its README.md) must still be read, checked and restored by this Txline, with the
 * results the writing Txline recorded in golden.json. A format change that breaks old backups fails here: a
 * zstd full with an uncompressed and a zstd differential, their aggregated full, and a Brotli-block full and
 * differential from Txline 539ae5a (before zstd became the default codec).
 *
 * Everything goes through the `txline` CLI as a child process (inspect, database check, database restore into
 * a real one-member cluster on free ports), on copies of the fixtures in a temporary folder; the restored
 * database's digest (last transaction, node and relationship counts, ordered content hash) is read from the member.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbStatus, startTestCluster, tempFolders, type TestCluster } from '../helpers/cluster';
import { inspectCli, runTxline } from '../helpers/engine';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/artifacts');

interface GoldenDigest {
  lastCommittedTxn: number;
  nodes: number;
  relationships: number;
  contentHash: string;
}

interface GoldenSet {
  folder: string;
  description: string;
  txline: { commit: string };
  database: string;
  artifacts: Array<{ file: string; bytes: number; sha256: string }>;
  inspect: Array<Record<string, unknown> & { file: string; sizeBytes: number }>;
  restores: Array<{ until: number | null; what: string; digest: GoldenDigest }>;
}

const golden = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'golden.json'), 'utf8')) as { sets: GoldenSet[] };
/** where a payload starts in an artifact (tar header, 8 KiB metadata, tar header): fixed by the format */
const PAYLOAD_OFFSET = 512 + 8192 + 512;

let cluster: TestCluster;
const { folder, removeAll } = tempFolders('golden');

beforeAll(async () => {
  cluster = await startTestCluster({ members: 1, secondaries: 0, databases: ['neo4j'] });
});

afterAll(async () => {
  await cluster?.stop();
  removeAll();
});

/** A copy of a set's artifacts in a new temporary folder (the fixtures are never written to). */
function copySet(set: GoldenSet, name = set.folder): string {
  const dir = folder(name);
  for (const a of set.artifacts) fs.copyFileSync(path.join(FIXTURES, set.folder, a.file), path.join(dir, a.file));
  return dir;
}

function restoreArgs(dir: string, set: GoldenSet, until: number | null, target: string): string[] {
  return ['database', 'restore', `--from-path=${dir}`, `--from-database=${set.database}`, ...(until === null ? [] : [`--restore-until=${until}`]), target];
}

it('the fixtures hold the sets golden.json lists, byte for byte: zstd, uncompressed, aggregated and Brotli-block payloads', () => {
  const folders = fs.readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  expect(folders.sort()).toEqual(golden.sets.map((s) => s.folder).sort());
  for (const set of golden.sets) {
    const names = fs.readdirSync(path.join(FIXTURES, set.folder)).sort();
    expect(names, set.folder).toEqual(set.artifacts.map((a) => a.file).sort());
    for (const a of set.artifacts) {
      const bytes = fs.readFileSync(path.join(FIXTURES, set.folder, a.file));
      expect({ file: a.file, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }, `${set.folder}/${a.file} was changed`).toEqual(a);
    }
  }
  // the payload entry names (tar header at 8704) say which codecs are covered
  const entries = golden.sets.flatMap((s) => s.artifacts.map((a) => fs.readFileSync(path.join(FIXTURES, s.folder, a.file)).toString('latin1', 8704, 8704 + 100).split('\0')[0]));
  for (const e of ['store.sqlite.zst', 'transactions.log', 'transactions.log.zst', 'store.sqlite.brblocks', 'transactions.log.brblocks']) expect(entries).toContain(e);
  expect(golden.sets.flatMap((s) => s.inspect).filter((r) => r.recovered === true && r.lowestTx === 1 && r.member === null)).not.toHaveLength(0); // an aggregated full
});

describe.each(golden.sets)('$folder', (set) => {
  let dir: string;
  beforeAll(() => {
    dir = copySet(set);
  });

  it('inspect lists what the writing Txline listed', async () => {
    const rows = await inspectCli(dir);
    expect(rows).toMatchObject(set.inspect);
  });

  it('database check finds every artifact sound and writes no report', async () => {
    const reports = folder(`${set.folder}-reports`);
    const r = await runTxline(['database', 'check', `--from-path=${dir}`, `--report-path=${reports}`]);
    const out = r.stdout + r.stderr;
    expect(r.code, out).toBe(0);
    for (const a of set.artifacts) expect(out).toContain(`${a.file}: ok`);
    expect(fs.readdirSync(reports)).toEqual([]);
  });

  it.each(set.restores)('restores $what to the recorded digest', async ({ until, digest }) => {
    const target = `${set.folder}-${until ?? 'latest'}`;
    const r = await runTxline(restoreArgs(dir, set, until, target), { addresses: cluster.addresses });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await dbStatus(cluster.writer, target))?.lastCommittedTxn).toBe(digest.lastCommittedTxn);
    // the golden digests are the ordered hash (of before content sums); the restored store keeps the sum of its rows
    const d = await cluster.writer.digest(target, { scratch: true, ordered: true });
    expect({ lastCommittedTxn: d.lastCommittedTxn, nodes: d.nodes, relationships: d.relationships, contentHash: d.orderedHash }).toEqual(digest);
    expect((await cluster.writer.digest(target)).contentHash).toBe(d.contentHash);
  });
});

describe('a golden set with one flipped payload byte', () => {
  const set = golden.sets.find((s) => s.folder === 'brotli-539ae5a') as GoldenSet;

  it('is refused by check and restore, naming the artifact, and nothing is restored', async () => {
    const dir = copySet(set, 'flipped');
    const diff = set.inspect.find((row) => row.full === false) as GoldenSet['inspect'][number];
    const file = path.join(dir, diff.file);
    const bytes = fs.readFileSync(file);
    bytes[PAYLOAD_OFFSET + Math.floor(diff.sizeBytes / 2)] ^= 0x01;
    fs.writeFileSync(file, bytes);

    const reports = folder('flipped-reports');
    const c = await runTxline(['database', 'check', `--from-path=${dir}`, `--report-path=${reports}`]);
    expect(c.code, c.stdout + c.stderr).toBe(1);
    expect(c.stdout + c.stderr).toMatch(new RegExp(`${diff.file.replace(/[.]/g, '\\.')}: corrupt`));
    expect(fs.readdirSync(reports)).toHaveLength(1);

    const r = await runTxline(restoreArgs(dir, set, null, 'flipped'), { addresses: cluster.addresses });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain(diff.file);
    expect(await dbStatus(cluster.writer, 'flipped')).toBeUndefined();
  });
});
