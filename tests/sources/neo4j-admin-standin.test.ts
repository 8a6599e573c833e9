/**
 * The stand-in neo4j-admin (tests/fixtures/neo4j-admin) against a real embedded cluster, driven the way the
 * neo4j kind will drive a real one: argv from lib/sources/neo4j/argv.ts, its log, its TABULAR inspect and its
 * exit code read back with the kind's parsers. Each misbehaviour issue 12 lists is checked by what a user would
 * notice: exit 0 without an artifact is a failure, a partial file is never listed, exit 64 names the option,
 * a fallback to a full says why. Runs of the CLI are slow on a loaded machine: the tests share what they can
 * (the last one restores from the first one's chain). Real member processes, real files; every run is bounded.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listArtifacts } from '../../lib/engine/artifact';
import { backupArgv, inspectArgv, restoreArgv, untilAfterTx, type BackupArgs } from '../../lib/sources/neo4j/argv';
import { parseBackupLog, summarizeBackupLog } from '../../lib/sources/neo4j/backup-log';
import { adminExitError, checkBackupOutcome, type AdminExit } from '../../lib/sources/neo4j/exit';
import { parseInspectTabular } from '../../lib/sources/neo4j/inspect';
import { parseVersion } from '../../lib/sources/neo4j/version';
import { dbStatus, startTestCluster, tempFolders, waitFor, type TestCluster } from '../helpers/cluster';
import { inspectCli, lastTx, writeTx } from '../helpers/engine';

const STANDIN = path.resolve(import.meta.dirname, '../fixtures/neo4j-admin/neo4j-admin.mjs');
const folders = tempFolders('neo4j-admin');
let cluster: TestCluster;
/** The folder of the first test's full + differential chain, restored from by the last test (fewer slow runs). */
let chainDir: string | null = null;
let chainTop = 0;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the stand-in as the kind will run neo4j-admin: an executable by path, an argv, no shell. */
function standin(argv: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.NODE_OPTIONS;
  const child = spawn(STANDIN, argv, { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`neo4j-admin ${argv.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const envFor = (version: string, mode = 'ok') => ({ STANDIN_NEO4J_VERSION: version, STANDIN_MODE: mode, STANDIN_RESTORE_TO: cluster.addresses.join(',') });

/** `backup inspect` through the stand-in, read with the kind's parser. */
async function inspectVia(version: string, dir: string) {
  const r = await standin(inspectArgv({ version: parseVersion(version), path: dir, empty: true }), envFor(version));
  expect(r.code, r.stderr).toBe(0);
  return { rows: parseInspectTabular(r.stdout), stderr: r.stderr };
}

/** A backup as the kind will take one: argv for the version, then log, exit code and the folder checked. */
async function backupVia(version: string, mode: string, dir: string, over: Partial<BackupArgs> = {}, argvOverride?: string[]) {
  const v = parseVersion(version);
  const argv = argvOverride ?? backupArgv({ version: v, from: cluster.addresses, toPath: dir, type: 'AUTO', verbose: true, databases: ['neo4j'], ...over });
  const before = fs.readdirSync(dir);
  const run = await standin(argv, envFor(version, mode));
  const after = fs.readdirSync(dir);
  const exit: AdminExit = { command: 'database backup', exitCode: run.code, stderr: run.stderr, stdout: run.stdout };
  const summary = summarizeBackupLog(parseBackupLog(run.stdout));
  const inspected = (await inspectVia(version, dir)).rows;
  const [outcome] = checkBackupOutcome({ databases: ['neo4j'], exit, log: summary, before, after, inspected, toPath: dir });
  return { run, summary, outcome, inspected, before, after };
}

beforeAll(async () => {
  cluster = await startTestCluster();
  await writeTx(cluster.writer, 'neo4j', 12, 'standin');
});

afterAll(async () => {
  await cluster?.stop();
  folders.removeAll();
});

describe('the stand-in neo4j-admin, ok', () => {
  it('takes a full then a differential that inspect lists with RECOVERED (2026.01), the first one saying why it is a full', async () => {
    const dir = folders.folder('ok');
    const first = await backupVia('2026.01', 'ok', dir);
    expect(first.run.code, first.run.stderr).toBe(0);
    expect(first.outcome.error).toBeNull();
    const tip = (await dbStatus(cluster.writer, 'neo4j'))?.lastCommittedTxn;
    expect(first.outcome.artifact).toMatchObject({ database: 'neo4j', full: true, lowestTx: 1, highestTx: tip, recovered: true });
    expect(first.outcome.artifact?.file).toMatch(/^neo4j-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.backup$/);
    expect(first.summary[0]).toMatchObject({ type: 'full', toTx: tip, completed: true, artifact: first.outcome.artifact?.file, server: cluster.addresses[0] });
    expect(first.outcome.fallbackReason).toMatch(/^Differential backups require that a full backup of the same database exists/);
    expect(first.run.stdout.trim().split('\n').at(-1)).toBe('Backup command completed.');

    const last = await writeTx(cluster.writer, 'neo4j', 3, 'standin-2');
    await new Promise((r) => setTimeout(r, 1000)); // artifact names have whole seconds
    const second = await backupVia('2026.01', 'ok', dir);
    expect(second.outcome.error).toBeNull();
    expect(second.outcome.artifact).toMatchObject({ full: false, lowestTx: (tip ?? 0) + 1, highestTx: last, recovered: false });
    expect(second.inspected).toHaveLength(2);
    // the TABULAR table, read back, says what the artifacts' own metadata says (txline's JSON inspect)
    const truth = await inspectCli(dir);
    expect(second.inspected.map((r) => ({ file: r.file, path: r.path, database: r.database, databaseId: r.databaseId, time: r.time, full: r.full, compressed: r.compressed, lowestTx: r.lowestTx, highestTx: r.highestTx, recovered: r.recovered }))).toEqual(
      truth.map((a) => ({ file: a.file, path: path.join(dir, a.file), database: a.database, databaseId: a.databaseId, time: `${a.time.slice(0, 19)}Z`, full: a.full, compressed: a.compressed, lowestTx: a.lowestTx, highestTx: a.highestTx, recovered: a.recovered })),
    );
    chainDir = dir;
    chainTop = last;
  });

  it('5.26: a full, then a differential that cannot be taken falls back to a full with the reason in its log; inspect has no RECOVERED and needs --show-metadata', async () => {
    const dir = folders.folder('lts');
    const first = await backupVia('5.26', 'ok', dir);
    expect(first.outcome.error).toBeNull();
    expect(first.outcome.artifact).toMatchObject({ full: true, recovered: null });
    await writeTx(cluster.writer, 'neo4j', 2, 'fallback');
    await new Promise((r) => setTimeout(r, 1000)); // artifact names have whole seconds
    const b = await backupVia('5.26', 'fallback-full', dir);
    expect(b.outcome.error).toBeNull();
    expect(b.outcome.artifact).toMatchObject({ full: true, lowestTx: 1, highestTx: await lastTx(cluster, 'neo4j') });
    expect(b.outcome.fallbackReason).toMatch(/no longer held by the server/);
    expect(b.summary[0].type).toBe('full');
    expect(b.inspected).toHaveLength(2);
    // without --show-metadata (which inspectArgv adds before 2025.07), 5.26 lists file names only
    const bare = await standin(['backup', 'inspect', dir, '--format=TABULAR'], envFor('5.26'));
    expect(() => parseInspectTabular(bare.stdout)).toThrow(/line 1: the header lacks DATABASE, .*--show-metadata/);
  });

  it('5.26: --prefer-diff-as-parent is refused before it runs; passed anyway, neo4j-admin exits 64 and the error names it', async () => {
    const dir = folders.folder('lts-64');
    expect(() => backupArgv({ version: parseVersion('5.26'), from: cluster.addresses, toPath: dir, preferDiffAsParent: true, databases: ['neo4j'] })).toThrow(/introduced in Neo4j 2025\.04/);
    const forced = await standin(['database', 'backup', `--from=${cluster.addresses[0]}`, `--to-path=${dir}`, '--prefer-diff-as-parent', 'neo4j'], envFor('5.26'));
    expect(forced.code).toBe(64);
    expect(adminExitError({ command: 'database backup', exitCode: forced.code, stderr: forced.stderr })?.message).toMatch(/rejected --prefer-diff-as-parent \(exit 64/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('2026.01 no longer takes --show-metadata, and inspectArgv does not pass it there', async () => {
    const dir = folders.folder('no-show-metadata');
    const r = await standin(['backup', 'inspect', dir, '--show-metadata'], envFor('2026.01'));
    expect(r.code).toBe(64);
    expect(adminExitError({ command: 'backup inspect', exitCode: r.code, stderr: r.stderr })?.message).toMatch(/rejected --show-metadata/);
    expect(inspectArgv({ version: parseVersion('2026.01'), path: dir })).not.toContain('--show-metadata');
  });
});

describe('the stand-in neo4j-admin, misbehaving', () => {
  it('exit 64 on an option too new for it (an older neo4j-admin than the server): named, and nothing written', async () => {
    const dir = folders.folder('exit64');
    const b = await backupVia('2026.01', 'exit64-new-option', dir, { preferDiffAsParent: true });
    expect(b.run.code).toBe(64);
    expect(b.outcome).toMatchObject({ ok: false, artifact: null });
    expect(b.outcome.error?.code).toBe('NOT_SUPPORTED');
    expect(b.outcome.error?.message).toMatch(/^neo4j-admin database backup rejected --prefer-diff-as-parent \(exit 64/);
    expect(b.after).toEqual([]);
  });

  it('exit 0 without an artifact is reported as a failure', async () => {
    const dir = folders.folder('exit0');
    const b = await backupVia('2025.06', 'exit0-no-artifact', dir);
    expect(b.run.code).toBe(0);
    expect(b.summary[0].completed).toBe(true); // the log claims success
    expect(b.outcome.ok).toBe(false);
    expect(b.outcome.error?.code).toBe('ADMIN_TOOL_FAILED');
    expect(b.outcome.error?.message).toBe('neo4j-admin database backup exited with 0, but no new backup of neo4j appeared in the target');
  });

  it('exit 1 half-way: the partial file is never listed, and the failure says why', async () => {
    const dir = folders.folder('partial');
    const b = await backupVia('2026.01', 'exit1-partial', dir);
    expect(b.run.code).toBe(1);
    const partial = b.after.filter((f) => !b.before.includes(f));
    expect(partial).toHaveLength(1);
    expect(fs.statSync(path.join(dir, partial[0])).size).toBeGreaterThan(0);
    expect(b.inspected).toEqual([]);
    expect(listArtifacts(dir).artifacts).toEqual([]); // what the catalog indexes from
    expect(listArtifacts(dir).problems.map((p) => p.file)).toEqual([partial[0]]);
    expect(b.outcome).toMatchObject({ ok: false, artifact: null });
    expect(b.outcome.error?.code).toBe('ADMIN_TOOL_FAILED');
    expect(b.outcome.error?.message).toMatch(/failed \(exit 1\).*neo4j: the connection was lost while creating the artifact/);
    const inspectWarning = (await inspectVia('2026.01', dir)).stderr;
    expect(inspectWarning).toMatch(/WARN .*skipped/);
  });
});

describe('restore through the stand-in', () => {
  it('restores up to a transaction (exclusive) as a new database, and refuses an existing one without --overwrite-destination', async () => {
    expect(chainDir, 'the first test builds the chain').not.toBeNull();
    const dir = chainDir ?? '';
    // the differential holds the last 3 transactions: end one before its last
    const endsAt = chainTop - 1;
    const argv = restoreArgv({ version: parseVersion('2026.01'), fromPaths: [dir], until: untilAfterTx(endsAt), database: 'restored' });
    expect(argv).toContain(`--restore-until=${endsAt + 1}`);
    const r = await standin(argv, envFor('2026.01'));
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/Restore of database 'restored' from path=.* completed successfully\./);
    await waitFor('restored online at its transaction', async () => (await dbStatus(cluster.writer, 'restored'))?.lastCommittedTxn === endsAt);

    const again = await standin(argv, envFor('2026.01'));
    expect(again.code).toBe(1);
    expect(adminExitError({ command: 'database restore', exitCode: again.code, stderr: again.stderr, stdout: again.stdout })?.code).toBe('DESTINATION_EXISTS');
  });
});
