/**
 * The scheduler's decisions on tables, with the clock passed in: which occurrence of a cron is due (the newest
 * only, so a long stop makes up one run), when it is a catch-up, which databases a glob covers (`system` only
 * by name), how runs merge in the queue (one per database, a full wins), and the field named by each refusal.
 */
import { describe, expect, it } from 'vitest';
import { latestDue, nextTimes, parseCron } from '../../lib/schedules/cron';
import { dueOf, enqueue, firstPending, matchGlob, runsFor, type QueuedRun } from '../../lib/schedules/plan';
import { checkScheduleFields } from '../../lib/schedules/store';
import { TxlineError } from '../../lib/errors';

const T = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString().replace('.000Z', 'Z'));

describe('latestDue: the newest occurrence in (after, now]', () => {
  const cases: Array<[string, string, string, string, string | null]> = [
    // cron, zone, after (handled), now, due
    ['0 2 * * *', 'UTC', '2026-03-01T02:00:00Z', '2026-03-01T12:00:00Z', null],
    ['0 2 * * *', 'UTC', '2026-03-01T02:00:00Z', '2026-03-02T02:00:00Z', '2026-03-02T02:00:00Z'],
    ['0 2 * * *', 'UTC', '2026-03-01T02:00:00Z', '2026-03-09T12:00:00Z', '2026-03-09T02:00:00Z'], // a week down: one
    ['0 2 * * *', 'Europe/Berlin', '2026-03-01T01:00:00Z', '2026-03-02T03:00:00Z', '2026-03-02T01:00:00Z'], // CET: 02:00 = 01:00Z
    ['0 2 * * *', 'Europe/Berlin', '2026-06-30T23:00:00Z', '2026-07-01T03:00:00Z', '2026-07-01T00:00:00Z'], // CEST: 02:00 = 00:00Z
    ['*/15 * * * *', 'UTC', '2026-03-01T10:00:00Z', '2026-03-01T10:44:59Z', '2026-03-01T10:30:00Z'],
    ['*/5 * * * * *', 'UTC', '2026-03-01T10:00:00Z', '2026-03-01T10:00:07Z', '2026-03-01T10:00:05Z'],
    ['*/5 * * * * *', 'UTC', '2026-01-01T00:00:00Z', '2026-03-01T10:00:07Z', '2026-03-01T10:00:05Z'], // two months of 5 s ticks: one
    ['0 0 29 2 *', 'UTC', '2025-01-01T00:00:00Z', '2028-03-01T00:00:00Z', '2028-02-29T00:00:00Z'], // rare: a leap day
    ['0 0 1 1 *', 'UTC', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', null], // now == after
  ];
  it.each(cases)('%s (%s) handled %s, at %s -> %s', (cron, tz, after, now, due) => {
    expect(iso(latestDue(parseCron(cron, tz), T(after), T(now)))).toBe(due);
  });

  it('reads a zone across a daylight-saving change (Berlin, 02:30 on 29 March 2026 does not exist)', () => {
    const c = parseCron('30 1 * * *', 'Europe/Berlin');
    expect(nextTimes(c, T('2026-03-28T00:00:00Z'), 3).map((t) => iso(t))).toEqual(['2026-03-28T00:30:00Z', '2026-03-29T00:30:00Z', '2026-03-29T23:30:00Z']);
  });
});

describe('dueOf: both crons of a schedule', () => {
  const base = { fullCron: '0 2 * * *', diffCron: '0 * * * *', timeZone: 'UTC', enabled: true, createdAt: T('2026-03-01T00:00:00Z') };
  const cases: Array<[string, Partial<typeof base> & { fullDueAt?: number | null; diffDueAt?: number | null }, string, string | null, string | null]> = [
    ['new, nothing due yet', { fullDueAt: T('2026-03-01T00:30:00Z'), diffDueAt: T('2026-03-01T00:30:00Z') }, '2026-03-01T00:59:59Z', null, null],
    ['diff due', { fullDueAt: T('2026-03-01T00:30:00Z'), diffDueAt: T('2026-03-01T00:30:00Z') }, '2026-03-01T01:00:00Z', null, '2026-03-01T01:00:00Z'],
    ['both due at once', { fullDueAt: T('2026-03-01T01:00:00Z'), diffDueAt: T('2026-03-01T01:00:00Z') }, '2026-03-01T02:00:01Z', '2026-03-01T02:00:00Z', '2026-03-01T02:00:00Z'],
    ['disabled', { enabled: false, fullDueAt: null, diffDueAt: null }, '2026-03-05T00:00:00Z', null, null],
    ['never handled: from its creation', { fullDueAt: null, diffDueAt: null, diffCron: null as unknown as string }, '2026-03-03T05:00:00Z', '2026-03-03T02:00:00Z', null],
  ];
  it('says which occurrence is the oldest one not handled (a run making up any before the start is a catch-up)', () => {
    const d = dueOf({ ...base, fullCron: null, diffCron: '*/10 * * * * *', fullDueAt: null, diffDueAt: T('2026-03-01T00:00:00Z') }, T('2026-03-01T00:00:35Z'));
    expect(d.diff && { at: iso(d.diff.at), first: iso(d.diff.first) }).toEqual({ at: '2026-03-01T00:00:30Z', first: '2026-03-01T00:00:10Z' });
  });

  it('firstPending: the earliest occurrence not handled, of either cron (nothing is due before it)', () => {
    const s = { ...base, fullDueAt: T('2026-03-01T00:30:00Z'), diffDueAt: T('2026-03-01T00:30:00Z') };
    expect(iso(firstPending(s))).toBe('2026-03-01T01:00:00Z');
    expect(iso(firstPending({ ...s, diffCron: null as unknown as string }))).toBe('2026-03-01T02:00:00Z');
    expect(firstPending({ ...s, enabled: false })).toBeNull();
  });

  it.each(cases)('%s', (_what, over, now, full, diff) => {
    const d = dueOf({ ...base, fullDueAt: null, diffDueAt: null, ...over }, T(now));
    expect({ full: iso(d.full?.at ?? null), diff: iso(d.diff?.at ?? null) }).toEqual({ full, diff });
  });
});

describe('matchGlob: what a glob covers among the databases the cluster reports', () => {
  const names = ['system', 'neo4j', 'news', 'orders', 'n.x'];
  const cases: Array<[string, string[]]> = [
    ['*', ['n.x', 'neo4j', 'news', 'orders']],
    ['n*', ['n.x', 'neo4j', 'news']],
    ['ne?4j', ['neo4j']],
    ['neo4j', ['neo4j']],
    ['NEO4J', ['neo4j']],
    ['n.*', ['n.x']], // a dot is a dot
    ['system', ['system']],
    ['s*', []], // system only by name
    ['gone', []], // a name the cluster does not report
  ];
  it.each(cases)('%s -> %j', (glob, want) => expect(matchGlob(glob, names)).toEqual(want));
});

describe('the queue: one waiting run per database and folder, a full wins', () => {
  const run = (over: Partial<QueuedRun>): QueuedRun => ({ clusterId: 1, database: 'neo4j', scheduleId: 1, folderId: 1, type: 'diff', dueAt: 100, catchUp: false, ...over });
  const cases: Array<[string, QueuedRun[], Array<Pick<QueuedRun, 'database' | 'type' | 'dueAt'>>]> = [
    ['a second due diff merges into the waiting one', [run({ dueAt: 100 }), run({ dueAt: 200 })], [{ database: 'neo4j', type: 'diff', dueAt: 200 }]],
    ['a full replaces a waiting diff', [run({ dueAt: 100 }), run({ type: 'full', dueAt: 150 })], [{ database: 'neo4j', type: 'full', dueAt: 150 }]],
    ['a diff never replaces a waiting full', [run({ type: 'full', dueAt: 100 }), run({ dueAt: 200 })], [{ database: 'neo4j', type: 'full', dueAt: 100 }]],
    ['other databases wait apart', [run({}), run({ database: 'orders' })], [{ database: 'neo4j', type: 'diff', dueAt: 100 }, { database: 'orders', type: 'diff', dueAt: 100 }]],
    ['the same name on another cluster too', [run({}), run({ clusterId: 2 })], [{ database: 'neo4j', type: 'diff', dueAt: 100 }, { database: 'neo4j', type: 'diff', dueAt: 100 }]],
    // a second schedule of the database into another folder (off-site, say) on the same cron
    ['its runs into another folder too', [run({ type: 'full' }), run({ folderId: 2, scheduleId: 2 }), run({ folderId: 2, scheduleId: 2, type: 'full' })], [{ database: 'neo4j', type: 'full', dueAt: 100 }, { database: 'neo4j', type: 'full', dueAt: 100 }]],
  ];
  it.each(cases)('%s', (_what, runs, want) => {
    const q = new Map<string, QueuedRun>();
    for (const r of runs) enqueue(q, r);
    expect([...q.values()].map(({ database, type, dueAt }) => ({ database, type, dueAt }))).toEqual(want);
  });

  it('a full and a diff due at once queue the full; a run due before the scheduler started is a catch-up', () => {
    const q = new Map<string, QueuedRun>();
    for (const r of runsFor({ id: 7, clusterId: 1, folderId: 3 }, { full: { at: 1000, first: 1000 }, diff: { at: 1000, first: 1000 } }, ['neo4j', 'news'], 5000)) enqueue(q, r);
    expect([...q.values()]).toEqual([
      { clusterId: 1, database: 'neo4j', scheduleId: 7, folderId: 3, type: 'full', dueAt: 1000, catchUp: true },
      { clusterId: 1, database: 'news', scheduleId: 7, folderId: 3, type: 'full', dueAt: 1000, catchUp: true },
    ]);
    expect(runsFor({ id: 7, clusterId: 1, folderId: 3 }, { full: null, diff: { at: 6000, first: 6000 } }, ['neo4j'], 5000)[0].catchUp).toBe(false);
    // the newest occurrence came after the start, but the run also makes up ones missed before it
    expect(runsFor({ id: 7, clusterId: 1, folderId: 3 }, { full: null, diff: { at: 6000, first: 3000 } }, ['neo4j'], 5000)[0]).toMatchObject({ dueAt: 6000, catchUp: true });
  });
});

describe('refusals name the field', () => {
  const cases: Array<[string, Parameters<typeof checkScheduleFields>[0], string]> = [
    ['a cron with an hour of 25', { databaseGlob: 'neo4j', fullCron: '0 25 * * *' }, 'full'],
    ['a diff cron of four fields', { databaseGlob: 'neo4j', diffCron: '* * * *' }, 'diff'],
    ['a seven-field cron', { databaseGlob: 'neo4j', diffCron: '0 0 0 1 1 * 2030' }, 'diff'],
    ['a nickname', { databaseGlob: 'neo4j', fullCron: '@daily' }, 'full'],
    ['an unknown zone', { databaseGlob: 'neo4j', fullCron: '0 2 * * *', timeZone: 'Mars/Olympus' }, 'tz'],
    ['no cron at all', { databaseGlob: 'neo4j', fullCron: ' ', diffCron: null }, 'full'],
    ['a glob with a slash', { databaseGlob: '../x', fullCron: '0 2 * * *' }, 'database'],
    ['a cron that never fires (30 February)', { databaseGlob: 'neo4j', diffCron: '0 0 30 2 *' }, 'diff'],
  ];
  it.each(cases)('%s', (_what, input, field) => {
    let err: unknown;
    try {
      checkScheduleFields(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TxlineError);
    expect((err as TxlineError).code).toBe('INVALID_ARGUMENT');
    expect((err as TxlineError).details).toEqual({ field });
    expect((err as TxlineError).message.startsWith(`${field}: `)).toBe(true);
  });

  it('normalises what it accepts', () => {
    expect(checkScheduleFields({ databaseGlob: ' N* ', fullCron: ' 0  2 * * * ', timeZone: '' })).toEqual({ databaseGlob: 'n*', fullCron: '0 2 * * *', diffCron: null, timeZone: 'UTC' });
  });
});
