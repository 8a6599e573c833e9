import { describe, expect, it } from 'vitest';
import { formatLag, formatLocal, formatNumber, formatUtc } from './format';

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
});
