/**
 * `txline backup delete` on real artifact files in temporary folders (written by the engine's writer; the
 * aggregation case uses the golden artifacts, whose payloads replay): an artifact with dependents is refused,
 * naming them, and nothing changes; --with-dependents deletes them newest first (the order read from the
 * output, text and --progress=jsonl); --dry-run deletes nothing; a lone differential at the tip goes alone,
 * and a full that a --prefer-diff-as-parent differential does not hang off goes alone too; what remains
 * restores the range printed. Wrong paths are refused with their code and exit code: a file that does not
 * exist, one that is not an artifact, files in two folders, a symlink, a comma, a file outside the backup
 * roots of a confined run, a folder whose lock is held. And aggregate deletes its old chain through the same
 * operation, keeping what a backup outside the chain depends on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { txlinePayload } from '../../lib/sources/txline/format';
import { aggregate } from '../../lib/engine/aggregate';
import { folderLocation, listArtifacts, readArtifact } from '../../lib/engine/artifact';
import { lockIn } from '../../lib/engine/lock';
import { inspect } from '../../lib/engine/inspect';
import { tempFolders } from '../helpers/cluster';
import { designTable, expectIntactChains, writeChain } from '../helpers/chains';
import { captureLog, escapeRegExp, expectOnlyArtifacts, jsonlLines, runTxline, snapshotDir } from '../helpers/engine';

const { folder, removeAll } = tempFolders('delete');
afterAll(removeAll);

/** The labels of `dir`'s artifacts (backup1..), by file name, sorted. */
function labelsIn(dir: string, by: Record<string, { file: string }>): string[] {
  const names = new Map(Object.entries(by).map(([label, a]) => [a.file, label]));
  return listArtifacts(dir).artifacts.map((a) => names.get(a.file) ?? a.file).sort();
}

/** The files a text run printed as deleted (or that it would delete), in order, as labels. */
function printedOrder(stdout: string, by: Record<string, { file: string }>, verb = 'deleted'): string[] {
  const names = new Map(Object.entries(by).map(([label, a]) => [a.file, label]));
  return [...stdout.matchAll(new RegExp(`^${verb} (\\S+) \\(`, 'gm'))].map((m) => names.get(m[1]) ?? m[1]);
}

describe('backup delete: dependents', () => {
  it('refuses an artifact others depend on, naming them, and changes nothing', async () => {
    const dir = folder('refuse');
    const a = await writeChain(dir, designTable(true));
    const before = snapshotDir(dir);
    const r = await runTxline(['backup', 'delete', a.backup2.path]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${a.backup2.file} has dependents (backups whose chain leads to it): ${a.backup3.file} (differential, transactions 21..30), ${a.backup4.file} (empty differential), ${a.backup6.file} (differential, transactions 31..50)`);
    expect(r.stderr).toMatch(/nothing deleted: .*add --with-dependents to delete them too, newest first/);
    expect(r.stdout).toBe('');
    expect(snapshotDir(dir)).toEqual(before);

    // the same for a job: the error line carries the code and the dependents
    const j = await runTxline(['backup', 'delete', '--progress=jsonl', a.backup3.path]);
    expect(j.code).toBe(1);
    expect(jsonlLines(j.stdout)).toEqual([
      expect.objectContaining({ event: 'error', phase: 'error', code: 'ARTIFACT_HAS_DEPENDENTS', exitCode: 1, dependents: [a.backup4.file, a.backup6.file] }),
    ]);
    expect(snapshotDir(dir)).toEqual(before);
  });

  it('--dry-run says what would go, newest first, and deletes nothing', async () => {
    const dir = folder('dry');
    const a = await writeChain(dir, designTable(true));
    const before = snapshotDir(dir);
    const r = await runTxline(['backup', 'delete', '--with-dependents', '--dry-run', a.backup2.path]);
    expect(r.code, r.stderr).toBe(0);
    expect(printedOrder(r.stdout, a, 'would delete')).toEqual(['backup6', 'backup4', 'backup3', 'backup2']);
    expect(r.stdout).toMatch(/^neo4j: 2 artifact\(s\) would remain; restorable: transactions 10\.\.10 \(.*\); transactions 40\.\.40 \(.*\)$/m);
    expect(snapshotDir(dir)).toEqual(before);
    const j = await runTxline(['backup', 'delete', '--with-dependents', '--dry-run', '--json', a.backup2.path]);
    expect(JSON.parse(j.stdout)).toMatchObject({ dryRun: true, deleted: [{ file: a.backup6.file }, { file: a.backup4.file }, { file: a.backup3.file }, { file: a.backup2.file, requested: true }] });
    expect(snapshotDir(dir)).toEqual(before);
  });

  it('--with-dependents deletes them newest first (a --prefer-diff-as-parent tree), and says what remains', async () => {
    const dir = folder('with');
    const a = await writeChain(dir, designTable(true));
    const r = await runTxline(['backup', 'delete', '--with-dependents', a.backup2.path]);
    expect(r.code, r.stderr).toBe(0);
    expect(printedOrder(r.stdout, a)).toEqual(['backup6', 'backup4', 'backup3', 'backup2']);
    expect(r.stdout).toContain(`deleted ${a.backup6.file} (neo4j, differential, transactions 31..50)\n`);
    expect(r.stdout).toMatch(/^neo4j: 2 artifact\(s\) remain; restorable: transactions 10\.\.10 \(2026-03-01 10:29:59 \.\. 2026-03-01 10:30:00\); transactions 40\.\.40 \(.*\)$/m);
    expect(labelsIn(dir, a)).toEqual(['backup1', 'backup5']);
    expectIntactChains(dir, 'after the delete');
    expect(expectOnlyArtifacts(dir)).toHaveLength(2); // the lock and its owner record are gone
  });

  it('--progress=jsonl: one line per deleted artifact, in order, then the result', async () => {
    const dir = folder('jsonl');
    const a = await writeChain(dir, designTable(false));
    const bytes = [a.backup1, a.backup2, a.backup3, a.backup4].reduce((n, x) => n + fs.statSync(x.path).size, 0);
    const r = await runTxline(['backup', 'delete', '--with-dependents', '--progress=jsonl', a.backup1.path]);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonlLines(r.stdout);
    const deletes = lines.filter((l) => l.phase === 'delete' && l.file);
    expect(deletes.map((l) => l.file)).toEqual([a.backup4.file, a.backup3.file, a.backup2.file, a.backup1.file]);
    expect(deletes.map((l) => l.artifactsDone)).toEqual([1, 2, 3, 4]);
    for (const l of lines) for (const k of ['bytesDone', 'bytesTotal', 'txDone', 'txTotal']) expect(typeof l[k], JSON.stringify(l)).toBe('number');
    expect(lines.at(-1)).toMatchObject({
      event: 'result',
      phase: 'result',
      exitCode: 0,
      dryRun: false,
      folder: dir,
      txDone: 30,
      bytesDone: bytes,
      deleted: [{ file: a.backup4.file }, { file: a.backup3.file }, { file: a.backup2.file }, { file: a.backup1.file, requested: true }],
      databases: [{ database: 'neo4j', remaining: 2, restorable: [{ fromTx: 40, toTx: 50 }] }],
      skipped: [],
    });
    expect(labelsIn(dir, a)).toEqual(['backup5', 'backup6']);
  });

  it('a lone differential at the tip goes alone; so does a full that nothing hangs off', async () => {
    const dir = folder('tip');
    const a = await writeChain(dir, designTable(true));
    const tip = await runTxline(['backup', 'delete', a.backup6.path]);
    expect(tip.code, tip.stderr).toBe(0);
    expect(printedOrder(tip.stdout, a)).toEqual(['backup6']);
    expect(tip.stdout).toMatch(/^neo4j: 5 artifact\(s\) remain; restorable: transactions 10\.\.30 .*; transactions 40\.\.40 /m);
    // backup5 is a full; with --prefer-diff-as-parent nothing depended on it
    const full = await runTxline(['backup', 'delete', a.backup5.path]);
    expect(full.code, full.stderr).toBe(0);
    expect(printedOrder(full.stdout, a)).toEqual(['backup5']);
    expect(labelsIn(dir, a)).toEqual(['backup1', 'backup2', 'backup3', 'backup4']);
    // the empty differential at the tip too; then deleting the rest names what is left to delete
    expect((await runTxline(['backup', 'delete', a.backup4.path])).code).toBe(0);
    const all = await runTxline(['backup', 'delete', a.backup1.path, a.backup3.path, a.backup2.path]);
    expect(all.code, all.stderr).toBe(0);
    expect(printedOrder(all.stdout, a)).toEqual(['backup3', 'backup2', 'backup1']);
    expect(all.stdout).toMatch(/^neo4j: 0 artifact\(s\) remain; no intact backup chain$/m);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('backup delete: paths', () => {
  it('a missing file, a file that is not an artifact, two folders, a symlink, a comma: refused with their codes', async () => {
    const dir = folder('paths');
    const other = folder('paths-other');
    const a = await writeChain(dir, designTable(false));
    const b = await writeChain(other, [{ label: 'elsewhere', full: 5 }]);
    fs.writeFileSync(path.join(dir, 'notes.backup'), 'not an artifact\n');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an artifact\n');
    fs.symlinkSync(a.backup6.path, path.join(other, 'link.backup'));
    const before = snapshotDir(dir);
    const cases: Array<[string, string[], number, RegExp]> = [
      ['a missing file', [path.join(dir, 'neo4j-2020-01-01T00-00-00.backup')], 1, /neo4j-2020-01-01T00-00-00\.backup does not exist/],
      ['a *.backup file that is not an artifact', [path.join(dir, 'notes.backup')], 1, /notes\.backup is not a Txline backup artifact/],
      ['another file', [path.join(dir, 'notes.txt')], 1, /notes\.txt is not a backup artifact file \(artifact files are named <database>-<time>\.backup\)/],
      ['a folder', [dir], 1, /is not a backup artifact file/],
      ['files in two folders', [a.backup6.path, b.elsewhere.path], 2, new RegExp(`must all be in one folder; these are in 2: ${escapeRegExp(dir)}, ${escapeRegExp(other)}`)],
      ['a symlink', [path.join(other, 'link.backup')], 1, /link\.backup is a symlink; backup delete does not follow symlinks/],
      ['a comma', [`${a.backup6.path},${a.backup5.path}`], 2, /contains a comma: name each artifact as an argument of its own/],
      ['no file', [], 2, /missing required argument/],
    ];
    for (const [what, files, code, message] of cases) {
      const r = await runTxline(['backup', 'delete', '--with-dependents', ...files]);
      expect(r.code, `${what}: ${r.stderr}`).toBe(code);
      expect(r.stderr, what).toMatch(message);
      expect(snapshotDir(dir), what).toEqual(before);
    }
    expect(fs.existsSync(b.elsewhere.path)).toBe(true);
    // the codes, as a job reads them
    const j = await runTxline(['backup', 'delete', '--progress=jsonl', path.join(dir, 'notes.backup')]);
    expect(jsonlLines(j.stdout)).toEqual([expect.objectContaining({ event: 'error', code: 'NOT_AN_ARTIFACT', exitCode: 1 })]);
  });

  it('confined to the backup roots (a job): a file outside them is refused, one inside is deleted', async () => {
    const root = folder('root');
    const outside = folder('outside');
    const a = await writeChain(root, [{ label: 'inside', full: 3 }]);
    const b = await writeChain(outside, [{ label: 'secret', full: 3 }]);
    const r = await runTxline(['backup', 'delete', `--confine-to-root=${root}`, '--progress=jsonl', b.secret.path]);
    expect(r.code).toBe(1);
    expect(jsonlLines(r.stdout)).toEqual([expect.objectContaining({ code: 'PATH_OUTSIDE_ROOTS', message: expect.stringContaining(`outside the backup root ${root}`) })]);
    expect(fs.existsSync(b.secret.path)).toBe(true);
    // a path through a symlinked folder inside the root that leads out is refused the same way
    fs.symlinkSync(outside, path.join(root, 'way-out'));
    const via = await runTxline(['backup', 'delete', `--confine-to-root=${root}`, path.join(root, 'way-out', b.secret.file)]);
    expect(via.code).toBe(1);
    expect(via.stderr).toMatch(/outside the backup root/);
    expect(fs.existsSync(b.secret.path)).toBe(true);
    const ok = await runTxline(['backup', 'delete', `--confine-to-root=${root}`, a.inside.path]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(fs.existsSync(a.inside.path)).toBe(false);
  });

  it("waits for no one: another operation holding the database's lock makes it fail, deleting nothing", async () => {
    const dir = folder('locked');
    const a = await writeChain(dir, designTable(false));
    const lock = await lockIn(folderLocation(dir), 'neo4j', 'backup');
    try {
      const before = listArtifacts(dir).artifacts.length;
      const r = await runTxline(['backup', 'delete', a.backup6.path]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/another operation on neo4j is running in .* \(backup, process \d+/);
      expect(listArtifacts(dir).artifacts).toHaveLength(before);
    } finally {
      await lock.release();
    }
  });
});

describe('aggregate deletes its old chain with the same operation', () => {
  it('newest first, keeping what a backup outside the chain depends on', async () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const dir = folder('aggregate');
    fs.cpSync(path.join(here, '../fixtures/artifacts/zstd-27c8168'), dir, { recursive: true });
    const chain = (await inspect({ path: dir, empty: true })).rows.reverse(); // full 1..16, diffs 17..28, 29..38
    expect(chain.map((r) => [r.lowestTx, r.highestTx])).toEqual([[1, 16], [17, 28], [29, 38]]);
    // a differential after the second link, taken before the chain's last backup (a branch, as
    // --prefer-diff-as-parent or a folder copied back makes one): it depends on the full and the first diff
    const mid = readArtifact(path.join(dir, chain[1].file));
    const branchTime = new Date((Date.parse(chain[1].time) + Date.parse(chain[2].time)) / 2);
    const { ArtifactWriter, UNRACED } = await import('../../lib/engine/artifact-writer');
    const w = new ArtifactWriter({ location: folderLocation(dir), lock: UNRACED, database: 'golden', time: branchTime, full: false, codec: 'none', keepFailed: false });
    const { Readable } = await import('node:stream');
    const { pipeline } = await import('node:stream/promises');
    await pipeline(Readable.from([Buffer.from('branch')]), w.payload());
    const branch = await w.commit({
      databaseId: mid.databaseId,
      storeId: mid.storeId,
      lowestTx: 29,
      highestTx: 30,
      txCount: 2,
      parent: mid.file,
      parentLastTxChecksum: mid.lastTxChecksum,
      tipTx: 30,
      lastTxChecksum: 7,
      firstCommitTime: null,
      lastCommitTime: null,
      recovered: false,
      member: null,
      store: null,
    });
    const log = captureLog();
    const r = await aggregate({ fromPath: dir, databases: ['golden'], keepOld: false, format: txlinePayload, log });
    expect(r.exitCode, log.text()).toBe(0);
    expect(r.results[0]).toMatchObject({ ok: true, deleted: [chain[2].file], kept: [chain[0].file, chain[1].file] });
    expect(log.text()).toContain(`kept ${chain[1].file}: ${branch.file} depends on it`);
    expect(log.text()).toContain(`deleted the old chain, newest first: ${chain[2].file}`);
    const left = listArtifacts(dir).artifacts.map((x) => x.file).sort();
    expect(left).toEqual([chain[0].file, chain[1].file, branch.file, r.results[0].artifact?.file].sort());
    expectIntactChains(dir, 'after the aggregation');
  });
});
