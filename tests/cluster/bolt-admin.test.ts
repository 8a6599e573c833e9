/**
 * CREATE DATABASE (plain, and seeded from a real backup of the cluster with seedRestoreUntil) and DROP DATABASE
 * over Bolt, with the real neo4j-driver against member processes: the seeded database ends just before the
 * transaction named (as --restore-until), every member hosts it, and refusals are clean FAILUREs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import neo4j, { type Driver } from 'neo4j-driver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbStatus, startTestCluster, tempFolders, waitFor, type TestCluster } from '../helpers/cluster';
import { runTxline } from '../helpers/engine';

const folders = tempFolders('bolt-admin');
let cluster: TestCluster;
let d: Driver;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 2 });
  const password = fs.readFileSync(path.join(cluster.dir, 'bolt-password'), 'utf8').trim();
  // a follower: admin commands work from any member, as on Neo4j
  d = neo4j.driver(`bolt://${cluster.sup.member('member-2').boltAddress}`, neo4j.auth.basic('neo4j', password), { connectionTimeout: 5000 });
});

afterAll(async () => {
  await d?.close();
  await cluster?.stop();
  folders.removeAll();
});

const system = { database: 'system' } as const;

async function hostedBy(name: string): Promise<Array<{ serverID: string; currentStatus: string; lastCommittedTxn: number | null }>> {
  const r = await d.executeQuery(`SHOW DATABASE ${name} YIELD serverID, currentStatus, lastCommittedTxn`, {}, system);
  return r.records.map((x) => {
    const o = x.toObject() as { serverID: string; currentStatus: string; lastCommittedTxn: unknown };
    return { ...o, lastCommittedTxn: neo4j.isInt(o.lastCommittedTxn) ? (o.lastCommittedTxn as { toNumber(): number }).toNumber() : null };
  });
}

describe('database administration over Bolt', () => {
  it('creates a database seeded from a backup, up to but not including seedRestoreUntil, on every member', async () => {
    // a full backup after two transactions, a differential after four more: a chain to restore into
    const txIds: number[] = [];
    const backups = folders.folder('backups');
    for (const upTo of [2, 6]) {
      while (txIds.length < upTo) txIds.push((await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['Seed'], properties: { i: txIds.length } }])).txId);
      const b = await runTxline(['database', 'backup', `--from=${cluster.addresses[0]}`, `--to-path=${backups}`, 'neo4j'], { addresses: cluster.addresses });
      expect(b.code, b.stderr).toBe(0);
    }
    const until = txIds[4];

    const seedURI = pathToFileURL(backups).href;
    await d.executeQuery(`CREATE DATABASE seeded OPTIONS {seedURI: '${seedURI}', seedRestoreUntil: ${until}} WAIT`, {}, system);
    expect((await dbStatus(cluster.writer, 'seeded'))?.lastCommittedTxn).toBe(until - 1);
    await waitFor('both members to host seeded at its last transaction', async () => {
      const rows = await hostedBy('seeded');
      return rows.length === 2 && rows.every((r) => r.currentStatus === 'online' && r.lastCommittedTxn === until - 1);
    });
    const nodes = await cluster.clients['member-2'].nodes('seeded', 'Seed');
    expect(nodes.map((n) => n.properties.i).sort()).toEqual([0, 1, 2, 3]);

    await expect(d.executeQuery(`CREATE DATABASE seeded OPTIONS {seedURI: '${seedURI}'}`, {}, system)).rejects.toMatchObject({
      code: 'Neo.ClientError.Database.ExistingDatabaseFound',
    });
    await d.executeQuery('CREATE DATABASE seeded IF NOT EXISTS', {}, system);

    await d.executeQuery('DROP DATABASE seeded', {}, system);
    await waitFor('seeded to be gone from every member', async () => (await hostedBy('seeded')).length === 0);
    await expect(d.executeQuery('DROP DATABASE seeded', {}, system)).rejects.toMatchObject({ code: 'Neo.ClientError.Database.DatabaseNotFound' });
    await d.executeQuery('DROP DATABASE seeded IF EXISTS', {}, system);
  });

  it('creates an empty database without a seed', async () => {
    await d.executeQuery('CREATE DATABASE fresh', {}, system);
    await waitFor('both members to host fresh', async () => (await hostedBy('fresh')).filter((r) => r.currentStatus === 'online').length === 2);
  });

  it('refuses what it cannot do, cleanly, and creates nothing', async () => {
    const empty = folders.folder('empty');
    const cases: Array<[string, string]> = [
      ["CREATE DATABASE x OPTIONS {seedURI: 's3://bucket/neo4j'}", 'Neo.ClientError.Statement.ArgumentError'],
      [`CREATE DATABASE x OPTIONS {seedURI: '${pathToFileURL(empty).href}'}`, 'Neo.DatabaseError.General.UnknownError'],
      ["CREATE DATABASE x OPTIONS {seedURI: 'file:///nowhere', seedRestoreUntil: '2026-13-99'}", 'Neo.ClientError.Statement.ArgumentError'],
      ['DROP DATABASE system', 'Neo.ClientError.Statement.ArgumentError'],
    ];
    for (const [query, code] of cases) await expect(d.executeQuery(query, {}, system), query).rejects.toMatchObject({ code });
    expect(await hostedBy('x')).toEqual([]);
    await expect(d.executeQuery('CREATE DATABASE y', {}, { database: 'neo4j' })).rejects.toMatchObject({ code: 'Neo.ClientError.Statement.NotSystemDatabaseError' });
  });
});
