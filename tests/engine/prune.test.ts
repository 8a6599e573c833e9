/**
 * `txline backup prune` as a real process on real artifact files in temporary folders (written by the engine's
 * writer, tests/helpers/chains.ts): --keep-full (linear chains and a --prefer-diff-as-parent tree), --keep-days
 * across a chain boundary, --keep-weekly over ISO weeks, each deletion printed with its reason and in delete
 * order; --dry-run deletes nothing; --json and --progress=jsonl (the job's result); a chain whose full is
 * corrupt does not count and is said so; --database; temporaries of a killed backup are cleaned; wrong values
 * are usage errors naming the flag; confined to the backup roots (a dashboard job), a folder outside them or
 * reached through a symlink is refused. And `<db>-latest`: inspect, check and restore (into a real cluster) of the
 * newest restorable artifact, after a prune of real backups.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { PAYLOAD_OFFSET, folderLocation, listArtifacts, type Artifact } from '../../lib/engine/artifact';
import { prune } from '../../lib/engine/prune';
import { TxlineError } from '../../lib/errors';
import type { Location } from '../../lib/storage';
import { jobResult } from '../../lib/jobs/protocol';
import { isoWeek } from '../../lib/engine/retention';
import { startTestCluster, tempFolders, waitForConvergence } from '../helpers/cluster';
import { designTable, expectIntactChains, writeChain, type ChainSpec } from '../helpers/chains';
import { expectOnlyArtifacts, jsonlLines, runTxline, snapshotDir, Workload } from '../helpers/engine';

const { folder, removeAll } = tempFolders('prune');
afterAll(removeAll);

const T0 = Date.parse('2026-03-01T10:30:00.000Z'); // writeChain's times are minutes after this
const DAY_MIN = 24 * 60;
/** writeChain's `at` for `days` before now */
const daysAgo = (days: number) => Math.round((Date.now() - T0) / 60_000 - days * DAY_MIN);

function labelsIn(dir: string, by: Record<string, Artifact>): string[] {
  const names = new Map(Object.entries(by).map(([label, a]) => [a.file, label]));
  return listArtifacts(dir).artifacts.map((a) => names.get(a.file) ?? a.file).sort();
}

/** The lines "deleted X (...): reason" (or "would delete"), as [label, reason]. */
function printed(stdout: string, by: Record<string, Artifact>, verb = 'deleted'): Array<[string, string]> {
  const names = new Map(Object.entries(by).map(([label, a]) => [a.file, label]));
  return [...stdout.matchAll(new RegExp(`^${verb} (\\S+) \\([^)]*\\): (.*)$`, 'gm'))].map((m) => [names.get(m[1]) ?? m[1], m[2]]);
}

/** `n` linear chains: full c<i> and differentials c<i>d1..c<i>d<diffs>, a chain every `every` minutes from `start`. */
function linear(n: number, diffs: number, start = 0, every = 60 * 24): ChainSpec[] {
  const spec: ChainSpec[] = [];
  for (let i = 1; i <= n; i++) {
    const at = start + (i - 1) * every;
    const base = (i - 1) * 100;
    spec.push({ label: `c${i}`, full: base + 10, at });
    for (let d = 1; d <= diffs; d++) spec.push({ label: `c${i}d${d}`, parent: d === 1 ? `c${i}` : `c${i}d${d - 1}`, to: base + 10 + d * 10, at: at + d * 10 });
  }
  return spec;
}

describe('backup prune, when a name cannot be read', () => {
  it('deletes nothing of that database, naming it; the chain it heads is kept once it can be read again', async () => {
    const dir = folder('unreadable');
    const a = await writeChain(dir, linear(3, 1));
    const all = Object.keys(a).sort();
    // The folder as a storage that fails to read one object (a timeout, a refused GET): the full of the oldest
    // chain, which --keep-full=3 keeps. Unknown, it would leave c1d1 a chain without its full, older than every
    // chain kept, and so deleted.
    const real = folderLocation(dir);
    let failing: string | null = a.c1.file;
    const faulty = new Proxy(real, {
      get(target, key) {
        if (key === 'readHead')
          return async (name: string, bytes: number) => {
            if (name === failing) throw new TxlineError('STORAGE_UNREACHABLE', `${target.addressOf(name)}: the read timed out`);
            return target.readHead(name, bytes);
          };
        const v = Reflect.get(target, key) as unknown;
        return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
      },
    }) as Location;
    const warnings: string[] = [];
    const log = { info: () => undefined, warn: (m: string) => void warnings.push(m), error: () => undefined };
    const run = () => prune({ fromPath: dir, location: faulty, database: 'neo4j', policy: { keepFull: 3 }, log });
    const refused = await run().then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(TxlineError);
    expect(refused).toMatchObject({ code: 'STORAGE_UNREACHABLE', message: expect.stringContaining(`nothing of neo4j was pruned: ${a.c1.file} could not be read (`) });
    expect(warnings.join('\n')).toContain(a.c1.file);
    expect(labelsIn(dir, a)).toEqual(all);
    expect((refused as TxlineError).cause).toMatchObject({ code: 'STORAGE_UNREACHABLE' });
    failing = null;
    const r = await run();
    expect(r.deleted).toEqual([]);
    expect(labelsIn(dir, a)).toEqual(all);
    // a name of another database that cannot be read stops nothing of this one: --keep-full=1 applies
    const other = 'ledger-2026-03-01T10-30-00.backup';
    fs.copyFileSync(path.join(dir, a.c1.file), path.join(dir, other));
    failing = other;
    const kept = await prune({ fromPath: dir, location: faulty, database: 'neo4j', policy: { keepFull: 1 }, log });
    expect(kept.skipped.map((x) => x.file)).toEqual([other]);
    expect(labelsIn(dir, a).filter((l) => l !== other)).toEqual(['c3', 'c3d1']);
  });
});

describe('backup prune --keep-full', () => {
  it('deletes the chains beyond N, dependents first and newest first, each with its reason; what remains restores', async () => {
    const dir = folder('full');
    const a = await writeChain(dir, linear(4, 2));
    const r = await runTxline(['backup', 'prune', `--from-path=${dir}`, '--keep-full=2']);
    expect(r.code, r.stderr).toBe(0);
    expect(printed(r.stdout, a)).toEqual([
      ['c2d2', 'chain 3 of 4 beyond --keep-full=2 (restorable chain 3)'],
      ['c2d1', 'chain 3 of 4 beyond --keep-full=2 (restorable chain 3)'],
      ['c2', 'chain 3 of 4 beyond --keep-full=2 (restorable chain 3)'],
      ['c1d2', 'chain 4 of 4 beyond --keep-full=2 (restorable chain 4)'],
      ['c1d1', 'chain 4 of 4 beyond --keep-full=2 (restorable chain 4)'],
      ['c1', 'chain 4 of 4 beyond --keep-full=2 (restorable chain 4)'],
    ]);
    expect(r.stdout).toContain(`neo4j: keeps chain 1 of 4 (${a.c4.file}, 3 artifact(s), up to transaction 330): restorable chain 1 of 4, within --keep-full=2`);
    expect(r.stdout).toMatch(/^neo4j: 6 artifact\(s\) remain; restorable: transactions 210\.\.230 \(.*\); transactions 310\.\.330 \(.*\)$/m);
    expect(labelsIn(dir, a)).toEqual(['c3', 'c3d1', 'c3d2', 'c4', 'c4d1', 'c4d2']);
    expect(expectIntactChains(dir, 'after prune')).toBe(6);
    expect(expectOnlyArtifacts(dir)).toHaveLength(6); // no lock file left

    // again: nothing to delete
    const again = await runTxline(['backup', 'prune', `--from-path=${dir}`, '--keep-full=2']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^Nothing to delete\.$/m);
  });

  it('a --prefer-diff-as-parent tree: the growing chain holds the newest state and stays whole', async () => {
    const dir = folder('diff-parent');
    const a = await writeChain(dir, designTable(true));
    const r = await runTxline(['backup', 'prune', `--from-path=${dir}`, '--keep-full=1']);
    expect(r.code, r.stderr).toBe(0);
    expect(printed(r.stdout, a)).toEqual([['backup5', 'chain 2 of 2 beyond --keep-full=1 (restorable chain 2)']]);
    expect(labelsIn(dir, a)).toEqual(['backup1', 'backup2', 'backup3', 'backup4', 'backup6']);
    expectIntactChains(dir, 'diff-as-parent');
  });

  it('a chain whose full is corrupt does not count: the chain before it stays, and the output says why', async () => {
    const dir = folder('corrupt');
    const a = await writeChain(dir, linear(3, 1));
    const fd = fs.openSync(a.c3.path, 'r+');
    fs.writeSync(fd, Buffer.from('X'), 0, 1, PAYLOAD_OFFSET); // same size, same metadata: only the payload's checksum fails
    fs.closeSync(fd);
    const r = await runTxline(['backup', 'prune', `--from-path=${dir}`, '--keep-full=1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${a.c3.file} cannot be restored (payload checksum mismatch`);
    expect(r.stdout).toContain(`neo4j: keeps chain 1 of 3 (${a.c3.file}, 2 artifact(s), up to transaction 220): not restorable (its full backup ${a.c3.file} is corrupt: payload checksum mismatch`);
    expect(r.stdout).toContain(`neo4j: keeps chain 2 of 3 (${a.c2.file}, 2 artifact(s), up to transaction 120): restorable chain 1 of 2, within --keep-full=1`);
    expect(printed(r.stdout, a).map(([l]) => l)).toEqual(['c1d1', 'c1']);
    expect(r.stdout).toMatch(/^neo4j: 4 artifact\(s\) remain; restorable: transactions 110\.\.120 /m);
  });
});

describe('backup prune --keep-days and --keep-weekly', () => {
  it('--keep-days across a chain boundary keeps the chain that holds the window start', async () => {
    const dir = folder('days');
    const spec: ChainSpec[] = [
      { label: 'A', full: 10, at: daysAgo(20) },
      { label: 'A1', parent: 'A', to: 20, at: daysAgo(19) },
      { label: 'B', full: 30, at: daysAgo(10) },
      { label: 'B1', parent: 'B', to: 40, at: daysAgo(9) },
      { label: 'C', full: 50, at: daysAgo(4) },
      { label: 'C1', parent: 'C', to: 60, at: daysAgo(2) },
      { label: 'C2', parent: 'C1', to: 70, at: daysAgo(1) },
    ];
    const a = await writeChain(dir, spec);
    const r = await runTxline(['backup', 'prune', `--from-path=${dir}`, '--keep-days=5']);
    expect(r.code, r.stderr).toBe(0);
    expect(printed(r.stdout, a).map(([l]) => l)).toEqual(['A1', 'A']);
    expect(printed(r.stdout, a)[0][1]).toMatch(/^chain 3 of 3 its newest backup \(.*\) is older than --keep-days=5 allows/);
    expect(r.stdout).toMatch(new RegExp(`keeps chain 2 of 3 \\(${a.B.file}.*holds the state at the start of the --keep-days=5 window .*: its backup ${a.B1.file} is the last before it`));
    expect(labelsIn(dir, a)).toEqual(['B', 'B1', 'C', 'C1', 'C2']);

    // a window that starts inside C (its full 4 days ago, its differentials after): B goes too
    const r2 = await runTxline(['backup', 'prune', `--from-path=${dir}`, '--keep-days=3', '--json']);
    expect(r2.code, r2.stderr).toBe(0);
    const j = JSON.parse(r2.stdout) as { deleted: Array<{ file: string; reason: string }>; databases: Array<{ restorable: Array<{ fromTx: number; toTx: number }> }> };
    expect(j.deleted.map((d) => d.file)).toEqual([a.B1.file, a.B.file]);
    expect(j.databases[0].restorable.map((x) => [x.fromTx, x.toTx])).toEqual([[50, 70]]);
  });

  it('--keep-weekly keeps the chain of each of the last W ISO weeks', async () => {
    const dir = folder('weekly');
    // a chain every 2 days over the last 5 weeks
    const spec: ChainSpec[] = [];
    for (let i = 0; i < 18; i++) {
      spec.push({ label: `w${i}`, full: i * 10 + 5, at: daysAgo(35 - 2 * i) });
      spec.push({ label: `w${i}d`, parent: `w${i}`, to: i * 10 + 10, at: daysAgo(35 - 2 * i) + 60 });
    }
    const a = await writeChain(dir, spec);
    const now = Date.now();
    const weeks = [isoWeek(now), isoWeek(now - 7 * DAY_MIN * 60_000)];
    // expected: per week, the chain of its newest backup
    const expected = new Set<string>();
    for (const w of weeks) {
      const inWeek = Object.entries(a).filter(([, x]) => isoWeek(Date.parse(x.time)) === w);
      if (inWeek.length) expected.add(inWeek.sort((x, y) => Date.parse(x[1].time) - Date.parse(y[1].time)).at(-1)?.[0].replace(/d$/, '') as string);
    }
    const r = await runTxline(['backup', 'prune', `--from-path=${dir}`, '--keep-weekly=2']);
    expect(r.code, r.stderr).toBe(0);
    const chains = [...new Set(labelsIn(dir, a).map((l) => l.replace(/d$/, '')))].sort();
    expect(chains).toEqual([...expected].sort());
    for (const w of weeks) if (r.stdout.includes(w)) expect(r.stdout).toContain(`holds the newest backup of ISO week ${w} (--keep-weekly=2)`);
    expect(printed(r.stdout, a).length).toBe(36 - 2 * expected.size);
    for (const [, why] of printed(r.stdout, a)) expect(why).toMatch(/it holds no week's newest backup within --keep-weekly=2$/);
  });
});

describe('backup prune: dry run, jobs, databases, leftovers, usage', () => {
  it('--dry-run prints the same deletions and deletes nothing', async () => {
    const dir = folder('dry');
    const a = await writeChain(dir, linear(3, 2));
    const before = snapshotDir(dir);
    const r = await runTxline(['backup', 'prune', `--from-path=${dir}`, '--keep-full=1', '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(printed(r.stdout, a, 'would delete').map(([l]) => l)).toEqual(['c2d2', 'c2d1', 'c2', 'c1d2', 'c1d1', 'c1']);
    expect(r.stdout).toMatch(/^Would delete 6 artifact\(s\), \d+(\.\d+)? KiB\.$/m);
    expect(r.stdout).toMatch(/^neo4j: 3 artifact\(s\) would remain; restorable: transactions 210\.\.230 /m);
    expect(snapshotDir(dir)).toEqual(before);
  });

  it('--progress=jsonl: a line per deleted artifact, then the job result the protocol reads', async () => {
    const dir = folder('jsonl');
    const a = await writeChain(dir, linear(2, 1));
    const r = await runTxline(['backup', 'prune', `--from-path=${dir}`, '--keep-full=1', '--progress=jsonl']);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonlLines(r.stdout);
    expect(lines.filter((l) => l.phase === 'delete' && l.file).map((l) => l.file)).toEqual([a.c1d1.file, a.c1.file]);
    const result = jobResult('prune', lines.at(-1));
    expect(result?.deleted.map((d) => [d.file, d.reason])).toEqual([
      [a.c1d1.file, 'chain 2 of 2 beyond --keep-full=1 (restorable chain 2)'],
      [a.c1.file, 'chain 2 of 2 beyond --keep-full=1 (restorable chain 2)'],
    ]);
    expect(result?.databases[0].restorableBefore.length).toBe(2);
    expect(result?.databases[0].restorable.map((x) => [x.fromTx, x.toTx])).toEqual([[110, 120]]);
    expect(result?.txDone).toBe(20); // the transactions the deleted artifacts held: the full's 10, the differential's 10
  });

  it('--database prunes one database of the folder; the others stay', async () => {
    const dir = folder('databases');
    const a = await writeChain(dir, linear(2, 1));
    const b = await writeChain(dir, [
      { label: 'o1', full: 5, database: 'other', at: 5 },
      { label: 'o2', full: 6, database: 'other', at: DAY_MIN + 5 },
    ]);
    const r = await runTxline(['backup', 'prune', `--from-path=${dir}`, '--keep-full=1', '--database=other']);
    expect(r.code, r.stderr).toBe(0);
    expect(printed(r.stdout, b).map(([l]) => l)).toEqual(['o1']);
    expect(labelsIn(dir, { ...a, ...b })).toEqual(['c1', 'c1d1', 'c2', 'c2d1', 'o2']);
    const all = await runTxline(['backup', 'prune', `--from-path=${dir}`, '--keep-full=1']);
    expect(all.code, all.stderr).toBe(0);
    expect(labelsIn(dir, { ...a, ...b })).toEqual(['c2', 'c2d1', 'o2']);
    const none = await runTxline(['backup', 'prune', `--from-path=${dir}`, '--keep-full=1', '--database=nothere']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no backups of nothere in ${dir} (PATH_NOT_FOUND)`);
  });

  it('removes what a killed backup left, and never deletes a *.backup it cannot read', async () => {
    const dir = folder('leftovers');
    await writeChain(dir, linear(2, 1));
    const gone = spawnSync(process.execPath, ['-e', '']).pid as number; // a process that no longer runs
    const temp = path.join(dir, `.txline-partial-neo4j-${gone}-0123abcd.tmp`);
    fs.writeFileSync(temp, 'half an artifact');
    fs.writeFileSync(path.join(dir, 'neo4j-2026-01-01T00-00-00.backup'), 'not an artifact');
    const r = await runTxline(['backup', 'prune', `--from-path=${dir}`, '--keep-full=1']);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(temp)).toBe(false);
    expect(r.stderr).toContain(`removed ${path.basename(temp)}, left by an interrupted backup (process ${gone})`);
    expect(fs.existsSync(path.join(dir, 'neo4j-2026-01-01T00-00-00.backup'))).toBe(true);
    expect(r.stderr).toMatch(/neo4j-2026-01-01T00-00-00\.backup is not a Txline backup artifact .*; skipped/);
  });

  it('refuses wrong values with a usage error naming the flag', async () => {
    const dir = folder('usage');
    const a = await writeChain(dir, linear(1, 0));
    const cases: Array<{ args: string[]; code: number; message: string }> = [
      { args: [`--from-path=${dir}`], code: 2, message: 'give at least one of --keep-full, --keep-days, --keep-weekly' },
      { args: [`--from-path=${dir}`, '--keep-full=0'], code: 2, message: '--keep-full takes a positive integer, got "0"' },
      { args: [`--from-path=${dir}`, '--keep-days=1.5'], code: 2, message: '--keep-days takes a positive integer, got "1.5"' },
      { args: [`--from-path=${dir}`, '--keep-weekly=-1'], code: 2, message: '--keep-weekly takes a positive integer, got "-1"' },
      { args: [`--from-path=${dir}`, '--keep-full=two'], code: 2, message: '--keep-full takes a positive integer, got "two"' },
      { args: ['--keep-full=1'], code: 2, message: '--from-path is required' },
      { args: [`--from-path=${a.c1.path}`, '--keep-full=1'], code: 2, message: 'is not a folder; backup prune works on a folder of artifacts' },
      { args: [`--from-path=${dir}/nope`, '--keep-full=1'], code: 1, message: 'does not exist (PATH_NOT_FOUND)' },
      { args: [`--from-path=${dir}`, '--keep-full=1', '--database=-x'], code: 2, message: 'Invalid database name' },
    ];
    for (const c of cases) {
      const r = await runTxline(['backup', 'prune', ...c.args]);
      expect(r.code, `${c.args.join(' ')}: ${r.stderr}`).toBe(c.code);
      expect(r.stderr, c.args.join(' ')).toContain(c.message);
    }
    expect(labelsIn(dir, a)).toEqual(['c1']);
  });
});

describe('backup prune and <db>-latest, confined (as the dashboard runs them)', () => {
  it('refuses a folder outside the backup roots, or one that leads out through a symlink, and deletes nothing', async () => {
    const root = folder('root');
    const outside = folder('outside');
    const a = await writeChain(outside, linear(2, 1));
    fs.symlinkSync(outside, path.join(root, 'link'));
    const before = snapshotDir(outside);
    for (const from of [outside, path.join(root, 'link')]) {
      const r = await runTxline(['backup', 'prune', `--from-path=${from}`, '--keep-full=1', `--confine-to-root=${root}`]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain('PATH_OUTSIDE_ROOTS');
      const l = await runTxline(['database', 'check', `--from-path=${from}/neo4j-latest`, `--report-path=${root}`, `--confine-to-root=${root}`]);
      expect(l.code, l.stderr).toBe(1);
      expect(l.stderr).toContain('PATH_OUTSIDE_ROOTS');
    }
    expect(snapshotDir(outside)).toEqual(before);
    // inside the root, the same runs work
    const inside = path.join(root, 'in');
    fs.cpSync(outside, inside, { recursive: true });
    const ok = await runTxline(['backup', 'prune', `--from-path=${inside}`, '--keep-full=1', `--confine-to-root=${root}`]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(labelsIn(inside, a)).toEqual(['c2', 'c2d1']);
  });
});

describe('<db>-latest', () => {
  it('names the newest restorable artifact for inspect and check; a clear error when there is none', async () => {
    const dir = folder('latest');
    const a = await writeChain(dir, [...designTable(false), { label: 'empty7', parent: 'backup6', at: 400 }]);
    // the newest artifact with something in it whose chain is intact: backup6 (empty7 holds nothing)
    const i = await runTxline(['backup', 'inspect', `${dir}/neo4j-latest`, '--json']);
    expect(i.code, i.stderr).toBe(0);
    expect((JSON.parse(i.stdout) as Array<{ file: string }>).map((x) => x.file)).toEqual([a.backup6.file]);
    expect(i.stderr).toContain(`${dir}/neo4j-latest is ${a.backup6.file}, the newest restorable backup of neo4j (transaction 50`);
    // a broken newest chain is passed over: backup6 without its parent backup5
    fs.rmSync(a.backup5.path);
    const j = await runTxline(['backup', 'inspect', `${dir}/neo4j-latest`, '--json']);
    expect((JSON.parse(j.stdout) as Array<{ file: string }>).map((x) => x.file)).toEqual([a.backup3.file]);
    const none = await runTxline(['backup', 'inspect', `${dir}/other-latest`]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`${dir}/other-latest names the newest restorable backup of other in ${dir}, but there are no backups of other (PATH_NOT_FOUND)`);
    fs.rmSync(a.backup1.path);
    const broken = await runTxline(['database', 'check', `--from-path=${dir}/neo4j-latest`, `--report-path=${dir}`]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/names the newest restorable backup of neo4j in .*, but no backup of neo4j is restorable \(.*\) \(CHAIN_BROKEN\)/);
    // nothing named neo4j-latest was made
    expect(fs.readdirSync(dir).filter((n) => n.includes('latest'))).toEqual([]);
  });

  it('restore from <db>-latest after a prune of real backups restores the newest state', async () => {
    const cluster = await startTestCluster({ members: 1, secondaries: 0 });
    try {
      const dir = folder('latest-restore');
      const w = new Workload(cluster.writer, 'neo4j', 3);
      const cli = (args: string[]) => runTxline(args, { addresses: cluster.addresses });
      for (const type of ['full', 'diff', 'full', 'diff']) {
        await w.write(15);
        const b = await cli(['database', 'backup', `--to-path=${dir}`, `--type=${type}`, 'neo4j']);
        expect(b.code, b.stderr).toBe(0);
        await new Promise((r) => setTimeout(r, 1100)); // one artifact per second (names carry the second)
      }
      const tip = await waitForConvergence(cluster, 'neo4j');
      const want = await cluster.writer.digest('neo4j');
      await w.write(5); // not backed up
      const p = await cli(['backup', 'prune', `--from-path=${dir}`, '--keep-full=1']);
      expect(p.code, p.stderr).toBe(0);
      expect(printed(p.stdout, {}).length).toBe(2);
      expect(listArtifacts(dir).artifacts).toHaveLength(2);
      // check of one differential reads its chain's ancestors from its folder
      const c = await cli(['database', 'check', `--from-path=${dir}/neo4j-latest`, `--report-path=${dir}`]);
      expect(c.code, c.stderr).toBe(0);
      expect(c.stdout).toBe('OK: 1 artifact(s) verified\n');
      const r = await cli(['database', 'restore', `--from-path=${dir}/neo4j-latest`, '--progress=jsonl', 'copy']);
      expect(r.code, r.stderr).toBe(0);
      expect(jsonlLines(r.stdout).at(-1)).toMatchObject({ event: 'result', database: 'copy', restoredTx: tip });
      const got = await cluster.writer.digest('copy');
      expect(got).toEqual(want);
    } finally {
      await cluster.stop();
    }
  }, 120_000);
});
