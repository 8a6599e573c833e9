/**
 * Restore drills as jobs (lib/engine/drill.ts through `txline backup drill`): "Drill now" on the database page
 * and the scheduler's daily drills. A drill restores the database's newest chain in a backup folder into a
 * scratch database on the database's drill target: the cluster chosen for it (drill_targets, set on the
 * database page or with `txline schedule set <db> --drill-to=<cluster>`; lib/schedules/drill-target.ts), else its own cluster. A drill target must be of a
 * kind that holds scratch databases (the txline kind: drillTargetProblem says why another cannot). The job
 * belongs to the database's own cluster (its drill history, its one-job-at-a-time rule) and runs with the
 * target's access; its parameters keep the location, the point and the target, which the drill history records
 * (lib/jobs/effects.ts).
 */
import { z } from 'zod';
import { listArtifactsByDatabase } from '../../db/queries/artifacts';
import { getCluster, listClusters } from '../../db/queries/clusters';
import type { Catalog } from '../../db';
import { chooseDrillTarget, drillTargetOf, drillTargetProblem } from '../../schedules/drill-target';
import { clusterAndFolder, databaseName, fail, folderAtUse, fromZod, id, jobCluster, startJob, type CommandContext, type Result } from './shared';

export const drillInput = z.object({
  clusterId: id,
  folderId: id,
  database: databaseName,
  point: z.enum(['latest', 'random'], { error: 'choose latest or random' }).default('latest'),
});

/** The registered clusters as drill targets: each with why it cannot be one (null: it can). */
export function drillTargetChoices(db: Catalog): Array<{ id: number; name: string; kind: string; problem: string | null }> {
  return listClusters(db).map((c) => ({ id: c.id, name: c.name, kind: c.kind, problem: drillTargetProblem(c) }));
}

/** `note`: kept with the job's parameters (a scheduled drill's schedule and due time). */
export function startDrill(ctx: CommandContext, raw: unknown, createdBy: string | null, note: Record<string, unknown> = {}): Result<{ jobId: number; audit: { target: string; detail: string } }> {
  const p = drillInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const i = p.data;
  const cf = clusterAndFolder(ctx, i.clusterId, i.folderId);
  if ('ok' in cf) return cf;
  const target = drillTargetOf(ctx.db, cf.cluster, i.database).cluster;
  const problem = drillTargetProblem(target);
  if (problem) return fail('NOT_SUPPORTED', problem);
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
    params: { ...i, ...note, location: at.path, drillTarget: target.name },
    cluster: jobCluster(ctx, target),
    createdBy,
  });
  if (!r.ok) return r;
  const into = target.id === cf.cluster.id ? '' : ` into cluster ${target.name}`;
  return {
    ...r,
    audit: { target: `database=${i.database} cluster=${cf.cluster.name}`, detail: `job #${r.jobId}: restore drill at the ${i.point === 'latest' ? 'newest' : 'a random'} point of the newest chain in folder ${cf.folder.name}${into}` },
  };
}

export const drillTargetInput = z.object({
  clusterId: id,
  database: databaseName,
  /** the target cluster; empty: the database's own cluster */
  targetClusterId: z.union([z.literal('').transform(() => null), id]),
});

/** Chooses the cluster a database's drills restore into ("Drill now" and the scheduled drills). */
export function setDrillTargetCommand(ctx: CommandContext, raw: unknown): Result<{ target: string; audit: { target: string; detail: string } }> {
  const p = drillTargetInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const i = p.data;
  const own = getCluster(ctx.db, { id: i.clusterId });
  if (!own) return fail('NOT_FOUND', `There is no cluster #${i.clusterId}.`, { clusterId: ['unknown cluster'] });
  let target = own;
  if (i.targetClusterId !== null) {
    const t = getCluster(ctx.db, { id: i.targetClusterId });
    if (!t) return fail('NOT_FOUND', `There is no cluster #${i.targetClusterId}.`, { targetClusterId: ['unknown cluster'] });
    const problem = drillTargetProblem(t);
    if (problem) return fail('NOT_SUPPORTED', problem, { targetClusterId: [problem] });
    target = t;
  }
  chooseDrillTarget(ctx.db, own, i.database, target);
  const what = target.id === own.id ? `its own cluster ${own.name}` : `cluster ${target.name}`;
  return { ok: true, target: target.name, audit: { target: `database=${i.database} cluster=${own.name}`, detail: `drill target: ${what}` } };
}
