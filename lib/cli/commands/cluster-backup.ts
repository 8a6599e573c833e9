/**
 * `txline database backup|restore --cluster=<name> ...`: backups and restores of a registered cluster. For a
 * Neo4j cluster, its own neo4j-admin takes the backups (lib/sources/neo4j/backup-runner.ts); Txline checks that
 * each artifact really appeared and is listed by `backup inspect`, and reports per database. A restore seeds a
 * new database (CREATE DATABASE ... OPTIONS {seedURI, ...}) or runs neo4j-admin database restore
 * (lib/sources/neo4j/restore-runner.ts), and says which. The embedded kind keeps --from / --to
 * (lib/cli/commands/database.ts).
 */
import path from 'node:path';
import { catalogAt } from '../../db';
import { getClusterByName } from '../../db/queries/clusters';
import { env } from '../../env';
import { TxlineError } from '../../errors';
import { catalogConnection } from '../../sources';
import { closeBoltDrivers } from '../../sources/neo4j/bolt';
import { runNeo4jBackup } from '../../sources/neo4j/backup-runner';
import { canonicalLocationUrl, isLocationUrl } from '../../storage';
import { runNeo4jRestore, type RestoreVia } from '../../sources/neo4j/restore-runner';
import type { RestorePoint } from '../../engine/restore-plan';
import type { ClusterRow } from '../../db/schema';

/** neo4j-admin moves the bytes and transactions, not Txline: the result line's counters say none were counted here */
const NO_COUNTERS = { bytesDone: 0, bytesTotal: 0, txDone: 0, txTotal: 0 };

export interface ClusterBackupOptions {
  cluster: string;
  type: 'auto' | 'full' | 'diff';
  toPath?: string;
  compress?: boolean;
  keepFailed?: boolean;
  tempPath?: string;
  preferDiffAsParent?: boolean;
  from?: string[];
  progress?: string;
}

export async function clusterBackup(databases: string[], o: ClusterBackupOptions): Promise<void> {
  if (o.from) throw new TxlineError('USAGE', '--from and --cluster do not go together: a registered cluster is backed up from its registered --backup-from');
  if (databases.length === 0) throw new TxlineError('USAGE', 'name at least one database, or a quoted glob such as "*"');
  const e = env();
  const row = neo4jCluster(o.cluster, '--from (its members)');
  const jsonl = o.progress === 'jsonl';
  const line = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), ...fields })}\n`);
  let result: Awaited<ReturnType<typeof runNeo4jBackup>>;
  try {
    result = await runNeo4jBackup(catalogConnection(row), e, {
      databases,
      type: o.type.toUpperCase() as 'AUTO' | 'FULL' | 'DIFF',
      toPath: o.toPath ? (isLocationUrl(o.toPath) ? (canonicalLocationUrl(o.toPath) as string) : path.resolve(o.toPath)) : undefined,
      compress: o.compress,
      keepFailed: o.keepFailed,
      tempPath: o.tempPath ? path.resolve(o.tempPath) : undefined,
      preferDiffAsParent: o.preferDiffAsParent || undefined,
      progress: (p) => (jsonl ? line({ event: 'progress', ...p }) : process.stderr.write(`${p.database ?? ''} ${p.phase}${p.message ? `: ${p.message}` : ''}\n`)),
    });
  } finally {
    await closeBoltDrivers();
  }
  const results = result.outcomes.map((r) => ({
    database: r.database,
    ok: r.ok,
    artifact: r.artifact?.file ?? null,
    full: r.artifact?.full ?? null,
    lowestTx: r.artifact?.lowestTx ?? null,
    highestTx: r.artifact?.highestTx ?? null,
    fallbackReason: r.fallbackReason,
    error: r.error ? { code: r.error.code, message: r.error.message } : null,
  }));
  const failed = result.outcomes.filter((r) => !r.ok);
  const exitCode = failed.length ? 1 : 0;
  if (jsonl) {
    // the job protocol's backup result (lib/jobs/protocol.ts): optional fields left out rather than null
    const jobResults = results.map((r) => ({
      ...r,
      type: r.full === null ? undefined : r.full ? 'full' : 'diff',
      artifact: r.artifact ?? undefined,
      fallbackReason: r.fallbackReason ?? undefined,
      error: r.error ?? undefined,
    }));
    line({ event: 'result', phase: 'result', ...NO_COUNTERS, exitCode, problems: [], neo4jVersion: result.version.text, from: result.from, toPath: result.toPath, neo4jAdminExitCode: result.exitCode, results: jobResults });
  } else {
    for (const r of results) {
      process.stdout.write(
        r.ok
          ? `${r.database}: ${r.full ? 'full' : 'differential'} backup ${r.artifact} (transactions ${r.lowestTx}..${r.highestTx})${r.fallbackReason ? `; fell back to a full: ${r.fallbackReason}` : ''}\n`
          : `${r.database}: FAILED ${r.error?.code}: ${r.error?.message}\n`,
      );
    }
  }
  // one database: its failure is the command's (its code reaches the job and the UI)
  const only = failed.length === 1 && result.outcomes.length === 1 ? failed[0].error : null;
  if (only) throw only;
  process.exitCode = exitCode;
}

/** The registered Neo4j cluster `name`; another kind is told to use `instead`. */
function neo4jCluster(name: string, instead: string): ClusterRow {
  const e = env();
  const row = getClusterByName(catalogAt(e.catalog), { name });
  if (!row) throw new TxlineError('NOT_FOUND', `there is no cluster "${name}" in the catalog (${e.catalog}); see txline cluster list`);
  if (row.kind !== 'neo4j') throw new TxlineError('NOT_SUPPORTED', `${name} is a ${row.kind} cluster: use ${instead} instead of --cluster`);
  return row;
}

export interface ClusterRestoreOptions {
  cluster: string;
  fromPath: string[];
  via?: string;
  to?: string[];
  overwriteDestination?: boolean;
  fromDatabase?: string;
  progress?: string;
}

export async function clusterRestore(target: string, point: RestorePoint, o: ClusterRestoreOptions): Promise<void> {
  if (o.to) throw new TxlineError('USAGE', '--to and --cluster do not go together: a registered cluster is restored through its own servers');
  const via = (o.via ?? 'seed') as RestoreVia;
  if (via !== 'seed' && via !== 'neo4j-admin') throw new TxlineError('USAGE', `--via takes seed or neo4j-admin, got "${o.via}"`);
  const row = neo4jCluster(o.cluster, '--to (its members)');
  const jsonl = o.progress === 'jsonl';
  let result: Awaited<ReturnType<typeof runNeo4jRestore>>;
  try {
    result = await runNeo4jRestore(catalogConnection(row), env(), {
      database: target,
      fromPaths: o.fromPath.map((p) => (/^(s3|gs|azb):\/\//.test(p) ? p : path.resolve(p))),
      point,
      via,
      overwriteDestination: o.overwriteDestination,
      sourceDatabase: o.fromDatabase,
      log: (m) => process.stderr.write(`${m}\n`),
    });
  } finally {
    await closeBoltDrivers();
  }
  if (jsonl) {
    process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), event: 'result', phase: 'result', ...NO_COUNTERS, exitCode: 0, via: result.via, database: result.database, neo4jVersion: result.version.text, copies: result.copies })}\n`);
  } else {
    process.stdout.write(`${result.database}: restored by ${result.via === 'seed' ? 'seeding (CREATE DATABASE ... OPTIONS {seedURI})' : 'neo4j-admin database restore'}\n`);
  }
}
