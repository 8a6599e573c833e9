/**
 * A restore into a registered Neo4j cluster (`txline database restore --cluster=<name>`), one of two ways, and
 * the result says which ran. Server-only (Node).
 *
 * - `seed` (the cluster way): `CREATE DATABASE $name OPTIONS {existingData: 'use', seedURI: $seedURI
 *   [, seedRestoreUntil: $seedRestoreUntil]}` on `system` (on the writer), then `SHOW DATABASE x YIELD *` until
 *   every copy is online (or one says why not), bounded in time. The artifact must be readable by every server
 *   (a shared folder or object storage); seedRestoreUntil needs Neo4j 2025.01.
 * - `neo4j-admin`: `neo4j-admin database restore` offline, where this neo4j-admin runs beside a server's data.
 *
 * Both take Txline's exclusive point (`--restore-until=N` restores up to, not including, N): the UI's "the
 * database ends at transaction N" is untilAfterTx(N). The password never reaches neo4j-admin's argv.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TxlineError } from '../../errors';
import type { TxlineEnv } from '../../env';
import type { RestorePoint } from '../../engine/restore-plan';
import { normalizeDatabaseName } from '../../graph/names';
import type { ClusterConnection } from '../kind';
import { restoreArgv, seedDatabaseStatement } from './argv';
import { runAdmin } from './backup-runner';
import { readTopology, runOnSystem } from './bolt';
import { adminExitError } from './exit';
import { boltSettings, neo4jSettings } from './kind';
import { parseShowDatabases } from './topology';
import type { Neo4jVersion } from './version';

export type RestoreVia = 'seed' | 'neo4j-admin';

export interface Neo4jRestoreRequest {
  database: string;
  fromPaths: string[];
  point: RestorePoint;
  via: RestoreVia;
  overwriteDestination?: boolean;
  sourceDatabase?: string;
  /** bound on the whole restore (default 1 hour) */
  timeoutMs?: number;
  log?: (message: string) => void;
}

export interface Neo4jRestoreResult {
  via: RestoreVia;
  version: Neo4jVersion;
  database: string;
  /** what ran: neo4j-admin's argv, or the Cypher statement (its parameters apart) */
  ran: string[] | string;
  /** per copy, once online (seeding): server and lastCommittedTxn */
  copies: Array<{ address: string | null; currentStatus: string | null; lastCommittedTxn: number | null }>;
}

export async function runNeo4jRestore(c: ClusterConnection, e: TxlineEnv, req: Neo4jRestoreRequest): Promise<Neo4jRestoreResult> {
  const n = neo4jSettings(c);
  const settings = boltSettings(c, e);
  const database = normalizeDatabaseName(req.database);
  const timeoutMs = req.timeoutMs ?? 3600_000;
  const { components } = await readTopology(settings, { timeoutMs: 15_000 });
  const version = components.version;
  if (req.via === 'neo4j-admin') {
    const argv = restoreArgv({ version, fromPaths: req.fromPaths, until: req.point, overwriteDestination: req.overwriteDestination, sourceDatabase: req.sourceDatabase, database });
    req.log?.(`restoring ${database} offline with neo4j-admin database restore (${n.neo4jAdmin})`);
    const ran = await runAdmin(n.neo4jAdmin, 'database restore', argv, { secrets: [settings.password], timeoutMs });
    const err = adminExitError(ran);
    if (err) throw err;
    return { via: 'neo4j-admin', version, database, ran: argv, copies: [] };
  }
  if (req.fromPaths.length !== 1) throw new TxlineError('USAGE', 'seeding takes one artifact or one folder (--from-path): every server reads it from there');
  if (req.overwriteDestination) throw new TxlineError('NOT_SUPPORTED', 'seeding creates a new database: drop the existing one first, or restore --via=neo4j-admin --overwrite-destination');
  const statement = seedDatabaseStatement({ version, database, seed: req.fromPaths[0], until: req.point });
  req.log?.(`restoring ${database} by seeding: ${statement.query}`);
  await runOnSystem(settings, statement.query, { params: statement.params, write: true, timeoutMs: Math.min(timeoutMs, 120_000) });
  const copies = await waitOnline(settings, database, timeoutMs);
  return { via: 'seed', version, database, ran: statement.query, copies };
}

/** SHOW DATABASE x YIELD * until every copy is online; a copy that failed (its statusMessage) ends the wait. */
async function waitOnline(settings: ReturnType<typeof boltSettings>, database: string, timeoutMs: number): Promise<Neo4jRestoreResult['copies']> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const rows = parseShowDatabases(await runOnSystem(settings, `SHOW DATABASE \`${database}\` YIELD *`, { timeoutMs: 15_000 }));
    const copies = rows.map((r) => ({ address: r.address, currentStatus: r.currentStatus, lastCommittedTxn: r.lastCommittedTxn }));
    if (rows.length > 0 && rows.every((r) => r.currentStatus === 'online')) return copies;
    const failed = rows.find((r) => r.currentStatus === 'offline' && r.requestedStatus === 'online' && r.statusMessage);
    if (failed) throw new TxlineError('ADMIN_TOOL_FAILED', `seeding ${database} failed on ${failed.address ?? 'a server'}: ${failed.statusMessage}`);
    last = rows.map((r) => `${r.address ?? '?'} ${r.currentStatus ?? 'unknown'}`).join(', ');
    await sleep(500);
  }
  throw new TxlineError('ADMIN_TOOL_FAILED', `${database} was created but is not online everywhere after ${Math.round(timeoutMs / 1000)} s (${last || 'not listed'})`);
}
