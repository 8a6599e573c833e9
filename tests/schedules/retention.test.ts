/**
 * Retention policies: the catalog store (one policy per folder and database, a database's own winning over the
 * folder's '*'), the form's checks, the preview (the planner `txline backup prune --dry-run` runs, over the
 * catalog: the same deletions, in the same order, with the same reasons), and the server applying a policy
 * after each scheduled backup: the real start-up path (lib/server/startup.ts) with its real scheduler firing a
 * 6-field cron every 2 s, real backups, real prune jobs by "schedule", and every deletion in the audit log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../lib/auth/audit';
import { openCatalog, type Catalog } from '../../lib/db';
import { setVerification } from '../../lib/db/queries/artifacts';
import { defaultFolder, ensureFolder, listClusters } from '../../lib/db/queries/clusters';
import { artifacts } from '../../lib/db/schema';
import { listJobs } from '../../lib/db/queries/jobs';
import { listRetentionPolicies, policyFor, removeRetentionPolicy, upsertRetentionPolicy } from '../../lib/db/queries/retention';
import { removeSchedule } from '../../lib/db/queries/schedules';
import { startBackup } from '../../lib/dashboard/commands/backup';
import { previewRetention, retentionInput, saveRetentionCommand } from '../../lib/dashboard/retention';
import { parseEnv } from '../../lib/env';
import { formatBytes } from '../../lib/format';
import { setSchedule } from '../../lib/schedules/store';
import { startServer, type ServerContext } from '../../lib/server/startup';
import { startTestCluster, tempDir, waitFor, waitForConvergence, type TestCluster } from '../helpers/cluster';
import { runTxline, writeTx } from '../helpers/engine';

describe('the retention policy store', () => {
  let db: Catalog;
  beforeAll(() => {
    db = openCatalog(':memory:');
  });
  afterAll(() => db?.$client.close());

  it("keeps one policy per folder and database; a database's own wins over the folder's '*'", () => {
    const a = ensureFolder(db, { name: 'a', path: '/backups/a', isDefault: true });
    const b = ensureFolder(db, { name: 'b', path: '/backups/b', isDefault: false });
    const all = upsertRetentionPolicy(db, { folderId: a.id, database: '*', keepFull: 3, keepDays: null, keepWeekly: null, createdBy: 'ada' }, 1000);
    expect(all.created).toBe(true);
    expect(policyFor(db, { folderId: a.id, database: 'neo4j' })?.keepFull).toBe(3);
    expect(policyFor(db, { folderId: b.id, database: 'neo4j' })).toBeUndefined();
    const own = upsertRetentionPolicy(db, { folderId: a.id, database: 'neo4j', keepFull: null, keepDays: 7, keepWeekly: 4, createdBy: 'ada' }, 2000);
    expect(policyFor(db, { folderId: a.id, database: 'neo4j' })).toMatchObject({ id: own.row.id, keepDays: 7, keepWeekly: 4 });
    expect(policyFor(db, { folderId: a.id, database: 'other' })?.id).toBe(all.row.id);
    // the same folder and database replace it
    const again = upsertRetentionPolicy(db, { folderId: a.id, database: 'neo4j', keepFull: 1, keepDays: null, keepWeekly: null, createdBy: 'bob' }, 3000);
    expect(again).toMatchObject({ created: false, row: { id: own.row.id, keepFull: 1, keepDays: null, createdBy: 'bob', updatedAt: 3000 } });
    expect(listRetentionPolicies(db, { folderId: a.id })).toHaveLength(2);
    removeRetentionPolicy(db, own.row);
    expect(policyFor(db, { folderId: a.id, database: 'neo4j' })?.id).toBe(all.row.id);
  });

  it('previews over the catalog: whole chains, dependents first, and a full found corrupt does not count', () => {
    const folder = ensureFolder(db, { name: 'p', path: '/backups/p', isDefault: false });
    const t0 = Date.UTC(2026, 11, 1);
    const row = (file: string, i: number, full: boolean, lowestTx: number, highestTx: number, parent: string | null) => ({
      folderId: folder.id, file, database: 'neo4j', databaseId: 'db-1', storeId: 'store-1', time: t0 + i * 3_600_000, full, compressed: true, lowestTx, highestTx, tipTx: highestTx,
      txCount: highestTx - lowestTx + 1, parent, parentLastTxChecksum: parent ? highestTx * 7 - 70 : null, lastTxChecksum: highestTx * 7, recovered: full, sizeBytes: 1000, rawBytes: 2000,
      sha256: 'x', fileSize: 1024 * (i + 1), fileMtimeMs: 0, indexedAt: 0,
    });
    db.insert(artifacts)
      .values([row('f1.backup', 0, true, 1, 10, null), row('d1.backup', 1, false, 11, 20, 'f1.backup'), row('f2.backup', 2, true, 1, 30, null), row('d2.backup', 3, false, 31, 40, 'f2.backup')])
      .run();
    const pv = previewRetention({ db }, { folderId: folder.id, database: 'neo4j', keepFull: 1 }, t0 + 10 * 3_600_000);
    if (!pv.ok) throw new Error(pv.error);
    expect(pv.preview.databases[0].deleted.map((d) => [d.file, d.chain])).toEqual([
      ['d1.backup', 2],
      ['f1.backup', 2],
    ]);
    expect(pv.preview.summary).toBe('this will delete 2 artifacts, 3.0 KiB; restorable range becomes tx 30–40');
    expect(pv.preview.command).toBe('txline backup prune --from-path=/backups/p --database=neo4j --keep-full=1 --dry-run');
    // the newest full found corrupt by its last verification: its chain is not restorable, the older one is kept
    setVerification(db, { folderId: folder.id, file: 'f2.backup', status: 'corrupt', message: 'payload checksum mismatch' });
    const after = previewRetention({ db }, { folderId: folder.id, database: 'neo4j', keepFull: 1 }, t0 + 10 * 3_600_000);
    if (!after.ok) throw new Error(after.error);
    expect(after.preview.deleteCount).toBe(0);
    expect(after.preview.databases[0].after.map((r) => [r.fromTx, r.toTx])).toEqual([[10, 20]]);
    expect(after.preview.databases[0].notes[0]).toMatch(/f2\.backup is corrupt: payload checksum mismatch/);
  });

  it('the form takes at least one rule, each a whole number from 1, and a database name or *', () => {
    const ok = retentionInput.safeParse({ folderId: '1', database: 'Neo4j', keepFull: '2', keepDays: '', keepWeekly: undefined });
    expect(ok.success && ok.data).toEqual({ folderId: 1, database: 'neo4j', keepFull: 2, keepDays: null, keepWeekly: null });
    expect(retentionInput.safeParse({ folderId: 1, database: '*', keepWeekly: 4 }).success).toBe(true);
    const fields = (raw: Record<string, unknown>) => {
      const r = retentionInput.safeParse(raw);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    expect(fields({ folderId: 1, database: 'neo4j' })).toEqual(['keepFull']);
    expect(fields({ folderId: 1, database: 'neo4j', keepFull: '0' })).toEqual(['keepFull']);
    expect(fields({ folderId: 1, database: 'neo4j', keepDays: '-1' })).toEqual(['keepDays']);
    expect(fields({ folderId: 1, database: 'neo4j', keepWeekly: '2.5' })).toEqual(['keepWeekly']);
    expect(fields({ folderId: 1, database: 'neo4j', keepFull: '1e9' })).toEqual(['keepFull']);
    expect(fields({ folderId: 1, database: '../x', keepFull: '1' })).toEqual(['database']);
    expect(fields({ folderId: 1, database: 'n*', keepFull: '1' })).toEqual(['database']);
  });
});

describe('retention applied by the server', () => {
  let cluster: TestCluster;
  let dir: string;
  let ctx: ServerContext;
  let folderId: number;
  let clusterId: number;
  const backups = () => path.join(dir, 'backups');
  const files = () => fs.readdirSync(backups()).filter((f) => f.endsWith('.backup')).sort();

  beforeAll(async () => {
    cluster = await startTestCluster();
    dir = tempDir('retention');
    await writeTx(cluster.writer, 'neo4j', 20);
    await waitForConvergence(cluster, 'neo4j');
    ctx = startServer(
      parseEnv({
        TXLINE_DATA_DIR: dir,
        TXLINE_CLUSTER_FILE: path.join(cluster.dir, 'cluster.json'),
        TXLINE_CLUSTER_ADDRESSES: '',
        TXLINE_BACKUP_DIR: '',
        TXLINE_CATALOG: '',
        TXLINE_ADMIN_PASSWORD: 'retention-test-password',
        TXLINE_COLLECT_MS: '500',
      }),
    );
    folderId = (defaultFolder(ctx.db) as { id: number }).id;
    clusterId = listClusters(ctx.db)[0].id;
    await waitFor('a report of the embedded cluster', () => ctx.collector.latest.size > 0, 15_000);
  });

  afterAll(async () => {
    ctx?.stop();
    for (const j of ctx ? listJobs(ctx.db, { status: 'running' }) : []) await ctx.runner.wait(j.id);
    await cluster?.stop();
    ctx?.db.$client.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function backup(type: 'full' | 'diff'): Promise<void> {
    await writeTx(cluster.writer, 'neo4j', 3);
    await waitForConvergence(cluster, 'neo4j');
    const r = startBackup(ctx, { clusterId, folderId, database: 'neo4j', type }, 'tester');
    if (!r.ok) throw new Error(r.error);
    expect((await ctx.runner.wait(r.jobId))?.status).toBe('succeeded');
  }

  it('previews what `txline backup prune --dry-run` plans: the same deletions, order and reasons', async () => {
    for (const t of ['full', 'diff', 'full', 'diff'] as const) await backup(t);
    const before = files();
    expect(before).toHaveLength(4);
    const pv = previewRetention(ctx, { folderId, database: 'neo4j', keepFull: '1' });
    if (!pv.ok) throw new Error(pv.error);
    const dry = await runTxline(['backup', 'prune', `--from-path=${backups()}`, '--database=neo4j', '--keep-full=1', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const j = JSON.parse(dry.stdout) as { deleted: Array<{ file: string; reason: string; sizeBytes: number }>; databases: Array<{ restorable: Array<{ fromTx: number; toTx: number }> }> };
    const d = pv.preview.databases[0];
    expect(d.deleted.map((x) => [x.file, x.reason])).toEqual(j.deleted.map((x) => [x.file, x.reason]));
    expect(d.deleted).toHaveLength(2);
    expect(d.deleted[0].reason).toMatch(/^chain 2 of 2 beyond --keep-full=1/);
    expect(d.after.map((r) => [r.fromTx, r.toTx])).toEqual(j.databases[0].restorable.map((r) => [r.fromTx, r.toTx]));
    const bytes = d.deleted.reduce((n, x) => n + x.sizeBytes, 0);
    expect(bytes).toBe(j.deleted.reduce((n, x) => n + x.sizeBytes, 0));
    const [r] = d.after;
    expect(pv.preview.summary).toBe(`this will delete 2 artifacts, ${formatBytes(bytes)}; restorable range becomes tx ${r.fromTx}–${r.toTx}`);
    expect(files()).toEqual(before); // a preview deletes nothing
  }, 150_000); // four real backups: seconds each, far more on a loaded machine

  it('applies the policy when saved and after each scheduled backup, as prune jobs by schedule, every deletion audited', async () => {
    const saved = saveRetentionCommand(ctx, { folderId, database: 'neo4j', keepFull: '1' }, 'ada');
    if (!saved.ok) throw new Error(saved.error);
    expect(saved.jobIds).toHaveLength(1);
    expect(saved.audit.detail).toMatch(/^created: --keep-full=1; previewed: this will delete 2 artifacts/);
    expect((await ctx.runner.wait(saved.jobIds[0]))?.status).toBe('succeeded');
    expect(files()).toHaveLength(2); // the newest chain: its full and its differential

    const { row } = setSchedule(ctx.db, { clusterId, databaseGlob: 'neo4j', fullCron: '*/2 * * * * *', diffCron: null, timeZone: 'UTC', enabled: true, folderId }, Date.now());
    const byScheduler = (kind: string) => listJobs(ctx.db, { database: 'neo4j' }).filter((x) => x.kind === kind && x.createdBy === 'schedule');
    try {
      await waitFor('two scheduled backups, each followed by its prune', () => byScheduler('prune').filter((x) => x.status === 'succeeded').length >= 2, 150_000);
    } finally {
      removeSchedule(ctx.db, row);
    }
    await waitFor('no running job', () => listJobs(ctx.db, { status: 'running' }).length === 0, 20_000);
    const prunes = byScheduler('prune');
    const scheduledBackups = new Map(byScheduler('backup').map((b) => [b.id, b]));
    for (const p of prunes) {
      expect(p).toMatchObject({ status: 'succeeded', folderId, clusterId: null, database: 'neo4j' });
      expect(p.params).toMatchObject({ keepFull: 1, schedule: 'neo4j', policyId: saved.policyId });
      // each after a scheduled backup that succeeded, and after it ended
      const after = scheduledBackups.get(p.params.afterJob as number);
      expect(after?.status).toBe('succeeded');
      expect(p.id).toBeGreaterThan(after?.id as number);
    }
    // what remains: the chains the policy keeps (the newest full; a backup that ended after the last prune too)
    const pruned = listAudit(ctx.db, { action: 'artifact.pruned', limit: 500 });
    const gone = new Set(pruned.map((a) => /^file=(\S+)/.exec(a.target ?? '')?.[1]));
    for (const f of files()) expect(gone.has(f)).toBe(false);
    expect(files().length).toBeLessThanOrEqual(2);
    expect(pruned.length).toBeGreaterThanOrEqual(2 + 2); // the save's two, and a full at least per scheduled prune
    for (const a of pruned) {
      expect(a.outcome).toBe('ok');
      expect(a.detail).toMatch(/^job #\d+: deleted the (full backup|differential) \(transactions \d+\.\.\d+\), \d+ bytes, from .*: chain \d+ of \d+ beyond --keep-full=1/);
    }
    expect(pruned.filter((a) => a.username === 'ada')).toHaveLength(2);
    expect(pruned.filter((a) => a.username === 'schedule').length).toBeGreaterThanOrEqual(2);
    const starts = listAudit(ctx.db, { action: 'prune.start' });
    expect(starts.length).toBe(prunes.length);
    for (const s of starts) {
      expect(s).toMatchObject({ username: 'schedule', outcome: 'ok', target: `database=neo4j folderId=${folderId}` });
      expect(s.detail).toMatch(/^job #\d+: prune by schedule "neo4j" after backup job #\d+: --keep-full=1 \(the policy for neo4j, #\d+\)$/);
    }
    expect(listAudit(ctx.db, { action: 'prune.succeeded' }).length).toBe(prunes.length + 1);
  }, 200_000);
});
