/**
 * The database page's packed timeline (lib/dashboard/timeline-payload.ts): unpacking what was packed gives back
 * the window's generations exactly (every field the bars, tooltip and details show; the SHA-256 is not sent), for chains with branches,
 * empty differentials, two generations, a parent outside the window, verified and corrupt artifacts, and a
 * member-less one; and it is several times smaller than the objects it stands for. The strip of windows keeps
 * at most STRIP_SEGMENTS segments, covering every artifact once.
 */
import { describe, expect, it } from 'vitest';
import type { ArtifactRow } from '../../lib/db/schema';
import { buildTimeline, type Generation } from '../../lib/dashboard/timeline';
import { packTimeline, unpackTimeline } from '../../lib/dashboard/timeline-payload';
import { planWindow, stripSegments, STRIP_SEGMENTS, type WindowRow } from '../../lib/dashboard/timeline-window';

const T0 = Date.parse('2026-01-05T10:30:00Z');

/** The generations as the browser gets them: everything but the SHA-256s (the details fetch the opened one's). */
const sent = (gs: Generation[]) => gs.map((g) => ({ ...g, artifacts: g.artifacts.map((a) => ({ ...a, sha256: '' })) }));
const MINUTE = 60_000;

function row(id: number, o: Partial<ArtifactRow> & { full: boolean; lowestTx: number; highestTx: number; tipTx: number }): ArtifactRow {
  return {
    id,
    folderId: 1,
    file: `neo4j-${id}.backup`,
    database: 'neo4j',
    databaseId: 'db-1',
    storeId: 'store-a',
    time: T0 + id * MINUTE,
    compressed: id % 2 === 0,
    txCount: o.highestTx === 0 ? 0 : o.highestTx - o.lowestTx + 1,
    parent: null,
    parentLastTxChecksum: o.full ? null : 1,
    lastTxChecksum: 1,
    firstCommitTime: o.full ? null : T0 + id * MINUTE - 30_000,
    lastCommitTime: T0 + id * MINUTE - 1000,
    recovered: o.full,
    memberId: 'member-3',
    memberAddress: '127.0.0.1:6382',
    sizeBytes: 1000 + id,
    rawBytes: 2000 + id,
    sha256: id.toString(16).padStart(64, 'a'),
    nodes: o.full ? id * 10 : null,
    relationships: o.full ? id * 20 : null,
    fileSize: 1000,
    fileMtimeMs: 0,
    indexedAt: 0,
    verifyStatus: null,
    verifyMessage: null,
    verifiedAt: null,
    ...o,
  };
}

/** A full and differentials, an empty one, a branch, a corrupt link, then a restore's new generation. */
function rows(): ArtifactRow[] {
  return [
    row(1, { full: true, lowestTx: 1, highestTx: 10, tipTx: 10, verifyStatus: 'ok', verifiedAt: T0 + 5 * MINUTE }),
    row(2, { full: false, lowestTx: 11, highestTx: 20, tipTx: 20, parent: 'neo4j-1.backup' }),
    row(3, { full: false, lowestTx: 21, highestTx: 30, tipTx: 30, parent: 'neo4j-2.backup', verifyStatus: 'corrupt', verifyMessage: 'payload checksum differs' }),
    row(4, { full: false, lowestTx: 0, highestTx: 0, tipTx: 30, parent: 'neo4j-3.backup', memberId: null, memberAddress: null }),
    row(5, { full: false, lowestTx: 21, highestTx: 35, tipTx: 35, parent: 'neo4j-2.backup', memberId: 'member-1', memberAddress: '127.0.0.1:6362' }),
    row(6, { full: false, lowestTx: 41, highestTx: 50, tipTx: 50, parent: 'neo4j-missing.backup' }),
    row(7, { full: true, lowestTx: 1, highestTx: 25, tipTx: 25, storeId: 'store-b', databaseId: 'db-1' }),
    row(8, { full: false, lowestTx: 26, highestTx: 40, tipTx: 40, storeId: 'store-b', databaseId: 'db-2', parent: 'neo4j-7.backup' }),
  ];
}

describe('packTimeline / unpackTimeline', () => {
  it('gives back every generation and artifact exactly', () => {
    const tl = buildTimeline('neo4j', rows());
    expect(tl.generations).toHaveLength(2);
    const back = unpackTimeline(JSON.parse(JSON.stringify(packTimeline(tl))));
    expect(back.database).toBe('neo4j');
    expect(back.generations).toEqual(sent(tl.generations));
  });

  it('names a parent outside the window by its file', () => {
    // a window of the 3 newest: 6's parent (missing) and 8's (7, in the window) and 5's (2, outside)
    const tl = buildTimeline('neo4j', rows(), { size: 4 });
    expect(tl.shown).toBe(4);
    const back = unpackTimeline(packTimeline(tl));
    expect(back.generations).toEqual(sent(tl.generations));
    const five = back.generations.flatMap((g) => g.artifacts).find((a) => a.id === 5);
    expect(five).toMatchObject({ parentId: 2, parentFile: 'neo4j-2.backup' });
  });

  it('is five times smaller than the objects it stands for, at 400 artifacts', () => {
    const many: ArtifactRow[] = [];
    for (let i = 1; i <= 400; i++) {
      const full = i % 200 === 1;
      const tip = 50 * i;
      many.push(row(i, { full, lowestTx: full ? 1 : tip - 49, highestTx: tip, tipTx: tip, parent: full ? null : `neo4j-${i - 1}.backup`, file: `neo4j-2026-01-05T10-${String(i).padStart(5, '0')}.backup` }));
    }
    for (const r of many) if (r.parent) r.parent = many[r.id - 2].file;
    const tl = buildTimeline('neo4j', many);
    const packed = JSON.stringify(packTimeline(tl));
    const plain = JSON.stringify(tl.generations);
    expect(unpackTimeline(JSON.parse(packed)).generations).toEqual(sent(tl.generations));
    expect(packed.length * 5, `packed ${packed.length} bytes, plain ${plain.length}`).toBeLessThan(plain.length);
  });
});

describe('stripSegments', () => {
  const windowRows = (n: number): WindowRow[] =>
    Array.from({ length: n }, (_, i) => ({ id: i + 1, file: `f${i}.backup`, time: T0 + i * MINUTE, full: i % 200 === 0, fromTx: i * 50 + 1, toTx: i * 50 + 50, storeId: i < n / 2 ? 's1' : 's2' }));

  it('keeps one segment per window up to the limit', () => {
    const plan = planWindow(windowRows(25 * 400), { size: 400 });
    const oldestFirst = [...plan.pages].reverse();
    expect(stripSegments(oldestFirst)).toEqual(oldestFirst.map(({ firstStore: _f, lastStore: _l, ...p }) => p));
  });

  it('merges adjacent windows past the limit, covering every artifact once, in order', () => {
    for (const total of [100_000, 1_000_000, 61 * 400 + 7]) {
      const plan = planWindow(windowRows(total), { size: 400 });
      const segments = stripSegments([...plan.pages].reverse());
      expect(segments.length).toBeLessThanOrEqual(STRIP_SEGMENTS);
      expect(segments.length).toBeGreaterThan(STRIP_SEGMENTS / 2);
      expect(segments[0].start).toBe(0);
      expect(segments[segments.length - 1].end).toBe(total);
      for (let i = 1; i < segments.length; i++) expect(segments[i].start).toBe(segments[i - 1].end);
      // every segment starts where a window does (its link opens that window)
      const starts = new Set(plan.pages.map((p) => p.start));
      for (const s of segments) expect(starts.has(s.start)).toBe(true);
      expect(segments.reduce((n, s) => n + s.fulls, 0)).toBe(plan.pages.reduce((n, p) => n + p.fulls, 0));
      // a segment spans two generations when it holds artifacts of both (the restore at total / 2)
      const split = Math.ceil(total / 2);
      for (const s of segments) expect(s.generations, `segment ${s.start}–${s.end} of ${total}`).toBe(s.start < split && split < s.end ? 2 : 1);
    }
  });
});
