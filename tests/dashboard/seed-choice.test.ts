/**
 * Which backup a seeded restore of a Neo4j cluster starts from (seedFor): the first of the newest store
 * generation whose chain ends at the transaction asked for, so that a database dropped and created again (its
 * transactions numbered from 1 again) is restored from its present life, not an older one that held the same ID.
 */
import { describe, expect, it } from 'vitest';
import { seedFor } from '../../lib/dashboard/commands/neo4j-restore';

const row = (file: string, storeId: string, time: number, full: boolean, lowestTx: number, highestTx: number) => ({ file, storeId, time, full, lowestTx, highestTx, tipTx: highestTx });

describe('seedFor', () => {
  // the first life: a full at 10, diffs 11..20 and 21..35; dropped, created again: a full at 25, a diff 26..40
  const rows = [
    row('old-full', 'old', 1, true, 1, 10),
    row('old-diff-1', 'old', 2, false, 11, 20),
    row('old-diff-2', 'old', 3, false, 21, 35),
    row('new-full', 'new', 4, true, 1, 25),
    row('new-diff', 'new', 5, false, 26, 40),
  ];

  it.each([
    [30, 'new-diff'], // both lives reach 30: the present one
    [25, 'new-full'],
    [40, 'new-diff'],
    [15, 'old-diff-1'], // only the first life reaches 15
    [10, 'old-full'],
    [null, 'new-diff'], // the newest backup
  ] as const)('ends at %s: %s', (n, file) => {
    expect(seedFor(rows, n)?.file).toBe(file);
  });

  it('none when no backup ends at or replays through the transaction', () => {
    expect(seedFor(rows, 41)).toBeUndefined();
    expect(seedFor([row('only-full', 's', 1, true, 1, 10)], 9)).toBeUndefined();
  });
});
