/**
 * Backing up a database of a cluster into a backup folder, as a job. The audit entry of a start names the
 * type asked for and the source member: the one chosen, or, when the cluster chooses, the member it would
 * choose now (the job decides again as it runs; its log says which).
 */
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
