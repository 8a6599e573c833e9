/** The restore wizard's commands: check a choice and say what the restore would do, then start it as a job. */
import { z } from 'zod';
import { addressIn } from '../../storage';
import { isValidDatabaseName, normalizeDatabaseName } from '../../graph/names';
import { chainNode } from '../../db/queries/artifacts';
import { getCluster } from '../../db/queries/clusters';
import type { ArtifactRow, ClusterRow } from '../../db/schema';
import { jobArgv, type JobInput } from '../../jobs/protocol';
import { ChainIndex, type ChainNode } from '../../engine/chain';
import { parseRestorePoint, planRestore, restorableRanges, type RestorePoint } from '../../engine/restore-plan';
import { destinationProblem } from '../../engine/restore';
import { formatEndsAtRange, formatUntilRange } from '../../format';
import { databaseArtifacts } from '../artifact-cache';
import { clusterAndFolder, clusterDatabases, databaseName, fail, folderAtUse, fromZod, id, jobCluster, startJob, type CommandContext, type Result } from './shared';

export const restoreInput = z
  .object({
    clusterId: id,
    folderId: id,
    database: databaseName,
    point: z.enum(['latest', 'artifact', 'tx', 'time'], { error: 'choose a restore point' }),
    artifactId: z.coerce.number().int().positive().optional(),
    tx: z.string().trim().optional(),
    time: z.string().trim().optional(),
    targetMode: z.enum(['replace', 'new'], { error: 'choose where to restore' }).default('replace'),
    newName: z.string().trim().optional(),
    confirm: z.string().trim().optional(),
  })
  .superRefine((v, c) => {
    if (v.point === 'artifact' && !v.artifactId) c.addIssue({ code: 'custom', path: ['artifactId'], message: 'choose an artifact' });
    if (v.point === 'tx' && !(v.tx && /^\d+$/.test(v.tx) && Number(v.tx) >= 1)) c.addIssue({ code: 'custom', path: ['tx'], message: 'enter a transaction ID (a positive whole number)' });
    if (v.point === 'time' && !(v.time && parseRestorePoint(v.time)?.kind === 'time')) c.addIssue({ code: 'custom', path: ['time'], message: 'enter a UTC time as YYYY-MM-DD HH:MM:SS' });
    if (v.targetMode === 'new' && !(v.newName && isValidDatabaseName(v.newName))) {
      c.addIssue({ code: 'custom', path: ['newName'], message: 'enter a database name: letters, digits, dots and dashes, starting with a letter' });
    }
  });

export type RestoreInput = z.input<typeof restoreInput>;

export interface RestorePreview {
  chain: Array<{ id: number; file: string; full: boolean; lowestTx: number; highestTx: number; time: number }>;
  /** the transaction the restored database will be at (null for a time: known after replay) */
  targetTx: number | null;
  stopBeforeTx: number | null;
  stopBeforeTime: number | null;
  txToReplay: number;
  target: string;
  replacing: boolean;
  restorable: Array<{ storeId: string; fromTx: number; toTx: number; fromTime: number | null; toTime: number }>;
  /** backups of this database that a verification found corrupt: never part of a plan */
  skippedCorrupt: Array<{ id: number; file: string; message: string | null }>;
  /** the txline arguments the restore job would run (for "Copy CLI command"; absent in older jobs' params) */
  args?: string[];
}

/** Checks a restore choice step by step and says what the restore would do; starts nothing. */
export function previewRestore(ctx: CommandContext, raw: unknown): Result<{ preview: RestorePreview; input: JobInput<'restore'>; args: string[] }> {
  const p = restoreInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const i = p.data;
  const cf = clusterAndFolder(ctx, i.clusterId, i.folderId);
  if ('ok' in cf) return cf;
  // the rows as the pages read them (kept while unchanged: the wizard previews on every change of a field)
  const { rows } = databaseArtifacts(ctx.db, { folderId: i.folderId, database: i.database });
  if (rows.length === 0) return fail('NOT_FOUND', `There are no backups of ${i.database} in ${cf.folder.name}.`, { database: ['no backups of this database in this folder'] });
  const nodes = rows.map(chainNode);
  // Backups the catalog knows are corrupt (a verification read them) are left out of every plan, so that the
  // restore is refused here, naming them, rather than at the progress step.
  const corrupt = rows.filter((r) => r.verifyStatus === 'corrupt');
  const corruptIds = new Set(corrupt.map((r) => r.id));
  const usable = corrupt.length ? nodes.filter((n) => !corruptIds.has(n.id)) : nodes;
  const restorable = restorableRanges(usable, new ChainIndex(usable));
  const field = i.point === 'tx' ? 'tx' : i.point === 'time' ? 'time' : i.point === 'artifact' ? 'artifactId' : 'point';
  let point: RestorePoint = { kind: 'latest' };
  let end: (ChainNode & { id: number }) | undefined;
  const at = folderAtUse(ctx, cf.folder);
  if (!at.ok) return at;
  let fromPath = at.path;
  if (i.point === 'artifact') {
    end = nodes.find((n) => n.id === i.artifactId);
    if (!end) return fail('NOT_FOUND', 'That artifact is not a backup of this database in this folder.', { artifactId: ['unknown artifact'] });
    fromPath = addressIn(at.path, end.file);
  } else if (i.point === 'tx') point = { kind: 'tx', before: Number(i.tx) };
  else if (i.point === 'time') point = parseRestorePoint(i.time as string) as RestorePoint;
  // --from-path is a comma-separated list: a comma in the path would make it two paths.
  if (fromPath.includes(',')) {
    const problem = `${fromPath} contains a comma, which the restore command would read as a list of paths; rename the folder or file`;
    return fail('INVALID_ARGUMENT', `Cannot restore from there: ${problem}.`, { folderId: [problem] });
  }
  const endRow = end && corruptIds.has(end.id) ? corrupt.find((r) => r.id === end?.id) : undefined;
  if (endRow) {
    const problem = `${endRow.file} was found corrupt by its last verification${endRow.verifyMessage ? ` (${endRow.verifyMessage})` : ''}; choose another backup.`;
    return fail('ARTIFACT_CORRUPT', problem, { [field]: [problem] });
  }
  const planned = planRestore(usable, point, end);
  if (!planned.ok) {
    // Would the restore work if the corrupt backups were fine? Then they are the reason: name them.
    const withCorrupt = corrupt.length ? planRestore(nodes, point, end) : null;
    if (withCorrupt?.ok) {
      const bad = withCorrupt.plan.chain.filter((n) => corruptIds.has((n as ChainNode & { id: number }).id));
      const byId = new Map(corrupt.map((r) => [r.id, r]));
      const named = bad
        .map((n) => {
          const r = byId.get((n as ChainNode & { id: number }).id) as ArtifactRow;
          return `${r.file}${r.verifyMessage ? ` (${r.verifyMessage})` : ''}`;
        })
        .join(', ');
      const other = restorable.length
        ? `; what the other backups can restore: ${restorable.map((r) => `the database ${formatEndsAtRange(r.fromTx, r.toTx)} (${formatUntilRange(r.fromTx, r.toTx)})`).join(', ')}`
        : '; no other intact chain is left';
      const problem = `This point needs ${bad.length === 1 ? 'a backup' : 'backups'} that a verification found corrupt: ${named}${other}.`;
      return fail('ARTIFACT_CORRUPT', problem, { [field]: [problem] });
    }
    // what is wrong even with every backup in is the structural problem
    const problem = withCorrupt && !withCorrupt.ok ? withCorrupt.problem : planned.problem;
    return fail('RESTORE_POINT_OUTSIDE_CHAIN', problem, { [field]: [problem] });
  }
  const plan = planned.plan;
  const existing = clusterDatabases(ctx, i.clusterId);
  let target = i.database;
  if (i.targetMode === 'new') {
    target = normalizeDatabaseName(i.newName as string);
    // decided as the engine decides it (and again at install time), with its message
    const refused = destinationProblem(target, existing.has(target), false);
    if (refused) return fail(refused.code, `${refused.message} (on ${cf.cluster.name})`, { newName: [refused.message] });
  }
  const replacing = existing.has(target);
  const input: JobInput<'restore'> = {
    database: target,
    fromPath: [fromPath],
    fromDatabase: i.database,
    ...(plan.stopBeforeTx !== null ? { restoreUntil: { kind: 'tx' as const, before: plan.stopBeforeTx } } : {}),
    ...(plan.stopBeforeTime !== null ? { restoreUntil: { kind: 'time' as const, before: plan.stopBeforeTime } } : {}),
    overwriteDestination: replacing,
    confineToRoots: at.confineToRoots,
  };
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    ok: true,
    input,
    /** the command the restore job would run */
    args: jobArgv({ kind: 'restore', input }),
    preview: {
      chain: plan.chain.map((n) => {
        const r = byId.get((n as ChainNode & { id: number }).id) as ArtifactRow;
        return { id: r.id, file: r.file, full: r.full, lowestTx: r.lowestTx, highestTx: r.highestTx, time: r.time };
      }),
      targetTx: plan.targetTx,
      stopBeforeTx: plan.stopBeforeTx,
      stopBeforeTime: plan.stopBeforeTime,
      txToReplay: plan.txToReplay,
      target,
      replacing,
      restorable,
      skippedCorrupt: corrupt.map((r) => ({ id: r.id, file: r.file, message: r.verifyMessage })),
      args: jobArgv({ kind: 'restore', input }),
    },
  };
}

/**
 * The audit entry of a restore's start: the source (database, folder and its location), the point (a
 * transaction, said both as restore-until and as where the database ends, a time, an artifact, or the
 * latest) and the target (replaced or new, on which cluster).
 */
export function restoreAuditNote(a: { jobId: number; source: string; folder: { name: string; path: string }; cluster: string; point: RestoreInput['point']; artifactFile?: string; preview: RestorePreview }): { target: string; detail: string } {
  const p = a.preview;
  const ends = p.targetTx !== null ? `; the database ends at transaction ${p.targetTx}` : '';
  const point =
    p.stopBeforeTx !== null
      ? `until transaction ${p.stopBeforeTx} (exclusive)${ends}`
      : p.stopBeforeTime !== null
        ? `until ${new Date(p.stopBeforeTime).toISOString().replace('T', ' ').slice(0, 19)} UTC (exclusive)${ends}`
        : a.point === 'artifact' && a.artifactFile
          ? `to backup ${a.artifactFile}${ends}`
          : `to the latest backup${ends}`;
  const target = `${p.target} on ${a.cluster} (${p.replacing ? 'replacing it' : 'a new database'})`;
  return {
    target: `database=${p.target} from=${a.source}`,
    detail: `job #${a.jobId}: restore ${a.source} from folder ${a.folder.name} (${a.folder.path}) ${point}; into ${target}; chain ${p.chain.map((c) => c.file).join(', ')}`,
  };
}

export function startRestore(ctx: CommandContext, raw: unknown, createdBy: string | null): Result<{ jobId: number; preview: RestorePreview; audit: { target: string; detail: string } }> {
  const pre = previewRestore(ctx, raw);
  if (!pre.ok) return pre;
  const i = restoreInput.parse(raw);
  if (pre.preview.replacing && i.confirm !== pre.preview.target) {
    return fail('CONFIRMATION_REQUIRED', `Type ${pre.preview.target} to confirm that it will be replaced.`, { confirm: [`type "${pre.preview.target}" to confirm`] });
  }
  const cluster = getCluster(ctx.db, { id: i.clusterId }) as ClusterRow;
  const r = startJob(ctx, {
    kind: 'restore',
    input: pre.input,
    database: pre.preview.target,
    clusterId: i.clusterId,
    folderId: i.folderId,
    params: { ...i, preview: pre.preview },
    cluster: jobCluster(ctx, cluster),
    createdBy,
  });
  if (!r.ok) return fail(r.code, r.error);
  const cf = clusterAndFolder(ctx, i.clusterId, i.folderId);
  const folder = 'ok' in cf ? { name: `#${i.folderId}`, path: '?' } : cf.folder;
  const artifactFile = i.point === 'artifact' ? pre.preview.chain.find((c) => c.id === i.artifactId)?.file : undefined;
  const audit = restoreAuditNote({ jobId: r.jobId, source: i.database, folder, cluster: cluster.name, point: i.point, artifactFile, preview: pre.preview });
  return { ok: true, jobId: r.jobId, preview: pre.preview, audit };
}
