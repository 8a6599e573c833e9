/** The charts' time axis and number formatting, as tables. */
import { describe, expect, it } from 'vitest';
import { behind, formatCompact, formatRate, formatTimeTick, niceCeil, pointsDomain, timeDomain, timeTicks } from '@/components/charts/chart-utils';
import { databaseNames, pickDatabase, selectionFromParams } from '@/components/cluster/cluster-selection';
import type { ClusterReport } from '@/lib/monitor/cluster-report';

const T = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('time axis', () => {
  it.each([
    // window, first sample, last sample, expected domain
    ['5m', T - 10_000, T, [T - 60_000, T]], // ten seconds of samples: at least a minute is shown
    ['5m', T - 120_000, T, [T - 120_000, T]], // two minutes: exactly those
    ['5m', T - 3_600_000, T, [T - 300_000, T]], // more than the window: the window
    ['1h', T - 7_200_000, T, [T - 3_600_000, T]],
    ['24h', T - 60_000, T, [T - 60_000, T]],
  ] as const)('%s from %d to %d', (window, first, last, expected) => {
    expect(timeDomain(window, first, last)).toEqual(expected);
  });

  it('gives an empty series a harmless domain', () => {
    expect(pointsDomain([], '5m')).toEqual([0, 1]);
  });

  it.each([
    // span, step, intervals (at most six)
    [60_000, 10_000, 6], // a minute: every 10 s
    [300_000, 60_000, 5], // five minutes: every minute
    [3_600_000, 10 * 60_000, 6], // an hour: every 10 min
    [86_400_000, 4 * 3_600_000, 6], // a day: every 4 h
    [7 * 60_000, 2 * 60_000, 3], // seven minutes: every 2 min (T is on the hour, so 4 ticks)
  ])('a span of %d ms has ticks every %d ms', (span, step, count) => {
    const { ticks, stepMs } = timeTicks([T - span, T]);
    expect(stepMs).toBe(step);
    expect(ticks).toHaveLength(count + 1);
    expect(ticks.every((t) => t % step === 0)).toBe(true); // aligned to UTC
  });

  it('labels ticks in UTC, with seconds when they are closer than a minute', () => {
    expect(formatTimeTick(Date.UTC(2026, 0, 2, 3, 4, 5), 60_000)).toBe('03:04');
    expect(formatTimeTick(Date.UTC(2026, 0, 2, 3, 4, 5), 15_000)).toBe('03:04:05');
  });
});

describe('numbers', () => {
  it.each([
    [0, 4, 4],
    [3, 4, 4],
    [7, 4, 10],
    [11, 4, 20],
    [230, 4, 250],
    [4100, 1, 5000],
    [0.4, 1, 1],
  ])('niceCeil(%d, min %d) = %d', (max, min, top) => expect(niceCeil(max, min)).toBe(top));

  it('turns Neo4j replication lag into transactions behind', () => {
    expect([0, -1, -1234].map(behind)).toEqual([0, 1, 1234]);
    expect(Object.is(behind(0), 0)).toBe(true);
  });

  it('formats rates and large counts', () => {
    expect([0, 0.4, 5, 12.6, 1234].map(formatRate)).toEqual(['0', '0.4', '5', '13', '1,234']);
    expect([950, 9999, 12_345, 3_400_000].map(formatCompact)).toEqual(['950', '9,999', '12.3k', '3.4M']);
  });
});

describe('cluster page selection', () => {
  const report = (dbs: string[]): ClusterReport => ({
    source: { kind: 'addresses', addresses: [] },
    checkedAt: new Date(T).toISOString(),
    problem: null,
    members: [
      {
        id: 'member-1',
        address: '127.0.0.1:1',
        mode: 'primary',
        reachable: true,
        processState: null,
        error: null,
        latencyMs: 1,
        replication: null,
        databases: dbs.map((name) => ({ name, databaseId: null, storeId: null, role: 'writer', status: 'online', lastCommittedTxn: 1, lowestAvailableTxn: 1, replicationLag: 0, lastCommitTime: null })),
      },
    ],
  });

  it('lists user databases first and system last, keeping a chosen one that is gone', () => {
    expect(databaseNames(report(['system', 'orders', 'neo4j']))).toEqual(['neo4j', 'orders', 'system']);
    expect(databaseNames(report(['system', 'neo4j']), 'dropped')).toEqual(['dropped', 'neo4j', 'system']);
  });

  it('defaults to neo4j, else the first database', () => {
    expect(pickDatabase(['neo4j', 'orders'], 'orders')).toBe('orders');
    expect(pickDatabase(['neo4j', 'orders'], 'missing')).toBe('neo4j');
    expect(pickDatabase(['orders', 'system'])).toBe('orders');
  });

  it('reads the address bar defensively', () => {
    const clusters = [
      { id: 1, report: report(['neo4j', 'system']) },
      { id: 2, report: report(['orders']) },
    ];
    expect(selectionFromParams({}, clusters)).toEqual({ clusterId: 1, database: 'neo4j', window: '5m' });
    expect(selectionFromParams({ cluster: '2', window: '24h' }, clusters)).toEqual({ clusterId: 2, database: 'orders', window: '24h' });
    expect(selectionFromParams({ cluster: '9', database: 'Bad Name!', window: '7d' }, clusters)).toEqual({ clusterId: 1, database: 'neo4j', window: '5m' });
    expect(selectionFromParams({}, [])).toBeNull();
  });
});
