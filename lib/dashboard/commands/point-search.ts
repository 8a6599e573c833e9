/**
 * The restore wizard's help to find the point (issue 14): search the transactions of a database's newest chain
 * in a backup folder (`txline backup log`, one page at a time) and count the graph at a point beside the newest
 * one (`txline backup preview`). Both are reads in a `txline` child process (lib/jobs/read-job.ts): bounded in
 * time, one page at most PAGE_MAX entries, never a job on the Jobs page.
 *
 * Invariants:
 * - The folder is confined to the backup roots at the moment of use, and the child runs confined to them.
 * - A match is parsed here first (lib/engine/txlog-match.ts): a bad one is the `match` field's error, with the
 *   grammar's own message, and no process starts.
 * - A cluster whose kind cannot read its artifacts (artifactsUnreadableReason) is refused with NOT_SUPPORTED,
 *   naming the scratch-database restore to run instead.
 * - Points are exclusive, as everywhere: `tx` is restore-until; the database ends at tx - 1.
 */
import { z } from 'zod';
import { TxlineError, describeError } from '../../errors';
import { getCluster } from '../../db/queries/clusters';
import type { ClusterRow } from '../../db/schema';
import { parseRestorePoint } from '../../engine/restore-plan';
import { parseMatch } from '../../engine/txlog-match';
import { runRead } from '../../jobs/read-job';
import type { JobResult } from '../../jobs/protocol';
import { catalogConnection, kindOf } from '../../sources';
import { databaseArtifacts } from '../artifact-cache';
import { scratchRestoreArgs, scratchRestoreLine } from '../scratch-restore';
import { clusterAndFolder, databaseName, fail, folderAtUse, fromZod, id, type CommandContext, type Result } from './shared';

export const PAGE_DEFAULT = 20;
export const PAGE_MAX = 100;
export const SEARCH_TIMEOUT_MS = 20_000;
export const PREVIEW_TIMEOUT_MS = 60_000;

const txMessage = 'a transaction ID (a positive whole number)';
/** An optional transaction ID from a form or a query string: blank is none. */
const optionalTx = z.preprocess(
  (v) => (v === '' || v === null || v === undefined ? undefined : typeof v === 'string' ? v.replace(/[,\s]/g, '') : v),
  z.coerce.number({ error: txMessage }).int({ error: txMessage }).min(1, { error: txMessage }).max(Number.MAX_SAFE_INTEGER, { error: txMessage }).optional(),
);

export const transactionSearchInput = z
  .object({
    clusterId: id,
    folderId: id,
    database: databaseName,
    match: z.string().trim().max(500, { error: 'at most 500 characters' }).default(''),
    fromTx: optionalTx,
    toTx: optionalTx,
    limit: z.coerce.number().int().min(1).max(PAGE_MAX, { error: `at most ${PAGE_MAX} a page` }).default(PAGE_DEFAULT),
  })
  .superRefine((v, c) => {
    if (v.fromTx !== undefined && v.toTx !== undefined && v.fromTx > v.toTx) c.addIssue({ code: 'custom', path: ['toTx'], message: `is before the from transaction (${v.fromTx})` });
    if (v.match !== '') {
      try {
        parseMatch(v.match);
      } catch (e) {
        c.addIssue({ code: 'custom', path: ['match'], message: describeError(e) });
      }
    }
  });

export type TransactionSearchInput = z.input<typeof transactionSearchInput>;
type ResultLineFields = 'ts' | 'event' | 'phase' | 'bytesDone' | 'bytesTotal' | 'txDone' | 'txTotal' | 'exitCode';
export type TransactionPage = Omit<JobResult<'log'>, ResultLineFields>;

export const pointPreviewInput = z
  .object({
    clusterId: id,
    folderId: id,
    database: databaseName,
    point: z.enum(['tx', 'time'], { error: 'a preview is of a transaction ID or a time' }),
    tx: z.string().trim().optional(),
    time: z.string().trim().optional(),
  })
  .superRefine((v, c) => {
    if (v.point === 'tx' && !(v.tx && /^\d+$/.test(v.tx) && Number(v.tx) >= 1 && Number.isSafeInteger(Number(v.tx)))) c.addIssue({ code: 'custom', path: ['tx'], message: `enter ${txMessage}` });
    if (v.point === 'time' && !(v.time && parseRestorePoint(v.time)?.kind === 'time')) c.addIssue({ code: 'custom', path: ['time'], message: 'enter a UTC time as YYYY-MM-DD HH:MM:SS' });
  });

export type PointPreviewInput = z.input<typeof pointPreviewInput>;
export type PointPreview = Omit<JobResult<'preview'>, ResultLineFields>;

/** Why the cluster's backups cannot be read here, with the scratch-database restore to run instead; null: they can. */
export function unreadableBackups(cluster: ClusterRow, database: string): string | null {
  const reason = kindOf(catalogConnection(cluster)).artifactsUnreadableReason;
  if (!reason) return null;
  const line = scratchRestoreLine(scratchRestoreArgs({ cluster: cluster.name, location: cluster.location ?? null, database }));
  return `${reason} Restore it into a scratch database instead and look there: ${line} (add --restore-until=<tx> for an earlier point).`;
}

/** The folder and cluster of a read, checked: known, readable by Txline, inside the backup roots, with backups. */
function readable(ctx: CommandContext, i: { clusterId: number; folderId: number; database: string }): Result<{ path: string; confineToRoots: string[] }> {
  const cf = clusterAndFolder(ctx, i.clusterId, i.folderId);
  if ('ok' in cf) return cf;
  const cluster = getCluster(ctx.db, { id: i.clusterId }) as ClusterRow;
  const unreadable = unreadableBackups(cluster, i.database);
  if (unreadable) return fail('NOT_SUPPORTED', unreadable);
  const at = folderAtUse(ctx, cf.folder);
  if (!at.ok) return at;
  // --from-path is a comma-separated list: a comma in the path would make it two paths
  if (at.path.includes(',')) return fail('INVALID_ARGUMENT', `Cannot read ${at.path}: it contains a comma, which the command line would read as a list of paths.`, { folderId: ['the path contains a comma'] });
  if (databaseArtifacts(ctx.db, { folderId: i.folderId, database: i.database }).rows.length === 0) {
    return fail('NOT_FOUND', `There are no backups of ${i.database} in ${cf.folder.name}.`, { database: ['no backups of this database in this folder'] });
  }
  return { ok: true, path: at.path, confineToRoots: at.confineToRoots };
}

/** A result line's own fields (time, progress, exit code) are the process's, not the answer's. */
function withoutLine<T extends Record<ResultLineFields, unknown>>(r: T): Omit<T, ResultLineFields> {
  const { ts: _ts, event: _event, phase: _phase, bytesDone: _bd, bytesTotal: _bt, txDone: _td, txTotal: _tt, exitCode: _exit, ...rest } = r;
  return rest;
}

const asFail = (e: unknown) => (e instanceof TxlineError ? fail(e.code, e.message) : fail('INTERNAL', describeError(e)));

/** One page of the transactions that match, oldest first; the next page starts at `nextTx`. */
export async function searchTransactions(ctx: CommandContext, raw: unknown, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Result<{ page: TransactionPage }>> {
  const p = transactionSearchInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const i = p.data;
  const r = readable(ctx, i);
  if (!r.ok) return r;
  try {
    const page = withoutLine(await runRead(
      'log',
      {
        database: i.database,
        fromPath: [r.path],
        ...(i.fromTx !== undefined ? { fromTx: i.fromTx } : {}),
        ...(i.toTx !== undefined ? { toTx: i.toTx } : {}),
        match: i.match ? [i.match] : [],
        limit: i.limit,
        confineToRoots: r.confineToRoots,
      },
      { bin: ctx.runner.bin, timeoutMs: opts.timeoutMs ?? SEARCH_TIMEOUT_MS, what: 'the transaction search', signal: opts.signal },
    ));
    return { ok: true, page };
  } catch (e) {
    return asFail(e);
  }
}

/** Counts by label and type at a point (exclusive) and at the newest point, with the differences in words. */
export async function previewPoint(ctx: CommandContext, raw: unknown, opts: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Result<{ preview: PointPreview }>> {
  const p = pointPreviewInput.safeParse(raw);
  if (!p.success) return fromZod(p.error);
  const i = p.data;
  const r = readable(ctx, i);
  if (!r.ok) return r;
  const point = i.point === 'tx' ? { kind: 'tx' as const, before: Number(i.tx) } : (parseRestorePoint(i.time as string) as { kind: 'time'; before: number });
  try {
    const preview = withoutLine(await runRead(
      'preview',
      { database: i.database, fromPath: [r.path], restoreUntil: point, confineToRoots: r.confineToRoots },
      { bin: ctx.runner.bin, timeoutMs: opts.timeoutMs ?? PREVIEW_TIMEOUT_MS, what: 'the preview', signal: opts.signal },
    ));
    return { ok: true, preview };
  } catch (e) {
    return asFail(e);
  }
}
