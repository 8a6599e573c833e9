/**
 * The embedded cluster registered as kind `neo4j` (what a DBA does with a real cluster): its Bolt password
 * written to a 0600 file in the data folder, then `txline cluster add <name> --kind=neo4j` with the stand-in
 * neo4j-admin (which backs up the embedded members over their HTTP API: their addresses are its --from).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestCluster } from './cluster';
import type { CliResult } from './engine';

/** The stand-in neo4j-admin of the tests (tests/fixtures/neo4j-admin). */
export const STANDIN_NEO4J_ADMIN = path.resolve(import.meta.dirname, '../fixtures/neo4j-admin/neo4j-admin.mjs');

/** The embedded cluster's Bolt password (generated into its data folder at start). */
export function boltPassword(cluster: TestCluster): string {
  return fs.readFileSync(path.join(cluster.dir, 'bolt-password'), 'utf8').trim();
}

/** Registers `cluster` as the neo4j cluster `name` with `cli` (a txline run in the test's data folder); throws on failure. */
export async function addAsNeo4j(
  cluster: TestCluster,
  { dataDir, location, cli, name = 'prod' }: { dataDir: string; location: string; cli: (args: string[]) => Promise<CliResult>; name?: string },
): Promise<void> {
  const st = await cluster.writer.status();
  const passwordFile = path.join(dataDir, 'bolt.pw');
  fs.writeFileSync(passwordFile, `${boltPassword(cluster)}\n`, { mode: 0o600 });
  const add = await cli([
    'cluster',
    'add',
    name,
    '--kind=neo4j',
    `--uri=neo4j://${st.member.boltAddress}`,
    '--user=neo4j',
    `--password-file=${passwordFile}`,
    `--neo4j-admin=${STANDIN_NEO4J_ADMIN}`,
    `--backup-from=${cluster.addresses.join(',')}`,
    `--location=${location}`,
  ]);
  if (add.code !== 0) throw new Error(`cluster add failed: ${add.stderr}`);
}
