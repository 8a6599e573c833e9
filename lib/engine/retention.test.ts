/**
 * Retention as pure logic over plain metadata, on tables: linear chains, --prefer-diff-as-parent trees,
 * aggregated fulls, chains whose full is corrupt, unreadable or missing, --keep-days across a chain boundary,
 * --keep-weekly over ISO weeks, and the order of the deletions (children before parents, newest first).
 */
import { describe, expect, it } from 'vitest';
import { ChainIndex, type ChainNode } from './chain';
import { isoWeek, planRetention, policyProblem, type RetentionPolicy } from './retention';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T10:30:00.000Z'); // a Sunday

/** A row of a table: a full up to `tip`, or a differential after `parent` up to `tip` (`tip` = parent's: empty). */
type Row = { f: string; day: number; full?: boolean; parent?: string; tip: number };

function build(rows: Row[]): ChainNode[] {
  const by = new Map<string, ChainNode>();
  for (const r of rows) {
    const p = r.parent ? by.get(r.parent) : undefined;
    const empty = !r.full && p !== undefined && r.tip === p.tipTx;
    const time = T0 + r.day * DAY;
    const n: ChainNode = {
      file: r.f,
      database: 'neo4j',
      databaseId: '11111111-1111-4111-8111-111111111111',
      storeId: '22222222-2222-4222-8222-222222222222',
      time: new Date(time).toISOString(),
      full: Boolean(r.full),
      lowestTx: r.full ? 1 : empty ? 0 : (p?.tipTx ?? 0) + 1,
      highestTx: empty ? 0 : r.tip,
      parent: r.full ? null : (r.parent ?? null),
      parentLastTxChecksum: p ? p.lastTxChecksum : null,
      tipTx: r.tip,
      lastTxChecksum: 1000 + r.tip,
      firstCommitTime: empty ? null : time - 60_000,
      lastCommitTime: empty ? (p?.lastCommitTime ?? null) : time - 1000,
    };
    by.set(r.f, n);
  }
  return [...by.values()];
}

/** `n` linear chains, one a day apart from day 0: full `c<i>` and differentials `c<i>d1`, `c<i>d2` hours later. */
function linear(n: number): Row[] {
  const rows: Row[] = [];
  for (let i = 1; i <= n; i++) {
    const base = (i - 1) * 30;
    rows.push({ f: `c${i}`, day: i - 1, full: true, tip: base + 10 });
    rows.push({ f: `c${i}d1`, day: i - 1 + 0.1, parent: `c${i}`, tip: base + 20 });
    rows.push({ f: `c${i}d2`, day: i - 1 + 0.2, parent: `c${i}d1`, tip: base + 30 });
  }
  return rows;
}

const at = (day: number) => T0 + day * DAY;

function plan(rows: Row[], policy: Omit<RetentionPolicy, 'now'> & { now?: number }, extra: { damaged?: Record<string, string>; unreadable?: string[] } = {}) {
  const artifacts = build(rows);
  const p = planRetention(
    { artifacts, damaged: new Map(Object.entries(extra.damaged ?? {})), unreadable: extra.unreadable },
    { now: policy.now ?? at(30), ...policy },
  );
  // whatever the policy: what is kept keeps every ancestor it had (intact stays intact)
  const kept = new Set(p.keep.map((a) => a.file));
  const index = new ChainIndex(artifacts);
  const after = new ChainIndex(p.keep);
  for (const a of p.keep) if (index.status(a).ok) expect(after.status(a).ok, `${a.file} stays intact`).toBe(true);
  expect(new Set([...kept, ...p.delete.map((d) => d.artifact.file)]).size).toBe(artifacts.length);
  return { ...p, kept: [...kept].sort(), deleted: p.delete.map((d) => d.artifact.file), reasons: Object.fromEntries(p.delete.map((d) => [d.artifact.file, d.reason])) };
}

describe('retention: --keep-full', () => {
  const cases: Array<{ name: string; n: number; keep: number; kept: string[]; deleted: string[] }> = [
    { name: 'keeps the 2 newest of 5 linear chains', n: 5, keep: 2, kept: ['c4', 'c4d1', 'c4d2', 'c5', 'c5d1', 'c5d2'], deleted: ['c3d2', 'c3d1', 'c3', 'c2d2', 'c2d1', 'c2', 'c1d2', 'c1d1', 'c1'] },
    { name: 'keeps all when there are fewer chains', n: 2, keep: 3, kept: ['c1', 'c1d1', 'c1d2', 'c2', 'c2d1', 'c2d2'], deleted: [] },
    { name: 'keeps one', n: 3, keep: 1, kept: ['c3', 'c3d1', 'c3d2'], deleted: ['c2d2', 'c2d1', 'c2', 'c1d2', 'c1d1', 'c1'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const p = plan(linear(c.n), { keepFull: c.keep });
      expect(p.kept).toEqual(c.kept);
      expect(p.deleted).toEqual(c.deleted);
    });
  }

  it('says which chain of how many is beyond the limit', () => {
    const p = plan(linear(5), { keepFull: 2 });
    expect(p.reasons.c3d2).toBe('chain 3 of 5 beyond --keep-full=2 (restorable chain 3)');
    expect(p.reasons.c1).toBe('chain 5 of 5 beyond --keep-full=2 (restorable chain 5)');
    expect(p.chains[0].reasons).toEqual(['restorable chain 1 of 5, within --keep-full=2']);
    // what remains restores from the 4th chain's full to the newest state
    expect(p.restorableBefore.map((r) => [r.fromTx, r.toTx])).toEqual([[10, 30], [40, 60], [70, 90], [100, 120], [130, 150]]);
    expect(p.restorableAfter.map((r) => [r.fromTx, r.toTx])).toEqual([[100, 120], [130, 150]]);
  });
});

describe('retention: --prefer-diff-as-parent trees', () => {
  // DESIGN.md's table (a day per row): backup6 hangs off backup3 across the newer full backup5
  const design = (preferDiff: boolean): Row[] => [
    { f: 'backup1', day: 0, full: true, tip: 10 },
    { f: 'backup2', day: 1, parent: 'backup1', tip: 20 },
    { f: 'backup3', day: 2, parent: 'backup2', tip: 30 },
    { f: 'backup4', day: 3, parent: 'backup3', tip: 30 },
    { f: 'backup5', day: 4, full: true, tip: 40 },
    { f: 'backup6', day: 5, parent: preferDiff ? 'backup3' : 'backup5', tip: 50 },
  ];

  it('the growing chain is the newest, though its full is older: --keep-full=1 keeps it and the latest state', () => {
    const p = plan(design(true), { keepFull: 1 });
    expect(p.kept).toEqual(['backup1', 'backup2', 'backup3', 'backup4', 'backup6']);
    expect(p.deleted).toEqual(['backup5']);
    expect(p.reasons.backup5).toBe('chain 2 of 2 beyond --keep-full=1 (restorable chain 2)');
    expect(p.restorableAfter.map((r) => [r.fromTx, r.toTx])).toEqual([[10, 50]]);
  });

  it('without it, the older chain goes, dependents first and newest first', () => {
    const p = plan(design(false), { keepFull: 1 });
    expect(p.kept).toEqual(['backup5', 'backup6']);
    expect(p.deleted).toEqual(['backup4', 'backup3', 'backup2', 'backup1']);
  });

  it('a branch is never separated from its chain: both branches go together, children before parents', () => {
    const rows: Row[] = [
      { f: 'a', day: 0, full: true, tip: 10 },
      { f: 'a1', day: 1, parent: 'a', tip: 20 },
      { f: 'a2', day: 2, parent: 'a1', tip: 30 },
      { f: 'b', day: 3, full: true, tip: 35 },
      { f: 'a3', day: 4, parent: 'a2', tip: 40 }, // --prefer-diff-as-parent after b
      { f: 'b1', day: 5, parent: 'b', tip: 50 },
      { f: 'c', day: 6, full: true, tip: 55 },
      { f: 'c1', day: 7, parent: 'c', tip: 60 },
    ];
    const p = plan(rows, { keepFull: 2 });
    expect(p.kept).toEqual(['b', 'b1', 'c', 'c1']);
    expect(p.deleted).toEqual(['a3', 'a2', 'a1', 'a']);
    const q = plan(rows, { keepFull: 1 });
    // newest first across both chains, each child before its parent
    expect(q.deleted).toEqual(['b1', 'a3', 'b', 'a2', 'a1', 'a']);
  });
});

describe('retention: aggregated fulls', () => {
  it('the aggregate (at the old chain time) is the newer chain; its old chain goes, and so does the one before', () => {
    const rows: Row[] = [
      { f: 'old', day: 0, full: true, tip: 5 },
      { f: 'full1', day: 1, full: true, tip: 10 },
      { f: 'd2', day: 1.1, parent: 'full1', tip: 20 },
      { f: 'd3', day: 1.2, parent: 'd2', tip: 30 },
      // `backup aggregate --keep-old-backup`: a recovered full at d3's state and time
      { f: 'agg', day: 1.2, full: true, tip: 30 },
    ];
    const p = plan(rows, { keepFull: 1 });
    expect(p.kept).toEqual(['agg']);
    expect(p.deleted).toEqual(['d3', 'd2', 'full1', 'old']);
    expect(p.reasons.d3).toBe('chain 2 of 3 beyond --keep-full=1 (restorable chain 2)');
    // a differential after the aggregate hangs off it
    const q = plan([...rows, { f: 'd4', day: 2, parent: 'agg', tip: 40 }], { keepFull: 2 });
    expect(q.kept).toEqual(['agg', 'd2', 'd3', 'd4', 'full1']);
    expect(q.deleted).toEqual(['old']);
  });
});

describe('retention: chains that are not restorable', () => {
  it('a chain whose full is corrupt does not count toward --keep-full; it is kept while newer and said so', () => {
    const p = plan(linear(4), { keepFull: 1 }, { damaged: { c4: 'payload checksum mismatch' } });
    expect(p.kept).toEqual(['c3', 'c3d1', 'c3d2', 'c4', 'c4d1', 'c4d2']);
    expect(p.chains[0].restorable).toBe(false);
    expect(p.chains[0].reasons[0]).toMatch(/^not restorable \(its full backup c4 is corrupt: payload checksum mismatch\); kept while/);
    expect(p.chains[1].reasons).toEqual(['restorable chain 1 of 3, within --keep-full=1']);
    expect(p.reasons.c2d2).toBe('chain 3 of 4 beyond --keep-full=1 (restorable chain 2)');
    expect(p.restorableAfter.map((r) => [r.fromTx, r.toTx])).toEqual([[70, 90]]);
  });

  it('an older chain that is not restorable goes, said why', () => {
    const p = plan(linear(3), { keepFull: 2 }, { damaged: { c1: 'unreadable payload' } });
    expect(p.deleted).toEqual(['c1d2', 'c1d1', 'c1']);
    expect(p.reasons.c1).toBe('chain 3 of 3 is not restorable (its full backup c1 is corrupt: unreadable payload) and older than every chain kept');
  });

  it('differentials whose full cannot be read are a chain without a full', () => {
    const rows = linear(3).filter((r) => r.f !== 'c2');
    const p = plan(rows, { keepFull: 1 }, { unreadable: ['c2'] });
    expect(p.deleted).toEqual(['c2d2', 'c2d1', 'c1d2', 'c1d1', 'c1']);
    expect(p.reasons.c2d1).toBe('chain 2 of 3 is not restorable (its full backup is missing: c2d1 needs c2, which cannot be read) and older than every chain kept');
    const q = plan(rows, { keepFull: 1 });
    expect(q.reasons.c2d1).toContain('needs c2, which is not in the folder');
  });

  it('when no chain is restorable, nothing is deleted', () => {
    const p = plan(linear(2), { keepFull: 1 }, { damaged: { c1: 'x', c2: 'y' } });
    expect(p.deleted).toEqual([]);
    expect(p.restorableAfter).toEqual([]);
  });
});

describe('retention: --keep-days', () => {
  // chain A: day 0 .. 5; chain B: day 7 .. 9; chain O: before both
  const rows: Row[] = [
    { f: 'O', day: -5, full: true, tip: 5 },
    { f: 'A', day: 0, full: true, tip: 10 },
    ...[1, 2, 3, 4, 5].map((d): Row => ({ f: `A${d}`, day: d, parent: d === 1 ? 'A' : `A${d - 1}`, tip: 10 + d * 10 })),
    { f: 'B', day: 7, full: true, tip: 70 },
    { f: 'B8', day: 8, parent: 'B', tip: 80 },
    { f: 'B9', day: 9, parent: 'B8', tip: 90 },
  ];
  const now = at(10);

  const cases: Array<{ days: number; kept: string[]; why?: RegExp }> = [
    // the window (day 8 ..) starts inside B: B alone restores every point of it
    { days: 2, kept: ['B', 'B8', 'B9'] },
    // the window (day 6 ..) starts between A and B: the state at its start is A's last
    { days: 4, kept: ['A', 'A1', 'A2', 'A3', 'A4', 'A5', 'B', 'B8', 'B9'], why: /holds the state at the start of the --keep-days=4 window .*: its backup A5 is the last before it/ },
    // the window (day 3 ..) starts inside A
    { days: 7, kept: ['A', 'A1', 'A2', 'A3', 'A4', 'A5', 'B', 'B8', 'B9'], why: /has backups in the last 7 day\(s\)/ },
    // the window (day -1 ..) starts between O and A
    { days: 11, kept: ['A', 'A1', 'A2', 'A3', 'A4', 'A5', 'B', 'B8', 'B9', 'O'] },
  ];
  for (const c of cases) {
    it(`--keep-days=${c.days}`, () => {
      const p = plan(rows, { keepDays: c.days, now });
      expect(p.kept).toEqual(c.kept);
      if (c.why) expect(p.chains.find((x) => x.root.file === 'A')?.reasons.join('\n')).toMatch(c.why);
      for (const d of p.delete) expect(d.reason).toMatch(new RegExp(`older than --keep-days=${c.days} allows`));
    });
  }

  it('with no backup in the window, the newest chain still stays', () => {
    const p = plan(rows, { keepDays: 1, now: at(40) });
    expect(p.kept).toEqual(['B', 'B8', 'B9']);
    expect(p.chains[0].reasons[0]).toMatch(/holds the state at the start of the --keep-days=1 window/);
  });

  it('combined with --keep-full: the union of both', () => {
    const p = plan(rows, { keepDays: 2, keepFull: 2, now });
    expect(p.kept).toEqual(['A', 'A1', 'A2', 'A3', 'A4', 'A5', 'B', 'B8', 'B9']);
    expect(p.reasons.O).toMatch(/^chain 3 of 3 beyond --keep-full=2 \(restorable chain 3\); its newest backup \(.*\) is older than --keep-days=2 allows/);
  });
});

describe('retention: --keep-weekly', () => {
  // a chain every 3 days from Sunday 2026-11-01, each a full and a differential a few hours later
  const rows: Row[] = [];
  for (let i = 0; i < 10; i++) {
    rows.push({ f: `w${i}`, day: i * 3, full: true, tip: i * 10 + 5 });
    rows.push({ f: `w${i}d`, day: i * 3 + 0.2, parent: `w${i}`, tip: i * 10 + 10 });
  }

  it('keeps the chain with the newest backup of each of the last W ISO weeks', () => {
    // now: day 28 (Sunday 2026-11-29, week 48): weeks 48 (days 22..28: w8, w9 at 24, 27), 47 (15..21: w5 18, w6 21), 46 (8..14: w3 9, w4 12)
    const p = plan(rows, { keepWeekly: 3, now: at(28) });
    expect(p.kept).toEqual(['w4', 'w4d', 'w7', 'w7d', 'w9', 'w9d']);
    expect(p.chains.find((c) => c.root.file === 'w7')?.reasons).toEqual(['holds the newest backup of ISO week 2026-W47 (--keep-weekly=3)']);
    expect(p.reasons.w8).toBe('chain 2 of 10 it holds no week\'s newest backup within --keep-weekly=3');
  });

  it('weeks without backups keep nothing, and the newest chain always stays', () => {
    const p = plan(rows, { keepWeekly: 2, now: at(60) });
    expect(p.kept).toEqual(['w9', 'w9d']);
    expect(p.chains[0].reasons).toEqual(['the newest restorable chain (always kept)']);
  });

  it('ISO weeks in UTC', () => {
    expect(isoWeek(Date.parse('2026-12-06T23:59:59Z'))).toBe('2026-W49');
    expect(isoWeek(Date.parse('2026-12-07T00:00:00Z'))).toBe('2026-W50');
    expect(isoWeek(Date.parse('2021-01-03T12:00:00Z'))).toBe('2020-W53');
    expect(isoWeek(Date.parse('2024-12-30T00:00:00Z'))).toBe('2025-W01');
    expect(isoWeek(Date.parse('2026-01-01T00:00:00Z'))).toBe('2026-W01');
  });
});

describe('retention: order and policy', () => {
  it('deletes children before parents even when backup times disagree (a clock set back)', () => {
    const rows: Row[] = [
      { f: 'x', day: 5, full: true, tip: 10 },
      { f: 'x1', day: 1, parent: 'x', tip: 20 },
      { f: 'x2', day: 6, parent: 'x1', tip: 30 },
      { f: 'x1b', day: 7, parent: 'x1', tip: 25 },
      { f: 'y', day: 10, full: true, tip: 40 },
    ];
    const p = plan(rows, { keepFull: 1 });
    expect(p.deleted).toEqual(['x1b', 'x2', 'x1', 'x']);
  });

  it('a folder of 20,000 artifacts is planned in seconds (the delete order is not quadratic)', () => {
    const rows: Row[] = [];
    for (let c = 0; c < 200; c++) {
      rows.push({ f: `f${c}`, day: c, full: true, tip: c * 1000 + 1 });
      for (let d = 1; d < 100; d++) rows.push({ f: `f${c}d${d}`, day: c + d / 200, parent: d === 1 ? `f${c}` : `f${c}d${d - 1}`, tip: c * 1000 + 1 + d });
    }
    const artifacts = build(rows);
    const t = performance.now();
    const p = planRetention({ artifacts }, { keepFull: 2, keepDays: 30, now: at(200) });
    const took = performance.now() - t;
    // the window starts at day 170, with chain f170's full: chains f170..f199 stay
    expect(p.delete).toHaveLength(20_000 - 30 * 100);
    expect(p.delete[0].artifact.file).toBe('f169d99');
    expect(p.delete.at(-1)?.artifact.file).toBe('f0');
    expect(took, `${took.toFixed(0)} ms`).toBeLessThan(15_000);
  });

  it('huge numbers keep everything and do not fail', () => {
    const p = plan(linear(3), { keepDays: Number.MAX_SAFE_INTEGER, keepWeekly: Number.MAX_SAFE_INTEGER, keepFull: Number.MAX_SAFE_INTEGER });
    expect(p.deleted).toEqual([]);
  });

  it('needs one keep rule, each a positive integer', () => {
    expect(policyProblem({})).toBe('give at least one of --keep-full, --keep-days, --keep-weekly');
    expect(policyProblem({ keepFull: 0 })).toBe('--keep-full must be a positive integer, got 0');
    expect(policyProblem({ keepDays: 1.5 })).toBe('--keep-days must be a positive integer, got 1.5');
    expect(policyProblem({ keepWeekly: 2, keepFull: 1 })).toBeNull();
    expect(() => planRetention({ artifacts: [] }, { now: 0 })).toThrow(/at least one/);
    const two = build(linear(1)).map((a, i) => ({ ...a, database: i ? 'neo4j' : 'other' }));
    expect(() => planRetention({ artifacts: two }, { now: 0, keepFull: 1 })).toThrow(/one database's artifacts, not other, neo4j/);
  });
});
