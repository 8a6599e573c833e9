/**
 * Restoring a backup of a Neo4j cluster as a new database of that cluster, by seeding, as a job that runs
 * `txline database restore --cluster=<name> --via=seed` (the CLI's code: `CREATE DATABASE $name OPTIONS
 * {existingData: 'use', seedURI: $seedURI, seedRestoreUntil: $seedRestoreUntil}` on `system`, then every copy
 * online). The browser says where the new database should end ("ends at transaction N"); the job is given the
 * exclusive point N + 1, as txline and Neo4j take it. The seed is the backup of the source database whose chain
 * reaches N (the cluster's neo4j-admin listed it; the servers find its chain beside it).
 */
import path from 'node:path';
import { z } from 'zod';
import { listArtifactsByDatabase } from '../../db/queries/artifacts';
import type { ArtifactRow } from '../../db/schema';
import { clusterAndFolder, clusterDatabases, databaseName, fail, fromZod, id, jobCluster, startJob, type CommandContext, type Result } from './shared';

export const seedRestoreInput = z.object({
  clusterId: id,
  folderId: id,
  /** the backed-up database */
  database: databaseName,
  /** the new database */
  target: databaseName,
  /** where the new database ends (inclusive); empty: the newest backup's end */
  endsAt: z
    .union([z.literal(''), z.coerce.number().int({ error: 'a transaction ID' }).min(1, { error: 'a transaction ID of 1 or more' }).max(Number.MAX_SAFE_INTEGER - 1)])
    .optional()
    .transform((v) => (v === '' || v === undefined ? null : v)),
});

type SeedCandidate = Pick<ArtifactRow, 'file' | 'time' | 'full' | 'lowestTx' | 'highestTx' | 'tipTx' | 'storeId'>;

/**
 * The backup to seed from so that the new database ends at transaction `n` (null: the newest backup). In the
 * newest store generation that reaches N (a database dropped and created again numbers its transactions from 1
 * again, so an older generation can hold the same N): its first backup whose chain ends at N or replays through
 * it (a full holds its store at its highest transaction only). Undefined when none can.
 */
export function seedFor<T extends SeedCandidate>(rows: readonly T[], n: number | null): T | undefined {
  const byTime = [...rows].sort((a, b) => a.time - b.time || a.tipTx - b.tipTx);
  if (n === null) return byTime.at(-1);
  const reaches = (r: T) => (r.full ? r.highestTx === n : r.lowestTx - 1 <= n && n <= r.tipTx);
  const generations = [...new Set([...byTime].reverse().map((r) => r.storeId))];
  return generations.map((g) => byTime.find((r) => r.storeId === g && reaches(r))).find((r) => r !== undefined);
}

export function startSeedRestore(ctx: CommandContext, raw: unknown, createdBy: string | null): Result<{ jobId: number; audit: { target: string; detail: string } }> {
  const p = seedRestoreInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const i = p.data;
  const cf = clusterAndFolder(ctx, i.clusterId, i.folderId);
  if ('ok' in cf) return cf;
  if (cf.cluster.kind !== 'neo4j') return fail('NOT_SUPPORTED', `${cf.cluster.name} is not a Neo4j cluster: use the restore wizard.`);
  if (!cf.cluster.location || path.resolve(cf.cluster.location) !== path.resolve(cf.folder.path)) {
    return fail('INVALID_ARGUMENT', `${cf.cluster.name} seeds from its own location (${cf.cluster.location ?? 'none registered'}), which its servers read.`, { folderId: ['not this cluster’s location'] });
  }
  if (clusterDatabases(ctx, cf.cluster.id).has(i.target)) return fail('DESTINATION_EXISTS', `${cf.cluster.name} has a database ${i.target} already: seeding creates a new one.`, { target: ['exists on the cluster'] });
  const rows = listArtifactsByDatabase(ctx.db, { folderId: cf.folder.id, database: i.database }).filter((r) => r.full || r.highestTx > 0);
  if (rows.length === 0) return fail('NOT_FOUND', `No backup of ${i.database} is listed in ${cf.folder.name}.`, { database: ['no backup listed'] });
  const n = i.endsAt;
  const seed = seedFor(rows, n);
  if (!seed) {
    const top = Math.max(...rows.map((r) => r.tipTx));
    return fail('RESTORE_POINT_OUTSIDE_CHAIN', `No backup of ${i.database} can end at transaction ${n} (the newest ends at ${top}).`, { endsAt: [`not restorable from these backups (newest: ${top})`] });
  }
  const input = {
    database: i.target,
    fromPath: [path.join(path.resolve(cf.folder.path), seed.file)],
    ...(i.endsAt !== null ? { restoreUntil: { kind: 'tx' as const, before: i.endsAt + 1 } } : {}),
    overwriteDestination: false,
    confineToRoots: [],
    cluster: cf.cluster.name,
    via: 'seed' as const,
  };
  const r = startJob(ctx, { kind: 'restore', input, database: i.target, clusterId: cf.cluster.id, folderId: cf.folder.id, params: i, cluster: jobCluster(ctx, cf.cluster), env: { TXLINE_CATALOG: ctx.env.catalog }, createdBy });
  if (!r.ok) return r;
  return {
    ...r,
    audit: {
      target: `database=${i.target} cluster=${cf.cluster.name}`,
      detail: `job #${r.jobId}: seed ${i.target} from ${seed.file} (${i.database})${i.endsAt !== null ? `, ending at transaction ${i.endsAt} (seedRestoreUntil ${i.endsAt + 1})` : ', to its end'}`,
    },
  };
}
