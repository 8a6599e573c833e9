/**
 * Chains as pure logic over plain metadata: DESIGN.md's worked chain table as a golden test (parent choice
 * with and without --prefer-diff-as-parent), chainTo's broken-link messages, restore planning by transaction
 * and by time, and parsing of --restore-until.
 */
import { describe, expect, it } from 'vitest';
import { chainTo, chooseParent, type ChainNode } from './chain';
import { parseRestorePoint, planRestore, restorableRanges } from './restore-plan';

const DB = 'neo4j';
const DBID = '11111111-1111-4111-8111-111111111111';
const STORE = '22222222-2222-4222-8222-222222222222';
const STORE2 = '33333333-3333-4333-8333-333333333333';

/** A checksum per transaction ID, so links can be checked like the real ones. */
const ck = (tx: number) => (tx === 0 ? 0 : 1000 + tx);
const at = (hhmm: string) => `2026-03-01T${hhmm}:00.000Z`;
const ms = (hhmm: string) => Date.parse(at(hhmm));

function full(file: string, time: string, tip: number, storeId = STORE): ChainNode {
  return {
    file,
    database: DB,
    databaseId: DBID,
    storeId,
    time: at(time),
    full: true,
    lowestTx: 1,
    highestTx: tip,
    parent: null,
    parentLastTxChecksum: null,
    tipTx: tip,
    lastTxChecksum: ck(tip),
    firstCommitTime: null,
    // the store's last transaction was committed a minute before the backup
    lastCommitTime: tip > 0 ? ms(time) - 60_000 : null,
  };
}

/** A differential holding `from..to` (or nothing when to < from) after `parent`. */
function diff(file: string, time: string, parent: ChainNode, to: number): ChainNode {
  const from = parent.tipTx + 1;
  const empty = to < from;
  return {
    file,
    database: DB,
    databaseId: DBID,
    storeId: parent.storeId,
    time: at(time),
    full: false,
    lowestTx: empty ? 0 : from,
    highestTx: empty ? 0 : to,
    parent: parent.file,
    parentLastTxChecksum: parent.lastTxChecksum,
    tipTx: empty ? parent.tipTx : to,
    lastTxChecksum: empty ? parent.lastTxChecksum : ck(to),
    // transaction n of a differential was committed at (backup time - 60 s) + (n - to) seconds
    firstCommitTime: empty ? null : ms(time) - 60_000 - (to - from) * 1000,
    lastCommitTime: empty ? null : ms(time) - 60_000,
  };
}

/**
 * DESIGN.md's worked example, replayed through chooseParent: 10 transactions an hour, none from 12:30 to 13:30,
 * backup5 a requested full. Each step takes the next backup as the engine would (a differential after the parent
 * chooseParent names, or a full when asked or when there is none).
 */
function replayTable(preferDiff: boolean): ChainNode[] {
  const steps: Array<{ name: string; time: string; tip: number; type: 'auto' | 'full' }> = [
    { name: 'backup1', time: '10:30', tip: 10, type: 'auto' },
    { name: 'backup2', time: '11:30', tip: 20, type: 'auto' },
    { name: 'backup3', time: '12:30', tip: 30, type: 'auto' },
    { name: 'backup4', time: '13:30', tip: 30, type: 'auto' },
    { name: 'backup5', time: '14:30', tip: 40, type: 'full' },
    { name: 'backup6', time: '15:30', tip: 50, type: 'auto' },
  ];
  const all: ChainNode[] = [];
  for (const s of steps) {
    if (s.type === 'full') {
      all.push(full(s.name, s.time, s.tip));
      continue;
    }
    const choice = chooseParent(all, { database: DB, storeId: STORE, preferDiff });
    all.push(choice.parent ? diff(s.name, s.time, choice.parent, s.tip) : full(s.name, s.time, s.tip));
  }
  return all;
}

const row = (a: ChainNode) => ({ artifact: a.file, time: a.time.slice(11, 16), type: a.full ? 'full' : 'diff', lowest: a.lowestTx, highest: a.highestTx, parent: a.parent });

describe("DESIGN.md's chain table (golden)", () => {
  const common = [
    { artifact: 'backup1', time: '10:30', type: 'full', lowest: 1, highest: 10, parent: null },
    { artifact: 'backup2', time: '11:30', type: 'diff', lowest: 11, highest: 20, parent: 'backup1' },
    { artifact: 'backup3', time: '12:30', type: 'diff', lowest: 21, highest: 30, parent: 'backup2' },
    { artifact: 'backup4', time: '13:30', type: 'diff', lowest: 0, highest: 0, parent: 'backup3' },
    { artifact: 'backup5', time: '14:30', type: 'full', lowest: 1, highest: 40, parent: null },
  ];

  it('default: backup6 is 41..50 with parent backup5', () => {
    expect(replayTable(false).map(row)).toEqual([...common, { artifact: 'backup6', time: '15:30', type: 'diff', lowest: 41, highest: 50, parent: 'backup5' }]);
  });

  it('--prefer-diff-as-parent: backup6 is 31..50 with parent backup3', () => {
    expect(replayTable(true).map(row)).toEqual([...common, { artifact: 'backup6', time: '15:30', type: 'diff', lowest: 31, highest: 50, parent: 'backup3' }]);
  });

  it('the chains the two variants make', () => {
    const byDefault = replayTable(false);
    const preferred = replayTable(true);
    const names = (r: ReturnType<typeof chainTo>) => (r.ok ? r.chain.map((a) => a.file) : r.problem);
    expect(names(chainTo(byDefault[5], byDefault))).toEqual(['backup5', 'backup6']);
    expect(names(chainTo(preferred[5], preferred))).toEqual(['backup1', 'backup2', 'backup3', 'backup6']);
    expect(names(chainTo(preferred[3], preferred))).toEqual(['backup1', 'backup2', 'backup3', 'backup4']);
  });

  it('with prefer-diff every transaction 1..50 stays restorable one by one; by default 31..40 are only restorable at 40', () => {
    const preferred = replayTable(true);
    for (let t = 10; t <= 50; t++) {
      const r = planRestore(preferred, { kind: 'tx', before: t + 1 });
      expect(r.ok, `state ${t}`).toBe(true);
      if (r.ok) expect(r.plan.targetTx).toBe(t);
    }
    const byDefault = replayTable(false);
    for (const t of [31, 35, 39]) {
      const r = planRestore(byDefault, { kind: 'tx', before: t + 1 });
      expect(r.ok, `state ${t}`).toBe(false);
      if (!r.ok) {
        expect(r.code).toBe('RESTORE_POINT_OUTSIDE_CHAIN');
        expect(r.problem).toContain(`--restore-until=${t + 1} is outside every backup chain`);
        expect(r.problem).toContain('transactions 10..30');
        expect(r.problem).toContain('transactions 40..50');
      }
    }
  });
});

describe('chooseParent', () => {
  it('has no parent when the folder holds no backup of the database, and says so', () => {
    const other = { ...full('other-1', '10:00', 5), database: 'other' };
    const c = chooseParent([other], { database: DB, storeId: STORE, preferDiff: false });
    expect(c.parent).toBeNull();
    expect(c.reason).toMatch(/no earlier backup of neo4j/);
  });

  it('has no parent when the store ID changed (the database was restored), and names both IDs', () => {
    const b1 = full('b1', '10:00', 10);
    const c = chooseParent([b1, diff('b2', '11:00', b1, 20)], { database: DB, storeId: STORE2, preferDiff: false });
    expect(c.parent).toBeNull();
    expect(c.reason).toContain('store ID changed');
    expect(c.reason).toContain(STORE);
    expect(c.reason).toContain(STORE2);
  });

  it('never picks an empty differential, nor an artifact of another store ID', () => {
    const b1 = full('b1', '10:00', 10);
    const b2 = diff('b2', '11:00', b1, 20);
    const empty = diff('b3', '12:00', b2, 0);
    const foreign = full('f1', '13:00', 99, STORE2);
    for (const preferDiff of [false, true]) {
      expect(chooseParent([b1, b2, empty, foreign], { database: DB, storeId: STORE, preferDiff }).parent?.file).toBe('b2');
    }
  });

  it('refuses a parent whose own chain is broken, naming the problem', () => {
    const b1 = full('b1', '10:00', 10);
    const b2 = diff('b2', '11:00', b1, 20);
    const b3 = diff('b3', '12:00', b2, 30);
    const c = chooseParent([b1, b3], { database: DB, storeId: STORE, preferDiff: false });
    expect(c.parent).toBeNull();
    expect(c.reason).toContain('transactions 11..20 are missing');
  });
});

describe('chainTo', () => {
  const b1 = full('b1', '10:00', 10);
  const b2 = diff('b2', '11:00', b1, 20);
  const b3 = diff('b3', '12:00', b2, 30);
  const b4 = diff('b4', '13:00', b3, 40);

  it('names the missing transaction range when a middle differential is gone', () => {
    const r = chainTo(b4, [b1, b2, b4]);
    expect(r).toMatchObject({ ok: false, missingFrom: 21, missingTo: 30 });
    if (!r.ok) expect(r.problem).toMatch(/transactions 21\.\.30 are missing.*b4 needs its parent b3/);
  });

  it('refuses a differential whose start does not follow its parent, or whose checksum link differs', () => {
    const gap = { ...b3, lowestTx: 22 };
    const r1 = chainTo(gap, [b1, b2, gap]);
    expect(r1.ok).toBe(false);
    if (!r1.ok) expect(r1.problem).toContain('transactions 21..21 are missing');
    const badSum = { ...b3, parentLastTxChecksum: 7 };
    const r2 = chainTo(badSum, [b1, b2, badSum]);
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.problem).toContain('the checksum of transaction 20 differs');
    const otherStore = { ...b3, storeId: STORE2 };
    const r3 = chainTo(otherStore, [b1, b2, otherStore]);
    expect(r3.ok).toBe(false);
    if (!r3.ok) expect(r3.problem).toContain('has store ID');
  });

  it('refuses a loop of parent links', () => {
    const x = { ...b2, parent: 'b3' };
    const y = { ...b3, parent: 'b2' };
    const r = chainTo(y, [x, y]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toContain('form a loop');
  });
});

describe('planRestore', () => {
  const b1 = full('b1', '10:00', 10);
  const b2 = diff('b2', '11:00', b1, 20);
  const b3 = diff('b3', '12:00', b2, 30);
  const e4 = diff('b4', '12:30', b3, 0);
  const all = [b1, b2, b3, e4];

  it('by transaction: up to but not including --restore-until, with the shortest chain that reaches it', () => {
    const cases: Array<[number, number, string[]]> = [
      [11, 10, ['b1']],
      [12, 11, ['b1', 'b2']],
      [21, 20, ['b1', 'b2']],
      [22, 21, ['b1', 'b2', 'b3']],
      [31, 30, ['b1', 'b2', 'b3']],
    ];
    for (const [before, target, chain] of cases) {
      const r = planRestore(all, { kind: 'tx', before });
      expect(r.ok, `--restore-until=${before}`).toBe(true);
      if (!r.ok) continue;
      expect(r.plan.targetTx).toBe(target);
      expect(r.plan.stopBeforeTx).toBe(before);
      expect(r.plan.chain.map((a) => a.file)).toEqual(chain);
    }
  });

  it('outside every chain: names the restorable range', () => {
    for (const before of [1, 5, 10, 32, 1000]) {
      const r = planRestore(all, { kind: 'tx', before });
      expect(r.ok, `--restore-until=${before}`).toBe(false);
      if (!r.ok) {
        expect(r.code).toBe('RESTORE_POINT_OUTSIDE_CHAIN');
        expect(r.problem).toContain('transactions 10..30 (--restore-until=11..31)');
      }
    }
  });

  it('a middle differential missing: refuses with the missing range for points it would need, restores the rest', () => {
    const broken = [b1, b3];
    const r = planRestore(broken, { kind: 'tx', before: 26 });
    expect(r).toMatchObject({ ok: false, code: 'CHAIN_BROKEN' });
    if (!r.ok) expect(r.problem).toContain('transactions 11..20 are missing');
    expect(planRestore(broken, { kind: 'tx', before: 11 }).ok).toBe(true);
    // a point inside the missing range itself (no remaining artifact holds it) names the range too
    const b4 = diff('b4', '13:00', b3, 40);
    for (const before of [22, 26, 31, 41]) {
      const r2 = planRestore([b1, b2, b4], { kind: 'tx', before });
      expect(r2, `--restore-until=${before}`).toMatchObject({ ok: false, code: 'CHAIN_BROKEN', problem: expect.stringContaining('transactions 21..30 are missing') });
    }
    expect(planRestore([b1, b2, b4], { kind: 'tx', before: 21 }).ok).toBe(true);
    expect(planRestore([b1, b2, b4], { kind: 'tx', before: 42 })).toMatchObject({ ok: false, code: 'RESTORE_POINT_OUTSIDE_CHAIN' });
    const latest = planRestore(broken, { kind: 'latest' });
    expect(latest).toMatchObject({ ok: false, code: 'CHAIN_BROKEN' });
  });

  it('latest: the newest artifact of the newest store ID', () => {
    const r1 = full('r1', '14:00', 25, STORE2);
    const r = planRestore([...all, r1], { kind: 'latest' });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.plan.chain.map((a) => a.file)).toEqual(['r1']);
    const pinned = planRestore([...all, r1], { kind: 'latest' }, b2);
    if (pinned.ok) expect(pinned.plan.chain.map((a) => a.file)).toEqual(['b1', 'b2']);
    else expect.fail(pinned.problem);
  });

  it('by time: what was committed before the time; trailing artifacts that start at or after it are dropped', () => {
    // b2's transactions 11..20 were committed from 10:58:51 to 10:59:00 (one a second, see diff()).
    const r = planRestore(all, { kind: 'time', before: ms('10:58') + 55_000 });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.plan.chain.map((a) => a.file)).toEqual(['b1', 'b2']);
      expect(r.plan.stopBeforeTime).toBe(ms('10:58') + 55_000);
      expect(r.plan.stopBeforeTx).toBeNull();
    }
    // between b2's last and b3's first commit: b3 is not needed
    const between = planRestore(all, { kind: 'time', before: ms('11:00') + 1000 });
    if (between.ok) expect(between.plan.chain.map((a) => a.file)).toEqual(['b1', 'b2']);
    else expect.fail(between.problem);
    // before the full's last commit: outside; after the last backup: outside (what came later is unknown)
    for (const t of [ms('09:59') - 1, ms('12:30') + 1]) {
      const o = planRestore(all, { kind: 'time', before: t });
      expect(o).toMatchObject({ ok: false, code: 'RESTORE_POINT_OUTSIDE_CHAIN' });
    }
  });

  it('by time: prefers a chain that holds a transaction committed after the time over one taken later from a lagging source', () => {
    // b3 (taken 12:00) holds 21..30, committed 11:58:51..11:59:00. A differential taken at 11:59:30 from a
    // follower that lagged holds nothing new (empty), yet its time is after 11:59:00.
    const lagging = diff('lag', '11:59', b2, 0);
    const lagged = { ...lagging, time: '2026-03-01T11:59:30.000Z' };
    const withLag = [b1, b2, lagged, { ...b3, parent: 'b2' }];
    const r = planRestore(withLag, { kind: 'time', before: Date.parse('2026-03-01T11:59:00.500Z') });
    if (!r.ok) expect.fail(r.problem);
    expect(r.plan.chain.map((a) => a.file)).toEqual(['b1', 'b2', 'b3']);
    // with no chain holding a later transaction, the one that reaches furthest
    const r2 = planRestore(withLag, { kind: 'time', before: Date.parse('2026-03-01T11:59:20.000Z') });
    if (!r2.ok) expect.fail(r2.problem);
    expect(r2.plan.chain.map((a) => a.file)).toEqual(['b1', 'b2', 'b3']);
  });

  it('restorableRanges: one range per full', () => {
    const b5 = full('b5', '14:30', 40);
    const b6 = diff('b6', '15:30', b5, 50);
    expect(restorableRanges([...all, b5, b6]).map((r) => [r.fromTx, r.toTx])).toEqual([
      [10, 30],
      [40, 50],
    ]);
  });

  it('no artifacts at all', () => {
    expect(planRestore([], { kind: 'latest' })).toMatchObject({ ok: false, code: 'RESTORE_POINT_OUTSIDE_CHAIN' });
  });
});

describe('parseRestorePoint', () => {
  it('takes a positive transaction ID', () => {
    expect(parseRestorePoint('1')).toEqual({ kind: 'tx', before: 1 });
    expect(parseRestorePoint(' 42 ')).toEqual({ kind: 'tx', before: 42 });
  });

  it('takes "YYYY-MM-DD HH:MM:SS" as UTC', () => {
    expect(parseRestorePoint('2026-03-01 10:59:55')).toEqual({ kind: 'time', before: Date.UTC(2026, 2, 1, 10, 59, 55) });
    expect(parseRestorePoint('2026-03-01T10:59:55Z')).toEqual({ kind: 'time', before: Date.UTC(2026, 2, 1, 10, 59, 55) });
    expect(parseRestorePoint('2024-02-29 23:59:59')).toEqual({ kind: 'time', before: Date.UTC(2024, 1, 29, 23, 59, 59) });
  });

  it('refuses anything else', () => {
    for (const bad of ['0', '-1', '1.5', '', 'abc', '99999999999999999999', '2026-02-30 10:00:00', '2026-03-01 24:00:00', '2026-03-01 10:60:00', '2026-13-01 10:00:00', '2026-03-01', '10:00:00', '2026-03-01 10:00']) {
      expect(parseRestorePoint(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});
