/**
 * kill -9 of `txline backup prune --keep-full=2` deleting four of six chains (a full and 15 differentials each;
 * the fifth chain's last differentials hang off it across the sixth full, as --prefer-diff-as-parent makes
 * them), at varied moments (12 trials): some at any moment from start-up on, most after a random number of
 * deletes (read from its --progress=jsonl lines). After every kill: what remains is intact chains (no broken
 * link, inspect lists every artifact), the artifacts gone are exactly the first ones of the planned order (a
 * dry run's), restore planning still reaches the newest state and the kept chains' every transaction; the next
 * prune takes the lock over and finishes, leaving the two kept chains and no lock file.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listArtifacts, type Artifact } from '../../lib/engine/artifact';
import { inspect } from '../../lib/engine/inspect';
import { planRestore } from '../../lib/engine/restore-plan';
import { jobResult } from '../../lib/jobs/protocol';
import { tempFolders } from '../helpers/cluster';
import { expectIntactChains, writeChain, type ChainSpec } from '../helpers/chains';
import { collect, expectOnlyArtifacts, jsonlLines, runTxline, spawnTxline } from '../helpers/engine';

const { folder, removeAll } = tempFolders('prune-kill');
const CHAINS = 6;
const DIFFS = 15;
const TRIALS = 12;
let template: string;
let all: Record<string, Artifact>;
let planned: string[]; // the files a prune deletes, in its order
let kept: string[]; // the files it keeps

beforeAll(async () => {
  template = folder('template');
  const spec: ChainSpec[] = [];
  let at = 0;
  for (let c = 1; c <= CHAINS; c++) {
    const base = c * 1000;
    spec.push({ label: `c${c}`, full: base, at: at++ });
    for (let d = 1; d <= DIFFS; d++) {
      // chain 5's last 5 differentials come after chain 6's full (--prefer-diff-as-parent)
      if (c === 6 && d === 1) for (let k = 11; k <= DIFFS; k++) spec.push({ label: `c5d${k}`, parent: `c5d${k - 1}`, to: 5000 + k, at: at++ });
      if (c === 5 && d > 10) continue;
      spec.push({ label: `c${c}d${d}`, parent: d === 1 ? `c${c}` : `c${c}d${d - 1}`, to: base + d, at: at++ });
    }
  }
  all = await writeChain(template, spec);
  const dry = await runTxline(['backup', 'prune', `--from-path=${template}`, '--keep-full=2', '--dry-run', '--progress=jsonl']);
  expect(dry.code, dry.stderr).toBe(0);
  const result = jobResult('prune', jsonlLines(dry.stdout).at(-1));
  planned = (result?.deleted ?? []).map((d) => d.file);
  kept = Object.values(all)
    .map((a) => a.file)
    .filter((f) => !planned.includes(f))
    .sort();
}, 120_000);

afterAll(removeAll);

describe('kill -9 of backup prune', () => {
  it('plans to delete the four oldest chains, newest first', () => {
    expect(planned).toHaveLength(4 * (DIFFS + 1));
    expect(planned[0]).toBe(all.c4d15.file);
    expect(planned.at(-1)).toBe(all.c1.file);
    expect(kept).toEqual(Object.entries(all).filter(([l]) => /^c[56]/.test(l)).map(([, a]) => a.file).sort());
  });

  it(`what remains always forms intact chains that restore (${TRIALS} trials); the next prune finishes`, async () => {
    const stats = { midDelete: 0, beforeFirst: 0, afterLast: 0, finished: 0 };
    const landed: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const dir = folder(`trial-${i}`);
      fs.cpSync(template, dir, { recursive: true });
      const args = ['backup', 'prune', `--from-path=${dir}`, '--keep-full=2', '--progress=jsonl'];
      const child = spawnTxline(args);
      const exited = collect(child, 60_000, args);
      const anyMoment = i % 4 === 0;
      // (in the first half of the deletes: deletes are quick, and a kill sent after one of the last few is
      // reported often lands after the last, which would leave too few trials that cut the prune in the middle)
      const after = 1 + Math.floor(Math.random() * Math.max(1, Math.floor(planned.length / 2)));
      if (anyMoment) await sleep(Math.floor(Math.random() * 2500));
      else {
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

      // intact chains only, each listed by inspect
      const left = expectIntactChains(dir, what);
      expect((await inspect({ path: dir, empty: true })).rows.length, what).toBe(left);
      const names = new Set(listArtifacts(dir).artifacts.map((a) => a.file));
      for (const f of kept) expect(names.has(f), `${what}: kept ${f}`).toBe(true);
      // exactly the first ones of the planned order are gone
      const deleted = planned.filter((f) => !names.has(f)).length;
      expect(planned.map((f) => !names.has(f)), what).toEqual(planned.map((_, k) => k < deleted));
      // restore planning still reaches the newest state, and every transaction of the kept chains
      const arts = listArtifacts(dir).artifacts;
      const latest = planRestore(arts, { kind: 'latest' });
      expect(latest.ok && latest.plan.targetTx, what).toBe(6000 + DIFFS);
      for (const before of [5001, 5000 + DIFFS + 1, 6001, 6000 + DIFFS + 1]) {
        const p = planRestore(arts, { kind: 'tx', before });
        expect(p.ok ? p.plan.targetTx : p.problem, `${what}: --restore-until=${before}`).toBe(before - 1);
      }
      if (r.signal !== 'SIGKILL') {
        expect(r.code, `${what}: ${r.stderr}`).toBe(0);
        stats.finished++;
      } else if (deleted === 0) stats.beforeFirst++;
      else if (deleted === planned.length) stats.afterLast++;
      else {
        stats.midDelete++;
        landed.push(deleted);
      }

      // the next prune takes the killed one's lock over and finishes
      const again = await runTxline(['backup', 'prune', `--from-path=${dir}`, '--keep-full=2', '--json']);
      expect(again.code, `${what}: ${again.stderr}`).toBe(0);
      const j = JSON.parse(again.stdout) as { deleted: Array<{ file: string }> };
      expect(j.deleted.map((d) => d.file), what).toEqual(planned.slice(deleted));
      expect(expectOnlyArtifacts(dir, what), what).toEqual(kept);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    landed.sort((a, b) => a - b);
    console.info(
      `kill -9 of backup prune (${planned.length} to delete): ${TRIALS} trials, ${stats.midDelete} mid-delete (after ${landed.join(', ')}), ` +
        `${stats.beforeFirst} before the first delete, ${stats.afterLast} after the last, ${stats.finished} finished first; what remained was always intact chains`,
    );
    expect(stats.midDelete, JSON.stringify(stats)).toBeGreaterThanOrEqual(TRIALS / 2);
  }, 300_000);
});
