import { describe, expect, it } from 'vitest';
import { SampleLedger, countSeries } from './soak-lag';

const s = (n: number) => n * 1000;

describe('countSeries', () => {
  it.each([
    { name: 'every second', times: [10, 11, 12, 13, 14, 15], lost: 0, expected: 6 },
    { name: 'a second missing inside', times: [10, 11, 13, 14, 15], lost: 1, expected: 6 },
    { name: 'three seconds missing inside', times: [10, 14, 15], lost: 3, expected: 6 },
    { name: 'the first second missing', times: [11, 12, 13, 14, 15], lost: 1, expected: 6 },
    { name: 'the last two seconds missing', times: [10, 11, 12, 13], lost: 2, expected: 6 },
    { name: 'nothing at all', times: [], lost: 6, expected: 6 },
    { name: 'samples outside the window do not count', times: [8, 9, 10, 11, 12, 13, 14, 15, 16], lost: 0, expected: 6 },
    { name: 'a repeated time counts once', times: [10, 10, 11, 12, 13, 14, 15], lost: 0, expected: 6 },
  ])('$name', ({ times, lost, expected }) => {
    const c = countSeries(times.map(s), { from: s(10), to: s(15), step: 1000 });
    expect(c).toEqual({ expected, recorded: expected - lost, lost });
  });

  it('a 1.5 s cadence stamped on whole seconds (gaps of 1 and 2 s) loses nothing; a 3 s gap loses one', () => {
    expect(countSeries([10, 11, 13, 14, 16].map(s), { from: s(10), to: s(16), step: 1500 }).lost).toBe(0);
    expect(countSeries([10, 11, 14, 16].map(s), { from: s(10), to: s(16), step: 1500 }).lost).toBe(1);
  });
});

describe('SampleLedger', () => {
  it('expects the databases of the start over the whole window, a new database from its first sample, and every member', () => {
    const ledger = new SampleLedger();
    for (let t = 100; t <= 120; t++) ledger.add('member-1', 'neo4j', s(t));
    for (let t = 100; t <= 120; t++) if (t !== 110) ledger.add('member-2', 'neo4j', s(t));
    for (let t = 112; t <= 120; t++) ledger.add('member-1', 'restored', s(t)); // created during the run
    const by = ledger.account({ start: s(100), end: s(120), step: 1000, members: ['member-1', 'member-2', 'member-3'], databases: ['neo4j'] });
    // window 101..119: 19 samples per full series
    expect(by.get('member-1')).toEqual({ expected: 19 + 8, recorded: 19 + 8, lost: 0 });
    expect(by.get('member-2')).toEqual({ expected: 19, recorded: 18, lost: 1 });
    expect(by.get('member-3')).toEqual({ expected: 19, recorded: 0, lost: 19 });
  });

  it('counts the rounds in which nothing at all was sampled', () => {
    const ledger = new SampleLedger();
    for (let t = 100; t <= 120; t++) if (t !== 105 && t !== 106) ledger.add('member-1', 'neo4j', s(t));
    for (let t = 100; t <= 120; t++) if (t !== 106 && t !== 110) ledger.add('member-2', 'neo4j', s(t));
    expect(ledger.roundsMissed({ start: s(100), end: s(120), step: 1000 })).toBe(1);
  });
});
