/**
 * Registering a Neo4j cluster with the CLI (`txline cluster add|list|status|remove`) and watching it: the real
 * CLI process, the real catalog file, the embedded members' Bolt server as the Neo4j cluster. The CLI and the
 * dashboard share one catalog (TXLINE_CATALOG): what the CLI registers, the dashboard's status path reports.
 * The password is read from a file, stored sealed, and printed nowhere.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NEO4J_VERSION } from '../../lib/cluster/bolt/member-backend';
import { openCatalog } from '../../lib/db';
import { listClusters } from '../../lib/db/queries/clusters';
import { clusterEntries } from '../../lib/dashboard/cluster-entries';
import { lagSamples } from '../../lib/db/schema';
import { parseEnv, type TxlineEnv } from '../../lib/env';
import { getCatalogClusterStatus } from '../../lib/monitor/cluster-status';
import { Collector } from '../../lib/monitor/collector';
import { closeBoltDrivers } from '../../lib/sources/neo4j/bolt';
import { dbStatus, startTestCluster, tempFolders, waitFor, type TestCluster } from '../helpers/cluster';
import { runTxline } from '../helpers/engine';

const STANDIN = path.resolve(import.meta.dirname, '../fixtures/neo4j-admin/neo4j-admin.mjs');
const folders = tempFolders('neo4j-cli');
let cluster: TestCluster;
let password: string;
let uri: string;
let dataDir: string;
let catalogFile: string;

beforeAll(async () => {
  cluster = await startTestCluster({ members: 3, secondaries: 1 });
  password = fs.readFileSync(path.join(cluster.dir, 'bolt-password'), 'utf8').trim();
  const st = await cluster.writer.status();
  uri = `neo4j://${st.member.boltAddress}`;
  dataDir = folders.folder('data');
  catalogFile = path.join(dataDir, 'txline.sqlite');
  fs.writeFileSync(path.join(dataDir, 'bolt.pw'), `${password}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(dataDir, 'wrong.pw'), 'wrong-password-123\n', { mode: 0o600 });
}, 60_000);

afterAll(async () => {
  await closeBoltDrivers();
  await cluster?.stop();
  folders.removeAll();
});

const cli = (args: string[]) => runTxline(args, { env: { TXLINE_DATA_DIR: dataDir }, timeoutMs: 60_000 });

const addArgs = (name: string, over: Record<string, string> = {}) => {
  const o: Record<string, string> = {
    kind: 'neo4j',
    uri,
    user: 'neo4j',
    'password-file': path.join(dataDir, 'bolt.pw'),
    'neo4j-admin': STANDIN,
    location: path.join(dataDir, `backups-${name}`),
    ...over,
  };
  return ['cluster', 'add', name, ...Object.entries(o).map(([k, v]) => `--${k}=${v}`)];
};

describe('txline cluster add/list/status/remove with a Neo4j cluster', () => {
  it('registers it with the password sealed, and refuses a second of the same name', async () => {
    const r = await cli(addArgs('prod'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('registered neo4j cluster prod');
    expect(r.stdout + r.stderr).not.toContain(password);
    // the catalog file holds no clear password; the key beside it is the owner's only
    const raw = fs.readFileSync(catalogFile).toString('latin1') + (fs.existsSync(`${catalogFile}-wal`) ? fs.readFileSync(`${catalogFile}-wal`).toString('latin1') : '');
    expect(raw).toContain('password_sealed');
    expect(raw).not.toContain(password);
    expect(fs.statSync(path.join(dataDir, 'txline-secret.key')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dataDir, 'backups-prod')).isDirectory()).toBe(true);

    const again = await cli(addArgs('prod'));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already/);
  }, 60_000);

  it('refuses a neo4j-admin that is not there and a URI that is not Bolt, before storing anything', async () => {
    const missing = await cli(addArgs('nope', { 'neo4j-admin': path.join(dataDir, 'no-such-neo4j-admin') }));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no-such-neo4j-admin cannot be run/);
    const badUri = await cli(addArgs('nope', { uri: 'http://127.0.0.1:7474' }));
    expect(badUri.code).toBe(2);
    expect(badUri.stderr).toMatch(/not a Bolt URI/);
    const list = await cli(['cluster', 'list', '--json']);
    expect((JSON.parse(list.stdout) as Array<{ name: string }>).map((c) => c.name)).toEqual(['prod']);
  }, 60_000);

  it('lists it without secrets, and reports servers and databases keyed by SHOW DATABASES’ columns', async () => {
    const list = await cli(['cluster', 'list', '--json']);
    expect(list.code).toBe(0);
    const [row] = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
    expect(row).toMatchObject({ name: 'prod', kind: 'neo4j', uri, user: 'neo4j', neo4jAdmin: STANDIN, backupFrom: null });
    expect(list.stdout).not.toMatch(/sealed|password/i);

    const st = await cli(['cluster', 'status', 'prod', '--json']);
    expect(st.stderr).toBe('');
    expect(st.code).toBe(0);
    const body = JSON.parse(st.stdout) as { version: string; problem: string | null; servers: unknown[]; databases: Array<Record<string, unknown>> };
    expect(body.version).toBe(DEFAULT_NEO4J_VERSION);
    expect(body.problem).toBeNull();
    expect(body.servers).toHaveLength(3);
    const neo = body.databases.filter((d) => d.name === 'neo4j');
    expect(neo).toHaveLength(3);
    for (const d of neo) {
      expect(Object.keys(d)).toEqual(expect.arrayContaining(['lastCommittedTxn', 'replicationLag', 'role', 'writer', 'currentStatus']));
      expect(d.currentStatus).toBe('online');
    }
    expect(neo.filter((d) => d.writer === true)).toHaveLength(1);
    expect(neo.map((d) => d.role).sort()).toEqual(['primary', 'primary', 'secondary']);

    const text = await cli(['cluster', 'status', 'prod']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/SERVER\s+ADDRESS\s+DATABASE\s+ROLE\s+WRITER\s+STATUS\s+LAST TX\s+LAG/);
  }, 60_000);

  it('is what the dashboard sees: same catalog, status through the kind, no member controls and why', async () => {
    const db = openCatalog(catalogFile);
    try {
      const row = listClusters(db).find((c) => c.name === 'prod');
      expect(row?.kind).toBe('neo4j');
      if (!row) return;
      const report = await getCatalogClusterStatus(row, { catalog: catalogFile } as TxlineEnv, { timeoutMs: 10_000 });
      expect(report.problem).toBeNull();
      expect(report.members).toHaveLength(3);
      const [entry] = clusterEntries([{ cluster: row, report }]);
      expect(entry.capabilities).toEqual([]);
      expect(entry.controlsNote).toMatch(/Neo4j has no pause of replication/);
      expect(JSON.stringify(entry)).not.toContain(password);
    } finally {
      db.$client.close();
    }
  }, 60_000);

  it('gives the collector lag samples from SHOW DATABASES: a member whose replication is paused falls behind', async () => {
    const db = openCatalog(catalogFile);
    const follower = Object.entries(cluster.clients).find(([id]) => id !== 'member-1');
    if (!follower) throw new Error('no follower');
    const [followerId, client] = follower;
    const collector = new Collector(db, parseEnv({ TXLINE_DATA_DIR: dataDir }), { intervalMs: 500 });
    try {
      await client.replication({ paused: true });
      for (let i = 0; i < 4; i++) await cluster.writer.commit('neo4j', [{ op: 'createNode', labels: ['Lag'], properties: { i } }]);
      const writerTx = (await dbStatus(cluster.writer, 'neo4j'))?.lastCommittedTxn ?? 0;
      collector.start();
      const row = listClusters(db).find((c) => c.name === 'prod');
      if (!row) throw new Error('prod is not registered');
      const samples = () => db.select().from(lagSamples).all().filter((s) => s.clusterId === row.id && s.database === 'neo4j');
      // the paused member's samples say how far behind the writer it is, as SHOW DATABASES' replicationLag does
      await waitFor('a negative lag sample of the paused member', () => samples().some((s) => s.memberId === followerId && s.replicationLag < 0), 15_000);
      const behind = samples().filter((s) => s.memberId === followerId && s.replicationLag < 0);
      for (const s of behind) expect(s.lastCommittedTxn - s.replicationLag).toBe(writerTx);
      const ids = new Set(samples().map((s) => s.memberId));
      expect(ids.size).toBe(3);
    } finally {
      collector.stop();
      await client.replication({ paused: false });
      db.$client.close();
    }
  }, 60_000);

  it('says UNAUTHENTICATED (exit 1) for a wrong stored password, and removes a cluster', async () => {
    const add = await cli(addArgs('wrong', { 'password-file': path.join(dataDir, 'wrong.pw') }));
    expect(add.code).toBe(0);
    const st = await cli(['cluster', 'status', 'wrong', '--json']);
    expect(st.code).toBe(1);
    expect(st.stderr).toMatch(/UNAUTHENTICATED|wrong user or password/);
    expect(st.stdout + st.stderr).not.toContain('wrong-password-123');

    expect((await cli(['cluster', 'remove', 'wrong'])).code).toBe(0);
    const gone = await cli(['cluster', 'status', 'wrong']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/no cluster "wrong"/);
  }, 90_000);
});
