/**
 * Job rows in the catalog: pages of the jobs list (newest first, older and newer pages that meet without
 * overlap, filters kept), and which running job a new one collides with (the same database of the same
 * cluster, or of the same backup folder; the same name on another cluster and folder is free).
 */
import { describe, expect, it } from 'vitest';
import { openCatalog, type Catalog } from '../../lib/db';
import { addRemoteCluster, ensureFolder } from '../../lib/db/queries/clusters';
import { activeJobFor, createJob, finishJob, jobDatabases, jobsPage } from '../../lib/db/queries/jobs';

function catalog(): { db: Catalog; a: number; b: number; f1: number; f2: number } {
  const db = openCatalog(':memory:');
  const a = addRemoteCluster(db, { name: 'a', addresses: ['127.0.0.1:1'] }).id;
  const b = addRemoteCluster(db, { name: 'b', addresses: ['127.0.0.1:2'] }).id;
  const f1 = ensureFolder(db, { name: 'one', path: '/backups/one', isDefault: true }).id;
  const f2 = ensureFolder(db, { name: 'two', path: '/backups/two', isDefault: false }).id;
  return { db, a, b, f1, f2 };
}

describe('pages of jobs', () => {
  it('walks 120 jobs in pages of 50, older and newer, with the position of each page', () => {
    const { db, a, f1 } = catalog();
    for (let i = 1; i <= 120; i++) {
      const j = createJob(db, { kind: 'backup', database: i % 2 ? 'odd' : 'even', clusterId: a, folderId: f1, params: {}, args: [], createdBy: null });
      finishJob(db, j, { status: i % 3 ? 'succeeded' : 'failed', exitCode: 0, log: 'x'.repeat(1000) });
    }
    const ids = (p: ReturnType<typeof jobsPage>) => p.jobs.map((j) => j.id);
    const newest = jobsPage(db, { limit: 50 });
    expect(ids(newest)).toEqual(Array.from({ length: 50 }, (_, i) => 120 - i));
    expect(newest).toMatchObject({ total: 120, offset: 0, older: 71, newer: undefined });
    expect(newest.jobs[0]).not.toHaveProperty('log');

    const second = jobsPage(db, { limit: 50, before: newest.older as number });
    expect(ids(second)).toEqual(Array.from({ length: 50 }, (_, i) => 70 - i));
    expect(second).toMatchObject({ offset: 50, older: 21, newer: null });

    const last = jobsPage(db, { limit: 50, before: second.older as number });
    expect(ids(last)).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));
    expect(last).toMatchObject({ offset: 100, older: null });
    // "newer" from the oldest page is exactly the page before it
    expect(ids(jobsPage(db, { limit: 50, before: last.newer as number }))).toEqual(ids(second));

    // filters hold across pages: 40 failed jobs (every third), newest first
    const failed = jobsPage(db, { limit: 25, status: 'failed' });
    expect(failed).toMatchObject({ total: 40, offset: 0 });
    expect(failed.jobs.every((j) => j.status === 'failed')).toBe(true);
    const failed2 = jobsPage(db, { limit: 25, status: 'failed', before: failed.older as number });
    expect(failed2.jobs).toHaveLength(15);
    expect(failed2).toMatchObject({ offset: 25, older: null, newer: null });
    expect(new Set([...ids(failed), ...ids(failed2)]).size).toBe(40);
    const odd = jobsPage(db, { limit: 100, database: 'odd' });
    expect(odd).toMatchObject({ total: 60, older: null });
    expect(jobDatabases(db)).toEqual(['even', 'odd']);
    // past the end: an empty page that can go back
    expect(jobsPage(db, { limit: 50, before: 1 })).toMatchObject({ jobs: [], total: 120, older: null, newer: null });
  });
});

describe('which running job a new one collides with', () => {
  it('the same database of the same cluster or folder collides; the same name elsewhere does not', () => {
    const { db, a, b, f1, f2 } = catalog();
    const running = createJob(db, { kind: 'backup', database: 'neo4j', clusterId: a, folderId: f1, params: {}, args: [], createdBy: null });
    expect(activeJobFor(db, { database: 'neo4j', clusterId: a, folderId: f2 })?.id).toBe(running.id);
    expect(activeJobFor(db, { database: 'neo4j', clusterId: b, folderId: f1 })?.id).toBe(running.id);
    expect(activeJobFor(db, { database: 'neo4j', clusterId: b, folderId: f2 })).toBeUndefined();
    expect(activeJobFor(db, { database: 'system', clusterId: a, folderId: f1 })).toBeUndefined();
    // a verification names only its folder
    expect(activeJobFor(db, { database: 'neo4j', clusterId: null, folderId: f1 })?.id).toBe(running.id);
    expect(activeJobFor(db, { database: 'neo4j', clusterId: null, folderId: f2 })).toBeUndefined();
    finishJob(db, running, { status: 'succeeded', exitCode: 0, log: '' });
    expect(activeJobFor(db, { database: 'neo4j', clusterId: a, folderId: f1 })).toBeUndefined();
  });
});
