/** Clusters and backup folders in the catalog. */
import { asc, eq } from 'drizzle-orm';
import type { Catalog } from '../index';
import { backupFolders, clusters, type BackupFolderRow, type ClusterRow } from '../schema';

export function listClusters(db: Catalog): ClusterRow[] {
  return db.select().from(clusters).orderBy(asc(clusters.id)).all();
}

export function getCluster(db: Catalog, { id }: { id: number }): ClusterRow | undefined {
  return db.select().from(clusters).where(eq(clusters.id, id)).get();
}

/** Registers (or updates) the embedded cluster: its member addresses and control API change per start. */
export function upsertEmbeddedCluster(db: Catalog, { addresses, controlAddress }: { addresses: string[]; controlAddress: string | null }): ClusterRow {
  const cur = db.select().from(clusters).where(eq(clusters.startedHere, true)).get();
  if (cur) {
    if (JSON.stringify(cur.addresses) !== JSON.stringify(addresses) || cur.controlAddress !== controlAddress) {
      db.update(clusters).set({ addresses, controlAddress }).where(eq(clusters.id, cur.id)).run();
    }
    return { ...cur, addresses, controlAddress };
  }
  return db.insert(clusters).values({ name: 'embedded', kind: 'txline', startedHere: true, addresses, controlAddress }).returning().get();
}

/** Registers a cluster this server did not start: members at given addresses, speaking `kind`'s protocol. */
export function addRemoteCluster(
  db: Catalog,
  { name, kind = 'txline', addresses, token = null }: { name: string; kind?: ClusterRow['kind']; addresses: string[]; token?: string | null },
): ClusterRow {
  return db.insert(clusters).values({ name, kind, startedHere: false, addresses, token }).returning().get();
}

/** Sets (or, with null, removes) a cluster's own member token. */
export function setClusterTokenOf(db: Catalog, { id, token }: { id: number; token: string | null }): void {
  db.update(clusters).set({ token }).where(eq(clusters.id, id)).run();
}

export function removeCluster(db: Catalog, { id }: { id: number }): void {
  db.delete(clusters).where(eq(clusters.id, id)).run();
}

export function listFolders(db: Catalog): BackupFolderRow[] {
  return db.select().from(backupFolders).orderBy(asc(backupFolders.id)).all();
}

export function getFolder(db: Catalog, { id }: { id: number }): BackupFolderRow | undefined {
  return db.select().from(backupFolders).where(eq(backupFolders.id, id)).get();
}

export function defaultFolder(db: Catalog): BackupFolderRow | undefined {
  return db.select().from(backupFolders).where(eq(backupFolders.isDefault, true)).get() ?? listFolders(db)[0];
}

export function ensureFolder(db: Catalog, { name, path, isDefault }: { name: string; path: string; isDefault: boolean }): BackupFolderRow {
  const cur = db.select().from(backupFolders).where(eq(backupFolders.path, path)).get();
  if (cur) return cur;
  return db.insert(backupFolders).values({ name, path, isDefault }).returning().get();
}

export function removeFolder(db: Catalog, { id }: { id: number }): void {
  db.delete(backupFolders).where(eq(backupFolders.id, id)).run();
}

export function markScanned(db: Catalog, { id, error }: { id: number; error: string | null }): void {
  db.update(backupFolders).set({ lastScanAt: Date.now(), lastScanError: error }).where(eq(backupFolders.id, id)).run();
}

export function getClusterByName(db: Catalog, { name }: { name: string }): ClusterRow | undefined {
  return db.select().from(clusters).where(eq(clusters.name, name)).get();
}

/**
 * Registers a Neo4j cluster: its Bolt URI (addresses: the URI's host:port), user, sealed password
 * (lib/sources/neo4j/secret.ts: never the password itself), neo4j-admin, --from list and backup folder.
 */
/**
 * Registers a Neo4j cluster, and its location as a backup folder (named after the cluster when that name is
 * free) so that the dashboard lists its artifacts: the indexer lists that folder with the cluster's neo4j-admin
 * (lib/db/neo4j-indexer.ts). A location already registered as a folder is that folder.
 */
export function addNeo4jCluster(
  db: Catalog,
  c: { name: string; address: string; uri: string; user: string; passwordSealed: string; neo4jAdmin: string; backupFrom: string[] | null; location: string },
): ClusterRow {
  return db.transaction(() => {
    const row = db
      .insert(clusters)
      .values({
        name: c.name,
        kind: 'neo4j',
        startedHere: false,
        addresses: [c.address],
        uri: c.uri,
        boltUser: c.user,
        passwordSealed: c.passwordSealed,
        neo4jAdmin: c.neo4jAdmin,
        backupFrom: c.backupFrom,
        location: c.location,
      })
      .returning()
      .get();
    const taken = new Set(listFolders(db).map((f) => f.name.toLowerCase()));
    let name = c.name;
    for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${c.name} (neo4j${i > 2 ? ` ${i - 1}` : ''})`;
    ensureFolder(db, { name, path: c.location, isDefault: false });
    return row;
  });
}
