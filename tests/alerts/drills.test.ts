/**
 * The restore-drill condition's source: nothing without a `drills` table (the condition then evaluates
 * nothing); with one, the newest outcomes per database, read from the columns it has.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../lib/alerts/conditions';
import { catalogDrills } from '../../lib/alerts/drills';
import { rulesFor } from '../../lib/alerts/rules';
import { openCatalog } from '../../lib/db';

describe('restore drills for alerts', () => {
  it('reports nothing without a drills table, and the newest outcomes with one', () => {
    const db = openCatalog(':memory:');
    expect(catalogDrills(db).recent(5)).toEqual([]);
    db.$client.exec(`CREATE TABLE drills (id INTEGER PRIMARY KEY, cluster_id INTEGER, database TEXT NOT NULL, status TEXT NOT NULL, error TEXT, ended_at INTEGER)`);
    const add = db.$client.prepare('INSERT INTO drills (cluster_id, database, status, error, ended_at) VALUES (NULL, ?, ?, ?, ?)');
    add.run('neo4j', 'succeeded', null, 1000);
    add.run('neo4j', 'failed', 'restored store differs at tx 812', 2000);
    add.run('neo4j', 'running', null, null);
    add.run('other', 'succeeded', null, 1500);
    const got = catalogDrills(db).recent(5);
    expect(got).toEqual([
      { cluster: null, database: 'neo4j', ok: false, at: 2000, message: 'restored store differs at tx 812' },
      { cluster: null, database: 'other', ok: true, at: 1500, message: null },
      { cluster: null, database: 'neo4j', ok: true, at: 1000, message: null },
    ]);
    const now = 3000;
    const facts = { cluster: null, database: 'neo4j', lastSuccessAt: now, firstSeenAt: now, scheduleRpoMs: null, failureStreaks: [], lag: [], lagWindowStart: now, fallback: null, storage: null, drills: got.filter((d) => d.database === 'neo4j') };
    const drill = evaluate(facts, rulesFor([], 'neo4j'), now).find((f) => f.condition === 'drill');
    expect(drill).toMatchObject({ firing: true, value: 1, threshold: 1 });
    expect(drill?.message).toContain('restored store differs at tx 812');
    db.$client.close();
  });
});
