/**
 * `txline cluster add|list|remove|status`: the clusters of the catalog (TXLINE_CATALOG, by default
 * <TXLINE_DATA_DIR>/txline.sqlite), the same list the dashboard shows. A cluster is reached through its kind
 * (lib/sources), never by protocol here.
 *
 * Invariants:
 * - A Neo4j password comes from a file (--password-file), never from an argument or the environment, and is
 *   stored sealed (lib/sources/neo4j/secret.ts); no command prints it, nor the sealed form.
 * - A location given here is taken as given (whoever runs the CLI already has the machine); the browser's are
 *   confined to TXLINE_BACKUP_ROOTS elsewhere.
 * - `status --json` keys each database copy by SHOW DATABASES' column names (lastCommittedTxn, replicationLag,
 *   role, writer, currentStatus, ...), whatever the kind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ClusterRow } from '../../db/schema';
import { env } from '../../env';
import { TxlineError, describeError, isErrorCode, type ErrorCode } from '../../errors';
import { splitAddress } from '../../net/address';
import { catalogConnection, kindOf } from '../../sources';
import { checkBoltUri } from '../../sources/neo4j/uri';
import { readPasswordFile, sealPassword } from '../../sources/neo4j/secret';
import type { ClusterReport } from '../../sources/report';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function parseName(raw: string): string {
  if (!NAME.test(raw)) throw new InvalidArgumentError(`"${raw.slice(0, 70)}" is not a cluster name: 1 to 64 letters, digits, dots, dashes and underscores, starting with a letter or digit`);
  return raw;
}

function parseUri(raw: string): string {
  try {
    checkBoltUri(raw);
  } catch (e) {
    throw new InvalidArgumentError(describeError(e));
  }
  return raw;
}

function parseUser(raw: string): string {
  if (!/^[\x21-\x7e]{1,256}$/.test(raw)) throw new InvalidArgumentError('--user must be 1 to 256 printable characters without spaces');
  return raw;
}

function parseBackupFrom(raw: string): string[] {
  const parts = raw.split(',').map((s) => s.trim());
  for (const p of parts) {
    try {
      splitAddress(p);
    } catch (e) {
      throw new InvalidArgumentError(`--backup-from: ${describeError(e)}`);
    }
  }
  return parts;
}

/** The neo4j-admin executable: an existing file this user may run (checked now, so a typo is found at once). */
function checkExecutable(raw: string): string {
  const file = path.resolve(raw);
  try {
    if (!fs.statSync(file).isFile()) throw new TxlineError('INVALID_ARGUMENT', `--neo4j-admin ${file} is not a file`);
    fs.accessSync(file, fs.constants.X_OK);
  } catch (e) {
    if (e instanceof TxlineError) throw e;
    throw new TxlineError('SPAWN_FAILED', `--neo4j-admin ${file} cannot be run: ${describeError(e)}`, { cause: e });
  }
  return file;
}

/** The catalog and its queries: drizzle and the schema are loaded by these commands, not at every start. */
async function loadCatalog() {
  const [{ catalogAt }, queries] = await Promise.all([import('../../db'), import('../../db/queries/clusters')]);
  return { db: catalogAt(env().catalog), ...queries };
}

function mustGet({ db, getClusterByName }: Awaited<ReturnType<typeof loadCatalog>>, name: string): ClusterRow {
  const row = getClusterByName(db, { name });
  if (!row) throw new TxlineError('NOT_FOUND', `there is no cluster "${name}" in the catalog (${env().catalog}); see txline cluster list`);
  return row;
}

/** A cluster as `list` shows it: never its token, password or sealed password. */
function describeRow(r: ClusterRow) {
  return {
    name: r.name,
    kind: r.kind,
    startedHere: r.startedHere,
    addresses: r.addresses,
    uri: r.uri,
    user: r.boltUser,
    neo4jAdmin: r.neo4jAdmin,
    backupFrom: r.backupFrom,
    location: r.location,
  };
}

/** Each database copy of a report, keyed as SHOW DATABASES names its columns. */
export function showDatabasesRows(report: ClusterReport) {
  return report.members.flatMap((m) =>
    m.databases.map((d) => {
      const extra = d as { currentStatus?: string | null; statusMessage?: string | null };
      return {
        name: d.name,
        serverID: m.id,
        address: m.address,
        role: d.role === null ? null : d.role === 'secondary' ? 'secondary' : 'primary',
        writer: d.role === null ? null : d.role === 'writer',
        currentStatus: extra.currentStatus !== undefined ? extra.currentStatus : d.status,
        statusMessage: extra.statusMessage ?? null,
        databaseID: d.databaseId,
        lastCommittedTxn: d.lastCommittedTxn,
        replicationLag: d.replicationLag,
      };
    }),
  );
}

/** The code a kind put before its report's problem ("UNAUTHENTICATED: ..."), else SOURCE_UNREACHABLE. */
function problemCode(problem: string): ErrorCode {
  const m = /^([A-Z_]+): /.exec(problem);
  return m && isErrorCode(m[1]) ? m[1] : 'SOURCE_UNREACHABLE';
}

const cell = (v: unknown) => (v === null || v === undefined ? '—' : String(v));

export function registerClusterCatalogCommands(cluster: Command): void {
  cluster
    .command('add <name>')
    .description('Register a cluster in the catalog (the dashboard sees it too)')
    .addOption(new Option('--kind <kind>', 'the protocol it speaks').choices(['neo4j']).makeOptionMandatory())
    .requiredOption('--uri <uri>', 'Bolt URI: neo4j://host:7687 (routing) or bolt://host:7687', parseUri)
    .requiredOption('--user <user>', 'Bolt user (it needs SHOW DATABASES; SHOW SERVERS for server state)', parseUser)
    .requiredOption('--password-file <file>', 'file whose first line is the Bolt password (stored sealed, never printed)')
    .requiredOption('--neo4j-admin <path>', 'the neo4j-admin executable that backs up this cluster')
    .option('--backup-from <host:port,...>', "neo4j-admin's --from (default: each server's host with port 6362)", parseBackupFrom)
    .requiredOption('--location <folder>', 'backup folder (--to-path by default)')
    .action(async (name: string, o: { uri: string; user: string; passwordFile: string; neo4jAdmin: string; backupFrom?: string[]; location: string }) => {
      parseName(name);
      const { db, getClusterByName, addNeo4jCluster } = await loadCatalog();
      if (getClusterByName(db, { name })) throw new TxlineError('ALREADY_EXISTS', `a cluster named "${name}" is registered already (txline cluster remove ${name} first)`);
      const neo4jAdmin = checkExecutable(o.neo4jAdmin);
      const location = path.resolve(o.location);
      fs.mkdirSync(location, { recursive: true });
      const password = readPasswordFile(o.passwordFile);
      const passwordSealed = sealPassword(env().catalog, { uri: o.uri, user: o.user, password });
      const { address } = checkBoltUri(o.uri);
      addNeo4jCluster(db, { name, address, uri: o.uri, user: o.user, passwordSealed, neo4jAdmin, backupFrom: o.backupFrom ?? null, location });
      process.stdout.write(`registered neo4j cluster ${name}: ${o.uri} as ${o.user}, neo4j-admin ${neo4jAdmin}, backups in ${location} (password stored sealed)\n`);
    });

  cluster
    .command('list')
    .description('The clusters in the catalog')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) => {
      const { db, listClusters } = await loadCatalog();
      const rows = listClusters(db).map(describeRow);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) process.stdout.write('no clusters registered\n');
      for (const r of rows) process.stdout.write(`${r.name}\t${r.kind}\t${r.uri ?? r.addresses.join(',')}${r.user ? `\t${r.user}` : ''}${r.location ? `\t${r.location}` : ''}\n`);
    });

  cluster
    .command('remove <name>')
    .description('Remove a cluster from the catalog (its backups stay where they are)')
    .action(async (name: string) => {
      const catalog = await loadCatalog();
      const row = mustGet(catalog, name);
      if (row.startedHere) throw new TxlineError('NOT_SUPPORTED', `${name} is the cluster this server starts; it is registered again at each start`);
      catalog.removeCluster(catalog.db, { id: row.id });
      process.stdout.write(`removed cluster ${name}\n`);
    });

  cluster
    .command('status <name>')
    .description('Servers, databases, roles, last committed transactions and lag of a registered cluster')
    .option('--json', "as JSON (database copies keyed by SHOW DATABASES' column names)")
    .option('--timeout <ms>', 'bound on the whole call', (v) => Number.parseInt(v, 10), 10_000)
    .action(async (name: string, o: { json?: boolean; timeout: number }) => {
      const row = mustGet(await loadCatalog(), name);
      const c = catalogConnection(row);
      const e = env();
      let report: Awaited<ReturnType<ReturnType<typeof kindOf>['status']>>;
      try {
        report = await kindOf(c).status(c, e, { timeoutMs: o.timeout, waitMs: o.timeout });
      } finally {
        // (a Neo4j cluster's drivers let the process exit; no other kind opens any)
        if (c.kind === 'neo4j') await (await import('../../sources/neo4j/bolt')).closeBoltDrivers();
      }
      const extra = report as { version?: string | null; edition?: string | null };
      const databases = showDatabasesRows(report);
      if (o.json) {
        const servers = report.members.map((m) => ({ name: m.id, address: m.address, mode: m.mode, reachable: m.reachable, error: m.error }));
        process.stdout.write(
          `${JSON.stringify({ cluster: name, kind: row.kind, checkedAt: report.checkedAt, version: extra.version ?? null, edition: extra.edition ?? null, problem: report.problem, servers, databases }, null, 2)}\n`,
        );
      } else {
        process.stdout.write(`${name} (${kindOf(c).label}${extra.version ? `, Neo4j ${extra.version} ${extra.edition ?? ''}`.trimEnd() : ''}) at ${report.checkedAt}\n`);
        if (report.problem) process.stdout.write(`problem: ${report.problem}\n`);
        const head = ['SERVER', 'ADDRESS', 'DATABASE', 'ROLE', 'WRITER', 'STATUS', 'LAST TX', 'LAG'];
        const lines = [head, ...databases.map((d) => [d.serverID, d.address, d.name, d.role, d.writer, d.currentStatus, d.lastCommittedTxn, d.replicationLag].map(cell))];
        const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
        for (const l of lines) process.stdout.write(`${l.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd()}\n`);
      }
      if (report.members.length === 0 && report.problem) throw new TxlineError(problemCode(report.problem), report.problem);
    });
}
