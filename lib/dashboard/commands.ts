/**
 * What the dashboard's server actions do, without Next.js: validate the input (zod), then start a job or
 * call the cluster, and return a typed result the page shows. The actions in app/ (one per page, 'use server')
 * check the caller's role first, then call these; tests call them with a context of their own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { requestJson } from '../cluster/client';
import { MemberClient } from '../cluster/client';
import { catalogClusterToken, environmentTokenFor } from '../cluster/token';
import { isValidDatabaseName, normalizeDatabaseName } from '../graph/names';
import { describeError } from '../errors';
import { fsyncDir } from '../fs';
import type { Catalog } from '../db';
import { chainNode, getArtifact, listArtifactsByDatabase } from '../db/queries/artifacts';
import { addRemoteCluster, ensureFolder, getCluster, getFolder, listClusters, listFolders, removeCluster, removeFolder, setClusterTokenOf } from '../db/queries/clusters';
import { lagSamples, type ArtifactRow, type BackupFolderRow, type ClusterRow } from '../db/schema';
import { eq } from 'drizzle-orm';
import { ChainIndex, type ChainNode } from '../engine/chain';
import { formatUtc, parseRestorePoint, planRestore, restorableRanges, type RestorePoint } from '../engine/restore-plan';
import { acquireLock } from '../engine/lock';
import { confineAtUse, confineToRoots, folderRoots } from '../auth/paths';
import { CLUSTER_TOKEN, type TxlineEnv } from '../env';
import type { JobRunner, StartJob, StartResult } from '../jobs/runner';
import type { Collector } from '../monitor/collector';
import { databaseArtifacts } from './artifact-cache';

export interface CommandContext {
  db: Catalog;
  runner: JobRunner;
  collector: Collector;
  env: TxlineEnv;
  /** brings the catalog in line with a folder (or every folder); resolves when that scan is done */
  reindex: (folderId?: number) => Promise<void>;
}

export type Fail = { ok: false; error: string; fieldErrors?: Record<string, string[]> };
export type Result<T extends object = object> = ({ ok: true } & T) | Fail;

const fail = (error: string, fieldErrors?: Record<string, string[]>): Fail => ({ ok: false, error, ...(fieldErrors ? { fieldErrors } : {}) });

function fromZod(e: z.ZodError): Fail {
  const fieldErrors: Record<string, string[]> = {};
  for (const i of e.issues) {
    const k = i.path.map(String).join('.') || 'form';
    (fieldErrors[k] ??= []).push(i.message);
  }
  return fail('Some fields need attention.', fieldErrors);
}

/** Checkbox and boolean-ish form values. */
const bool = z
  .union([z.boolean(), z.enum(['on', 'true', 'false', '1', '0', ''])])
  .optional()
  .transform((v) => v === true || v === 'on' || v === 'true' || v === '1');

const id = z.coerce.number({ error: 'must be a number' }).int().positive({ error: 'is required' });

const databaseName = z
  .string({ error: 'is required' })
  .trim()
  .min(1, { error: 'is required' })
  .refine(isValidDatabaseName, { error: 'use letters, digits, dots and dashes, starting with a letter' })
  .transform((s) => normalizeDatabaseName(s));

const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

function clusterAndFolder(ctx: CommandContext, clusterId: number, folderId: number): { cluster: ClusterRow; folder: BackupFolderRow } | Fail {
  const cluster = getCluster(ctx.db, { id: clusterId });
  if (!cluster) return fail(`There is no cluster #${clusterId}.`, { clusterId: ['unknown cluster'] });
  const folder = getFolder(ctx.db, { id: folderId });
  if (!folder) return fail(`There is no backup folder #${folderId}.`, { folderId: ['unknown backup folder'] });
  return { cluster, folder };
}

/**
 * A registered folder at the moment of use (a job starts, files are deleted): confined to the backup roots
 * again, since it may have been replaced on disk after it was registered (by a symlink that leads out, say).
 * The work gets the folder's real path as it is now, never the registered one.
 */
function folderAtUse(ctx: CommandContext, folder: BackupFolderRow): { ok: true; path: string } | Fail {
  const c = confineAtUse(folder.path, folderRoots(ctx.env, folder));
  return c.ok ? c : fail(`Cannot use the backup folder ${folder.name}: ${c.error}.`, { folderId: [c.error] });
}

/**
 * Starts a job on a folder's files: the CLI runs confined to the roots the folder was just checked against
 * (--confine-to-root, lib/engine/confine.ts), so it does not follow a `*.backup` symlink in the folder that
 * leads out of them, nor take a folder that was swapped for one that leads out since.
 */
function startFolderJob(ctx: CommandContext, folder: BackupFolderRow, job: StartJob): StartResult {
  const confine = folderRoots(ctx.env, folder).map((r) => `--confine-to-root=${path.resolve(r)}`);
  return ctx.runner.start({ ...job, folderId: folder.id, args: [...job.args, ...confine] });
}

/** A job's cluster: its addresses and its token only (the runner gives a job without one an empty token). */
function jobCluster(ctx: CommandContext, cluster: ClusterRow): { addresses: string[]; token: string | null } {
  return { addresses: cluster.addresses, token: catalogClusterToken(cluster, ctx.env) };
}

/** Names of the databases the cluster reports right now (from the collector). */
export function clusterDatabases(ctx: CommandContext, clusterId: number): Set<string> {
  const snap = ctx.collector.latest.get(clusterId);
  return new Set(snap?.report.members.flatMap((m) => m.databases.map((d) => d.name)) ?? []);
}

// ---- backups ---------------------------------------------------------------------------------------------

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

export function startBackup(ctx: CommandContext, raw: unknown, createdBy: string | null): Result<{ jobId: number }> {
  const p = backupInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const i = p.data;
  const cf = clusterAndFolder(ctx, i.clusterId, i.folderId);
  if ('ok' in cf) return cf;
  if (i.member && !cf.cluster.addresses.includes(i.member)) return fail(`${i.member} is not a member of ${cf.cluster.name}.`, { member: ['not a member of this cluster'] });
  const at = folderAtUse(ctx, cf.folder);
  if (!at.ok) return at;
  const args = [
    'database',
    'backup',
    `--to-path=${at.path}`,
    `--type=${i.type}`,
    `--compress=${i.compress}`,
    ...(i.preferDiffAsParent ? ['--prefer-diff-as-parent'] : []),
    ...(i.member ? [`--from=${i.member}`] : []),
    i.database,
  ];
  const r = startFolderJob(ctx, cf.folder, { kind: 'backup', database: i.database, clusterId: i.clusterId, folderId: i.folderId, params: i, args, cluster: jobCluster(ctx, cf.cluster), createdBy });
  return r.ok ? { ok: true, jobId: r.jobId } : fail(r.error);
}

// ---- verification and aggregation ----------------------------------------------------------------------

export const chainInput = z.object({ folderId: id, database: databaseName, clusterId: id.optional() });

export function startVerifyChain(ctx: CommandContext, raw: unknown, createdBy: string | null): Result<{ jobId: number }> {
  const p = chainInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const folder = getFolder(ctx.db, { id: p.data.folderId });
  if (!folder) return fail(`There is no backup folder #${p.data.folderId}.`);
  const at = folderAtUse(ctx, folder);
  if (!at.ok) return at;
  const args = ['database', 'check', `--from-path=${at.path}`, `--report-path=${path.join(ctx.env.dataDir, 'reports')}`, p.data.database];
  const r = startFolderJob(ctx, folder, { kind: 'verify', database: p.data.database, clusterId: p.data.clusterId ?? null, folderId: folder.id, params: p.data, args, createdBy });
  return r.ok ? { ok: true, jobId: r.jobId } : fail(r.error);
}

export const artifactInput = z.object({ artifactId: id });

export function startVerifyArtifact(ctx: CommandContext, raw: unknown, createdBy: string | null): Result<{ jobId: number }> {
  const p = artifactInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const a = getArtifact(ctx.db, { id: p.data.artifactId });
  const folder = a && getFolder(ctx.db, { id: a.folderId });
  if (!a || !folder) return fail(`There is no artifact #${p.data.artifactId}.`);
  const at = folderAtUse(ctx, folder);
  if (!at.ok) return at;
  const args = ['database', 'check', `--from-path=${path.join(at.path, a.file)}`, `--report-path=${path.join(ctx.env.dataDir, 'reports')}`, a.database];
  const r = startFolderJob(ctx, folder, { kind: 'verify', database: a.database, clusterId: null, folderId: folder.id, params: { artifactId: a.id, file: a.file }, args, createdBy });
  return r.ok ? { ok: true, jobId: r.jobId } : fail(r.error);
}

export function startAggregate(ctx: CommandContext, raw: unknown, createdBy: string | null): Result<{ jobId: number }> {
  const p = chainInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const folder = getFolder(ctx.db, { id: p.data.folderId });
  if (!folder) return fail(`There is no backup folder #${p.data.folderId}.`);
  if (listArtifactsByDatabase(ctx.db, { folderId: folder.id, database: p.data.database }).length === 0) {
    return fail(`There are no backups of ${p.data.database} in ${folder.name}.`);
  }
  const at = folderAtUse(ctx, folder);
  if (!at.ok) return at;
  const args = ['backup', 'aggregate', `--from-path=${at.path}`, p.data.database];
  const r = startFolderJob(ctx, folder, { kind: 'aggregate', database: p.data.database, clusterId: p.data.clusterId ?? null, folderId: folder.id, params: p.data, args, createdBy });
  return r.ok ? { ok: true, jobId: r.jobId } : fail(r.error);
}

// ---- restore ---------------------------------------------------------------------------------------------

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
}

/** Checks a restore choice step by step and says what the restore would do; starts nothing. */
export function previewRestore(ctx: CommandContext, raw: unknown): Result<{ preview: RestorePreview; args: string[] }> {
  const p = restoreInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const i = p.data;
  const cf = clusterAndFolder(ctx, i.clusterId, i.folderId);
  if ('ok' in cf) return cf;
  // the rows as the pages read them (kept while unchanged: the wizard previews on every change of a field)
  const { rows } = databaseArtifacts(ctx.db, { folderId: i.folderId, database: i.database });
  if (rows.length === 0) return fail(`There are no backups of ${i.database} in ${cf.folder.name}.`, { database: ['no backups of this database in this folder'] });
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
    if (!end) return fail('That artifact is not a backup of this database in this folder.', { artifactId: ['unknown artifact'] });
    fromPath = path.join(at.path, end.file);
  } else if (i.point === 'tx') point = { kind: 'tx', before: Number(i.tx) };
  else if (i.point === 'time') point = parseRestorePoint(i.time as string) as RestorePoint;
  // --from-path is a comma-separated list: a comma in the path would make it two paths.
  if (fromPath.includes(',')) {
    const problem = `${fromPath} contains a comma, which the restore command would read as a list of paths; rename the folder or file`;
    return fail(`Cannot restore from there: ${problem}.`, { folderId: [problem] });
  }
  const endRow = end && corruptIds.has(end.id) ? corrupt.find((r) => r.id === end?.id) : undefined;
  if (endRow) {
    const problem = `${endRow.file} was found corrupt by its last verification${endRow.verifyMessage ? ` (${endRow.verifyMessage})` : ''}; choose another backup.`;
    return fail(problem, { [field]: [problem] });
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
        ? `; what the other backups can restore: ${restorable.map((r) => `transactions ${r.fromTx}..${r.toTx} (restore until ${r.fromTx + 1}..${r.toTx + 1})`).join(', ')}`
        : '; no other intact chain is left';
      const problem = `This point needs ${bad.length === 1 ? 'a backup' : 'backups'} that a verification found corrupt: ${named}${other}.`;
      return fail(problem, { [field]: [problem] });
    }
    // what is wrong even with every backup in is the structural problem
    const problem = withCorrupt && !withCorrupt.ok ? withCorrupt.problem : planned.problem;
    return fail(problem, { [field]: [problem] });
  }
  const plan = planned.plan;
  const existing = clusterDatabases(ctx, i.clusterId);
  let target = i.database;
  if (i.targetMode === 'new') {
    target = normalizeDatabaseName(i.newName as string);
    if (existing.has(target)) {
      return fail(`A database named ${target} already exists on ${cf.cluster.name}.`, { newName: [`${target} already exists; choose another name, or replace it`] });
    }
  }
  const replacing = existing.has(target);
  const args = [
    'database',
    'restore',
    `--from-path=${fromPath}`,
    `--from-database=${i.database}`,
    ...(plan.stopBeforeTx !== null ? [`--restore-until=${plan.stopBeforeTx}`] : []),
    ...(plan.stopBeforeTime !== null ? [`--restore-until=${formatUtc(plan.stopBeforeTime)}`] : []),
    ...(replacing ? ['--overwrite-destination'] : []),
    target,
  ];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    ok: true,
    args,
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
    },
  };
}

export function startRestore(ctx: CommandContext, raw: unknown, createdBy: string | null): Result<{ jobId: number; preview: RestorePreview }> {
  const pre = previewRestore(ctx, raw);
  if (!pre.ok) return pre;
  const i = restoreInput.parse(raw);
  if (pre.preview.replacing && i.confirm !== pre.preview.target) {
    return fail(`Type ${pre.preview.target} to confirm that it will be replaced.`, { confirm: [`type "${pre.preview.target}" to confirm`] });
  }
  const cluster = getCluster(ctx.db, { id: i.clusterId }) as ClusterRow;
  const folder = getFolder(ctx.db, { id: i.folderId }) as BackupFolderRow;
  const r = startFolderJob(ctx, folder, {
    kind: 'restore',
    database: pre.preview.target,
    clusterId: i.clusterId,
    folderId: i.folderId,
    params: { ...i, preview: pre.preview },
    args: pre.args,
    cluster: jobCluster(ctx, cluster),
    createdBy,
  });
  return r.ok ? { ok: true, jobId: r.jobId, preview: pre.preview } : fail(r.error);
}

// ---- jobs ------------------------------------------------------------------------------------------------

export function cancelJob(ctx: CommandContext, raw: unknown): Result {
  const p = z.object({ jobId: id }).safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const r = ctx.runner.cancel(p.data.jobId);
  return r.ok ? { ok: true } : fail(r.error);
}

// ---- artifacts -------------------------------------------------------------------------------------------

/**
 * Deletes an artifact and every backup that depends on it, newest first (so an interrupted delete leaves
 * usable backups), under the folder's lock for that database.
 */
export async function deleteArtifact(ctx: CommandContext, raw: unknown): Promise<Result<{ deleted: string[] }>> {
  const p = artifactInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const a = getArtifact(ctx.db, { id: p.data.artifactId });
  const folder = a && getFolder(ctx.db, { id: a.folderId });
  if (!a || !folder) return fail(`There is no artifact #${p.data.artifactId}.`);
  const rows = listArtifactsByDatabase(ctx.db, { folderId: folder.id, database: a.database });
  const doomed = new Set([a.file]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const r of rows) if (r.parent && doomed.has(r.parent) && !doomed.has(r.file)) doomed.add(r.file), (grew = true);
  }
  const at = folderAtUse(ctx, folder);
  if (!at.ok) return at;
  let lock;
  try {
    lock = acquireLock(at.path, a.database, 'delete');
  } catch (e) {
    return fail(describeError(e));
  }
  const deleted: string[] = [];
  try {
    for (const r of rows.filter((x) => doomed.has(x.file)).sort((x, y) => y.time - x.time)) {
      fs.rmSync(path.join(at.path, r.file), { force: true });
      deleted.push(r.file);
    }
    fsyncDir(at.path);
  } finally {
    lock.release();
    // the page shown next reads the catalog: it must no longer hold what was deleted
    await ctx.reindex(folder.id);
  }
  return { ok: true, deleted };
}

// ---- cluster controls ------------------------------------------------------------------------------------

export const memberControlInput = z.object({
  clusterId: id,
  memberId: z.string().regex(/^[a-z0-9-]{1,64}$/, { error: 'unknown member' }),
  action: z.enum(['pause', 'resume', 'stop', 'start'], { error: 'unknown action' }),
});

export async function controlMember(ctx: CommandContext, raw: unknown): Promise<Result<{ message: string }>> {
  const p = memberControlInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const { clusterId, memberId, action } = p.data;
  const cluster = getCluster(ctx.db, { id: clusterId });
  if (!cluster) return fail(`There is no cluster #${clusterId}.`);
  const member = ctx.collector.latest.get(clusterId)?.report.members.find((m) => m.id === memberId);
  try {
    if (action === 'pause' || action === 'resume') {
      if (!member?.reachable) return fail(`${memberId} cannot be reached; start it first.`);
      const token = cluster.startedHere ? environmentTokenFor(member.address, ctx.env) : catalogClusterToken(cluster, ctx.env);
      await new MemberClient(member.address, token).replication({ paused: action === 'pause' });
      return { ok: true, message: `${memberId}: replication ${action === 'pause' ? 'paused' : 'resumed'}` };
    }
    if (!cluster.startedHere || !cluster.controlAddress) {
      return fail('Members can only be stopped and started in the embedded cluster.');
    }
    await requestJson(cluster.controlAddress, `/members/${encodeURIComponent(memberId)}/${action}`, {
      method: 'POST',
      timeoutMs: 60_000,
      token: environmentTokenFor(cluster.controlAddress, ctx.env),
    });
    return { ok: true, message: `${memberId}: ${action === 'stop' ? 'stopped' : 'started'}` };
  } catch (e) {
    return fail(`Could not ${action} ${memberId}: ${describeError(e)}`);
  }
}

// ---- settings --------------------------------------------------------------------------------------------

/** A remote cluster's member token, as TXLINE_CLUSTER_TOKEN takes it; empty: none. */
const clusterToken = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined))
  .refine((v) => v === undefined || CLUSTER_TOKEN.test(v), { error: 'must be 16 to 1024 printable characters without spaces' });

export const clusterInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, { error: 'is required' })
    .max(64)
    .regex(/^[A-Za-z0-9 ._-]+$/, { error: 'letters, digits, spaces, dots, dashes and underscores' }),
  addresses: z
    .string()
    .trim()
    .min(1, { error: 'list at least one host:port' })
    .transform((v, c) => {
      const list = v.split(/[\s,]+/).filter(Boolean);
      const bad = list.filter((a) => !HOST_PORT.test(a) || Number(HOST_PORT.exec(a)?.[1]) > 65535);
      if (bad.length) {
        c.addIssue({ code: 'custom', message: `not host:port: ${bad.join(', ')}` });
        return z.NEVER;
      }
      return [...new Set(list)];
    }),
  token: clusterToken,
});

/**
 * Registers a remote cluster, with its own member token if it has one. No result, error or audit note
 * carries the token: it goes to the catalog and to that cluster's members only.
 */
export function addCluster(ctx: CommandContext, raw: unknown): Result<{ clusterId: number; audit: { detail: string } }> {
  const p = clusterInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  if (listClusters(ctx.db).some((c) => c.name.toLowerCase() === p.data.name.toLowerCase())) return fail(`A cluster named ${p.data.name} exists.`, { name: ['already taken'] });
  const row = addRemoteCluster(ctx.db, { name: p.data.name, addresses: p.data.addresses, token: p.data.token ?? null });
  return { ok: true, clusterId: row.id, audit: { detail: `${row.addresses.join(', ')}; ${row.token ? 'with a token' : 'no token'}` } };
}

export const clusterTokenInput = z.object({ clusterId: id, token: clusterToken, remove: bool });

/** Sets, replaces or (`remove`) removes a remote cluster's member token. */
export function updateClusterToken(ctx: CommandContext, raw: unknown): Result<{ hasToken: boolean; audit: { target: string; detail: string } }> {
  const p = clusterTokenInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const c = getCluster(ctx.db, { id: p.data.clusterId });
  if (!c) return fail(`There is no cluster #${p.data.clusterId}.`);
  if (c.startedHere) return fail('The embedded cluster uses its own token file; it takes no token here.');
  const token = p.data.remove ? null : p.data.token;
  if (token === undefined) return fail('Type the token, or remove the one set.', { token: ['is required'] });
  setClusterTokenOf(ctx.db, { id: c.id, token });
  const detail = token === null ? (c.token ? 'token removed' : 'no token (none was set)') : c.token ? 'token replaced' : 'token set';
  return { ok: true, hasToken: token !== null, audit: { target: `cluster=${c.name}`, detail } };
}

export function deleteCluster(ctx: CommandContext, raw: unknown): Result {
  const p = z.object({ clusterId: id }).safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const c = getCluster(ctx.db, { id: p.data.clusterId });
  if (!c) return fail(`There is no cluster #${p.data.clusterId}.`);
  if (c.startedHere) return fail('The embedded cluster cannot be removed.');
  removeCluster(ctx.db, { id: c.id });
  ctx.db.delete(lagSamples).where(eq(lagSamples.clusterId, c.id)).run(); // its history goes with it
  ctx.collector.latest.delete(c.id);
  return { ok: true };
}

export const folderInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, { error: 'is required' })
    .max(64)
    .regex(/^[A-Za-z0-9 ._-]+$/, { error: 'letters, digits, spaces, dots, dashes and underscores' }),
  path: z.string({ error: 'is required' }),
});

/** Adds a backup folder. Its path comes from the browser: it must resolve inside the backup roots. */
export async function addFolder(ctx: CommandContext, raw: unknown): Promise<Result<{ folderId: number }>> {
  const p = folderInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const confined = confineToRoots(p.data.path, ctx.env.backupRoots);
  if (!confined.ok) return fail(`Cannot use that folder: ${confined.error}.`, { path: [confined.error] });
  const resolved = confined.path;
  if (listFolders(ctx.db).some((f) => f.name.toLowerCase() === p.data.name.toLowerCase())) return fail(`A folder named ${p.data.name} exists.`, { name: ['already taken'] });
  if (listFolders(ctx.db).some((f) => f.path === resolved)) return fail(`${resolved} is already a backup folder.`, { path: ['already registered'] });
  try {
    fs.mkdirSync(resolved, { recursive: true });
    fs.accessSync(resolved, fs.constants.W_OK);
  } catch (e) {
    return fail(`Cannot use ${resolved}: ${describeError(e)}`, { path: ['cannot be created or written'] });
  }
  // Created now: check again that no symlink race took it outside the roots.
  const again = confineToRoots(resolved, ctx.env.backupRoots);
  if (!again.ok) return fail(`Cannot use that folder: ${again.error}.`, { path: [again.error] });
  const row = ensureFolder(ctx.db, { name: p.data.name, path: resolved, isDefault: false });
  await ctx.reindex(row.id); // the settings page shows the new folder with what it holds
  return { ok: true, folderId: row.id };
}

export function deleteFolder(ctx: CommandContext, raw: unknown): Result {
  const p = z.object({ folderId: id }).safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const f = getFolder(ctx.db, { id: p.data.folderId });
  if (!f) return fail(`There is no backup folder #${p.data.folderId}.`);
  if (f.isDefault) return fail('The default backup folder cannot be removed.');
  removeFolder(ctx.db, { id: f.id }); // the files stay; only the catalog forgets the folder
  return { ok: true };
}
