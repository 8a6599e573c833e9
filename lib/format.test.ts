import { describe, expect, it } from 'vitest';
import { formatAge, formatBehind, formatBytes, formatDuration, formatEndsAtRange, formatLag, formatLocal, formatNumber, formatTxRange, formatUntilRange, formatUtc, withNote } from './format';

describe('formatting', () => {
  it.each([
    [0, '0'],
    [7, '7'],
    [1234567, '1,234,567'],
  ])('formatNumber(%d) = %s', (n, text) => expect(formatNumber(n)).toBe(text));

  it.each([
    [0, '0'],
    [-8, '\u22128'],
    [-12345, '\u221212,345'],
  ])('formatLag(%d) = %s', (n, text) => expect(formatLag(n)).toBe(text));

  it('shows times in UTC whatever the zone of the machine', () => {
    expect(formatUtc(Date.UTC(2026, 10, 23, 18, 31, 20, 999))).toBe('2026-11-23 18:31:20 UTC');
    expect(formatUtc('2026-01-02T03:04:05.000+02:00')).toBe('2026-01-02 01:04:05 UTC');
    expect(formatUtc('not a time')).toBe('—');
  });

  it('shows local time with its zone for a tooltip', () => {
    const t = Date.UTC(2026, 10, 23, 18, 31, 20);
    expect(formatLocal(t)).toMatch(/2026/);
    expect(formatLocal(t)).toMatch(/\d{2}:20/);
    expect(formatLocal('not a time')).toBe('');
  });

  const S = 1000;
  const MIN = 60 * S;
  const H = 60 * MIN;
  it.each([
    [0, '0 s'],
    [870, '0.9 s'],
    [2 * S, '2 s'],
    [9_960, '10 s'],
    [45 * S, '45 s'],
    [59_600, '1 min'],
    [75 * S, '1 min 15 s'],
    [3 * MIN, '3 min'],
    [2 * H, '2 h'],
    [2 * H + 5 * MIN, '2 h 5 min'],
    [47 * H + 59 * MIN, '47 h 59 min'],
    [48 * H, '2 days'],
    [76 * H, '3 days 4 h'],
    [-1, '—'],
    [Number.NaN, '—'],
    [Number.POSITIVE_INFINITY, '—'],
  ])('formatDuration(%d) = %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it.each([
    [870, '1 s'],
    [45 * S, '45 s'],
    [75 * S, '1 min'],
    [3 * MIN + 59 * S, '3 min'],
    [2 * H + 5 * MIN + 10 * S, '2 h 5 min'],
    [76 * H, '3 days'],
    [400 * 24 * H, '400 days'],
    [2000 * 24 * H, '2,000 days'],
  ])('formatDuration(%d, coarse) = %s', (ms, text) => expect(formatDuration(ms, { coarse: true })).toBe(text));

  it('says how long ago, "just now" under five seconds', () => {
    const now = Date.UTC(2026, 10, 23, 18, 0, 0);
    expect(formatAge(now, now)).toBe('just now');
    expect(formatAge(now - 4_999, now)).toBe('just now');
    expect(formatAge(now + 60_000, now)).toBe('just now'); // a clock a little ahead
    expect(formatAge(now - 5_000, now)).toBe('5 s ago');
    expect(formatAge(now - 3 * MIN - 20 * S, now)).toBe('3 min ago');
    expect(formatAge(now - 26 * H, now)).toBe('26 h ago');
    expect(formatAge(now - 4 * 24 * H, now)).toBe('4 days ago');
  });

  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1023, '1,023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [12.3 * 1024 * 1024, '12 MiB'],
    [5 * 1024 ** 3, '5.0 GiB'],
    [3 * 1024 ** 5, '3072 TiB'],
  ])('formatBytes(%d) = %s', (n, text) => expect(formatBytes(n)).toBe(text));

  it.each([
    [7, 7, '7'],
    [1, 10, '1 – 10'],
    [1234, 5678, '1,234 – 5,678'],
    [0, 0, '0'],
  ])('formatTxRange(%d, %d) = %s', (from, to, text) => expect(formatTxRange(from, to)).toBe(text));

  it.each([
    [0, undefined, '0 behind'],
    [-7, null, '7 behind'],
    [-7, 1200, '7 behind · 1.2 s'],
    [-1234, 75_000, '1,234 behind · 1 min 15 s'],
    [0, 5000, '0 behind'],
  ])('formatBehind(%d, %s) = %s', (lag, ms, text) => expect(formatBehind(lag, ms)).toBe(text));

  it('says ranges as where the database ends, and as restore-until values', () => {
    expect(formatEndsAtRange(37, 159)).toBe('ends at transaction 37 – 159');
    expect(formatEndsAtRange(40, 40)).toBe('ends at transaction 40');
    expect(formatUntilRange(37, 159)).toBe('restore until 38 – 160');
    expect(formatUntilRange(1233, 5677)).toBe('restore until 1,234 – 5,678');
  });

  it.each([
    ['admin', 'admin', 'admin'],
    ['default', 'Default', 'default'],
    ['otto', 'operator', 'otto (operator)'],
    ['local', null, 'local'],
  ])('withNote(%s, %s) = %s', (name, note, text) => expect(withNote(name, note)).toBe(text));
});
