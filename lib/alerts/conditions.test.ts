/**
 * The conditions on tables of plain facts: what fires, what resolves (a not-firing finding) and what says nothing
 * (no data: an open alert stays as it is); thresholds from the database's row, the `*` row or the defaults; the
 * RPO a schedule implies; lag in seconds from the samples.
 */
import { describe, expect, it } from 'vitest';
import type { AlertRuleRow } from '../db/schema';
import { evaluate, scheduleRpoMs, withLagSeconds, type DatabaseFacts } from './conditions';
import { checkSettings, rulesFor } from './rules';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const H = 3_600_000;

const base = (over: Partial<DatabaseFacts> = {}): DatabaseFacts => ({
  cluster: 'embedded',
  database: 'neo4j',
  lastSuccessAt: NOW - H,
  firstSeenAt: NOW - 48 * H,
  scheduleRpoMs: null,
  failureStreaks: [],
  lag: [],
  lagWindowStart: NOW - 5 * 60_000,
  fallback: null,
  storage: null,
  drills: [],
  ...over,
});

const row = (database: string, condition: AlertRuleRow['condition'], settings: Record<string, number | null>, enabled = true): AlertRuleRow => ({ id: 0, database, condition, enabled, settings, updatedBy: null, updatedAt: 0 });
const fire = (f: DatabaseFacts, rows: AlertRuleRow[] = []) => Object.fromEntries(evaluate(f, rulesFor(rows, f.database), NOW).map((x) => [x.condition, x.firing]));

describe('alert conditions', () => {
  it.each([
    ['backed up an hour ago', base(), [], false],
    ['27 h ago, default RPO 26 h', base({ lastSuccessAt: NOW - 27 * H }), [], true],
    ['27 h ago, RPO 30 h for every database', base({ lastSuccessAt: NOW - 27 * H }), [row('*', 'rpo', { hours: 30 })], false],
    ['27 h ago, 30 h for all but 24 h for neo4j', base({ lastSuccessAt: NOW - 27 * H }), [row('*', 'rpo', { hours: 30 }), row('neo4j', 'rpo', { hours: 24 })], true],
    ['never backed up, seen 48 h ago', base({ lastSuccessAt: null }), [], true],
    ['2 h ago with a schedule implying 30 min', base({ lastSuccessAt: NOW - 2 * H, scheduleRpoMs: 30 * 60_000 }), [], true],
    ['27 h ago but the rule is disabled', base({ lastSuccessAt: NOW - 27 * H }), [row('neo4j', 'rpo', { hours: 1 }, false)], false],
  ] as const)('RPO: %s', (_name, f, rows, firing) => {
    expect(fire(f, [...rows]).rpo).toBe(firing);
  });

  it('failed jobs: fires at the streak the threshold names, resolves with none', () => {
    const streak = [{ kind: 'backup', count: 2, jobId: 7, error: 'no server could be reached' }];
    expect(fire(base({ failureStreaks: streak })).job_failed).toBe(true);
    expect(fire(base({ failureStreaks: streak }), [row('*', 'job_failed', { failures: 3 })]).job_failed).toBe(false);
    expect(fire(base()).job_failed).toBe(false);
  });

  it('lag: fires only when a member stays over for the whole window, and says nothing without samples', () => {
    const samples = (txs: number[], every = 60_000) => txs.map((t, i) => ({ ts: NOW - (txs.length - 1 - i) * every, transactions: t, seconds: 0, online: true }));
    const over = base({ lag: [{ memberId: 'member-3', samples: samples([2000, 2000, 2000, 2000, 2000, 2000]) }] });
    const dip = base({ lag: [{ memberId: 'member-3', samples: samples([2000, 2000, 10, 2000, 2000, 2000]) }] });
    const brief = base({ lag: [{ memberId: 'member-3', samples: samples([2000, 2000]) }] });
    expect(fire(over).lag).toBe(true);
    expect(fire(dip).lag).toBe(false);
    expect(fire(brief).lag).toBe(false); // behind for a minute only, the window is 5
    expect(evaluate(base(), rulesFor([], 'neo4j'), NOW).find((f) => f.condition === 'lag')).toBeUndefined();
  });

  it('lag in seconds: since the writer committed the first transaction the member lacks', () => {
    const rows = [
      { memberId: 'w', ts: 1000, lastCommittedTxn: 10, replicationLag: 0, online: true },
      { memberId: 'm', ts: 1000, lastCommittedTxn: 10, replicationLag: 0, online: true },
      { memberId: 'w', ts: 2000, lastCommittedTxn: 15, replicationLag: 0, online: true },
      { memberId: 'm', ts: 2000, lastCommittedTxn: 10, replicationLag: -5, online: true },
      { memberId: 'w', ts: 9000, lastCommittedTxn: 20, replicationLag: 0, online: true },
      { memberId: 'm', ts: 9000, lastCommittedTxn: 12, replicationLag: -8, online: true },
    ];
    const m = withLagSeconds(rows, 0).find((x) => x.memberId === 'm');
    expect(m?.samples.map((s) => [s.transactions, s.seconds])).toEqual([
      [0, 0],
      [5, 0], // tx 11 was committed at 2000: just now
      [8, 7], // tx 13 was committed at 2000 (the writer was at 15): 7 s ago
    ]);
  });

  it.each([
    ['a member still holds the chain end + 1', { chainEnd: 100, lowestAvailable: [50, 101] }, 0, false],
    ['every member pruned past it', { chainEnd: 100, lowestAvailable: [120, 130] }, 0, true],
    ['within the margin', { chainEnd: 100, lowestAvailable: [95] }, 10, true],
    ['a member cannot say (Neo4j)', { chainEnd: 100, lowestAvailable: [120, null] }, 0, undefined],
  ] as const)('fallback: %s', (_name, fallback, margin, firing) => {
    const f = base({ fallback: { chainEnd: fallback.chainEnd, lowestAvailable: [...fallback.lowestAvailable] } });
    expect(fire(f, [row('*', 'fallback', { margin })]).fallback).toBe(firing);
  });

  it('storage: free space under the threshold, or backups over their size', () => {
    const GiB = 1024 ** 3;
    expect(fire(base({ storage: { bytes: 10, locations: [{ name: 'default', freeBytes: 100 * GiB }] } })).storage).toBe(false);
    expect(fire(base({ storage: { bytes: 10, locations: [{ name: 'default', freeBytes: GiB / 2 }] } })).storage).toBe(true);
    expect(fire(base({ storage: { bytes: 5 * GiB, locations: [{ name: 's3', freeBytes: null }] } }), [row('*', 'storage', { maxBytes: GiB, minFreeBytes: null })]).storage).toBe(true);
  });

  it('drills: failures in a row, newest first; nothing without drills', () => {
    expect(fire(base({ drills: [{ ok: false, at: 2, message: 'restored store differs' }, { ok: true, at: 1, message: null }] })).drill).toBe(true);
    expect(fire(base({ drills: [{ ok: true, at: 2, message: null }, { ok: false, at: 1, message: null }] })).drill).toBe(false);
    expect(fire(base()).drill).toBeUndefined();
  });

  it('derives the RPO from a schedule: a daily full gives 26 h, a diff every 15 min 30 min', () => {
    expect(scheduleRpoMs([{ fullCron: '0 2 * * *', diffCron: null, timeZone: 'UTC', enabled: true }], NOW)).toBe(26 * H);
    expect(scheduleRpoMs([{ fullCron: '0 2 * * *', diffCron: '*/15 * * * *', timeZone: 'UTC', enabled: true }], NOW)).toBe(30 * 60_000);
    expect(scheduleRpoMs([{ fullCron: '0 2 * * *', diffCron: null, timeZone: 'UTC', enabled: false }], NOW)).toBeNull();
  });

  it('derives the RPO from the gaps of the coming week: working-hours diffs leave the weekend to the nightly fulls', () => {
    // NOW is a Sunday; diffs every hour 09:00-17:00 on weekdays and a full at 02:00 every night: the longest gap is
    // the weekend's (Saturday 02:00 to Sunday 02:00), not the weeknight's 17:00 to 02:00
    const workingHours = { fullCron: '0 2 * * *', diffCron: '0 9-17 * * 1-5', timeZone: 'UTC', enabled: true };
    expect(new Date(NOW).getUTCDay()).toBe(0);
    for (const at of [NOW, NOW + 24 * H, NOW + 3 * 24 * H]) expect(scheduleRpoMs([workingHours], at)).toBe(26 * H);
    // fulls only on Sundays, diffs every 10 minutes on weekdays: Friday 17:50 to Sunday 02:00
    const weekly = { fullCron: '0 2 * * 0', diffCron: '*/10 9-17 * * 1-5', timeZone: 'UTC', enabled: true };
    expect(scheduleRpoMs([weekly], NOW + 24 * H)).toBe(32 * H + 10 * 60_000 + 2 * H);
    // diffs every 30 seconds of the working day (1,080 a day, past the walk's 5,000 steps in 8 days were each
    // visited): the weekend is still seen
    const dense = { fullCron: '0 2 * * 0', diffCron: '*/30 * 9-17 * * 1-5', timeZone: 'UTC', enabled: true };
    expect(scheduleRpoMs([dense], NOW + 7 * H)).toBe(32 * H + 30_000 + 2 * H);
    // too dense to look a week ahead (every second): no RPO from it, the default applies
    expect(scheduleRpoMs([{ fullCron: null, diffCron: '* * * * * *', timeZone: 'UTC', enabled: true }], NOW)).toBeNull();
    // a monthly full alone still gives its month-long gaps
    expect(scheduleRpoMs([{ fullCron: '0 3 1 * *', diffCron: null, timeZone: 'UTC', enabled: true }], NOW)).toBeGreaterThanOrEqual(30 * 24 * H);
  });

  it('checks threshold fields, naming the one at fault', () => {
    expect(() => checkSettings('rpo', { hours: '-1' })).toThrow(/^hours: must be above 0/);
    expect(() => checkSettings('lag', { transactions: 'x', seconds: '', minutes: 5 })).toThrow(/^transactions: must be a number/);
    expect(checkSettings('lag', { transactions: '', seconds: '30', minutes: '2' })).toEqual({ transactions: null, seconds: 30, minutes: 2 });
  });
});
