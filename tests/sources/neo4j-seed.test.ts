/**
 * Restoring into a registered Neo4j cluster by seeding, end to end: `txline database restore --cluster=<name>`
 * (the default way, --via=seed) sends `CREATE DATABASE $name OPTIONS {existingData: 'use', seedURI: $seedURI,
 * seedRestoreUntil: $seedRestoreUntil}` with its parameters through the real neo4j-driver to the embedded
 * members, which report a calendar version (2025.x, the default) and so take seedRestoreUntil; they restore the
 * stand-in neo4j-admin's artifacts (real backups of this cluster, in the registered location) up to, not
 * including, the transaction given, on every member. A point in time travels as a Bolt DateTime. A 5.26 member
 * refuses seedRestoreUntil and a seed without existingData, as Neo4j 5 does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import neo4j from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NEO4J_VERSION } from '../../lib/cluster/bolt/member-backend';
import { startTestCluster, tempFolders, waitFor, type TestCluster } from '../helpers/cluster';
import { jsonlLines, runTxline } from '../helpers/engine';
import { addAsNeo4j, boltPassword } from '../helpers/neo4j';
import { isNeo4jRestoreResult, jobResult } from '../../lib/jobs/protocol';

const folders = tempFolders('neo4j-seed');
let cluster: TestCluster;
let dataDir: string;
let location: string;
let password: string;
/** the transaction IDs of the nodes written (node i was written by txIds[i]) */
const txIds: number[] = [];
/** a whole second between the 6th and the 7th node's commits */
let between = '';

beforeAll(async () => {
  cluster = await startTestCluster({ members: 3, secondaries: 1 });
  password = boltPassword(cluster);
  dataDir = folders.folder('data');
  location = path.join(dataDir, 'backups');
  await addAsNeo4j(cluster, { dataDir, location, cli });
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
  folders.removeAll();
});

function cli(args: string[], env: Record<string, string> = {}) {
  return runTxline(args, { env: { TXLINE_DATA_DIR: dataDir, ...env }, timeoutMs: 120_000 });
}

async function write(n: number): Promise<void> {
  for (let k = 0; k < n; k++) txIds.push((await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['Seed'], properties: { i: txIds.length } }])).txId);
}

async function backup(): Promise<Record<string, unknown>> {
  const r = await cli(['database', 'backup', '--cluster=prod', '--progress=jsonl', 'neo4j']);
  expect(r.code, r.stderr).toBe(0);
  const res = jsonlLines(r.stdout).find((l) => l.event === 'result') as { results: Array<Record<string, unknown>> };
  return res.results[0];
}

/** Every member's copy of `db`: its last transaction and the `i` of its Seed nodes. */
async function copies(db: string): Promise<Array<{ id: string; last: number | undefined; seeds: number[] }>> {
  return Promise.all(
    Object.entries(cluster.clients).map(async ([id, c]) => {
      const d = (await c.status()).databases.find((x) => x.name === db);
      const seeds = d ? (await c.nodes(db, 'Seed')).map((n) => Number(n.properties.i)).sort((a, b) => a - b) : [];
      return { id, last: d?.status === 'online' ? d.lastCommittedTxn : undefined, seeds };
    }),
  );
}

describe('txline database restore --cluster (seeding, Neo4j 2025.x)', () => {
  it('seeds a new database from the stand-in artifacts up to, not including, a transaction, on every member', async () => {
    await write(4);
    const full = await backup();
    expect(full).toMatchObject({ ok: true, full: true });
    await write(2);
    const at = Math.ceil((Date.now() + 1) / 1000) * 1000;
    await new Promise((res) => setTimeout(res, at - Date.now() + 20));
    between = new Date(at).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
    await write(2);
    const diff = await backup();
    expect(diff).toMatchObject({ ok: true, full: false });

    // the restored database ends at the 7th node's transaction: seedRestoreUntil is the 8th's (exclusive)
    const until = txIds[7];
    const r = await cli(['database', 'restore', '--cluster=prod', `--from-path=${location}`, `--restore-until=${until}`, '--progress=jsonl', 'seeded']);
    expect(r.stderr).toContain("restoring seeded by seeding: CREATE DATABASE $name OPTIONS {existingData: 'use', seedURI: $seedURI, seedRestoreUntil: $seedRestoreUntil}");
    expect(r.code, r.stderr).toBe(0);
    const result = jsonlLines(r.stdout).find((l) => l.event === 'result') as { via: string; neo4jVersion: string; copies: Array<{ currentStatus: string; lastCommittedTxn: number }> };
    expect(result.via).toBe('seed');
    // the line is the job protocol's restore result (a dashboard job reads it)
    const asJob = jobResult('restore', result);
    expect(asJob && isNeo4jRestoreResult(asJob) ? asJob.copies.length : null).toBe(3);
    expect(result.neo4jVersion).toBe(DEFAULT_NEO4J_VERSION);
    expect(result.copies).toHaveLength(3);
    expect(result.copies.every((c) => c.currentStatus === 'online' && c.lastCommittedTxn === until - 1)).toBe(true);
    await waitFor('every member to hold seeded with nodes 0..6', async () => (await copies('seeded')).every((c) => c.last === until - 1 && c.seeds.join() === '0,1,2,3,4,5,6'));
  }, 180_000);

  it('seeds up to a point in time (a Bolt DateTime parameter): everything committed before it', async () => {
    const r = await cli(['database', 'restore', '--cluster=prod', `--from-path=${location}`, `--restore-until=${between}`, 'seeded2']);
    expect(r.code, r.stderr).toBe(0);
    await waitFor('every member to hold seeded2 with nodes 0..5', async () => (await copies('seeded2')).every((c) => c.last === txIds[5] && c.seeds.join() === '0,1,2,3,4,5'));
  }, 120_000);

  it('takes the same statement from the real driver with its parameters, and refuses a seed that is not there', async () => {
    const d = neo4j.driver(`neo4j://${(await cluster.writer.status()).member.boltAddress}`, neo4j.auth.basic('neo4j', password), { connectionTimeout: 5000 });
    try {
      const sys = { database: 'system' } as const;
      await d.executeQuery('CREATE DATABASE $name OPTIONS {seedURI: $uri, seedRestoreUntil: $tx}', { name: 'seeded3', uri: pathToFileURL(location).href, tx: neo4j.int(txIds[5]) }, sys);
      await waitFor('every member to hold seeded3 with nodes 0..4', async () => (await copies('seeded3')).every((c) => c.seeds.join() === '0,1,2,3,4'));
      await expect(d.executeQuery('CREATE DATABASE $name OPTIONS {seedURI: $uri}', { name: 'nope', uri: pathToFileURL(path.join(dataDir, 'missing')).href }, sys)).rejects.toMatchObject({
        code: 'Neo.DatabaseError.General.UnknownError',
      });
      await expect(d.executeQuery('CREATE DATABASE $name', {}, sys)).rejects.toMatchObject({ code: 'Neo.ClientError.Statement.ParameterMissing' });
      expect((await copies('nope')).every((c) => c.last === undefined)).toBe(true);
      await d.executeQuery('DROP DATABASE $name', { name: 'seeded3' }, sys);
      await waitFor('seeded3 to be gone', async () => (await copies('seeded3')).every((c) => c.last === undefined));
    } finally {
      await d.close();
    }
  }, 120_000);
});

describe('a member that says it is Neo4j 5.26', () => {
  it('refuses seedRestoreUntil (new in 2025.01) and a seed without existingData (required in Cypher 5), and creates nothing', async () => {
    const old = await startTestCluster({ members: 1, boltNeo4jVersion: '5.26.0' });
    const pw = fs.readFileSync(path.join(old.dir, 'bolt-password'), 'utf8').trim();
    const d = neo4j.driver(`bolt://${old.sup.member('member-1').boltAddress}`, neo4j.auth.basic('neo4j', pw), { connectionTimeout: 5000 });
    try {
      const sys = { database: 'system' } as const;
      const uri = pathToFileURL(location).href;
      expect((await d.getServerInfo()).agent).toBe('Neo4j/5.26.0');
      await expect(d.executeQuery("CREATE DATABASE x OPTIONS {existingData: 'use', seedURI: $uri, seedRestoreUntil: 3}", { uri }, sys)).rejects.toMatchObject({
        code: 'Neo.ClientError.Statement.ArgumentError',
        message: expect.stringContaining("'seedRestoreUntil' (new in Neo4j 2025.01; this is 5.26.0)"),
      });
      await expect(d.executeQuery('CREATE DATABASE x OPTIONS {seedURI: $uri}', { uri }, sys)).rejects.toMatchObject({
        code: 'Neo.ClientError.Statement.ArgumentError',
        message: expect.stringContaining('required in Cypher 5'),
      });
      expect((await old.writer.status()).databases.some((x) => x.name === 'x')).toBe(false);
      // with existingData, 5.26 seeds (the whole chain)
      await d.executeQuery("CREATE DATABASE x OPTIONS {existingData: 'use', seedURI: $uri}", { uri }, sys);
      expect((await old.writer.status()).databases.find((x) => x.name === 'x')?.lastCommittedTxn).toBe(txIds[7]);
    } finally {
      await d.close();
      await old.stop();
    }
  }, 120_000);
});
