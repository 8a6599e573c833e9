/**
 * The dashboard's side of retention policies: the preview shown before a policy is saved, the database page's
 * read (the policies that cover the database, and its `<db>-latest` in each folder), and the commands behind
 * the form (save, remove; admins only, since applying a policy deletes backups).
 *
 * - The preview is the planner `txline backup prune --dry-run` runs (lib/engine/retention.ts, planRetention),
 *   over the catalog's index of the folder instead of the files: the same chains, the same keep and delete
 *   decisions with the same reasons, in the same deletion order. Where the dry run reads each kept full's
 *   checksum, the preview takes the catalog's last verification (a full found corrupt does not count).
 * - Saving a policy applies it at once, one prune job per database it covers (a database busy with a job is
 *   pruned after its next scheduled backup), and the server applies it again after each scheduled backup
 *   (lib/schedules/scheduler.ts). A database's own policy in a folder wins over the folder's '*' policy.
 */
import { z } from 'zod';
import { chainNode, databasesWithBackups, listArtifactsByDatabase } from '../db/queries/artifacts';
import { databaseArtifacts } from './artifact-cache';
import { getFolder, listFolders } from '../db/queries/clusters';
import { EVERY_DATABASE, getRetentionPolicy, listRetentionPolicies, policyFor, removeRetentionPolicy, upsertRetentionPolicy } from '../db/queries/retention';
import type { ArtifactRow } from '../db/schema';
import { newestRestorable } from '../engine/latest';
import { planRetention, policyProblem } from '../engine/retention';
import { formatBytes, formatNumber, formatTxRange } from '../format';
import { isValidDatabaseName, normalizeDatabaseName } from '../graph/names';
import { policyFlags, startPrune, type PolicyRules } from './commands/prune';
import { fail, fromZod, id, type CommandContext, type Result } from './commands/shared';

/** A rule's number: empty means "not this rule"; else a positive integer (at most 100,000). */
const keep = z
  .union([z.number(), z.string().trim()])
  .optional()
  .transform((v, c) => {
    if (v === undefined || v === '') return null;
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isSafeInteger(n) || n < 1 || n > 100_000) {
      c.addIssue({ code: 'custom', message: 'a whole number from 1 to 100,000, or empty' });
      return z.NEVER;
    }
    return n;
  });

export const retentionInput = z
  .object({
    folderId: id,
    /** a database name, or '*' for every database of the folder without a policy of its own */
    database: z
      .string({ error: 'is required' })
      .trim()
      .refine((v) => v === EVERY_DATABASE || isValidDatabaseName(v), { error: 'a database name, or * for every database in the folder' })
      .transform((v) => (v === EVERY_DATABASE ? v : normalizeDatabaseName(v))),
    keepFull: keep,
    keepDays: keep,
    keepWeekly: keep,
  })
  .superRefine((v, c) => {
    if (v.keepFull === null && v.keepDays === null && v.keepWeekly === null) c.addIssue({ code: 'custom', path: ['keepFull'], message: 'give at least one of keep full, keep days, keep weekly' });
  });
export type RetentionInput = z.infer<typeof retentionInput>;

export interface PreviewDeletion {
  file: string;
  database: string;
  full: boolean;
  lowestTx: number;
  highestTx: number;
  time: number;
  sizeBytes: number;
  chain: number;
  reason: string;
}

export interface PreviewRange {
  storeId: string;
  fromTx: number;
  toTx: number;
}

export interface DatabasePreview {
  database: string;
  /** in the order prune deletes them: dependents first, newest first */
  deleted: PreviewDeletion[];
  remaining: number;
  before: PreviewRange[];
  after: PreviewRange[];
  /** chains that are not restorable, and what the plan does with them */
  notes: string[];
}

export interface RetentionPreview {
  folder: { id: number; name: string; path: string };
  database: string;
  flags: string;
  databases: DatabasePreview[];
  deleteCount: number;
  deleteBytes: number;
  /** "this will delete 14 artifacts, 3.2 GiB; restorable range becomes tx 8,201–64,880" */
  summary: string;
  /** the same preview from the command line */
  command: string;
}

const ranges = (list: Array<{ storeId: string; fromTx: number; toTx: number }>) => list.map((r) => ({ storeId: r.storeId, fromTx: r.fromTx, toTx: r.toTx }));
const rangeText = (list: PreviewRange[]) => (list.length ? list.map((r) => `tx ${formatTxRange(r.fromTx, r.toTx).replace(' – ', '–')}`).join(', ') : 'nothing');

/** The plan of one database's catalogued backups under a policy (planRetention, as prune runs it). */
export function previewDatabase(rows: readonly ArtifactRow[], policy: PolicyRules, now: number): DatabasePreview {
  const nodes = rows.map(chainNode);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const damaged = new Map(rows.filter((r) => r.verifyStatus === 'corrupt').map((r) => [r.file, r.verifyMessage ?? 'found corrupt by its last verification']));
  const plan = planRetention({ artifacts: nodes, damaged }, { keepFull: policy.keepFull ?? undefined, keepDays: policy.keepDays ?? undefined, keepWeekly: policy.keepWeekly ?? undefined, now });
  return {
    database: rows[0]?.database ?? '',
    deleted: plan.delete.map((d) => {
      const r = byId.get(d.artifact.id) as ArtifactRow;
      return { file: r.file, database: r.database, full: r.full, lowestTx: r.lowestTx, highestTx: r.highestTx, time: r.time, sizeBytes: r.fileSize, chain: d.chain, reason: d.reason };
    }),
    remaining: plan.keep.length,
    before: ranges(plan.restorableBefore),
    after: ranges(plan.restorableAfter),
    notes: plan.chains.filter((c) => !c.restorable).map((c) => `chain ${c.number} (${c.root.file}): ${c.reasons[0]}`),
  };
}

/** The databases a policy covers in its folder: one, or (for '*') each with backups there and no policy of its own. */
export function coveredDatabases(ctx: Pick<CommandContext, 'db'>, folderId: number, database: string): string[] {
  if (database !== EVERY_DATABASE) return [database];
  const own = new Set(listRetentionPolicies(ctx.db, { folderId }).map((p) => p.database));
  return databasesWithBackups(ctx.db, { folderId })
    .map((d) => d.database)
    .filter((d) => !own.has(d));
}

export function previewRetention(ctx: Pick<CommandContext, 'db'>, raw: unknown, now = Date.now()): Result<{ preview: RetentionPreview }> {
  const p = retentionInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const i = p.data;
  const problem = policyProblem({ keepFull: i.keepFull ?? undefined, keepDays: i.keepDays ?? undefined, keepWeekly: i.keepWeekly ?? undefined });
  if (problem) return fail('INVALID_ARGUMENT', problem, { keepFull: [problem] });
  const folder = getFolder(ctx.db, { id: i.folderId });
  if (!folder) return fail('NOT_FOUND', `There is no backup folder #${i.folderId}.`, { folderId: ['unknown backup folder'] });
  const databases = coveredDatabases(ctx, folder.id, i.database)
    .map((d) => listArtifactsByDatabase(ctx.db, { folderId: folder.id, database: d }))
    .filter((rows) => rows.length > 0)
    .map((rows) => previewDatabase(rows, i, now));
  const deleteCount = databases.reduce((n, d) => n + d.deleted.length, 0);
  const deleteBytes = databases.reduce((n, d) => n + d.deleted.reduce((m, x) => m + x.sizeBytes, 0), 0);
  const flags = policyFlags(i);
  const after =
    databases.length === 0
      ? `there are no backups${i.database === EVERY_DATABASE ? '' : ` of ${i.database}`} in ${folder.name} yet`
      : databases.length === 1
        ? `restorable range becomes ${rangeText(databases[0].after)}`
        : databases.map((d) => `restorable range of ${d.database} becomes ${rangeText(d.after)}`).join('; ');
  const summary = `this will delete ${formatNumber(deleteCount)} artifact${deleteCount === 1 ? '' : 's'}, ${formatBytes(deleteBytes)}; ${after}`;
  const command = `txline backup prune --from-path=${folder.path}${i.database === EVERY_DATABASE ? '' : ` --database=${i.database}`} ${flags} --dry-run`;
  return { ok: true, preview: { folder: { id: folder.id, name: folder.name, path: folder.path }, database: i.database, flags, databases, deleteCount, deleteBytes, summary, command } };
}

/**
 * Saves a policy (replacing the folder's policy for the same database) and applies it now: a prune job per
 * database it covers. The preview is computed again, so the audit entry says what the save was shown to do.
 */
export function saveRetentionCommand(
  ctx: CommandContext,
  raw: unknown,
  createdBy: string | null,
  now = Date.now(),
): Result<{ policyId: number; jobIds: number[]; busy: string[]; summary: string; audit: { target: string; detail: string } }> {
  const pv = previewRetention(ctx, raw, now);
  if (!pv.ok) return pv;
  const { preview } = pv;
  const { row, created } = upsertRetentionPolicy(ctx.db, { folderId: preview.folder.id, database: preview.database, ...rulesOf(raw), createdBy }, now);
  const jobIds: number[] = [];
  const busy: string[] = [];
  for (const d of preview.databases) {
    const r = startPrune(ctx, { folderId: row.folderId, database: d.database, policy: row }, createdBy, { policyId: row.id });
    if (r.ok) jobIds.push(r.jobId);
    else if (r.code === 'JOB_RUNNING') busy.push(d.database);
    else return r;
  }
  return {
    ok: true,
    policyId: row.id,
    jobIds,
    busy,
    summary: preview.summary,
    audit: {
      target: `retention=${row.database} folder=${preview.folder.name}`,
      detail: `${created ? 'created' : 'replaced'}: ${preview.flags}; previewed: ${preview.summary}; ${jobIds.length ? `prune job(s) ${jobIds.map((j) => `#${j}`).join(', ')}` : 'no prune job'}${busy.length ? `; busy now, pruned after the next scheduled backup: ${busy.join(', ')}` : ''}`,
    },
  };
}

/** The checked rules of a raw input (only called after previewRetention accepted it). */
function rulesOf(raw: unknown): PolicyRules {
  const p = retentionInput.parse(raw);
  return { keepFull: p.keepFull, keepDays: p.keepDays, keepWeekly: p.keepWeekly };
}

export function removeRetentionCommand(ctx: Pick<CommandContext, 'db'>, raw: unknown): Result<{ audit: { target: string; detail: string } }> {
  const p = z.object({ policyId: id }).safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const row = getRetentionPolicy(ctx.db, { id: p.data.policyId });
  if (!row) return fail('NOT_FOUND', `There is no retention policy #${p.data.policyId}.`);
  removeRetentionPolicy(ctx.db, row);
  const folder = getFolder(ctx.db, { id: row.folderId });
  return { ok: true, audit: { target: `retention=${row.database} folder=${folder?.name ?? `#${row.folderId}`}`, detail: `removed: ${policyFlags(row)}` } };
}

export interface PolicyView {
  id: number;
  folderId: number;
  folderName: string;
  database: string;
  flags: string;
  keepFull: number | null;
  keepDays: number | null;
  keepWeekly: number | null;
  /** it is the one applied to this database in its folder (not overridden by the database's own) */
  applies: boolean;
  createdBy: string | null;
  updatedAt: number | null;
}

export interface LatestView {
  folderId: number;
  folderName: string;
  /** `<folder>/<db>-latest`, as --from-path takes it */
  name: string;
  artifact: { id: number; file: string; tipTx: number; time: number } | null;
  problem: string | null;
}

export interface DatabaseRetention {
  database: string;
  policies: PolicyView[];
  latest: LatestView[];
  folders: Array<{ id: number; name: string; path: string }>;
}

type LatestChoice = Pick<LatestView, 'artifact' | 'problem'>;
/**
 * The newest restorable backup of a database's rows, kept while its rows are (the artifact cache hands out the
 * same array until they change): 100,000 artifacts are a chain search of seconds, not to be done per request.
 */
const latestChoices = new WeakMap<readonly ArtifactRow[], LatestChoice>();

function latestOf(rows: readonly ArtifactRow[], database: string): LatestChoice {
  let c = latestChoices.get(rows);
  if (!c) {
    const corrupt = new Set(rows.filter((r) => r.verifyStatus === 'corrupt').map((r) => r.id));
    const choice = newestRestorable(
      rows.filter((r) => !corrupt.has(r.id)).map(chainNode),
      database,
    );
    c = choice.ok
      ? { artifact: { id: choice.artifact.id, file: choice.artifact.file, tipTx: choice.artifact.tipTx, time: Date.parse(choice.artifact.time) }, problem: null }
      : { artifact: null, problem: choice.problem };
    latestChoices.set(rows, c);
  }
  return c;
}

/** The database page's retention: the policies that cover the database, and its `<db>-latest` per folder with backups. */
export function databaseRetention(ctx: Pick<CommandContext, 'db'>, database: string): DatabaseRetention {
  const folders = listFolders(ctx.db);
  const policies: PolicyView[] = [];
  const latest: LatestView[] = [];
  for (const f of folders) {
    const applied = policyFor(ctx.db, { folderId: f.id, database });
    for (const p of listRetentionPolicies(ctx.db, { folderId: f.id })) {
      if (p.database !== database && p.database !== EVERY_DATABASE) continue;
      policies.push({
        id: p.id,
        folderId: f.id,
        folderName: f.name,
        database: p.database,
        flags: policyFlags(p),
        keepFull: p.keepFull,
        keepDays: p.keepDays,
        keepWeekly: p.keepWeekly,
        applies: applied?.id === p.id,
        createdBy: p.createdBy,
        updatedAt: p.updatedAt,
      });
    }
    const { rows } = databaseArtifacts(ctx.db, { folderId: f.id, database });
    if (rows.length === 0) continue;
    const name = `${f.path.replace(/\/+$/, '')}/${database}-latest`;
    latest.push({ folderId: f.id, folderName: f.name, name, ...latestOf(rows, database) });
  }
  return { database, policies, latest, folders: folders.map((f) => ({ id: f.id, name: f.name, path: f.path })) };
}
