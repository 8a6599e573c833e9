/**
 * Restore drills (lib/engine/drill.ts) against a real cluster: a good chain passes with a measured RTO at its
 * newest point, at a random point and at a given transaction, and leaves no scratch database; one flipped byte
 * in a middle differential fails the drill naming that file; a drill at a point equals a restore at the same
 * point; a scratch database left by a killed drill is dropped by the next drill; the source database is never
 * touched. The content digest each artifact records at backup time (format 3: the content sum its writer keeps)
 * is compared at the newest point with the sum the target computes from every row of the scratch database: a
 * good chain passes with it compared, an artifact whose recorded digest disagrees with its content fails the
 * `digest` check naming it, a format-2 tail (the ordered hash) is compared with the ordered hash, and an
 * old-format (1) golden chain, which records none, still drills on counts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { FORMAT, PAYLOAD_OFFSET, listArtifacts } from '../../lib/engine/artifact';
import { backupDatabases } from '../../lib/engine/backup';
import { drill, isScratchName, pointPlan, scratchName, type DrillOptions } from '../../lib/engine/drill';
import { silentLog } from '../../lib/engine/progress';
import { restore } from '../../lib/engine/restore';
import { planFor } from '../../lib/engine/restore';
import { txlinePayload } from '../../lib/sources/txline/format';
import { dbStatus, startTestCluster, tempFolders, type TestCluster } from '../helpers/cluster';
import { backupOptions, captureLog, resealMetadata, sourceFor, Workload } from '../helpers/engine';

let cluster: TestCluster;
const { folder, removeAll } = tempFolders('drill');
let dir: string;
/** the differentials of the chain, oldest first */
let diffs: string[] = [];

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2, secondaries: 0, databases: ['neo4j'] });
  dir = folder('backups');
  const work = new Workload(cluster.writer, 'neo4j', 7);
  for (let i = 0; i < 4; i++) {
    await work.write(40);
    // from the writer: the newest backup holds everything written
    const r = await backupDatabases(backupOptions(cluster, dir, { source: sourceFor(cluster, [cluster.writer.address]), explicitSources: true }));
    expect(r.exitCode).toBe(0);
  }
  diffs = listArtifacts(dir).artifacts.filter((a) => !a.full).sort((a, b) => a.tipTx - b.tipTx).map((a) => a.file);
  expect(diffs).toHaveLength(3);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  removeAll();
});

function options(over: Partial<DrillOptions> = {}): DrillOptions {
  return { fromPaths: [dir], database: 'neo4j', point: { kind: 'latest' }, target: sourceFor(cluster), format: txlinePayload, log: silentLog, ...over };
}

async function scratchLeft(): Promise<string[]> {
  return (await sourceFor(cluster).scratch.databaseNames()).filter((n) => isScratchName(n));
}

describe('drill', () => {
  it('passes on a good chain at its newest point, with a measured RTO, and leaves nothing behind', async () => {
    const before = await dbStatus(cluster.writer, 'neo4j');
    const digestBefore = await cluster.writer.digest('neo4j');
    const log = captureLog();
    const r = await drill(options({ log }));
    expect(r.failedCheck, log.text()).toBeNull();
    expect(r.passed).toBe(true);
    expect(r.chain).toHaveLength(4);
    expect(r.restoredTx).toBe(listArtifacts(dir).artifacts.reduce((m, a) => Math.max(m, a.tipTx), 0));
    expect(r.rtoMs).toBeGreaterThan(0);
    expect(r.rtoMs).toBeLessThanOrEqual(r.durationMs);
    expect(r.checks.map((c) => c.check)).toEqual(['chain', 'artifacts', 'restore', 'reads', 'consistency', 'counts', 'digest', 'cleanup']);
    // every artifact recorded the digest at its own transaction; the newest one's is what the drill compared
    const all = listArtifacts(dir).artifacts.sort((a, b) => a.tipTx - b.tipTx);
    for (const a of all) expect({ file: a.file, format: a.format, tx: a.contentDigest?.tx }).toEqual({ file: a.file, format: FORMAT, tx: a.tipTx });
    expect(all.at(-1)?.contentDigest?.sum).toBe(digestBefore.contentHash);
    // the sum the source's writer kept is the sum of every row
    expect((await cluster.writer.digest('neo4j', { scratch: true })).contentHash).toBe(digestBefore.contentHash);
    expect(r.checks.find((c) => c.check === 'digest')?.detail).toMatch(new RegExp(`^content digest ${digestBefore.contentHash.slice(0, 16)}… as ${all.at(-1)?.file} recorded`));
    expect(r.expected?.from).toBe('records');
    expect(r.actual?.nodes).toBe(r.expected?.nodes);
    expect(r.actual?.relationships).toBe(r.expected?.relationships);
    expect(r.actual?.contentHash).toBe(digestBefore.contentHash);
    expect(await scratchLeft()).toEqual([]);
    // the source database is untouched
    expect(await dbStatus(cluster.writer, 'neo4j')).toEqual(before);
  }, 60_000);

  it('at a random point compares equal to a restore at the same point', async () => {
    const r = await drill(options({ point: { kind: 'random' } }));
    expect(r.passed, r.problem ?? '').toBe(true);
    expect(r.point.before).toBe((r.restoredTx ?? 0) + 1);
    const restored = await restore({ fromPaths: [dir], sourceDatabase: 'neo4j', target: 'atpoint', point: { kind: 'tx', before: r.point.before as number }, overwrite: true, source: sourceFor(cluster), log: silentLog });
    expect(restored.restoredTx).toBe(r.restoredTx);
    const d = await cluster.writer.digest('atpoint');
    expect(r.actual).toEqual({ nodes: d.nodes, relationships: d.relationships, contentHash: d.contentHash });
    // a point that is an artifact's last transaction has the counts that artifact recorded; any other, the
    // counts its records imply (the random point can be either)
    const atArtifact = listArtifacts(dir).artifacts.some((a) => a.tipTx === r.restoredTx && a.store);
    expect(r.expected).toMatchObject({ nodes: d.nodes, relationships: d.relationships, from: atArtifact ? 'recorded' : 'records' });
  }, 60_000);

  it('at a transaction: restores what was committed before it; outside the chain it fails the chain check', async () => {
    const mid = listArtifacts(dir).artifacts.find((a) => a.file === diffs[1]);
    const r = await drill(options({ point: { kind: 'tx', before: (mid?.lowestTx ?? 0) + 5 } }));
    expect(r.passed, r.problem ?? '').toBe(true);
    expect(r.restoredTx).toBe((mid?.lowestTx ?? 0) + 4);
    expect(r.chain).toHaveLength(3);
    const out = await drill(options({ point: { kind: 'tx', before: 1_000_000 } }));
    expect(out).toMatchObject({ passed: false, failedCheck: 'chain' });
    expect(out.problem).toMatch(/--point=1000000 is outside every backup chain/);
    expect(await scratchLeft()).toEqual([]);
  }, 60_000);

  it('fails naming the differential whose byte was flipped, and drops its scratch database', async () => {
    const bad = folder('flipped');
    for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(bad, f));
    const victim = path.join(bad, diffs[1]);
    const fd = fs.openSync(victim, 'r+');
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, PAYLOAD_OFFSET + 40);
    b[0] ^= 0x01;
    fs.writeSync(fd, b, 0, 1, PAYLOAD_OFFSET + 40);
    fs.closeSync(fd);
    const r = await drill(options({ fromPaths: [bad] }));
    expect(r.passed).toBe(false);
    expect(r.failedCheck).toBe('artifacts');
    expect(r.artifact).toBe(diffs[1]);
    expect(r.problem).toContain(diffs[1]);
    expect(r.rtoMs).toBeNull();
    expect(await scratchLeft()).toEqual([]);
  }, 60_000);

  it('fails the counts check when the restored database differs from what the full recorded, or the records imply', async () => {
    const full = listArtifacts(dir).artifacts.find((a) => a.full);
    if (!full?.store) throw new Error('the full records no counts');
    const only = folder('counts-full');
    fs.copyFileSync(full.path, path.join(only, full.file));
    resealMetadata(path.join(only, full.file), { store: { nodes: full.store.nodes + 1, relationships: full.store.relationships } });
    const r = await drill(options({ fromPaths: [only] }));
    expect(r).toMatchObject({ passed: false, failedCheck: 'counts', artifact: full.file, expected: { from: 'recorded', nodes: full.store.nodes + 1 } });
    expect(r.problem).toContain(`${full.file} recorded ${full.store.nodes + 1} nodes`);
    // the whole chain on that full: the records imply one node too many at the newest point
    const chain = folder('counts-chain');
    for (const f of fs.readdirSync(dir)) if (f !== full.file) fs.copyFileSync(path.join(dir, f), path.join(chain, f));
    fs.copyFileSync(path.join(only, full.file), path.join(chain, full.file));
    const c = await drill(options({ fromPaths: [chain] }));
    expect(c).toMatchObject({ passed: false, failedCheck: 'counts', artifact: null, expected: { from: 'records' } });
    expect(c.problem).toMatch(/the records from .* imply/);
    expect(await scratchLeft()).toEqual([]);
  }, 60_000);

  it('fails the digest check naming the artifact whose recorded digest disagrees with its content', async () => {
    const bad = folder('digest');
    for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(bad, f));
    const tail = listArtifacts(bad).artifacts.sort((a, b) => a.tipTx - b.tipTx).at(-1);
    if (!tail?.contentDigest) throw new Error('the newest artifact records no digest');
    const sum = tail.contentDigest.sum as string;
    const wrong = (sum[0] === '0' ? '1' : '0') + sum.slice(1);
    resealMetadata(tail.path, { contentDigest: { ...tail.contentDigest, sum: wrong } });
    const r = await drill(options({ fromPaths: [bad] }));
    expect(r).toMatchObject({ passed: false, failedCheck: 'digest', artifact: tail.file });
    expect(r.problem).toContain(`${tail.file} recorded ${wrong.slice(0, 16)}`);
    // the counts agreed: only the digest tells
    expect(r.checks.find((c) => c.check === 'counts')?.ok).toBe(true);
    expect(await scratchLeft()).toEqual([]);
  }, 60_000);

  it('compares a format-2 tail (the ordered hash it recorded) with the ordered hash of the scratch database', async () => {
    const ordered = await cluster.writer.digest('neo4j', { ordered: true });
    const tail = listArtifacts(dir).artifacts.sort((a, b) => a.tipTx - b.tipTx).at(-1);
    if (!tail?.contentDigest) throw new Error('the newest artifact records no digest');
    expect(ordered.lastCommittedTxn).toBe(tail.tipTx);
    expect(ordered.orderedHash).toMatch(/^[0-9a-f]{64}$/);
    const asV2 = (name: string, sha256: string) => {
      const d = folder(name);
      for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(d, f));
      const { sum: _sum, ...rest } = tail.contentDigest as NonNullable<typeof tail.contentDigest>;
      resealMetadata(path.join(d, tail.file), { format: 'txline-backup/2', contentDigest: { ...rest, sha256 } });
      return d;
    };
    const good = await drill(options({ fromPaths: [asV2('v2-good', ordered.orderedHash as string)] }));
    expect(good.failedCheck).toBeNull();
    expect(good.checks.find((c) => c.check === 'digest')?.detail).toMatch(/^ordered content digest \(format 2\) /);
    const wrong = ordered.contentHash; // a 64-digit hash, but not the ordered one
    const bad = await drill(options({ fromPaths: [asV2('v2-bad', wrong)] }));
    expect(bad).toMatchObject({ passed: false, failedCheck: 'digest', artifact: tail.file });
    expect(bad.problem).toContain(`ordered content digest (format 2) of`);
    expect(await scratchLeft()).toEqual([]);
  }, 90_000);

  it('drills an old-format chain (golden artifacts of format 1): digest not recorded, counts compared', async () => {
    const set = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/artifacts/records2-062862f');
    const old = folder('golden-v1');
    for (const f of fs.readdirSync(set)) fs.copyFileSync(path.join(set, f), path.join(old, f));
    expect(listArtifacts(old).artifacts.map((a) => a.format)).toEqual(['txline-backup/1', 'txline-backup/1', 'txline-backup/1']);
    const r = await drill(options({ fromPaths: [old], database: 'golden' }));
    expect(r.passed, r.problem ?? '').toBe(true);
    expect(r.restoredTx).toBe(38);
    expect(r.checks.find((c) => c.check === 'digest')?.detail).toMatch(/^digest not recorded \(.* is of artifact format 1/);
    expect(r.checks.find((c) => c.check === 'counts')?.ok).toBe(true);
    expect(await scratchLeft()).toEqual([]);
  }, 60_000);

  it('a differential taken while the database is written to stops at the transaction its digest was read at', async () => {
    await cluster.writer.createDatabase('busy');
    const busy = folder('busy');
    const work = new Workload(cluster.writer, 'busy', 3);
    await work.write(20);
    const take = async () => {
      const r = await backupDatabases(backupOptions(cluster, busy, { databases: ['busy'], source: sourceFor(cluster, [cluster.writer.address]), explicitSources: true }));
      expect(r.exitCode).toBe(0);
    };
    await take();
    const writing = work.write(150);
    await take();
    await writing;
    await take();
    const all = listArtifacts(busy).artifacts.sort((a, b) => a.tipTx - b.tipTx);
    expect(all).toHaveLength(3);
    for (const a of all) expect({ file: a.file, tx: a.contentDigest?.tx }).toEqual({ file: a.file, tx: a.tipTx });
    const r = await drill(options({ fromPaths: [busy], database: 'busy' }));
    expect(r.passed, r.problem ?? '').toBe(true);
    expect(r.checks.find((c) => c.check === 'digest')?.detail).toMatch(/^content digest /);
    expect(await scratchLeft()).toEqual([]);
  }, 60_000);

  it('drops a scratch database a killed drill of the same database left, and no other', async () => {
    const leftover = scratchName('neo4j', 'deadbeef');
    const other = scratchName('other', 'cafebabe');
    await cluster.writer.createDatabase(leftover);
    await cluster.writer.createDatabase(other);
    const log = captureLog();
    const r = await drill(options({ log }));
    expect(r.passed, r.problem ?? '').toBe(true);
    expect(log.text()).toContain(`dropping ${leftover}`);
    expect(await scratchLeft()).toEqual([other]);
    await sourceFor(cluster).scratch.dropDatabase(other);
    expect(await scratchLeft()).toEqual([]);
  }, 60_000);
});

describe('scratch names and points', () => {
  it('fit in a database name, and are told apart from other names', () => {
    const long = `d${'x'.repeat(62)}`;
    const n = scratchName(long, '0123abcd');
    expect(n.length).toBeLessThanOrEqual(63);
    expect(isScratchName(n, long)).toBe(true);
    expect(isScratchName(scratchName('neo4j', '0123abcd'), 'neo4j')).toBe(true);
    expect(isScratchName(scratchName('neo4j', '0123abcd'), 'neo')).toBe(false);
    expect(isScratchName('txline-drill-neo4j')).toBe(false);
    expect(isScratchName('neo4j')).toBe(false);
    expect(() => scratchName('neo4j', '../x')).toThrow(/8 hex digits/);
  });

  it('a random point lies between the full and the newest transaction, both included', async () => {
    const { plan } = await planFor({ fromPaths: [dir], sourceDatabase: 'neo4j', target: 'neo4j', point: { kind: 'latest' }, log: silentLog });
    const lo = plan.chain[0].tipTx;
    const hi = plan.chain[plan.chain.length - 1].tipTx;
    expect(pointPlan(plan, { kind: 'random' }, (a) => a).targetTx).toBe(lo);
    expect(pointPlan(plan, { kind: 'random' }, (_a, b) => b - 1).targetTx).toBe(hi);
  });
});
