/**
 * What every dashboard command shares: the context it runs with, the typed result it returns, the zod pieces
 * of its input, and the checks before a job starts on a registered folder (confined to the backup roots).
 */
import { neo4jClusterOfFolder } from '../../db/neo4j-indexer';
import path from 'node:path';
import { z } from 'zod';
import { isValidDatabaseName, normalizeDatabaseName } from '../../graph/names';
import { describeError, type ErrorCode } from '../../errors';
import { canonicalLocationUrl } from '../../storage';
import type { Catalog } from '../../db';
import { getCluster, getFolder } from '../../db/queries/clusters';
import type { BackupFolderRow, ClusterRow } from '../../db/schema';
import { confineAtUse, folderRoots } from '../../auth/paths';
import type { TxlineEnv } from '../../env';
import type { JobRunner, StartJob, StartResult } from '../../jobs/runner';
import type { Collector } from '../../monitor/collector';
import { catalogConnection, kindOf } from '../../sources';

export interface CommandContext {
  db: Catalog;
  runner: JobRunner;
  collector: Collector;
  env: TxlineEnv;
  /** brings the catalog in line with a folder (or every folder); resolves when that scan is done */
  reindex: (folderId?: number) => Promise<void>;
}

/** A refused or failed command: a stable code (lib/errors.ts, docs/errors.md), a message, and the fields at fault. */
export type Fail = { ok: false; code: ErrorCode; error: string; fieldErrors?: Record<string, string[]> };
export type Result<T extends object = object> = ({ ok: true } & T) | Fail;

export const fail = (code: ErrorCode, error: string, fieldErrors?: Record<string, string[]>): Fail => ({ ok: false, code, error, ...(fieldErrors ? { fieldErrors } : {}) });

export function fromZod(e: z.ZodError): Fail {
  const fieldErrors: Record<string, string[]> = {};
  for (const i of e.issues) {
    const k = i.path.map(String).join('.') || 'form';
    (fieldErrors[k] ??= []).push(i.message);
  }
  return fail('INVALID_ARGUMENT', 'Some fields need attention.', fieldErrors);
}

/** Checkbox and boolean-ish form values. */
export const bool = z
  .union([z.boolean(), z.enum(['on', 'true', 'false', '1', '0', ''])])
  .optional()
  .transform((v) => v === true || v === 'on' || v === 'true' || v === '1');

/** A name people give a cluster or a folder in Settings. */
export const displayName = z
  .string()
  .trim()
  .min(1, { error: 'is required' })
  .max(64)
  .regex(/^[A-Za-z0-9 ._-]+$/, { error: 'letters, digits, spaces, dots, dashes and underscores' });

export const id = z.coerce.number({ error: 'must be a number' }).int().positive({ error: 'is required' });

export const databaseName = z
  .string({ error: 'is required' })
  .trim()
  .min(1, { error: 'is required' })
  .refine(isValidDatabaseName, { error: 'use letters, digits, dots and dashes, starting with a letter' })
  .transform((s) => normalizeDatabaseName(s));

export const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export function clusterAndFolder(ctx: CommandContext, clusterId: number, folderId: number): { cluster: ClusterRow; folder: BackupFolderRow } | Fail {
  const cluster = getCluster(ctx.db, { id: clusterId });
  if (!cluster) return fail('NOT_FOUND', `There is no cluster #${clusterId}.`, { clusterId: ['unknown cluster'] });
  const folder = getFolder(ctx.db, { id: folderId });
  if (!folder) return fail('NOT_FOUND', `There is no backup folder #${folderId}.`, { folderId: ['unknown backup folder'] });
  return { cluster, folder };
}

/**
 * A registered folder at the moment of use (a job starts, files are deleted): confined to the backup roots
 * again, since it may have been replaced on disk after it was registered (by a symlink that leads out, say).
 * The work gets the folder's real path as it is now, never the registered one, and a job on it runs confined
 * to the roots it was just checked against (`confineToRoots`: --confine-to-root, lib/engine/confine.ts), so it
 * does not follow a `*.backup` symlink in the folder that leads out of them, nor take a folder that was
 * swapped for one that leads out since.
 */
export function folderAtUse(ctx: CommandContext, folder: BackupFolderRow): { ok: true; path: string; confineToRoots: string[] } | Fail {
  // a Neo4j cluster's location holds Neo4j's artifacts: Txline's engine does not verify, fold, prune, delete or
  // restore them (neo4j-admin does; its backups and seeded restores have commands of their own)
  const owner = neo4jClusterOfFolder(ctx.db, folder);
  if (owner) {
    return fail('NOT_SUPPORTED', `${folder.name} is the Neo4j cluster ${owner.name}'s location: its backups are Neo4j's, checked, aggregated and removed with neo4j-admin, not Txline's engine.`, {
      folderId: ['a Neo4j cluster’s location'],
    });
  }
  const roots = folderRoots(ctx.env, folder);
  const url = locationUrlAtUse(folder.path);
  if (url !== null) {
    // Object storage (s3://bucket/prefix): reached with the server's own credentials (the AWS environment), not
    // a place on this disk, so the backup roots do not apply to it; the job still runs confined to them for what
    // it does on disk (its temporary files). The URL is the checked, canonical one.
    return url.ok ? { ok: true, path: url.url, confineToRoots: roots.map((r) => path.resolve(r)) } : fail('INVALID_ARGUMENT', `Cannot use the storage location ${folder.name}: ${url.error}`, { folderId: [url.error] });
  }
  const c = confineAtUse(folder.path, roots);
  return c.ok ? { ok: true, path: c.path, confineToRoots: roots.map((r) => path.resolve(r)) } : fail('PATH_OUTSIDE_ROOTS', `Cannot use the backup folder ${folder.name}: ${c.error}.`, { folderId: [c.error] });
}

/** A registered location that is a URL, checked again as it is used (its canonical form); null for a folder path. */
export function locationUrlAtUse(where: string): { ok: true; url: string } | { ok: false; error: string } | null {
  try {
    const url = canonicalLocationUrl(where);
    return url === null ? null : { ok: true, url };
  } catch (e) {
    return { ok: false, error: describeError(e) };
  }
}

/** Starts a job and says so as a command result (a refusal keeps the runner's code). */
export function startJob(ctx: CommandContext, job: StartJob): Result<{ jobId: number }> {
  const r: StartResult = ctx.runner.start(job);
  return r.ok ? { ok: true, jobId: r.jobId } : fail(r.code, r.error);
}

/** A job's cluster: its addresses and its token only (the runner gives a job without one an empty token). */
export function jobCluster(ctx: CommandContext, cluster: ClusterRow): { addresses: string[]; token: string | null } {
  const c = catalogConnection(cluster);
  return kindOf(c).jobAccess(c, ctx.env);
}

/** Names of the databases the cluster reports right now (from the collector). */
export function clusterDatabases(ctx: CommandContext, clusterId: number): Set<string> {
  const snap = ctx.collector.latest.get(clusterId);
  return new Set(snap?.report.members.flatMap((m) => m.databases.map((d) => d.name)) ?? []);
}
