/**
 * How far a job has got, as every page shows it: one fraction per progress line, read from lines as the
 * engine prints them (lib/engine backup.ts, replay.ts, restore.ts, aggregate.ts, check.ts and the embedded
 * source's install), so the same job shows the same percentage on the jobs list, its page, a database's recent
 * jobs and the restore wizard.
 */
import { describe, expect, it } from 'vitest';
import { jobDuration, phaseLabel, progressDetail, progressFraction, type ProgressLine } from '@/components/jobs/job-progress';

const MiB = 1024 * 1024;

// [what, line, fraction]
const LINES: Array<[string, ProgressLine | null, number | null]> = [
  ['no progress yet', null, null],
  ['a phase that counts nothing', { phase: 'starting' }, null],
  // backup, full: bytes of the store copied
  ['full backup, store copy starts', { phase: 'store', bytesDone: 0, bytesTotal: 40 * MiB, txDone: 0, txTotal: 500 }, 0],
  ['full backup, store copy a quarter in', { phase: 'store', bytesDone: 10 * MiB, bytesTotal: 40 * MiB, txDone: 0, txTotal: 500 }, 0.25],
  ['full backup, finalize', { phase: 'finalize', bytesDone: 40 * MiB, bytesTotal: 40 * MiB, txDone: 500, txTotal: 500 }, 1],
  // backup, differential: no byte total until every transaction is in
  ['differential, transactions (no byte total)', { phase: 'transactions', txDone: 120, txTotal: 400, bytesDone: 3 * MiB, bytesTotal: null }, 0.3],
  ['differential with nothing to fetch', { phase: 'transactions', txDone: 0, txTotal: 0, bytesDone: 0, bytesTotal: null }, null],
  // restore: one byte counter across reading the full and replaying the differentials (of the whole chain)
  ['restore, reading the full', { phase: 'restore:store', bytesDone: 30 * MiB, bytesTotal: 40 * MiB, txDone: 0, txTotal: 400 }, 0.75],
  ['restore, replay: bytes, not transactions', { phase: 'restore:replay', bytesDone: 36 * MiB, bytesTotal: 40 * MiB, txDone: 100, txTotal: 400 }, 0.9],
  ['restore, replay past the restore point: still reading', { phase: 'restore:replay', bytesDone: 38 * MiB, bytesTotal: 40 * MiB, txDone: 400, txTotal: 400 }, 0.95],
  ['install, stopping (nothing sent yet)', { phase: 'install:stop', message: 'stopping neo4j on 3 member(s)', bytesDone: 0, bytesTotal: 20 * MiB, txDone: 400, txTotal: 400 }, 0],
  ['install, the store sent half', { phase: 'install:install', bytesDone: 10 * MiB, bytesTotal: 20 * MiB, txDone: 400, txTotal: 400 }, 0.5],
  [
    'install, catch-up: members, though every byte was sent',
    { phase: 'install:catch-up', message: '1 of 3 members on the restored store', membersReady: 1, membersTotal: 3, bytesDone: 20 * MiB, bytesTotal: 20 * MiB, txDone: 400, txTotal: 400 },
    1 / 3,
  ],
  ['catch-up starting, no member ready', { phase: 'install:catch-up', membersReady: 0, membersTotal: 2, bytesDone: 20 * MiB, bytesTotal: 20 * MiB }, 0],
  // aggregate
  ['aggregate, replay', { phase: 'aggregate:replay', bytesDone: 5 * MiB, bytesTotal: 20 * MiB, txDone: 10, txTotal: 20 }, 0.25],
  ['aggregate, writing', { phase: 'aggregate:write', bytesDone: 15 * MiB, bytesTotal: 20 * MiB, txDone: 20, txTotal: 20 }, 0.75],
  // verify
  ['verify, check', { phase: 'check', bytesDone: 1 * MiB, bytesTotal: 4 * MiB, txDone: 10, txTotal: 100 }, 0.25],
  // done, whatever the counters say (an aggregation with nothing to fold reports 0 of 0)
  ['done', { phase: 'done', bytesDone: 0, bytesTotal: 0, txDone: 0, txTotal: 0 }, 1],
  // counters the engine did not fill, or filled oddly
  ['null counters (the CLI error line)', { phase: 'error', bytesDone: null, bytesTotal: null, txDone: null, txTotal: null }, null],
  ['done beyond the total is clamped', { phase: 'store', bytesDone: 50, bytesTotal: 40 }, 1],
  ['a negative count is clamped', { phase: 'store', bytesDone: -5, bytesTotal: 40 }, 0],
  ['no done count yet is none done', { phase: 'store', bytesTotal: 40 }, 0],
];

describe('progressFraction', () => {
  it.each(LINES)('%s', (_what, line, fraction) => {
    const f = progressFraction(line);
    if (fraction === null) expect(f).toBeNull();
    else expect(f).toBeCloseTo(fraction, 10);
  });

  it('rises through a restore from reading the full to the end of the replay (never jumps back)', () => {
    const total = 40 * MiB;
    const rebuild: ProgressLine[] = [
      { phase: 'restore:store', bytesDone: 0, bytesTotal: total, txDone: 0, txTotal: 400 },
      { phase: 'restore:store', bytesDone: 32 * MiB, bytesTotal: total, txDone: 0, txTotal: 400 },
      { phase: 'restore:replay', bytesDone: 33 * MiB, bytesTotal: total, txDone: 20, txTotal: 400 },
      { phase: 'restore:replay', bytesDone: 39 * MiB, bytesTotal: total, txDone: 390, txTotal: 400 },
      { phase: 'restore:replay', bytesDone: total, bytesTotal: total, txDone: 400, txTotal: 400 },
    ];
    const fractions = rebuild.map((l) => progressFraction(l) ?? -1);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  });
});

describe('progressDetail', () => {
  it.each<[string, ProgressLine, string | null]>([
    ['the engine’s message first', { phase: 'install:catch-up', message: '2 of 3 members on the restored store', membersReady: 2, membersTotal: 3 }, '2 of 3 members on the restored store'],
    ['bytes of a total', { phase: 'store', bytesDone: 10 * MiB, bytesTotal: 40 * MiB, txDone: 0, txTotal: 500 }, '10 MiB of 40 MiB'],
    ['bytes and transactions while replaying', { phase: 'restore:replay', bytesDone: 36 * MiB, bytesTotal: 40 * MiB, txDone: 1200, txTotal: 4000 }, '36 MiB of 40 MiB · 1,200 of 4,000 transactions'],
    ['transactions of a total and bytes so far', { phase: 'transactions', txDone: 120, txTotal: 400, bytesDone: 3 * MiB, bytesTotal: null }, '3.0 MiB · 120 of 400 transactions'],
    ['transactions without a total', { phase: 'transactions', txDone: 7 }, '7 transactions'],
    ['members without a message', { phase: 'install:catch-up', membersReady: 1, membersTotal: 2 }, '1 of 2 members ready'],
    ['nothing to say', { phase: 'install:stop' }, null],
    ['null counters', { phase: 'error', bytesDone: null, bytesTotal: null, txDone: null, txTotal: null }, null],
  ])('%s', (_what, line, text) => expect(progressDetail(line)).toBe(text));
});

describe('phaseLabel', () => {
  it.each([
    ['restore:replay', 'Replaying transactions'],
    ['install:catch-up', 'Bringing the other members up to date'],
    ['store', 'Copying the store'],
    ['transactions', 'Copying transactions'],
    ['aggregate:write', 'Writing the aggregated backup'],
    ['backup:stream', 'Backup stream'],
  ])('%s reads "%s"', (phase, label) => expect(phaseLabel(phase)).toBe(label));
});

describe('jobDuration', () => {
  it('runs from the start to the end, or to now while running; from creation when it never started', () => {
    expect(jobDuration({ createdAt: 0, startedAt: 1_000, endedAt: 61_000 }, 999_999)).toBe(60_000);
    expect(jobDuration({ createdAt: 0, startedAt: 1_000, endedAt: null }, 31_000)).toBe(30_000);
    expect(jobDuration({ createdAt: 5_000, startedAt: null, endedAt: 6_000 }, 999_999)).toBe(1_000);
  });
});
