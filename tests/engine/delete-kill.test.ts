/**
 * kill -9 of `txline backup delete --with-dependents` deleting a long chain (a full and 119 differentials, the
 * last 40 hanging off the chain across a newer full, as --prefer-diff-as-parent makes them), at varied moments
 * (16 trials): some at any moment from start-up on, most after a random number of deletes (read from its
 * --progress=jsonl lines). After every kill, what remains is intact chains by the engine's rules (inspect lists
 * every artifact, no broken link), and exactly the oldest part of the chain (newest first); the next delete
 * takes the lock over and finishes, leaving the newer full alone and no lock file.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { folderLocation, listArtifacts, type Artifact } from '../../lib/engine/artifact';
import { deleteArtifacts } from '../../lib/engine/delete';
import { inspect } from '../../lib/engine/inspect';
import { lockIn } from '../../lib/engine/lock';
import { tempFolders } from '../helpers/cluster';
import { expectIntactChains, writeChain, type ChainSpec } from '../helpers/chains';
import { captureLog, collect, expectOnlyArtifacts, spawnTxline } from '../helpers/engine';

const { folder, removeAll } = tempFolders('delete-kill');
const DIFFS = 119;
const TRIALS = 16;
let template: string;
let chain: Artifact[]; // the full and its differentials, oldest first
let other: Artifact; // the newer full, which nothing in the chain depends on

beforeAll(async () => {
  template = folder('template');
  const spec: ChainSpec[] = [{ label: 'd0', full: 10, at: 0 }];
  for (let i = 1; i <= DIFFS; i++) {
    if (i === 80) spec.push({ label: 'full2', full: 790, at: 79.5 });
    spec.push({ label: `d${i}`, parent: `d${i - 1}`, to: 10 * (i + 1), at: i });
  }
  const a = await writeChain(template, spec);
  chain = Array.from({ length: DIFFS + 1 }, (_, i) => a[`d${i}`]);
  other = a.full2;
}, 120_000);

afterAll(removeAll);

describe('kill -9 of backup delete', () => {
  it(`what remains always forms intact chains, the oldest part of the chain (${TRIALS} trials)`, async () => {
    const stats = { midDelete: 0, beforeFirst: 0, afterLast: 0, finished: 0 };
    const landed: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const dir = folder(`trial-${i}`);
      fs.cpSync(template, dir, { recursive: true });
      const args = ['backup', 'delete', '--with-dependents', '--progress=jsonl', chain[0].path.replace(template, dir)];
      const child = spawnTxline(args);
      const exited = collect(child, 60_000, args);
      const anyMoment = i % 4 === 0;
      const after = 1 + Math.floor(Math.random() * chain.length);
      if (anyMoment) {
        await sleep(Math.floor(Math.random() * 2500));
      } else {
        // after `after` artifacts were reported deleted (the kill lands somewhat later: the process goes on)
        let seen = 0;
        let buffered = '';
        await new Promise<void>((resolve) => {
          const onData = (c: Buffer) => {
            buffered += c.toString('utf8');
            const lines = buffered.split('\n');
            buffered = lines.pop() ?? '';
            seen += lines.filter((l) => l.includes('"phase":"delete"') && l.includes('"file"')).length;
            if (seen >= after) done();
          };
          const done = () => {
            child.stdout?.off('data', onData);
            child.off('exit', done);
            resolve();
          };
          child.stdout?.on('data', onData);
          child.on('exit', done);
        });
      }
      child.kill('SIGKILL');
      const r = await exited;
      const what = `trial ${i} (${anyMoment ? 'any moment' : `after ${after} deletes reported`})`;

      // intact chains only, each artifact listed by inspect
      const left = expectIntactChains(dir, what);
      expect((await inspect({ path: dir, empty: true })).rows.length, what).toBe(left);
      // newest first: what is left of the chain is its oldest part; the other full is untouched
      const names = new Set(listArtifacts(dir).artifacts.map((a) => a.file));
      expect(names.has(other.file), what).toBe(true);
      const kept = chain.filter((a) => names.has(a.file)).length;
      expect(chain.map((a) => names.has(a.file)), what).toEqual(chain.map((_, k) => k < kept));
      const deleted = chain.length - kept;
      if (r.signal !== 'SIGKILL') {
        expect(r.code, `${what}: ${r.stderr}`).toBe(0);
        stats.finished++;
      } else if (deleted === 0) stats.beforeFirst++;
      else if (deleted === chain.length) stats.afterLast++;
      else {
        stats.midDelete++;
        landed.push(deleted);
      }

      // the next delete takes the killed one's lock over and finishes (with nothing left to delete, the next
      // operation on neo4j in this folder takes it over)
      if (kept > 0) {
        const log = captureLog();
        const again = await deleteArtifacts({ files: [chain[0].path.replace(template, dir)], withDependents: true, log });
        expect(again.deleted.map((d) => d.file), what).toEqual(chain.slice(0, kept).reverse().map((a) => a.file));
      } else if (r.signal === 'SIGKILL') {
        const lock = await lockIn(folderLocation(dir), 'neo4j', 'test');
        await lock.release();
        if (lock.previous) expect(lock.previous, what).toMatchObject({ pid: child.pid, what: 'delete' });
      }
      expect(expectOnlyArtifacts(dir, what), what).toEqual([other.file]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    landed.sort((a, b) => a - b);
    console.info(
      `kill -9 of backup delete (a chain of ${chain.length}): ${TRIALS} trials, ${stats.midDelete} mid-delete (after ${landed.join(', ')} of ${chain.length} deletes), ` +
        `${stats.beforeFirst} before the first delete, ${stats.afterLast} after the last, ${stats.finished} finished first; what remained was always intact chains`,
    );
    expect(stats.midDelete, JSON.stringify(stats)).toBeGreaterThanOrEqual(TRIALS / 2);
    expect(stats.midDelete + stats.beforeFirst + stats.afterLast + stats.finished).toBe(TRIALS);
  }, 300_000);
});
