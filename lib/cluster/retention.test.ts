/**
 * Retention policies and sizes in Neo4j's notation: what is accepted, what it means, and clear refusals.
 */
import { describe, expect, it } from 'vitest';
import { isTxlineError } from '../errors';
import { formatRetention, parseRetention, parseSize, type RetentionPolicy } from './retention';

const H = 3_600_000;

describe('parseSize', () => {
  it.each<[string, number]>([
    ['1', 1],
    ['4096', 4096],
    ['512K', 512 * 1024],
    ['4k', 4096],
    ['1M', 1024 ** 2],
    ['256m', 256 * 1024 ** 2],
    ['2G', 2 * 1024 ** 3],
    [' 1M ', 1024 ** 2],
    ['1 M', 1024 ** 2],
    ['1MB', 1024 ** 2],
    ['1MiB', 1024 ** 2],
  ])('"%s" is %d bytes', (raw, bytes) => {
    expect(parseSize(raw)).toBe(bytes);
  });

  it.each(['', ' ', '0', '0K', '-1', '-1M', '1.5M', '1T', 'M', 'abc', '1 megabyte', '10 files', '0x10'])('refuses "%s"', (raw) => {
    try {
      parseSize(raw);
    } catch (e) {
      expect(isTxlineError(e, 'INVALID_ARGUMENT')).toBe(true);
      expect((e as Error).message).toContain(`"${raw}"`);
      return;
    }
    expect.unreachable(`"${raw}" was accepted`);
  });
});

describe('parseRetention', () => {
  it.each<[string, RetentionPolicy]>([
    ['keep_all', { kind: 'keep_all' }],
    ['KEEP_ALL', { kind: 'keep_all' }],
    ['true', { kind: 'keep_all' }],
    ['3 files', { kind: 'files', count: 3 }],
    ['1 file', { kind: 'files', count: 1 }],
    ['2files', { kind: 'files', count: 2 }],
    ['100M size', { kind: 'size', bytes: 100 * 1024 ** 2 }],
    ['512K size', { kind: 'size', bytes: 512 * 1024 }],
    ['1g size', { kind: 'size', bytes: 1024 ** 3 }],
    ['4096 size', { kind: 'size', bytes: 4096 }],
    ['500k txs', { kind: 'txs', count: 500_000 }],
    ['2M txs', { kind: 'txs', count: 2_000_000 }],
    ['100 txs', { kind: 'txs', count: 100 }],
    ['1 tx', { kind: 'txs', count: 1 }],
    ['12 hours', { kind: 'age', ms: 12 * H }],
    ['1 hour', { kind: 'age', ms: H }],
    ['6h', { kind: 'age', ms: 6 * H }],
    ['2 days', { kind: 'age', ms: 48 * H }],
    ['1 day', { kind: 'age', ms: 24 * H }],
    ['7d', { kind: 'age', ms: 7 * 24 * H }],
    ['  3 files  ', { kind: 'files', count: 3 }],
  ])('"%s"', (raw, policy) => {
    expect(parseRetention(raw)).toEqual(policy);
  });

  it.each([
    '',
    'files',
    '0 files',
    '-1 files',
    '1.5 files',
    '3 fils',
    '0 size',
    '1T size',
    'size',
    '0 txs',
    '0 days',
    '3 weeks',
    '10 minutes',
    '2 days ago',
    'false',
    'keep all',
    '3 files; rm -rf /',
  ])('refuses "%s" with a message that says what is expected', (raw) => {
    try {
      parseRetention(raw);
    } catch (e) {
      expect(isTxlineError(e, 'INVALID_ARGUMENT')).toBe(true);
      expect((e as Error).message).toMatch(/Invalid (retention policy|size)/);
      return;
    }
    expect.unreachable(`"${raw}" was accepted`);
  });

  it('names the accepted forms when it refuses', () => {
    expect(() => parseRetention('3 weeks')).toThrow(/"N files", "N\[K\|M\|G\] size", "N txs", "N hours", "N days" or "keep_all"/);
  });

  it.each(['keep_all', '3 files', '1048576 size', '500 txs', '12 hours', '2 days'])('formatRetention round-trips "%s"', (raw) => {
    const p = parseRetention(raw);
    expect(formatRetention(p)).toBe(raw);
    expect(parseRetention(formatRetention(p))).toEqual(p);
  });
});
