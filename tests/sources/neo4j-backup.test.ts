/**
 * `txline database backup --cluster=<name>` on a registered Neo4j cluster: the embedded members serve Bolt
 * (version, servers) and the stand-in neo4j-admin (tests/fixtures/neo4j-admin) does the backups, in each mode
 * issue 12 lists. What a user notices is checked: the artifact and its range, the fallback's reason, exit 0
 * without an artifact reported as a failure, a partial file never reported as a backup, an option this version
 * does not take named before anything runs. Real processes (the CLI, the stand-in, the members), real files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, tempFolders, type TestCluster } from '../helpers/cluster';
import { jsonlLines, runTxline, writeTx } from '../helpers/engine';
import { addAsNeo4j } from '../helpers/neo4j';
import { jobResult } from '../../lib/jobs/protocol';

const folders = tempFolders('neo4j-backup');
let cluster: TestCluster;
let dataDir: string;
let location: string;
let standinLog: string;
/** the first test's full and differential (the restore tests restore from them) */
const chain: { full?: Result['results'][number]; diff?: Result['results'][number] } = {};

beforeAll(async () => {
  // the members say they are Neo4j 5.26 (LTS): this file checks what that version takes and refuses
  cluster = await startTestCluster({ members: 3, secondaries: 1, boltNeo4jVersion: '5.26.0' });
  await writeTx(cluster.writer, 'neo4j', 5);
  dataDir = folders.folder('data');
  location = path.join(dataDir, 'backups');
  standinLog = path.join(dataDir, 'standin.jsonl');
  await addAsNeo4j(cluster, { dataDir, location, cli });
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
  folders.removeAll();
});

function cli(args: string[], env: Record<string, string> = {}) {
  return runTxline(args, { env: { TXLINE_DATA_DIR: dataDir, STANDIN_LOG: standinLog, ...env }, timeoutMs: 120_000 });
}

interface Result {
  exitCode: number;
  neo4jVersion: string;
  from: string[];
  results: Array<{ database: string; ok: boolean; type?: string; artifact?: string; full: boolean | null; lowestTx: number | null; highestTx: number | null; fallbackReason?: string; error?: { code: string; message: string } }>;
}

async function backup(mode: string, extra: string[] = [], version = '5.26') {
  const run = await cli(['database', 'backup', '--cluster=prod', '--progress=jsonl', ...extra, 'neo4j'], { STANDIN_MODE: mode, STANDIN_NEO4J_VERSION: version });
  const lines = jsonlLines(run.stdout);
  const result = lines.find((l) => l.event === 'result') as unknown as Result | undefined;
  const error = lines.find((l) => l.event === 'error') as { code: string; message: string } | undefined;
  return { run, lines, result, error };
}

const standinRuns = () => (fs.existsSync(standinLog) ? fs.readFileSync(standinLog, 'utf8').trim().split('\n').filter(Boolean).length : 0);

describe('txline database backup --cluster (neo4j kind, stand-in neo4j-admin)', () => {
  it('ok: a full into the registered location, listed by inspect, with progress from the log; then a differential', async () => {
    const first = await backup('ok');
    expect(first.run.stderr).not.toMatch(/Error/);
    expect(first.run.code).toBe(0);
    expect(first.result?.neo4jVersion).toBe('5.26.0');
    expect(first.result?.from).toEqual(cluster.addresses);
    const [r] = first.result?.results ?? [];
    expect(r).toMatchObject({ database: 'neo4j', ok: true, full: true, type: 'full', lowestTx: 1 });
    expect(r.error).toBeUndefined();
    // the line is the job protocol's backup result: a dashboard job reads it as it reads the engine's
    expect(jobResult('backup', first.lines.find((l) => l.event === 'result'))?.results[0]).toMatchObject({ database: 'neo4j', ok: true, type: 'full', artifact: r.artifact });
    expect(r.artifact).toMatch(/^neo4j-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.backup$/);
    expect(fs.existsSync(path.join(location, r.artifact ?? ''))).toBe(true);
    expect(first.lines.some((l) => l.event === 'progress' && l.phase === 'start')).toBe(true);

    await writeTx(cluster.writer, 'neo4j', 3);
    await new Promise((res) => setTimeout(res, 1100)); // artifact names are per second
    const second = await backup('ok');
    expect(second.run.code).toBe(0);
    const [d] = second.result?.results ?? [];
    expect(d).toMatchObject({ ok: true, full: false, lowestTx: (r.highestTx ?? 0) + 1 });
    expect(d.highestTx).toBeGreaterThanOrEqual((r.highestTx ?? 0) + 3);
    chain.full = r;
    chain.diff = d;
  }, 120_000);

  it('restores with neo4j-admin database restore up to (not including) a transaction, as a new database', async () => {
    const { full, diff } = chain;
    if (!full?.highestTx || !diff?.artifact) throw new Error('the first test made no chain');
    const until = full.highestTx + 2; // the restored database ends at full.highestTx + 1
    const r = await cli(
      ['database', 'restore', '--cluster=prod', '--via=neo4j-admin', `--from-path=${path.join(location, diff.artifact)}`, `--restore-until=${until}`, '--progress=jsonl', 'restored1'],
      { STANDIN_NEO4J_VERSION: '5.26', STANDIN_RESTORE_TO: cluster.addresses.join(',') },
    );
    expect(r.stderr).toContain('restoring restored1 offline with neo4j-admin database restore');
    expect(r.code).toBe(0);
    expect(jsonlLines(r.stdout).find((l) => l.event === 'result')).toMatchObject({ via: 'neo4j-admin', database: 'restored1' });
    const st = await cluster.writer.status();
    expect(st.databases.find((d) => d.name === 'restored1')?.lastCommittedTxn).toBe(until - 1);
  }, 120_000);

  it('seeding up to a transaction is refused on 5.26 (seedRestoreUntil is new in 2025.01), before anything runs', async () => {
    const { diff } = chain;
    if (!diff?.artifact) throw new Error('the first test made no chain');
    const r = await cli(['database', 'restore', '--cluster=prod', `--from-path=${path.join(location, diff.artifact)}`, '--restore-until=3', 'seeded1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/seedRestoreUntil\) is new in Neo4j 2025\.01; this is 5\.26\.0/);
    expect((await cluster.writer.status()).databases.some((d) => d.name === 'seeded1')).toBe(false);
  }, 60_000);

  it('fallback-full: the differential falls back to a full, and the result says why', async () => {
    await writeTx(cluster.writer, 'neo4j', 2);
    await new Promise((res) => setTimeout(res, 1100));
    const b = await backup('fallback-full');
    expect(b.run.code).toBe(0);
    const [r] = b.result?.results ?? [];
    expect(r).toMatchObject({ ok: true, full: true });
    expect(r.fallbackReason).toMatch(/no longer held by the server/);
  }, 120_000);

  it('exit0-no-artifact: neo4j-admin exits 0, Txline reports a failure (exit 1, ADMIN_TOOL_FAILED)', async () => {
    const before = fs.readdirSync(location);
    const b = await backup('exit0-no-artifact');
    expect(b.run.code).toBe(1);
    expect(b.error?.code).toBe('ADMIN_TOOL_FAILED');
    expect(b.error?.message).toMatch(/^neo4j-admin database backup exited with 0, but no new backup of neo4j appeared in the target/);
    expect(fs.readdirSync(location)).toEqual(before);
  }, 120_000);

  it('exit1-partial: the partial file is never reported as a backup', async () => {
    await new Promise((res) => setTimeout(res, 1100));
    const before = new Set(fs.readdirSync(location));
    const b = await backup('exit1-partial');
    expect(b.run.code).toBe(1);
    expect(b.error?.code).toBe('ADMIN_TOOL_FAILED');
    const appeared = fs.readdirSync(location).filter((f) => !before.has(f));
    expect(appeared).toHaveLength(1); // the stand-in left its partial file
    expect(b.error?.message).toMatch(/connection was lost|partial/);
    expect(b.run.stdout).not.toContain(`"artifact":"${appeared[0]}"`);
    // and the listing of the folder (neo4j-admin's inspect) does not have it
    const listed = await cli(['database', 'backup', '--inspect-path', location, '--json']);
    expect(listed.stdout).not.toContain(appeared[0]);
  }, 120_000);

  it('exit64-bad-value: a value neo4j-admin refused is named, and not blamed on its version', async () => {
    const before = fs.readdirSync(location);
    const b = await backup('exit64-bad-value');
    expect(b.run.code).toBe(1);
    expect(b.error?.code).toBe('NOT_SUPPORTED');
    expect(b.error?.message).toMatch(/^neo4j-admin database backup rejected --from \(exit 64/);
    expect(b.error?.message).toMatch(/the cluster runs Neo4j 5\.26\.0; this neo4j-admin \(.*\) refused a value it was given/);
    expect(b.error?.message).not.toMatch(/older/);
    expect(fs.readdirSync(location)).toEqual(before);
  }, 120_000);

  it('exit1-inspect-fails: a failed backup is reported by its own reason, the listing that failed after it second', async () => {
    await new Promise((res) => setTimeout(res, 1100));
    const before = new Set(fs.readdirSync(location));
    const b = await backup('exit1-inspect-fails');
    expect(b.run.code).toBe(1);
    expect(b.error?.code).toBe('ADMIN_TOOL_FAILED');
    expect(b.error?.message).toMatch(/^neo4j-admin database backup failed \(exit 1\): .* \(neo4j: the connection was lost while creating the artifact.*\); and backup inspect failed after it: neo4j-admin backup inspect failed \(exit 1\): Unable to read the backups/);
    // (the stand-in's partial file is left, as in exit1-partial; it is never reported as a backup)
    for (const f of fs.readdirSync(location).filter((x) => !before.has(x))) fs.rmSync(path.join(location, f), { force: true });
  }, 120_000);

  it('an option this Neo4j does not take is named before neo4j-admin runs (exit 1, NOT_SUPPORTED)', async () => {
    const runs = standinRuns();
    const b = await backup('exit64-new-option', ['--prefer-diff-as-parent']);
    expect(b.run.code).toBe(1);
    expect(b.error?.code).toBe('NOT_SUPPORTED');
    expect(b.error?.message).toMatch(/--prefer-diff-as-parent was introduced in Neo4j 2025\.04; this is 5\.26\.0/);
    expect(standinRuns()).toBe(runs);
  }, 120_000);

  it('refuses --from with --cluster, options neo4j-admin does not take, and a cluster that is not registered', async () => {
    const both = await cli(['database', 'backup', '--cluster=prod', `--from=${cluster.addresses[0]}`, 'neo4j']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--from and --cluster do not go together/);
    // options of Txline's own backups are refused, not ignored (nothing runs)
    const runs = standinRuns();
    const cases: Array<[string[], RegExp]> = [
      [['database', 'backup', '--cluster=prod', '--fallback-to-full=false', 'neo4j'], /--fallback-to-full=false does not apply with --cluster .*--type=diff fails instead/],
      [['database', 'backup', '--cluster=prod', '--max-lag=5', 'neo4j'], /--max-lag does not apply with --cluster: neo4j-admin backs the cluster up from its registered --backup-from servers/],
      [['database', 'backup', '--cluster=prod', '--remote-address-resolution', `--inspect-path=${location}`, 'neo4j'], /--remote-address-resolution, --inspect-path do not apply with --cluster/],
      [['database', 'restore', '--cluster=prod', `--from-path=${location}`, `--temp-path=${dataDir}`, 'elsewhere'], /--temp-path does not apply with --cluster: the cluster restores on its own servers/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toMatch(message);
    }
    expect(standinRuns()).toBe(runs);
    const none = await cli(['database', 'backup', '--cluster=nope', 'neo4j']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no cluster "nope"/);
  }, 60_000);

  it('a cluster older than 5.25 is refused before neo4j-admin runs (each new backup is confirmed with backup inspect, new in 5.25)', async () => {
    const old = await startTestCluster({ members: 1, secondaries: 0, boltNeo4jVersion: '5.20.0' });
    try {
      const oldDir = folders.folder('old-data');
      const oldCli = (args: string[]) => runTxline(args, { env: { TXLINE_DATA_DIR: oldDir, STANDIN_LOG: standinLog }, timeoutMs: 120_000 });
      await addAsNeo4j(old, { dataDir: oldDir, location: path.join(oldDir, 'backups'), cli: oldCli, name: 'old' });
      const runs = standinRuns();
      const r = await oldCli(['database', 'backup', '--cluster=old', 'neo4j']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('cannot back up this cluster: Txline confirms each new backup with neo4j-admin backup inspect, which is new in Neo4j 5.25 (this cluster runs 5.20.0); nothing was started');
      expect(standinRuns()).toBe(runs);
    } finally {
      await old.stop();
    }
  }, 120_000);
});
