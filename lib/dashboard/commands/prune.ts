/**
 * Applying a retention policy to a database's backups in a folder, as a job running `txline backup prune`
 * (lib/engine/prune.ts: under the folder's lock for the database, whole chains, dependents first and newest
 * first, the fulls it keeps checked first). The folder is confined to the backup roots again at this moment.
 */
import { getFolder } from '../../db/queries/clusters';
import type { RetentionPolicyRow } from '../../db/schema';
import { fail, folderAtUse, startJob, type CommandContext, type Result } from './shared';

export type PolicyRules = Pick<RetentionPolicyRow, 'keepFull' | 'keepDays' | 'keepWeekly'>;

/** "--keep-full=2 --keep-days=7": a policy's rules as the CLI takes them. */
export function policyFlags(p: PolicyRules): string {
  return [
    p.keepFull !== null ? `--keep-full=${p.keepFull}` : null,
    p.keepDays !== null ? `--keep-days=${p.keepDays}` : null,
    p.keepWeekly !== null ? `--keep-weekly=${p.keepWeekly}` : null,
  ]
    .filter(Boolean)
    .join(' ');
}

/** Starts the prune job of one database's backups in a folder (`note`: kept with the job's parameters). */
export function startPrune(
  ctx: CommandContext,
  { folderId, database, policy }: { folderId: number; database: string; policy: PolicyRules },
  createdBy: string | null,
  note: Record<string, unknown> = {},
): Result<{ jobId: number }> {
  const folder = getFolder(ctx.db, { id: folderId });
  if (!folder) return fail('NOT_FOUND', `There is no backup folder #${folderId}.`);
  const at = folderAtUse(ctx, folder);
  if (!at.ok) return at;
  const rules = {
    ...(policy.keepFull !== null ? { keepFull: policy.keepFull } : {}),
    ...(policy.keepDays !== null ? { keepDays: policy.keepDays } : {}),
    ...(policy.keepWeekly !== null ? { keepWeekly: policy.keepWeekly } : {}),
  };
  const input = { fromPath: at.path, database, ...rules, dryRun: false, confineToRoots: at.confineToRoots };
  return startJob(ctx, { kind: 'prune', input, database, clusterId: null, folderId, params: { folder: folder.name, ...rules, ...note }, createdBy });
}
