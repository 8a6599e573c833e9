/** Artifacts as indexed from the backup folders, and the chain views built on them. */
import { and, asc, count, desc, eq, inArray, max, sql } from 'drizzle-orm';
import type { Artifact } from '../../engine/artifact';
import type { ChainNode } from '../../engine/chain';
import type { Catalog } from '../index';
import { artifacts, type ArtifactRow } from '../schema';

export type NewArtifactRow = typeof artifacts.$inferInsert;

export function rowFromArtifact(folderId: number, a: Artifact, file: { size: number; mtimeMs: number }): NewArtifactRow {
  return {
    folderId,
    file: a.file,
    database: a.database,
    databaseId: a.databaseId,
    storeId: a.storeId,
    time: Date.parse(a.time),
    full: a.full,
    compressed: a.compressed,
    lowestTx: a.lowestTx,
    highestTx: a.highestTx,
    tipTx: a.tipTx,
    txCount: a.txCount,
    parent: a.parent,
    parentLastTxChecksum: a.parentLastTxChecksum,
    lastTxChecksum: a.lastTxChecksum,
    firstCommitTime: a.firstCommitTime,
    lastCommitTime: a.lastCommitTime,
    recovered: a.recovered,
    memberId: a.member?.id ?? null,
    memberAddress: a.member?.address ?? null,
    sizeBytes: a.payload.sizeBytes,
    rawBytes: a.payload.rawBytes,
    sha256: a.payload.sha256,
    nodes: a.store?.nodes ?? null,
    relationships: a.store?.relationships ?? null,
    fileSize: file.size,
    fileMtimeMs: Math.trunc(file.mtimeMs),
    indexedAt: Date.now(),
  };
}

/** The chain logic's view of a row. */
export function chainNode(r: ArtifactRow): ChainNode & { id: number } {
  return {
    id: r.id,
    file: r.file,
    database: r.database,
    databaseId: r.databaseId,
    storeId: r.storeId,
    time: new Date(r.time).toISOString(),
    full: r.full,
    lowestTx: r.lowestTx,
    highestTx: r.highestTx,
    parent: r.parent,
    parentLastTxChecksum: r.parentLastTxChecksum,
    tipTx: r.tipTx,
    lastTxChecksum: r.lastTxChecksum,
    firstCommitTime: r.firstCommitTime,
    lastCommitTime: r.lastCommitTime,
  };
}

export function listArtifactsByDatabase(db: Catalog, { folderId, database }: { folderId: number; database: string }): ArtifactRow[] {
  return db
    .select()
    .from(artifacts)
    .where(and(eq(artifacts.folderId, folderId), eq(artifacts.database, database)))
    .orderBy(asc(artifacts.time), asc(artifacts.tipTx), asc(artifacts.file))
    .all();
}

/**
 * A fingerprint of a database's rows in a folder: it changes whenever one is added (a new ID), removed (the
 * count and the sum of IDs), re-indexed (its indexed time) or verified (its verification time). Cheap (the
 * folder/database/time index), so a reader can keep what it derived from the rows until it changes.
 */
/**
 * The whole catalog's artifacts in four numbers (how many, the highest ID, the newest re-index and verification),
 * each read from an index without reading rows: when none moved, no database's artifacts changed.
 */
export interface ArtifactsStamp {
  n: number;
  maxId: number;
  indexed: number;
  verified: number;
}

export function artifactsStamp(db: Catalog): ArtifactsStamp {
  return db.$client
    .prepare(
      `SELECT (SELECT count(*) FROM artifacts) AS n, coalesce((SELECT max(id) FROM artifacts), 0) AS maxId,
              coalesce((SELECT max(indexed_at) FROM artifacts), 0) AS indexed, coalesce((SELECT max(verified_at) FROM artifacts), 0) AS verified`,
    )
    .get() as ArtifactsStamp;
}

export function artifactsFingerprint(db: Catalog, { folderId, database }: { folderId: number; database: string }): string {
  const r = db
    .select({ n: count(), maxId: max(artifacts.id), sumId: sql<number>`total(${artifacts.id})`, indexed: max(artifacts.indexedAt), verified: max(artifacts.verifiedAt) })
    .from(artifacts)
    .where(and(eq(artifacts.folderId, folderId), eq(artifacts.database, database)))
    .get();
  return r ? `${r.n}/${r.maxId ?? 0}/${r.sumId}/${r.indexed ?? 0}/${r.verified ?? 0}` : '0';
}

export function listArtifactsOfFolder(db: Catalog, { folderId }: { folderId: number }): ArtifactRow[] {
  return db.select().from(artifacts).where(eq(artifacts.folderId, folderId)).all();
}

/** What the indexer compares a folder's files with: each row's file name, size and modification time. */
export function artifactStampsOfFolder(db: Catalog, { folderId }: { folderId: number }): Array<Pick<ArtifactRow, 'id' | 'file' | 'fileSize' | 'fileMtimeMs'>> {
  return db.select({ id: artifacts.id, file: artifacts.file, fileSize: artifacts.fileSize, fileMtimeMs: artifacts.fileMtimeMs }).from(artifacts).where(eq(artifacts.folderId, folderId)).all();
}

export function getArtifact(db: Catalog, { id }: { id: number }): ArtifactRow | undefined {
  return db.select().from(artifacts).where(eq(artifacts.id, id)).get();
}

export function getArtifactByFile(db: Catalog, { folderId, file }: { folderId: number; file: string }): ArtifactRow | undefined {
  return db.select().from(artifacts).where(and(eq(artifacts.folderId, folderId), eq(artifacts.file, file))).get();
}

export interface DatabaseBackupSummary {
  database: string;
  count: number;
  lastTime: number | null;
}

/** Databases that have backups in a folder, with their count and latest backup time. */
export function databasesWithBackups(db: Catalog, { folderId }: { folderId: number }): DatabaseBackupSummary[] {
  return db
    .select({ database: artifacts.database, count: count(), lastTime: max(artifacts.time) })
    .from(artifacts)
    .where(eq(artifacts.folderId, folderId))
    .groupBy(artifacts.database)
    .orderBy(asc(artifacts.database))
    .all();
}

export function latestArtifacts(db: Catalog, { folderId, database, limit }: { folderId: number; database: string; limit: number }): ArtifactRow[] {
  return db
    .select()
    .from(artifacts)
    .where(and(eq(artifacts.folderId, folderId), eq(artifacts.database, database)))
    .orderBy(desc(artifacts.time))
    .limit(limit)
    .all();
}

export function upsertArtifact(db: Catalog, row: NewArtifactRow): void {
  const { folderId: _f, file: _n, ...rest } = row;
  db.insert(artifacts)
    .values(row)
    .onConflictDoUpdate({ target: [artifacts.folderId, artifacts.file], set: { ...rest, verifyStatus: null, verifyMessage: null, verifiedAt: null } })
    .run();
}

export function deleteArtifacts(db: Catalog, { ids }: { ids: number[] }): void {
  for (let i = 0; i < ids.length; i += 500) db.delete(artifacts).where(inArray(artifacts.id, ids.slice(i, i + 500))).run();
}

export function setVerification(db: Catalog, { folderId, file, status, message }: { folderId: number; file: string; status: 'ok' | 'corrupt'; message: string | null }): void {
  db.update(artifacts)
    .set({ verifyStatus: status, verifyMessage: message, verifiedAt: Date.now() })
    .where(and(eq(artifacts.folderId, folderId), eq(artifacts.file, file)))
    .run();
}

export function artifactCount(db: Catalog): number {
  return db.select({ n: sql<number>`count(*)` }).from(artifacts).get()?.n ?? 0;
}
