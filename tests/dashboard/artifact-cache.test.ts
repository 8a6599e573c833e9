/**
 * The pages' cache of a database's artifacts: the same answer while the catalog's rows are unchanged, a
 * fresh one after any change the indexer or a verification makes (a new artifact, a removed one, a file
 * indexed again, a verification result).
 */
import { describe, expect, it } from 'vitest';
import { openCatalog } from '../../lib/db';
import { deleteArtifacts, setVerification, upsertArtifact, type NewArtifactRow } from '../../lib/db/queries/artifacts';
import { ensureFolder } from '../../lib/db/queries/clusters';
import { databaseArtifacts, databaseTimeline } from '../../lib/dashboard/artifact-cache';

function artifact(folderId: number, i: number, over: Partial<NewArtifactRow> = {}): NewArtifactRow {
  const full = i === 0;
  return {
    folderId,
    file: `neo4j-${i}.backup`,
    database: 'neo4j',
    databaseId: 'db',
    storeId: 'store',
    time: 1_000_000 + i * 60_000,
    full,
    compressed: false,
    lowestTx: full ? 1 : i * 10 + 1,
    highestTx: (i + 1) * 10,
    tipTx: (i + 1) * 10,
    txCount: 10,
    parent: full ? null : `neo4j-${i - 1}.backup`,
    parentLastTxChecksum: full ? null : i * 10,
    lastTxChecksum: (i + 1) * 10,
    firstCommitTime: null,
    lastCommitTime: null,
    recovered: full,
    memberId: null,
    memberAddress: null,
    sizeBytes: 1,
    rawBytes: 1,
    sha256: 'x',
    nodes: null,
    relationships: null,
    fileSize: 1,
    fileMtimeMs: 0,
    indexedAt: 1000 + i,
    ...over,
  };
}

describe('the artifact cache', () => {
  it('answers the same while the rows are unchanged, and follows every change', () => {
    const db = openCatalog(':memory:');
    const folderId = ensureFolder(db, { name: 'd', path: '/d', isDefault: true }).id;
    for (let i = 0; i < 5; i++) upsertArtifact(db, artifact(folderId, i));
    const key = { folderId, database: 'neo4j' };
    const first = databaseArtifacts(db, key);
    expect(first.rows.map((r) => r.file)).toEqual([0, 1, 2, 3, 4].map((i) => `neo4j-${i}.backup`));
    expect(first.summary.restorable).toEqual([expect.objectContaining({ fromTx: 10, toTx: 50 })]);
    expect(databaseArtifacts(db, key)).toBe(first);
    const tl = databaseTimeline(db, key, { size: 2 });
    expect(databaseTimeline(db, key, { size: 2 }).timeline).toBe(tl.timeline);
    expect(databaseTimeline(db, key, { size: 3 }).timeline).not.toBe(tl.timeline);

    // a new artifact
    upsertArtifact(db, artifact(folderId, 5));
    const second = databaseArtifacts(db, key);
    expect(second).not.toBe(first);
    expect(second.rows).toHaveLength(6);
    expect(databaseTimeline(db, key, { size: 2 }).timeline.window).toMatchObject({ total: 6, start: 4 });
    // a verification result
    setVerification(db, { folderId, file: 'neo4j-3.backup', status: 'corrupt', message: 'bad' });
    const third = databaseArtifacts(db, key);
    expect(third).not.toBe(second);
    expect(third.summary.health).toBe('broken');
    // a file indexed again (changed on disk)
    upsertArtifact(db, artifact(folderId, 2, { indexedAt: 9999, sizeBytes: 2 }));
    const fourth = databaseArtifacts(db, key);
    expect(fourth).not.toBe(third);
    expect(fourth.rows.find((r) => r.file === 'neo4j-2.backup')?.sizeBytes).toBe(2);
    // a removed one
    deleteArtifacts(db, { ids: [fourth.rows[5].id] });
    expect(databaseArtifacts(db, key).rows).toHaveLength(5);
    // another database has its own entry
    expect(databaseArtifacts(db, { folderId, database: 'system' }).rows).toEqual([]);
  });
});
