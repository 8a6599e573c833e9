/**
 * The commands' outputs, on a real cluster through the `txline` CLI: `--progress=jsonl` (every line of a full
 * and a differential backup, a restore, an aggregation and a check carries phase, bytesDone, bytesTotal, txDone
 * and txTotal; the last line is the result, or the error, with a phase too); `backup inspect` with
 * --latest-backup, --latest-chain, --database and --empty (and `database backup --inspect-path` with the same
 * defaults); `backup aggregate --keep-old-backup`; and `database check` on an artifact whose checksums are
 * right but whose store is inconsistent (the problems reported, and a report file written).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumePayload, folderLocation, listArtifacts, readArtifact } from '../../lib/engine/artifact';
import { ArtifactWriter, UNRACED } from '../../lib/engine/artifact-writer';
import type { InspectRow } from '../../lib/engine/inspect';
import { startTestCluster, tempFolders, waitForConvergence, type TestCluster } from '../helpers/cluster';
import { escapeRegExp, expectOnlyArtifacts, inspectCli, jsonlLines, runTxline, verifyFolder, Workload, writeTx } from '../helpers/engine';

let cluster: TestCluster;
let workload: Workload;
const { folder, removeAll } = tempFolders('commands');

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2, secondaries: 0, databases: ['neo4j', 'other'] });
  workload = new Workload(cluster.writer, 'neo4j', 7);
  await workload.write(40);
  await writeTx(cluster.writer, 'other', 3);
  for (const db of ['neo4j', 'other']) await waitForConvergence(cluster, db);
});

afterAll(async () => {
  await cluster?.stop();
  removeAll();
});

const cli = (args: string[]) => runTxline(args, { addresses: cluster.addresses });

type Line = Record<string, unknown>;
const COUNTERS = ['bytesDone', 'bytesTotal', 'txDone', 'txTotal'] as const;

/**
 * Every stdout line is a JSON object with a phase and the four counters: numbers, or null only where the
 * value is not known (a differential's byte size while its transactions stream in; an error line). The last
 * line is the result.
 */
function progressLines(stdout: string, what: string): Line[] {
  const lines = jsonlLines(stdout);
  expect(lines.length, `${what}: lines`).toBeGreaterThan(1);
  for (const l of lines) {
    const shown = `${what}: ${JSON.stringify(l)}`;
    expect(typeof l.phase, shown).toBe('string');
    for (const k of COUNTERS) {
      expect(l, shown).toHaveProperty(k);
      if (l[k] === null) expect((k === 'bytesTotal' && l.phase === 'transactions') || l.phase === 'error', `${k} is null in ${shown}`).toBe(true);
      else expect(typeof l[k], shown).toBe('number');
    }
  }
  expect(lines.at(-1), what).toMatchObject({ event: 'result', phase: 'result' });
  return lines;
}

const phases = (lines: Line[]) => [...new Set(lines.map((l) => l.phase))];

describe('--progress=jsonl', () => {
  it('a full and a differential backup, a restore, an aggregation and a check: every line carries the phase and the counters', async () => {
    const dir = folder('progress');
    const tip0 = (await cluster.writer.status()).databases.find((d) => d.name === 'neo4j')?.lastCommittedTxn ?? -1;
    const full = await cli(['database', 'backup', '--progress=jsonl', `--to-path=${dir}`, 'neo4j']);
    expect(full.code, full.stderr).toBe(0);
    const f = progressLines(full.stdout, 'full backup');
    expect(phases(f)).toEqual(['store', 'finalize', 'done', 'result']);
    for (const l of f.filter((x) => x.phase !== 'result')) expect(l, JSON.stringify(l)).toMatchObject({ database: 'neo4j', txTotal: tip0 });
    const fullDone = f.find((l) => l.phase === 'done') as Line;
    expect(fullDone.bytesDone).toBe(fullDone.bytesTotal);
    expect(fullDone.txDone).toBe(tip0);

    await workload.write(12);
    await waitForConvergence(cluster, 'neo4j');
    const diff = await cli(['database', 'backup', '--progress=jsonl', `--to-path=${dir}`, 'neo4j']);
    expect(diff.code, diff.stderr).toBe(0);
    const d = progressLines(diff.stdout, 'differential backup');
    expect(phases(d)).toEqual(['transactions', 'done', 'result']);
    for (const l of d.filter((x) => x.phase === 'transactions')) expect(l).toMatchObject({ txTotal: 12, bytesTotal: null });
    expect(d.find((l) => l.phase === 'done')).toMatchObject({ txDone: 12, txTotal: 12 });
    expect((d.find((l) => l.phase === 'done') as Line).bytesTotal).toBeGreaterThan(0);
    expect(d.at(-1)).toMatchObject({ exitCode: 0, txDone: 12, txTotal: 12 });

    const restored = await cli(['database', 'restore', '--progress=jsonl', `--from-path=${dir}`, 'progresscopy']);
    expect(restored.code, restored.stderr).toBe(0);
    const r = progressLines(restored.stdout, 'restore');
    expect(phases(r)).toEqual(['restore:store', 'restore:replay', 'install:stop', 'install:install', 'install:catch-up', 'done', 'result']);
    for (const l of r.filter((x) => x.phase !== 'result')) expect(l.txTotal, JSON.stringify(l)).toBe(12);
    expect(r.find((l) => l.phase === 'install:catch-up')).toMatchObject({ membersReady: 0, membersTotal: 2 });
    expect(r.at(-1)).toMatchObject({ exitCode: 0, restoredTx: tip0 + 12, txDone: 12, txTotal: 12 });

    const agg = await cli(['backup', 'aggregate', '--progress=jsonl', '--keep-old-backup', `--from-path=${dir}`, 'neo4j']);
    expect(agg.code, agg.stderr).toBe(0);
    const a = progressLines(agg.stdout, 'aggregate');
    expect(phases(a)).toEqual(['aggregate:store', 'aggregate:replay', 'aggregate:write', 'done', 'result']);
    expect(a.find((l) => l.phase === 'done')).toMatchObject({ txDone: 12, txTotal: 12 });

    const checked = await cli(['database', 'check', '--progress=jsonl', `--from-path=${dir}`, `--report-path=${dir}`, 'neo4j']);
    expect(checked.code, checked.stderr).toBe(0);
    const c = progressLines(checked.stdout, 'check');
    expect(phases(c)).toEqual(['check', 'done', 'result']);
    const arts = listArtifacts(dir).artifacts;
    const bytes = arts.reduce((n, x) => n + x.payload.sizeBytes, 0);
    const txs = arts.reduce((n, x) => n + x.txCount, 0);
    expect(c.find((l) => l.phase === 'done')).toMatchObject({ bytesDone: bytes, bytesTotal: bytes, txDone: txs, txTotal: txs, artifactsDone: 3 });
    expect(c.at(-1)).toMatchObject({ ok: true, bytesDone: bytes, txDone: txs });

    // a failure: the error line has a phase and the counters (unknown there)
    const failed = await cli(['database', 'restore', '--progress=jsonl', `--from-path=${path.join(dir, 'nothing-here')}`, 'progresscopy']);
    expect(failed.code).toBe(1);
    expect(jsonlLines(failed.stdout)).toEqual([
      expect.objectContaining({ event: 'error', phase: 'error', code: 'PATH_NOT_FOUND', bytesDone: null, bytesTotal: null, txDone: null, txTotal: null }),
    ]);
  });
});

describe('backup inspect', () => {
  let dir: string;
  let rows: InspectRow[]; // everything, newest first
  beforeAll(async () => {
    dir = folder('inspect');
    // neo4j: a full, a differential, an empty differential; other: a full
    for (const db of ['neo4j', 'other']) expect((await cli(['database', 'backup', `--to-path=${dir}`, db])).code).toBe(0);
    await workload.write(3);
    await waitForConvergence(cluster, 'neo4j');
    expect((await cli(['database', 'backup', `--to-path=${dir}`, 'neo4j'])).code).toBe(0);
    expect((await cli(['database', 'backup', `--to-path=${dir}`, 'neo4j'])).code).toBe(0);
    rows = await inspectCli(dir);
  });

  const files = (r: InspectRow[]) => r.map((x) => x.file);
  const json = async (args: string[]) => {
    const r = await runTxline(args);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as InspectRow[];
  };

  it('--empty, --database, --latest-backup, --latest-chain', async () => {
    const neo = rows.filter((r) => r.database === 'neo4j');
    expect(neo.map((r) => [r.full, r.lowestTx === 0 && r.highestTx === 0])).toEqual([
      [false, true], // the empty differential
      [false, false],
      [true, false],
    ]);
    const [empty, diff, full] = neo;
    const other = rows.find((r) => r.database === 'other') as InspectRow;

    expect(files(await json(['backup', 'inspect', dir, '--json']))).toEqual(files(rows.filter((r) => r !== empty)));
    expect(files(await json(['backup', 'inspect', dir, '--json', '--empty']))).toEqual(files(rows));
    expect(files(await json(['backup', 'inspect', dir, '--json', '--database=neo4j']))).toEqual([diff.file, full.file]);
    expect(files(await json(['backup', 'inspect', dir, '--json', '--database=NEO4J', '--empty']))).toEqual([empty.file, diff.file, full.file]);
    expect(files(await json(['backup', 'inspect', dir, '--json', '--database=other']))).toEqual([other.file]);

    // the latest backup of each database: without --empty, the latest that holds something
    expect(files(await json(['backup', 'inspect', dir, '--json', '--latest-backup'])).sort()).toEqual([diff.file, other.file].sort());
    expect(files(await json(['backup', 'inspect', dir, '--json', '--latest-backup', '--empty'])).sort()).toEqual([empty.file, other.file].sort());
    expect(files(await json(['backup', 'inspect', dir, '--json', '--latest-backup', '--database=neo4j']))).toEqual([diff.file]);

    // the chain that ends with the latest backup
    expect(files(await json(['backup', 'inspect', dir, '--json', '--latest-chain', '--database=neo4j']))).toEqual([diff.file, full.file]);
    expect(files(await json(['backup', 'inspect', dir, '--json', '--latest-chain', '--database=neo4j', '--empty']))).toEqual([empty.file, diff.file, full.file]);
    expect(files(await json(['backup', 'inspect', dir, '--json', '--latest-chain'])).sort()).toEqual([diff.file, full.file, other.file].sort());
    // ... or with the artifact named
    expect(files(await json(['backup', 'inspect', path.join(dir, diff.file), '--json', '--latest-chain']))).toEqual([diff.file, full.file]);
    // an artifact named on its own is listed, empty or not
    expect(files(await json(['backup', 'inspect', path.join(dir, empty.file), '--json']))).toEqual([empty.file]);

    const both = await runTxline(['backup', 'inspect', dir, '--latest-backup', '--latest-chain']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--latest-backup and --latest-chain cannot be used together/);
    // fifteen CLI processes: more than the default minute on two busy cores
  }, 180_000);

  it('database backup --inspect-path lists what backup inspect lists, with the same defaults', async () => {
    for (const [a, b] of [
      [['database', 'backup', `--inspect-path=${dir}`, '--json'], ['backup', 'inspect', dir, '--json']],
      [['database', 'backup', `--inspect-path=${dir}`, '--json', 'neo4j'], ['backup', 'inspect', dir, '--json', '--database=neo4j']],
      [['database', 'backup', `--inspect-path=${dir}`], ['backup', 'inspect', dir]],
    ]) {
      const [x, y] = [await runTxline(a), await runTxline(b)];
      expect(x.code, x.stderr).toBe(0);
      expect(x.stdout, a.join(' ')).toBe(y.stdout);
    }
    const two = await runTxline(['database', 'backup', `--inspect-path=${dir}`, 'neo4j', 'other']);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/with --inspect-path, name at most one database/);
  });
});

describe('backup aggregate --keep-old-backup', () => {
  it('writes the recovered full and keeps the old chain; without it, the chain goes', async () => {
    const dir = folder('keep-old');
    expect((await cli(['database', 'backup', `--to-path=${dir}`, 'neo4j'])).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      await workload.write(4);
      await waitForConvergence(cluster, 'neo4j');
      expect((await cli(['database', 'backup', `--to-path=${dir}`, 'neo4j'])).code).toBe(0);
    }
    const chain = await inspectCli(dir);
    const tip = chain[0].highestTx;
    const kept = await cli(['backup', 'aggregate', '--keep-old-backup', `--from-path=${dir}`, 'neo4j']);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).not.toMatch(/deleted the old chain/);
    const after = await inspectCli(dir);
    expect(after).toHaveLength(4);
    for (const old of chain) expect(after.find((r) => r.file === old.file), old.file).toEqual(old);
    const aggregate = after.find((r) => !chain.some((c) => c.file === r.file)) as InspectRow;
    expect(aggregate).toMatchObject({ full: true, recovered: true, lowestTx: 1, highestTx: tip, parent: null, time: chain[0].time });
    expect(await verifyFolder(dir)).toHaveLength(4);

    // the old chain, named by its tip, folded again without the flag: it goes, newest first
    const folded = await cli(['backup', 'aggregate', `--from-path=${path.join(dir, chain[0].file)}`, 'neo4j']);
    expect(folded.code, folded.stderr).toBe(0);
    expect(folded.stderr).toMatch(new RegExp(`deleted the old chain, newest first: ${escapeRegExp(chain[0].file)}, ${escapeRegExp(chain[1].file)}, ${escapeRegExp(chain[2].file)}`));
    expect((await inspectCli(dir)).map((r) => [r.full, r.recovered, r.highestTx])).toEqual([
      [true, true, tip],
      [true, true, tip],
    ]);
    expect(expectOnlyArtifacts(dir)).toHaveLength(2);
  });
});

describe('database check', () => {
  it('an artifact whose checksums are right but whose store is inconsistent: the problems reported, a report written', async () => {
    const dir = folder('inconsistent');
    const reports = folder('inconsistent-reports');
    expect((await cli(['database', 'backup', '--compress=false', `--to-path=${dir}`, 'neo4j'])).code).toBe(0);
    const good = await cli(['database', 'check', `--from-path=${dir}`, `--report-path=${reports}`, 'neo4j']);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toBe('OK: 1 artifact(s) verified\n');
    expect(fs.readdirSync(reports)).toEqual([]);

    // the same artifact with a store that lost a node its relationships point at, sealed as it would be written
    const [orig] = listArtifacts(dir).artifacts;
    const work = folder('broken');
    const storeFile = path.join(work, 'store.sqlite');
    await consumePayload(orig, (src) => pipeline(src, fs.createWriteStream(storeFile)));
    const db = new Database(storeFile);
    const victim = db.prepare('SELECT start_id FROM rels ORDER BY id LIMIT 1').pluck().get() as number;
    const rels = db.prepare('SELECT count(*) FROM rels WHERE start_id = ? OR end_id = ?').pluck().get(victim, victim) as number;
    db.prepare('DELETE FROM nodes WHERE id = ?').run(victim);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    fs.rmSync(orig.path);
    const w = new ArtifactWriter({ location: folderLocation(dir), lock: UNRACED, database: orig.database, time: new Date(orig.time), full: true, codec: 'none', keepFailed: false });
    await pipeline(Readable.from([fs.readFileSync(storeFile)]), w.payload());
    const { format: _f, database: _d, time: _t, full: _u, compressed: _c, codec: _k, payload: _p, createdBy: _b, metadataSha256: _m, file: _n, path: _a, ...meta } = orig;
    const broken = await w.commit(meta);
    expect(broken.file).toBe(orig.file);
    expect(await verifyFolder(dir)).toEqual([orig.file]); // its checksums are right
    expect(readArtifact(broken.path).payload.sha256).not.toBe(orig.payload.sha256);

    const r = await cli(['database', 'check', `--from-path=${dir}`, `--report-path=${reports}`, 'neo4j']);
    expect(r.code).toBe(1);
    expect(rels).toBeGreaterThan(0);
    const nodes = orig.store?.nodes ?? -1;
    const problems = [
      `${escapeRegExp(orig.file)}: inconsistent store: relationship \\d+ points at a missing node \\((${victim} -> \\d+|\\d+ -> ${victim})\\)`,
      `${escapeRegExp(orig.file)}: inconsistent store: node count is ${nodes - 1} but the store records ${nodes}`,
    ];
    for (const p of problems) expect(r.stderr).toMatch(new RegExp(`ERROR.*${p}`));
    const report = fs.readdirSync(reports);
    expect(report).toHaveLength(1);
    expect(report[0]).toMatch(/^txline-check-neo4j-.*\.txt$/);
    const found = r.stderr.match(/ERROR/g)?.length ?? 0;
    expect(r.stdout).toBe(`${found} problem(s) found; report: ${path.join(reports, report[0])}\n`);
    const text = fs.readFileSync(path.join(reports, report[0]), 'utf8');
    expect(text).toContain(`${found} problem(s) in 1 artifact(s)`);
    for (const p of problems) expect(text).toMatch(new RegExp(`^- ${p}`, 'm'));
  });
});
