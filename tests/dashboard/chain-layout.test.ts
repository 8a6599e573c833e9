/**
 * The chain timeline's layout on DESIGN.md's worked example (as catalog rows, through buildTimeline): lanes
 * read as a tree with and without --prefer-diff-as-parent, generations stack apart, gaps and time ranges.
 */
import { describe, expect, it } from 'vitest';
import { assignLanes, barInset, barLabel, chainOf, dependentsOf, LABEL_CHAR_W, layoutTimeline, neighbour, nowOnAxis, numberTicks } from '../../components/chains/chain-layout';
import type { ArtifactRow } from '../../lib/db/schema';
import { buildTimeline } from '../../lib/dashboard/timeline';

const T0 = Date.parse('2026-01-05T10:30:00Z');
const HOUR = 3_600_000;

let nextId = 1;
function row(file: string, o: { at: number; full: boolean; lowest: number; highest: number; tip: number; parent?: string; store?: string }): ArtifactRow {
  return {
    id: nextId++,
    folderId: 1,
    file,
    database: 'neo4j',
    databaseId: 'db-1',
    storeId: o.store ?? 'store-a',
    time: T0 + o.at * HOUR,
    full: o.full,
    compressed: true,
    lowestTx: o.lowest,
    highestTx: o.highest,
    tipTx: o.tip,
    txCount: o.highest === 0 ? 0 : o.highest - o.lowest + 1,
    parent: o.parent ?? null,
    parentLastTxChecksum: o.parent ? 1 : null,
    lastTxChecksum: 1,
    firstCommitTime: o.full || o.highest === 0 ? null : T0 + o.at * HOUR - HOUR / 2,
    lastCommitTime: o.highest === 0 ? null : T0 + o.at * HOUR - 60_000,
    recovered: o.full,
    memberId: 'member-3',
    memberAddress: '127.0.0.1:6382',
    sizeBytes: 1000,
    rawBytes: 2000,
    sha256: 'x'.repeat(64),
    nodes: null,
    relationships: null,
    fileSize: 1000,
    fileMtimeMs: 0,
    indexedAt: 0,
    verifyStatus: null,
    verifyMessage: null,
    verifiedAt: null,
  };
}

/** DESIGN.md's table: backup6's parent is backup3 with --prefer-diff-as-parent, else backup5. */
function example(preferDiff: boolean): ArtifactRow[] {
  nextId = 1;
  return [
    row('backup1', { at: 0, full: true, lowest: 1, highest: 10, tip: 10 }),
    row('backup2', { at: 1, full: false, lowest: 11, highest: 20, tip: 20, parent: 'backup1' }),
    row('backup3', { at: 2, full: false, lowest: 21, highest: 30, tip: 30, parent: 'backup2' }),
    row('backup4', { at: 3, full: false, lowest: 0, highest: 0, tip: 30, parent: 'backup3' }),
    row('backup5', { at: 4, full: true, lowest: 1, highest: 40, tip: 40 }),
    preferDiff
      ? row('backup6', { at: 5, full: false, lowest: 31, highest: 50, tip: 50, parent: 'backup3' })
      : row('backup6', { at: 5, full: false, lowest: 41, highest: 50, tip: 50, parent: 'backup5' }),
  ];
}

function lanes(rows: ArtifactRow[]): Record<string, number> {
  const l = layoutTimeline(buildTimeline('neo4j', rows));
  return Object.fromEntries(l.items.map((p) => [p.a.file, p.lane]));
}

describe('chain layout', () => {
  it.each([
    // default: backup6 continues the new full's lane
    [false, { backup1: 0, backup2: 0, backup3: 0, backup4: 0, backup5: 1, backup6: 1 }],
    // prefer-diff: backup6 continues backup3's chain (the empty backup4 is a point on it); backup5 stands alone
    [true, { backup1: 0, backup2: 0, backup3: 0, backup4: 0, backup6: 0, backup5: 1 }],
  ])('lanes follow the chains (prefer diff as parent: %s)', (preferDiff, expected) => {
    expect(lanes(example(preferDiff))).toEqual(expected);
  });

  it('gives a second child of the same parent a lane of its own, right under its parent’s, with a link', () => {
    const rows = [...example(true), row('backup7', { at: 6, full: false, lowest: 31, highest: 35, tip: 35, parent: 'backup3' })];
    expect(lanes(rows)).toEqual({ backup1: 0, backup2: 0, backup3: 0, backup4: 0, backup6: 0, backup7: 1, backup5: 2 });
    const l = layoutTimeline(buildTimeline('neo4j', rows));
    const by = Object.fromEntries(l.items.map((p) => [p.a.file, p]));
    expect(by.backup7.parentLane).toBe(0);
    expect(by.backup6.parentLane).toBeNull();
    expect(by.backup7.range.tx[0]).toBe(by.backup3.range.tx[1]);
  });

  it('puts contiguous bars end to end on both axes', () => {
    const l = layoutTimeline(buildTimeline('neo4j', example(true)));
    const by = Object.fromEntries(l.items.map((p) => [p.a.file, p]));
    expect(by.backup1.range.tx).toEqual([0.5, 10.5]);
    expect(by.backup2.range.tx).toEqual([10.5, 20.5]);
    expect(by.backup6.range.tx[0]).toBe(by.backup3.range.tx[1]);
    // the empty differential is a point at its parent's tip
    expect(by.backup4.range.tx).toEqual([30.5, 30.5]);
    // on the time axis a differential starts where its parent ended; a full starts before everything
    expect(by.backup6.range.time).toEqual([by.backup3.a.time, by.backup6.a.time]);
    expect(by.backup5.range.time[0]).toBeLessThan(by.backup1.a.time);
    expect(l.bands[0].tx.domain).toEqual([0.5, 50.5]);
    // the shown artifacts start near transaction 1: the default view is everything
    expect(l.bands[0].tx.focus).toEqual([0.5, 50.5]);
  });

  it('stacks store-ID generations apart, lanes numbered across bands', () => {
    const rows = [
      ...example(false),
      row('after-restore-full', { at: 7, full: true, lowest: 1, highest: 25, tip: 25, store: 'store-b' }),
      row('after-restore-diff', { at: 8, full: false, lowest: 26, highest: 35, tip: 35, parent: 'after-restore-full', store: 'store-b' }),
    ];
    const l = layoutTimeline(buildTimeline('neo4j', rows));
    expect(l.bands.map((b) => [b.generation.storeId, b.firstLane, b.lanes])).toEqual([
      ['store-a', 0, 2],
      ['store-b', 2, 1],
    ]);
    expect(l.byId.get(rows[7].id)?.lane).toBe(2);
    // each generation has its own transaction axis; time is shared
    expect(l.bands.map((b) => b.tx.domain)).toEqual([
      [0.5, 50.5],
      [0.5, 35.5],
    ]);
    expect(l.time[0]).toBeLessThan(rows[0].time);
    expect(l.time[1]).toBeGreaterThan(rows[7].time);
    // on the time axis a full starts with its own generation, not with the first one
    const restoredFull = l.byId.get(rows[6].id);
    expect(restoredFull?.range.time[0]).toBeGreaterThan(rows[5].time);
    expect(restoredFull?.range.time[0]).toBeLessThan(rows[6].time);
  });

  it('shows a deleted differential as a gap on both axes, and what a delete would remove', () => {
    // without backup2 (and the later full that would cover its range), 11..20 is in no backup
    const rows = example(false).filter((r) => !['backup2', 'backup5', 'backup6'].includes(r.file));
    const l = layoutTimeline(buildTimeline('neo4j', rows));
    expect(l.bands[0].gaps.map((g) => [g.fromTx, g.toTx, g.range.tx])).toEqual([[11, 20, [10.5, 20.5]]]);
    // from the end of backup1 (the last backup before the gap) to where backup3 starts
    const b1 = rows.find((r) => r.file === 'backup1') as ArtifactRow;
    expect(l.bands[0].gaps[0].range.time?.[0]).toBe(b1.time);
    const all = example(true);
    const tl = buildTimeline('neo4j', all);
    const id = (f: string) => (all.find((r) => r.file === f) as ArtifactRow).id;
    expect(dependentsOf(tl.generations[0].artifacts, id('backup2')).map((a) => a.file)).toEqual(['backup6', 'backup4', 'backup3', 'backup2']);
    const lay = layoutTimeline(tl);
    expect(chainOf(lay.byId, id('backup6'))).toMatchObject({ complete: true });
    expect(chainOf(lay.byId, id('backup6')).chain.map((a) => a.file)).toEqual(['backup1', 'backup2', 'backup3', 'backup6']);
  });

  it('gives an orphan (its parent not shown) a lane of its own', () => {
    const tl = buildTimeline('neo4j', example(false), { limit: 3 });
    expect(tl.shown).toBe(3);
    const { laneOf, count } = assignLanes(tl.generations[0].artifacts);
    expect(count).toBe(2);
    // backup4 (empty, its parent backup3 not shown) alone; backup5 and backup6 on the next lane
    expect([...laneOf.values()]).toEqual([0, 1, 1]);
  });

  it('moves the keyboard focus along the backups and across lanes', () => {
    const rows = example(false);
    const l = layoutTimeline(buildTimeline('neo4j', rows));
    const id = (f: string) => (rows.find((r) => r.file === f) as ArtifactRow).id;
    const visible = l.items.map((p) => p.a.id);
    expect(neighbour(l, visible, id('backup2'), 'ArrowRight', 'tx')).toBe(id('backup3'));
    expect(neighbour(l, visible, id('backup1'), 'ArrowLeft', 'tx')).toBeNull();
    expect(neighbour(l, visible, id('backup2'), 'End', 'tx')).toBe(id('backup6'));
    // across lanes: the artifact whose middle is nearest (backup5 is the only one below; the empty backup4 is
    // nearest to backup6 above)
    expect(neighbour(l, visible, id('backup3'), 'ArrowDown', 'tx')).toBe(id('backup5'));
    expect(neighbour(l, visible, id('backup6'), 'ArrowUp', 'tx')).toBe(id('backup4'));
    expect(neighbour(l, visible, id('backup6'), 'ArrowDown', 'tx')).toBeNull();
    expect(neighbour(l, visible, id('backup6'), 'x', 'tx')).toBeUndefined();
  });

  it('opens on the newest artifacts when they are far from transaction 1', () => {
    nextId = 1;
    const rows = [row('big-full', { at: 0, full: true, lowest: 1, highest: 100_000, tip: 100_000 })];
    for (let i = 1; i <= 20; i++) {
      rows.push(row(`d${i}`, { at: i, full: false, lowest: 100_000 + (i - 1) * 50 + 1, highest: 100_000 + i * 50, tip: 100_000 + i * 50, parent: i === 1 ? 'big-full' : `d${i - 1}` }));
    }
    const l = layoutTimeline(buildTimeline('neo4j', rows));
    expect(l.bands[0].tx.domain).toEqual([0.5, 101_000.5]);
    // from just before the full's tip (5% of the shown span): the differentials get the width
    expect(l.bands[0].tx.focus).toEqual([100_000 - 50, 101_000.5]);
  });

  it('picks round ticks', () => {
    expect(numberTicks(1, 100, 5)).toEqual([20, 40, 60, 80, 100]);
    expect(numberTicks(0.5, 10.5, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('bar labels, boundaries and "now"', () => {
  const diff = { full: false, empty: false, fromTx: 121, toTx: 140, tipTx: 140 };
  const full = { full: true, empty: false, fromTx: 1, toTx: 1234, tipTx: 1234 };
  it.each([
    // artifact, width in units (px at least), label
    [diff, 200, 'D 121–140'],
    [diff, 9 * LABEL_CHAR_W + 8, 'D 121–140'],
    [diff, 9 * LABEL_CHAR_W + 7, 'D'],
    [diff, 16, 'D'],
    [diff, 10, null],
    [{ ...diff, fromTx: 7, toTx: 7 }, 100, 'D 7'],
    [full, 200, 'F 1–1,234'],
    [full, 30, 'F'],
    [{ ...full, toTx: 0, tipTx: 0 }, 200, 'F'],
    [{ ...diff, empty: true }, 500, null],
  ] as const)('%o in %d units: %s', (a, width, label) => {
    expect(barLabel(a, width)).toBe(label);
  });

  it('draws touching bars apart, more as they widen, never eating a sliver', () => {
    expect(barInset(2)).toBe(0);
    expect(barInset(8)).toBeGreaterThan(0);
    expect(barInset(40)).toBeGreaterThanOrEqual(1.5);
    for (const w of [6, 8, 13, 40]) expect(w - 2 * barInset(w)).toBeGreaterThan(w / 2);
  });

  it("puts now on the writer's history, with the part not backed up, and the axis reaching it in round steps", () => {
    const l = layoutTimeline(buildTimeline('neo4j', example(false)));
    // the newest generation (one store ID here); the newest backup holds up to transaction 50
    expect(l.bands[0].tx.domain[1]).toBe(50.5);
    expect(nowOnAxis(l, { tx: 50, storeId: 'store-a' })).toEqual({ band: 0, backedUpTx: 50, reach: 50.5 });
    const at = nowOnAxis(l, { tx: 73, storeId: 'store-a' });
    expect(at).toMatchObject({ band: 0, backedUpTx: 50 });
    expect(at?.reach).toBeGreaterThanOrEqual(73.5);
    // the axis does not move with every transaction: the next few land on the same reach
    expect(nowOnAxis(l, { tx: 74, storeId: 'store-a' })?.reach).toBe(at?.reach);
    // unknown store ID: the newest band; another history (restored since its latest backup): nowhere
    expect(nowOnAxis(l, { tx: 60, storeId: null })?.band).toBe(0);
    expect(nowOnAxis(l, { tx: 60, storeId: 'store-z' })).toBeNull();
    expect(nowOnAxis(l, null)).toBeNull();
  });
});
