/**
 * One restore plan: the dashboard's preview plans on the catalog (advisory: what the wizard shows), the engine
 * on the artifacts on disk (authoritative: what the restore reads). Both call planRestore; this checks that the
 * catalog keeps everything the plan depends on, so that for every point they pick the same chain and stop at
 * the same place, on DESIGN.md's chain table (with and without --prefer-diff-as-parent) and a broken chain.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCatalog } from '../../lib/db';
import { indexFolder } from '../../lib/db/indexer';
import { chainNode, listArtifactsByDatabase } from '../../lib/db/queries/artifacts';
import { ensureFolder } from '../../lib/db/queries/clusters';
import { planRestore, type RestorePoint } from '../../lib/engine/restore-plan';
import { planFor } from '../../lib/engine/restore';
import type { EngineLog } from '../../lib/engine/progress';
import { designTable, writeChain, type ChainSpec } from '../helpers/chains';

const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-plan-agreement-'));
afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));

const quiet: EngineLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
const T0 = Date.parse('2026-03-01T10:30:00.000Z');

type Outcome = { ok: true; chain: string[]; stopBeforeTx: number | null; stopBeforeTime: number | null; targetTx: number | null } | { ok: false; code: string };

async function compare(name: string, spec: ChainSpec[], remove: string[] = []): Promise<number> {
  const dir = path.join(temp, name);
  fs.mkdirSync(dir);
  const written = await writeChain(dir, spec);
  for (const label of remove) fs.rmSync(written[label].path);
  const db = openCatalog(path.join(temp, `${name}.sqlite`));
  const folder = ensureFolder(db, { name, path: dir, isDefault: false });
  await indexFolder(db, folder, { backupRoots: [temp], backupDir: temp });
  const nodes = listArtifactsByDatabase(db, { folderId: folder.id, database: 'neo4j' }).map(chainNode);
  const tips = Object.values(written).map((a) => a.tipTx);
  const points: RestorePoint[] = [{ kind: 'latest' }];
  for (let tx = 1; tx <= Math.max(...tips) + 2; tx++) points.push({ kind: 'tx', before: tx });
  for (let minutes = -30; minutes <= spec.length * 60 + 30; minutes += 7) points.push({ kind: 'time', before: T0 + minutes * 60_000 });

  const outcome = (r: { ok: true; plan: { chain: Array<{ file: string }>; stopBeforeTx: number | null; stopBeforeTime: number | null; targetTx: number | null } } | { ok: false; code: string }): Outcome =>
    r.ok ? { ok: true, chain: r.plan.chain.map((a) => a.file), stopBeforeTx: r.plan.stopBeforeTx, stopBeforeTime: r.plan.stopBeforeTime, targetTx: r.plan.targetTx } : { ok: false, code: r.code };
  let planned = 0;
  for (const point of points) {
    const preview = outcome(planRestore(nodes, point));
    let disk: Outcome;
    try {
      const { plan } = await planFor({ fromPaths: [dir], target: 'neo4j', point, log: quiet });
      disk = outcome({ ok: true, plan });
    } catch (e) {
      disk = { ok: false, code: (e as { code: string }).code };
    }
    expect(preview, `${name}: ${JSON.stringify(point)}`).toEqual(disk);
    if (disk.ok) planned++;
  }
  db.$client.close();
  return planned;
}

describe('the restore plan of the catalog preview and of the disk', () => {
  it('agree on every point of the chain table', async () => {
    expect(await compare('table', designTable(false))).toBeGreaterThan(40);
  });

  it('agree with --prefer-diff-as-parent branches', async () => {
    expect(await compare('branches', designTable(true))).toBeGreaterThan(40);
  });

  it('agree when a chain is broken (a differential is gone)', async () => {
    const spec: ChainSpec[] = [
      { label: 'f1', full: 10 },
      { label: 'd1', parent: 'f1', to: 20 },
      { label: 'd2', parent: 'd1', to: 30 },
      { label: 'd3', parent: 'd2', to: 40 },
      { label: 'f2', full: 45 },
      { label: 'd4', parent: 'f2', to: 60 },
    ];
    expect(await compare('broken', spec, ['d2'])).toBeGreaterThan(10);
  });
});
