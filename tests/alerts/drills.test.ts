/**
 * The restore-drill condition's source: the drills each finished drill job records (lib/db/queries/drills.ts),
 * newest first per database (however many other databases drill), a failed one saying which check and artifact.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../lib/alerts/conditions';
import { catalogDrills } from '../../lib/alerts/drills';
import { rulesFor } from '../../lib/alerts/rules';
import { openCatalog } from '../../lib/db';
import { recordDrill, type NewDrill } from '../../lib/db/queries/drills';

describe('restore drills for alerts', () => {
  it('reports nothing before any drill, then the newest outcomes per database', () => {
    const db = openCatalog(':memory:');
    expect(catalogDrills(db).recent(5)).toEqual([]);
    const drill = (database: string, passed: boolean, finishedAt: number, failed: Partial<NewDrill> = {}): NewDrill => ({
      clusterId: null, folderId: null, database, location: '/backups', pointKind: 'latest', pointTx: null, chainEnd: null, artifact: null,
      passed, failedCheck: null, problem: null, rtoMs: passed ? 1200 : null, startedAt: finishedAt - 5000, finishedAt, jobId: null, ...failed,
    });
    recordDrill(db, drill('neo4j', true, 1000));
    recordDrill(db, drill('neo4j', false, 2000, { failedCheck: 'artifacts', artifact: 'neo4j-2026-12-06T10-00-00.backup', problem: 'checksum mismatch' }));
    recordDrill(db, drill('other', true, 1500));
    const got = catalogDrills(db).recent(5);
    expect(got).toEqual([
      { cluster: null, database: 'neo4j', ok: false, at: 2000, message: 'artifacts check failed: artifact neo4j-2026-12-06T10-00-00.backup: checksum mismatch' },
      { cluster: null, database: 'other', ok: true, at: 1500, message: null },
      { cluster: null, database: 'neo4j', ok: true, at: 1000, message: null },
    ]);
    expect(catalogDrills(db).recent(1).map((d) => [d.database, d.at])).toEqual([['neo4j', 2000], ['other', 1500]]);
    const now = 3000;
    const facts = { cluster: null, database: 'neo4j', lastSuccessAt: now, firstSeenAt: now, scheduleRpoMs: null, failureStreaks: [], lag: [], lagWindowStart: now, fallback: null, storage: null, drills: got.filter((d) => d.database === 'neo4j') };
    const fired = evaluate(facts, rulesFor([], 'neo4j'), now).find((f) => f.condition === 'drill');
    expect(fired).toMatchObject({ firing: true, value: 1, threshold: 1 });
    expect(fired?.message).toContain('checksum mismatch');
    db.$client.close();
  });

  it("a fleet's newer drills of other databases do not push one database's failed drill out", () => {
    const db = openCatalog(':memory:');
    const drill = (database: string, passed: boolean, finishedAt: number): NewDrill => ({
      clusterId: null, folderId: null, database, location: '/backups', pointKind: 'latest', pointTx: null, chainEnd: null, artifact: null,
      passed, failedCheck: passed ? null : 'consistency', problem: null, rtoMs: null, startedAt: finishedAt - 5000, finishedAt, jobId: null,
    });
    recordDrill(db, drill('orders', false, 1000));
    // then 3,000 passed drills of 300 other databases, all newer
    db.$client.transaction(() => {
      for (let i = 0; i < 3000; i++) recordDrill(db, drill(`db${i % 300}`, true, 2000 + i));
    })();
    const got = catalogDrills(db).recent(3);
    expect(got.filter((d) => d.database === 'orders')).toEqual([{ cluster: null, database: 'orders', ok: false, at: 1000, message: 'consistency check failed' }]);
    expect(got).toHaveLength(1 + 300 * 3);
    expect(got[0].at).toBe(4999);
    db.$client.close();
  });
});
