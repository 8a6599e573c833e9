/**
 * `txline database backup --cluster=<name> ...`: a backup of a registered cluster through its kind. For a
 * Neo4j cluster, its own neo4j-admin does the work (lib/sources/neo4j/backup-runner.ts); Txline checks that each
 * artifact really appeared and is listed by `backup inspect`, and reports per database. The embedded kind keeps
 * --from / --to-path (lib/cli/commands/database.ts).
 */
import path from 'node:path';
import { catalogAt } from '../../db';
import { getClusterByName } from '../../db/queries/clusters';
import { env } from '../../env';
import { TxlineError } from '../../errors';
import { catalogConnection } from '../../sources';
import { closeBoltDrivers } from '../../sources/neo4j/bolt';
import { runNeo4jBackup } from '../../sources/neo4j/backup-runner';

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
  const row = getClusterByName(catalogAt(e.catalog), { name: o.cluster });
  if (!row) throw new TxlineError('NOT_FOUND', `there is no cluster "${o.cluster}" in the catalog (${e.catalog}); see txline cluster list`);
  if (row.kind !== 'neo4j') throw new TxlineError('NOT_SUPPORTED', `${o.cluster} is a ${row.kind} cluster: back it up with --from (its members) instead of --cluster`);
  const jsonl = o.progress === 'jsonl';
  const line = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), ...fields })}\n`);
  let result: Awaited<ReturnType<typeof runNeo4jBackup>>;
  try {
    result = await runNeo4jBackup(catalogConnection(row), e, {
      databases,
      type: o.type.toUpperCase() as 'AUTO' | 'FULL' | 'DIFF',
      toPath: o.toPath ? path.resolve(o.toPath) : undefined,
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
    line({ event: 'result', phase: 'result', exitCode, neo4jVersion: result.version.text, from: result.from, toPath: result.toPath, neo4jAdminExitCode: result.exitCode, results });
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
