/** The charts' time axis and number formatting, as tables. */
import { describe, expect, it } from 'vitest';
import { behind, formatCompact, formatRate, formatTimeTick, niceCeil, niceTicks, pointsDomain, timeTicks, windowDomain } from '@/components/charts/chart-utils';
import { databaseNames, pickDatabase, selectionFromParams } from '@/components/cluster/cluster-selection';
import type { ClusterReport } from '@/lib/monitor/cluster-report';
import { snapshotReporting } from '../helpers/snapshots';

const T = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('time axis', () => {
  it.each([
    // window, the answer's time, expected domain: always the whole window, however few samples there are
    ['5m', T, [T - 300_000, T]],
    ['1h', T, [T - 3_600_000, T]],
    ['24h', T, [T - 86_400_000, T]],
  ] as const)('%s ending at %d', (window, now, expected) => {
    expect(windowDomain(window, now)).toEqual(expected);
  });

  it('spans the whole window from the answer\'s time, not just the samples collected', () => {
    // two minutes of samples in the "1 hour" window: the axis still spans the hour
    const points = [{ ts: T - 120_000 }, { ts: T - 1000 }];
    expect(pointsDomain(points, '1h', T)).toEqual([T - 3_600_000, T]);
    expect(pointsDomain(points, '24h', T)).toEqual([T - 86_400_000, T]);
    // an answer without its time: the window ends at the newest point
    expect(pointsDomain(points, '1h')).toEqual([T - 1000 - 3_600_000, T - 1000]);
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

  it.each([
    // max, options, ticks: evenly spaced from 0, the top a multiple of the step
    [10, { min: 4, integer: true }, [0, 2, 4, 6, 8, 10]],
    [7, { min: 4, integer: true }, [0, 2, 4, 6, 8]],
    [0, { min: 4, integer: true }, [0, 1, 2, 3, 4]],
    [3, { min: 4, integer: true }, [0, 1, 2, 3, 4]],
    [230, { min: 4, integer: true }, [0, 50, 100, 150, 200, 250]],
    [12, { min: 4, integer: true }, [0, 5, 10, 15]],
    [0.4, { min: 1 }, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [11.5, { min: 1 }, [0, 2.5, 5, 7.5, 10, 12.5]],
    [4100, { min: 1 }, [0, 1000, 2000, 3000, 4000, 5000]],
  ] as const)('niceTicks(%d, %o) = %o', (max, opts, ticks) => {
    const t = niceTicks(max, opts);
    expect(t).toEqual(ticks);
    const steps = t.slice(1).map((v, i) => Number((v - t[i]).toPrecision(12)));
    expect(new Set(steps).size).toBe(1); // even
    expect(t[t.length - 1]).toBeGreaterThanOrEqual(max);
  });

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
  // only the names matter here
  const report = (dbs: string[]): ClusterReport => snapshotReporting(1, 'c', dbs).report;

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
