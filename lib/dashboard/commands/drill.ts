/**
 * Restore drills as jobs (lib/engine/drill.ts through `txline backup drill`): "Drill now" on the database page
 * and the scheduler's daily drills. A drill restores the database's newest chain in a backup folder into a
 * scratch database on the database's own cluster (the drill target), which must be of a kind that holds
 * scratch databases (the txline kind); the job's parameters keep the location and the point, which the drill
 * history records (lib/jobs/effects.ts).
 */
import { z } from 'zod';
import { listArtifactsByDatabase } from '../../db/queries/artifacts';
import { clusterAndFolder, databaseName, fail, folderAtUse, fromZod, id, jobCluster, startJob, type CommandContext, type Result } from './shared';

export const drillInput = z.object({
  clusterId: id,
  folderId: id,
  database: databaseName,
  point: z.enum(['latest', 'random'], { error: 'choose latest or random' }).default('latest'),
});

/** `note`: kept with the job's parameters (a scheduled drill's schedule and due time). */
export function startDrill(ctx: CommandContext, raw: unknown, createdBy: string | null, note: Record<string, unknown> = {}): Result<{ jobId: number; audit: { target: string; detail: string } }> {
  const p = drillInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const i = p.data;
  const cf = clusterAndFolder(ctx, i.clusterId, i.folderId);
  if ('ok' in cf) return cf;
  if (cf.cluster.kind !== 'txline') return fail('NOT_SUPPORTED', `${cf.cluster.name} is a ${cf.cluster.kind} cluster: drills restore into a cluster of the Txline member API.`);
  if (listArtifactsByDatabase(ctx.db, { folderId: cf.folder.id, database: i.database }).length === 0) {
    return fail('PATH_NOT_FOUND', `${cf.folder.name} holds no backups of ${i.database} to drill.`);
  }
  const at = folderAtUse(ctx, cf.folder);
  if (!at.ok) return at;
  const input = { database: i.database, fromPath: [at.path], point: i.point, to: [], confineToRoots: at.confineToRoots };
  const r = startJob(ctx, {
    kind: 'drill',
    input,
    database: i.database,
    clusterId: i.clusterId,
    folderId: i.folderId,
    params: { ...i, ...note, location: at.path },
    cluster: jobCluster(ctx, cf.cluster),
    createdBy,
  });
  if (!r.ok) return r;
  return {
    ...r,
    audit: { target: `database=${i.database} cluster=${cf.cluster.name}`, detail: `job #${r.jobId}: restore drill at the ${i.point === 'latest' ? 'newest' : 'a random'} point of the newest chain in folder ${cf.folder.name}` },
  };
}
