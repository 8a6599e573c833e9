/**
 * Thousands of artifacts on the chain timeline: the window model (timeline-window.ts) and buildTimeline over
 * 10,000 catalog rows. Every artifact can be reached (walking older from the newest, from the strip of
 * windows, or by "Go to" a transaction, a time, a file or an ID) and opened in its window; the windows tile
 * the history without overlap; chain analysis (restorable ranges, health, each artifact's chain) still covers
 * every artifact; the overview's summary needs no timeline; all of it quick.
 */
import { describe, expect, it } from 'vitest';
import type { ArtifactRow } from '../../lib/db/schema';
import { databaseOverview } from '../../lib/dashboard/overview';
import { buildTimeline, chainSummary } from '../../lib/dashboard/timeline';
import { locate, parseTarget, planWindow, type WindowRow } from '../../lib/dashboard/timeline-window';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const MIN = 60_000;

/**
 * `count` artifacts a minute apart, in chains of one full and 199 differentials of 50 transactions each; from
 * artifact `restoreAt` on, a new store-ID generation (a restore to transaction 2,000, where a new chain starts).
 */
function history(count: number, restoreAt = Infinity): ArtifactRow[] {
  const rows: ArtifactRow[] = [];
  let parent: ArtifactRow | null = null;
  let base = 0;
  for (let i = 0; i < count; i++) {
    const store = i >= restoreAt ? 'store-b' : 'store-a';
    if (i === restoreAt) {
      parent = null;
      base = 2000;
    }
    const full = i % 200 === 0 || i === restoreAt;
    const tip: number = full ? (parent?.tipTx ?? base) : (parent?.tipTx ?? 0) + 50;
    const r: ArtifactRow = {
      id: i + 1,
      folderId: 1,
      file: `neo4j-${String(i).padStart(5, '0')}.backup`,
      database: 'neo4j',
      databaseId: 'db',
      storeId: store,
      time: T0 + i * MIN,
      full,
      compressed: false,
      lowestTx: full ? 1 : tip - 49,
      highestTx: tip,
      tipTx: tip,
      txCount: full ? tip : 50,
      parent: full ? null : (parent?.file ?? null),
      parentLastTxChecksum: full ? null : (parent?.tipTx ?? 0),
      lastTxChecksum: tip,
      firstCommitTime: full ? null : T0 + i * MIN - 50_000,
      lastCommitTime: T0 + i * MIN - 1000,
      recovered: full,
      memberId: 'member-3',
      memberAddress: '127.0.0.1:6382',
      sizeBytes: 100,
      rawBytes: 100,
      sha256: 'x'.repeat(64),
      nodes: null,
      relationships: null,
      fileSize: 100,
      fileMtimeMs: 0,
      indexedAt: 0,
      verifyStatus: null,
      verifyMessage: null,
      verifiedAt: null,
    };
    rows.push(r);
    parent = r;
  }
  return rows;
}

const windowRows = (rows: ArtifactRow[]): WindowRow[] =>
  rows.map((r) => ({ id: r.id, file: r.file, time: r.time, full: r.full, storeId: r.storeId, fromTx: r.full ? 1 : r.lowestTx, toTx: r.tipTx }));

describe('the window model', () => {
  const rows = windowRows(history(10_000, 6100));

  it('opens on the newest window and walks back to the oldest artifact, each once', () => {
    let plan = planWindow(rows, { size: 400 });
    expect(plan).toMatchObject({ total: 10_000, start: 9600, end: 10_000, newer: null, older: 9200, page: 0 });
    expect(plan.pages).toHaveLength(25);
    const seen = new Set<number>();
    for (let steps = 0; ; steps++) {
      expect(steps).toBeLessThan(26);
      for (let i = plan.start; i < plan.end; i++) {
        expect(seen.has(i)).toBe(false);
        seen.add(i);
      }
      if (plan.older === null) break;
      const back = planWindow(rows, { size: 400, start: plan.older });
      expect(back.newer).toBe(plan.start); // Newer from there comes back here
      plan = back;
    }
    expect(seen.size).toBe(10_000);
    expect(plan).toMatchObject({ start: 0, end: 400, older: null });
  });

  it('tiles the history: windows aligned from the newest, the oldest one shorter', () => {
    const plan = planWindow(rows.slice(0, 1000), { size: 300 });
    expect(plan.pages.map((p) => [p.start, p.end])).toEqual([
      [700, 1000],
      [400, 700],
      [100, 400],
      [0, 100],
    ]);
    const p = plan.pages[3];
    expect(p).toMatchObject({ firstTime: T0, lastTime: T0 + 99 * MIN, fulls: 1, fromTx: 0, generations: 1 });
    // a window across the restore counts both generations
    expect(planWindow(rows, { size: 400 }).pages.find((x) => x.start <= 6000 && 6000 < x.end)?.generations).toBe(2);
  });

  it('jumps to the window holding an artifact, a file, a transaction or a time', () => {
    // artifact 123 (index 122) is in the window 0..400
    expect(planWindow(rows, { size: 400, target: { kind: 'artifact', id: 123 } })).toMatchObject({ start: 0, end: 400, targetId: 123, page: 24 });
    expect(planWindow(rows, { size: 400, target: { kind: 'file', file: 'neo4j-05000.backup' } })).toMatchObject({ start: 4800, end: 5200, targetId: 5001 });
    // transaction 5,000 in the newest generation that holds it (store-b, from index 6100)
    const byTx = planWindow(rows, { size: 400, target: { kind: 'tx', tx: 5000 } });
    const hit = rows.find((r) => r.id === byTx.targetId) as WindowRow;
    expect(hit.storeId).toBe('store-b');
    expect(hit.full).toBe(false);
    expect(hit.fromTx <= 5000 && 5000 <= hit.toTx).toBe(true);
    expect(byTx.start <= rows.indexOf(hit) && rows.indexOf(hit) < byTx.end).toBe(true);
    // a time between two backups: the first one taken after it
    const t = planWindow(rows, { size: 400, target: { kind: 'time', time: T0 + 777 * MIN + 30_000 } });
    expect(t.targetId).toBe(779);
    expect(t).toMatchObject({ start: 400, end: 800 });
    // every artifact is reachable by its ID, in a window that holds it
    for (const r of rows.filter((_, i) => i % 97 === 0)) {
      const p = planWindow(rows, { size: 400, target: { kind: 'artifact', id: r.id } });
      const i = rows.indexOf(r);
      expect(p.start <= i && i < p.end && p.targetId === r.id).toBe(true);
    }
  });

  it('says why a target is not there, and shows the newest window', () => {
    expect(planWindow(rows, { size: 400, target: { kind: 'artifact', id: 99_999 } })).toMatchObject({ start: 9600, targetId: null, targetProblem: expect.stringContaining('no backup #99999') });
    expect(planWindow(rows, { size: 400, target: { kind: 'tx', tx: 10_000_000 } }).targetProblem).toMatch(/no backup holds transaction 10000000/);
    expect(locate([], { kind: 'tx', tx: 1 })).toEqual({ problem: 'there are no backups' });
  });

  it('a link to an unaligned window still shows it, and moves on without skipping artifacts', () => {
    const p = planWindow(rows, { size: 400, start: 9450 });
    expect(p).toMatchObject({ start: 9450, end: 9850, page: -1, older: 9200 });
    expect(p.newer).toBe(9600); // overlaps 9600..9850 rather than skip it
    expect(planWindow(rows, { size: 400, start: 20_000 })).toMatchObject({ start: 9600 }); // past the end
  });

  it.each([
    ['12345', { kind: 'tx', tx: 12345 }],
    ['12,345', { kind: 'tx', tx: 12345 }],
    ['2026-01-01 10:05:07', { kind: 'time', time: Date.parse('2026-01-01T10:05:07Z') }],
    ['2026-01-01 10:05', { kind: 'time', time: Date.parse('2026-01-01T10:05:00Z') }],
    ['2026-01-01T10:05:07Z', { kind: 'time', time: Date.parse('2026-01-01T10:05:07Z') }],
    ['2026-01-01 10:05:07 UTC', { kind: 'time', time: Date.parse('2026-01-01T10:05:07Z') }],
    ['neo4j-2026-01-01T10-05-07.backup', { kind: 'file', file: 'neo4j-2026-01-01T10-05-07.backup' }],
    ['0', null],
    ['2026-02-30 10:00:00', null],
    ['yesterday', null],
    ['../etc/passwd.backup', null],
  ])('reads "%s" as a place to go', (text, target) => {
    expect(parseTarget(text)).toEqual(target);
  });
});

describe('buildTimeline over 10,000 artifacts', () => {
  const rows = history(10_000, 6100);

  it('draws one window, while the chain analysis covers every artifact', () => {
    const t0 = performance.now();
    const tl = buildTimeline('neo4j', rows);
    const ms = performance.now() - t0;
    expect(tl).toMatchObject({ total: 10_000, shown: 400 });
    expect(tl.generations.flatMap((g) => g.artifacts).map((a) => a.id)).toEqual(rows.slice(9600).map((r) => r.id));
    // 31 chains before the restore (the last one cut short at 6100), 20 after it
    expect(tl.restorable).toHaveLength(51);
    expect(tl.restorable.filter((r) => r.storeId === 'store-b')).toHaveLength(20);
    expect(tl.restorable[0]).toMatchObject({ storeId: expect.any(String), fromTx: expect.any(Number) });
    expect(tl.latestChain).toHaveLength(200);
    expect(tl.health).toBe('unverified');
    // an old window: its artifacts know their chain (depth, full) though the full may lie in another window
    const old = buildTimeline('neo4j', rows, { target: { kind: 'artifact', id: 250 } });
    const a = old.generations.flatMap((g) => g.artifacts).find((x) => x.id === 250);
    expect(a).toMatchObject({ rootId: 201, depth: 49, chainProblem: null });
    expect(old.window.targetId).toBe(250);
    expect(ms).toBeLessThan(1500);
  });

  it('the overview summarises the chains without a timeline, and agrees with it', () => {
    const t0 = performance.now();
    const summary = chainSummary(rows);
    const o = databaseOverview('neo4j', rows, null);
    const ms = performance.now() - t0;
    const tl = buildTimeline('neo4j', rows);
    expect(summary).toEqual({ restorable: tl.restorable, health: tl.health, latestChain: tl.latestChain });
    expect(o).toMatchObject({ artifactCount: 10_000, fullCount: 51, health: 'unverified', lastFull: { id: 9801 }, lastDiff: { id: 10_000 } });
    expect(o.restorable).toMatchObject({ fromTx: rows[9800].tipTx, toTx: rows[9999].tipTx });
    expect(databaseOverview('neo4j', rows, null, tl)).toEqual(o);
    expect(ms).toBeLessThan(1500);
  });

  it('restorable ranges leave out a backup a verification found corrupt', () => {
    const bad = rows.map((r) => (r.id === 9801 ? { ...r, verifyStatus: 'corrupt' as const, verifyMessage: 'checksum mismatch' } : r));
    const s = chainSummary(bad);
    expect(s.health).toBe('broken');
    expect(s.restorable).toHaveLength(50);
    expect(databaseOverview('neo4j', bad, null).restorable?.toTx).toBe(rows[9799].tipTx);
  });
});
