/**
 * Bad input to the engine's commands, through the `txline` CLI as a child process: unknown flags and bad flag
 * values (exit 2), a --restore-until outside every chain (exit 1, naming the restorable range), paths that do not
 * exist, files that are not artifacts, database names with path characters. Each is a clear error, and nothing
 * is written: the backup folder is unchanged (no temporary file), no database appears in the cluster.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, tempDir, type TestCluster } from '../helpers/cluster';
import { runTxline, snapshotDir, writeTx, type CliResult } from '../helpers/engine';

let cluster: TestCluster;
let root: string; // a parent folder, to see that nothing escapes the backup folder either
let dir: string; // a folder with a full and a differential of neo4j
let notArtifact: string;
let tips: number[];

beforeAll(async () => {
  cluster = await startTestCluster({ members: 1, secondaries: 0 });
  root = tempDir('bad-input');
  dir = path.join(root, 'backups');
  fs.mkdirSync(dir);
  notArtifact = path.join(root, 'notes.backup');
  fs.writeFileSync(notArtifact, 'not a backup\n'.repeat(2000));
  fs.writeFileSync(path.join(root, 'notes.txt'), 'hello\n');
  tips = [await writeTx(cluster.writer, 'neo4j', 4)];
  expect((await cli(['database', 'backup', `--to-path=${dir}`, 'neo4j'])).code).toBe(0);
  tips.push(await writeTx(cluster.writer, 'neo4j', 3));
  expect((await cli(['database', 'backup', `--to-path=${dir}`, 'neo4j'])).code).toBe(0);
});

afterAll(async () => {
  await cluster?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

function cli(args: string[]): Promise<CliResult> {
  return runTxline(args, { addresses: cluster.addresses, cwd: root });
}

async function databases(): Promise<string[]> {
  return (await cluster.writer.status()).databases.map((d) => d.name).sort();
}

/** Runs each case (a few at a time), checking exit code, message, and that nothing was written. */
async function expectRefused(cases: Array<{ args: string[]; code: 1 | 2; message: RegExp | string }>): Promise<void> {
  const dbsBefore = await databases();
  const rootBefore = snapshotDir(root);
  const dirBefore = snapshotDir(dir);
  const results: CliResult[] = [];
  for (let i = 0; i < cases.length; i += 3) results.push(...(await Promise.all(cases.slice(i, i + 3).map((c) => cli(c.args)))));
  for (const [i, c] of cases.entries()) {
    const r = results[i];
    const what = `txline ${c.args.join(' ')}\n${r.stderr}`;
    expect(r.code, what).toBe(c.code);
    if (typeof c.message === 'string') expect(r.stderr, what).toContain(c.message);
    else expect(r.stderr, what).toMatch(c.message);
    expect(r.stderr, what).not.toMatch(/\n\s+at .*\.(ts|js|mjs):\d+/); // a message, not a stack trace
  }
  expect(snapshotDir(dir)).toEqual(dirBefore);
  expect(snapshotDir(root)).toEqual(rootBefore);
  expect(await databases()).toEqual(dbsBefore);
}

describe('bad input', () => {
  it('unknown flags and bad flag values: exit 2', async () => {
    await expectRefused([
      { args: ['database', 'backup', `--to-path=${dir}`, '--bogus', 'neo4j'], code: 2, message: "unknown option '--bogus'" },
      { args: ['database', 'restore', `--from-path=${dir}`, '--overwrite', 'neo4j'], code: 2, message: "unknown option '--overwrite'" },
      { args: ['database', 'check', `--from-path=${dir}`, '--fast'], code: 2, message: "unknown option '--fast'" },
      { args: ['backup', 'inspect', dir, '--all'], code: 2, message: "unknown option '--all'" },
      { args: ['backup', 'aggregate', `--from-path=${dir}`, '--keep', 'neo4j'], code: 2, message: "unknown option '--keep'" },
      { args: ['database', 'backup', `--to-path=${dir}`, '--type=incremental', 'neo4j'], code: 2, message: '--type takes AUTO, FULL or DIFF, got "incremental"' },
      { args: ['database', 'backup', `--to-path=${dir}`, '--compress=maybe', 'neo4j'], code: 2, message: '--compress takes true or false, got "maybe"' },
      { args: ['database', 'backup', `--to-path=${dir}`, '--max-lag=-5', 'neo4j'], code: 2, message: '--max-lag must be a non-negative integer' },
      { args: ['database', 'backup', `--to-path=${dir}`, '--from=localhost', 'neo4j'], code: 2, message: 'Invalid address "localhost": expected host:port' },
      { args: ['database', 'backup', `--to-path=${dir}`, '--progress=xml', 'neo4j'], code: 2, message: '--progress takes "jsonl", got "xml"' },
      { args: ['database', 'backup', 'neo4j'], code: 2, message: '--to-path is required' },
      { args: ['database', 'backup', `--to-path=${dir}`], code: 2, message: 'name at least one database' },
      { args: ['database', 'backup', `--to-path=${path.join(root, 'notes.txt')}`, 'neo4j'], code: 2, message: 'is not a folder' },
      { args: ['database', 'restore', 'neo4j'], code: 2, message: '--from-path is required' },
      { args: ['database', 'restore', `--from-path=${dir}`, '--restore-until=yesterday', 'copy'], code: 2, message: '--restore-until takes a transaction ID (a positive integer) or a UTC time "YYYY-MM-DD HH:MM:SS", got "yesterday"' },
      { args: ['database', 'restore', `--from-path=${dir}`, '--restore-until=0', 'copy'], code: 2, message: 'got "0"' },
      { args: ['database', 'restore', `--from-path=${dir}`, '--restore-until=2026-02-30 10:00:00', 'copy'], code: 2, message: 'got "2026-02-30 10:00:00"' },
    ]);
  });

  it('--restore-until outside every chain: exit 1, naming the restorable range', async () => {
    const range = `restorable: transactions ${tips[0]}..${tips[1]} (--restore-until=${tips[0] + 1}..${tips[1] + 1})`;
    await expectRefused([
      { args: ['database', 'restore', `--from-path=${dir}`, `--restore-until=${tips[1] + 2}`, 'copy'], code: 1, message: `--restore-until=${tips[1] + 2} is outside every backup chain; ${range}` },
      { args: ['database', 'restore', `--from-path=${dir}`, `--restore-until=${tips[0]}`, 'copy'], code: 1, message: range },
      { args: ['database', 'restore', `--from-path=${dir}`, '--restore-until=1', 'copy'], code: 1, message: range },
      { args: ['database', 'restore', `--from-path=${dir}`, '--restore-until=2001-01-01 00:00:00', 'copy'], code: 1, message: /--restore-until="2001-01-01 00:00:00" is outside every backup chain; restorable: transactions \d+\.\.\d+ .*times / },
      { args: ['database', 'restore', `--from-path=${dir}`, '--restore-until=2999-01-01 00:00:00', 'copy'], code: 1, message: range },
    ]);
  });

  it('paths that do not exist: exit 1, naming the path', async () => {
    const missing = path.join(root, 'missing');
    await expectRefused([
      { args: ['database', 'backup', `--to-path=${missing}`, 'neo4j'], code: 1, message: `--to-path ${missing} does not exist; create the folder first` },
      { args: ['database', 'backup', `--to-path=${dir}`, `--temp-path=${missing}`, 'neo4j'], code: 1, message: `--temp-path ${missing} does not exist` },
      { args: ['database', 'restore', `--from-path=${missing}`, 'copy'], code: 1, message: `${missing} does not exist` },
      { args: ['database', 'restore', `--from-path=${dir},${missing}`, 'copy'], code: 1, message: `${missing} does not exist` },
      { args: ['database', 'check', `--from-path=${missing}`], code: 1, message: `${missing} does not exist` },
      { args: ['backup', 'inspect', missing], code: 1, message: `${missing} does not exist` },
      { args: ['database', 'backup', `--inspect-path=${missing}`], code: 1, message: `${missing} does not exist` },
      { args: ['backup', 'aggregate', `--from-path=${missing}`, 'neo4j'], code: 1, message: `${missing} does not exist` },
    ]);
  });

  it('a file that is not an artifact: exit 1, naming the file', async () => {
    const txt = path.join(root, 'notes.txt');
    await expectRefused([
      { args: ['database', 'restore', `--from-path=${notArtifact}`, 'copy'], code: 1, message: 'notes.backup is not a Txline backup artifact' },
      { args: ['database', 'restore', `--from-path=${txt}`, 'copy'], code: 1, message: 'notes.txt is not a Txline backup artifact' },
      { args: ['backup', 'inspect', notArtifact], code: 1, message: 'notes.backup is not a Txline backup artifact' },
      { args: ['database', 'check', `--from-path=${notArtifact}`], code: 1, message: 'notes.backup is not a Txline backup artifact' },
      { args: ['backup', 'aggregate', `--from-path=${notArtifact}`, 'neo4j'], code: 1, message: 'notes.backup is not a Txline backup artifact' },
    ]);
  });

  it('a folder holding a non-artifact *.backup beside real ones: inspect warns and lists the real ones', async () => {
    fs.copyFileSync(notArtifact, path.join(dir, 'stray.backup'));
    try {
      const r = await cli(['backup', 'inspect', dir, '--json']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`warning: ${path.join(dir, 'stray.backup')} is not a Txline backup artifact`);
      expect((JSON.parse(r.stdout) as unknown[]).length).toBe(2);
    } finally {
      fs.rmSync(path.join(dir, 'stray.backup'));
    }
  });

  it('database names with path characters: exit 2, nothing written anywhere', async () => {
    const names = ['../x', 'a/b', '..', '/tmp/x', 'x/../../y', 'a\\b', 'neo4j/..'];
    const cases: Array<{ args: string[]; code: 1 | 2; message: RegExp | string }> = [];
    for (const n of names) {
      const invalid = /Invalid database (name|pattern) ".*": /;
      cases.push({ args: ['database', 'backup', `--to-path=${dir}`, n], code: 2, message: invalid });
      cases.push({ args: ['database', 'restore', `--from-path=${dir}`, n], code: 2, message: invalid });
    }
    cases.push({ args: ['database', 'backup', `--to-path=${dir}`, 'n*/x'], code: 2, message: 'Invalid database pattern "n*/x"' });
    cases.push({ args: ['database', 'backup', `--to-path=${dir}`, '../*'], code: 2, message: 'Invalid database pattern "../*"' });
    cases.push({ args: ['database', 'restore', `--from-path=${dir}`, '--from-database=../neo4j', 'copy'], code: 2, message: 'Invalid database name "../neo4j"' });
    cases.push({ args: ['database', 'check', `--from-path=${dir}`, '../neo4j'], code: 2, message: 'Invalid database name "../neo4j"' });
    cases.push({ args: ['backup', 'aggregate', `--from-path=${dir}`, 'a/b'], code: 2, message: 'Invalid database name "a/b"' });
    cases.push({ args: ['backup', 'inspect', dir, '--database=../neo4j'], code: 2, message: 'Invalid database name "../neo4j"' });
    await expectRefused(cases);
    expect(fs.existsSync(path.join(root, 'x'))).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(root), 'x'))).toBe(false);
  });
});
