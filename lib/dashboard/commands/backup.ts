/**
 * Backing up a database of a cluster into a backup folder, as a job. The audit entry of a start names the
 * type asked for and the source member: the one chosen, or, when the cluster chooses, the member it would
 * choose now (the job decides again as it runs; its log says which).
 */
import path from 'node:path';
import { z } from 'zod';
import { likelySource } from '../source-choice';
import { bool, clusterAndFolder, databaseName, fail, folderAtUse, fromZod, HOST_PORT, id, jobCluster, startJob, type CommandContext, type Result } from './shared';

export const backupInput = z.object({
  clusterId: id,
  folderId: id,
  database: databaseName,
  type: z.enum(['auto', 'full', 'diff'], { error: 'choose auto, full or diff' }).default('auto'),
  /** a member address to back up from; empty: let the cluster choose (secondaries first) */
  member: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || HOST_PORT.test(v), { error: 'must be host:port' }),
  compress: bool.default(true),
  preferDiffAsParent: bool,
});

const TYPE_WORDS = { auto: 'auto (differential when possible)', full: 'full', diff: 'differential' } as const;

/** `note`: kept with the job's parameters beside the form's (a scheduled run's schedule and due time). */
export function startBackup(ctx: CommandContext, raw: unknown, createdBy: string | null, note: Record<string, unknown> = {}): Result<{ jobId: number; audit: { target: string; detail: string } }> {
  const p = backupInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const i = p.data;
  const cf = clusterAndFolder(ctx, i.clusterId, i.folderId);
  if ('ok' in cf) return cf;
  if (cf.cluster.kind === 'neo4j') return startNeo4jBackup(ctx, i, cf, createdBy, note);
  if (i.member && !cf.cluster.addresses.includes(i.member)) return fail('INVALID_ARGUMENT', `${i.member} is not a member of ${cf.cluster.name}.`, { member: ['not a member of this cluster'] });
  const at = folderAtUse(ctx, cf.folder);
  if (!at.ok) return at;
  const input = { database: i.database, toPath: at.path, type: i.type, compress: i.compress, preferDiffAsParent: i.preferDiffAsParent, from: i.member ? [i.member] : [], confineToRoots: at.confineToRoots };
  const r = startJob(ctx, { kind: 'backup', input, database: i.database, clusterId: i.clusterId, folderId: i.folderId, params: { ...i, ...note }, cluster: jobCluster(ctx, cf.cluster), createdBy });
  if (!r.ok) return r;
  let source: string;
  if (i.member) source = `source member ${i.member} (chosen)`;
  else {
    const likely = likelySource(ctx.collector.latest.get(i.clusterId)?.report, i.database);
    source = likely ? `source member chosen by the cluster (now ${likely.memberId} at ${likely.address}, ${likely.role}, ${likely.behind} behind)` : 'source member chosen by the cluster';
  }
  return {
    ...r,
    audit: {
      target: `database=${i.database} cluster=${cf.cluster.name}`,
      detail: `job #${r.jobId}: ${TYPE_WORDS[i.type]} backup; ${source}; into folder ${cf.folder.name}${i.compress ? '' : ', uncompressed'}${i.preferDiffAsParent ? ', preferring a differential as parent' : ''}`,
    },
  };
}

/**
 * A Neo4j cluster's backup, as a job that runs `txline database backup --cluster=<name>` (the CLI's code: its
 * neo4j-admin, from its registered --backup-from, into its location, checked by backup inspect). It goes into
 * the cluster's own location only: that folder is the one listed with its neo4j-admin.
 */
function startNeo4jBackup(
  ctx: CommandContext,
  i: z.infer<typeof backupInput>,
  cf: Exclude<ReturnType<typeof clusterAndFolder>, { ok: false }>,
  createdBy: string | null,
  note: Record<string, unknown>,
): Result<{ jobId: number; audit: { target: string; detail: string } }> {
  if (i.member) return fail('NOT_SUPPORTED', `A Neo4j cluster is backed up from its registered servers (--backup-from), not a member chosen here.`, { member: ['not for a Neo4j cluster'] });
  if (!cf.cluster.location || path.resolve(cf.cluster.location) !== path.resolve(cf.folder.path)) {
    return fail('INVALID_ARGUMENT', `${cf.cluster.name} is backed up into its own location (${cf.cluster.location ?? 'none registered'}), the folder its neo4j-admin lists.`, { folderId: ['not this cluster’s location'] });
  }
  const input = { database: i.database, toPath: path.resolve(cf.folder.path), type: i.type, compress: i.compress, preferDiffAsParent: i.preferDiffAsParent, from: [], confineToRoots: [], cluster: cf.cluster.name };
  const r = startJob(ctx, { kind: 'backup', input, database: i.database, clusterId: i.clusterId, folderId: i.folderId, params: { ...i, ...note }, cluster: jobCluster(ctx, cf.cluster), env: { TXLINE_CATALOG: ctx.env.catalog }, createdBy });
  if (!r.ok) return r;
  return {
    ...r,
    audit: {
      target: `database=${i.database} cluster=${cf.cluster.name}`,
      detail: `job #${r.jobId}: ${TYPE_WORDS[i.type]} backup by neo4j-admin of ${cf.cluster.name}; into folder ${cf.folder.name}${i.compress ? '' : ', uncompressed'}${i.preferDiffAsParent ? ', preferring a differential as parent' : ''}`,
    },
  };
}
