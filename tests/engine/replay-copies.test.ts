/**
 * The copies of a rebuilt store's full (lib/sources/txline/replay.ts buildStore `copies`): a file holding the
 * full's store becomes the rebuilt store by the pages the replay changed alone, also when the log was
 * checkpointed along the way (its pages noted first).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupDatabases } from '../../lib/engine/backup';
import { folderLocation, listArtifactsIn } from '../../lib/engine/artifact';
import { planRestore } from '../../lib/engine/restore-plan';
import { silentLog } from '../../lib/engine/progress';
import { pageRanges } from '../../lib/graph/wal';
import { buildStore } from '../../lib/sources/txline/replay';
import { startTestCluster, tempFolders, type TestCluster } from '../helpers/cluster';
import { backupOptions } from '../helpers/engine';

let cluster: TestCluster;
const { folder, removeAll } = tempFolders('replay-copies');

beforeAll(async () => {
  cluster = await startTestCluster({ members: 1, secondaries: 0, databases: ['neo4j'] });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  removeAll();
});

describe('the copies of a full, brought to the rebuilt store by its changed pages', () => {
  it('equal the rebuilt store, with the log checkpointed after every batch once the copy is done', async () => {
    const to = folder('chain');
    await cluster.writer.commit('neo4j', Array.from({ length: 300 }, (_, i) => ({ op: 'createNode' as const, labels: ['Old'], properties: { i, pad: 'o'.repeat(200) } })));
    expect((await backupDatabases(backupOptions(cluster, to, { type: 'full' }))).exitCode).toBe(0);
    // differentials that update old rows, delete some and grow the store
    for (let d = 0; d < 4; d++) {
      const old = await cluster.writer.nodes('neo4j', 'Old', 300);
      await cluster.writer.commit('neo4j', old.filter((_, i) => i % 7 === d).map((n) => ({ op: 'setProperties' as const, node: n.id, properties: { d, pad: 'u'.repeat(300) } })));
      await cluster.writer.commit('neo4j', [{ op: 'deleteNode', node: old[d].id }]);
      await cluster.writer.commit('neo4j', Array.from({ length: 100 }, (_, i) => ({ op: 'createNode' as const, labels: ['New'], properties: { d, i, pad: 'n'.repeat(500) } })));
      expect((await backupDatabases(backupOptions(cluster, to, {}))).exitCode).toBe(0);
    }
    const artifacts = (await listArtifactsIn(folderLocation(to))).artifacts.filter((a) => a.database === 'neo4j');
    const planned = planRestore(artifacts, { kind: 'latest' });
    if (!planned.ok) throw new Error(planned.problem);
    expect(planned.plan.chain).toHaveLength(5);

    const work = folder('work');
    const copyFile = path.join(work, 'copy.sqlite');
    const copy = fs.openSync(copyFile, 'w+');
    const logged: string[] = [];
    let built;
    try {
      built = await buildStore(planned.plan, work, { log: { ...silentLog, debug: (m) => logged.push(m) }, copies: [copy], walLimit: 1 });
    } finally {
      fs.closeSync(copy);
    }
    expect(logged.join('\n')).toMatch(/copied the full's store into 1 reserved file/);
    expect(logged.join('\n')).toMatch(/checkpointed the log of the store being rebuilt at transaction \d+ \(\d+ changed page\(s\) so far\)/);
    const changed = built.changed;
    if (!changed) throw new Error('no changed pages were named');
    const rebuilt = fs.readFileSync(built.file);
    expect(changed.pages.length).toBeLessThan(rebuilt.length / changed.pageSize);
    // the copy holds the full's store: not the rebuilt one until patched
    expect(fs.readFileSync(copyFile).equals(rebuilt)).toBe(false);
    const fd = fs.openSync(copyFile, 'r+');
    try {
      fs.ftruncateSync(fd, rebuilt.length);
      for (const [a, b] of pageRanges(changed.pages, changed.pageSize, 0, rebuilt.length, { next: 0 })) fs.writeSync(fd, rebuilt, a, b - a, a);
    } finally {
      fs.closeSync(fd);
    }
    expect(fs.readFileSync(copyFile).equals(rebuilt)).toBe(true);
  }, 120_000);
});
