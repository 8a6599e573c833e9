/**
 * getClusterStatus against a real embedded cluster (member processes on free ports, files in a temporary
 * folder): what the dashboard's first page and GET /api/cluster show.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../cluster/client';
import { ClusterSupervisor } from '../cluster/supervisor';
import { setClusterToken } from '../cluster/token';
import { parseEnv } from '../env';
import { getClusterStatus } from './cluster-status';

describe('getClusterStatus', () => {
  let dir: string;
  let sup: ClusterSupervisor;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-monitor-'));
    sup = new ClusterSupervisor({ dataDir: path.join(dir, 'cluster'), basePort: 0, output: 'file', lagMs: { 'member-3': 300 } });
    await sup.start();
    // the test's own calls; getClusterStatus finds it as the dashboard does (the token file beside cluster.json)
    setClusterToken(sup.token, sup.addresses());
  });

  afterAll(async () => {
    await sup?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports every member of the embedded cluster with its databases', async () => {
    const report = await getClusterStatus(parseEnv({ TXLINE_DATA_DIR: dir }));
    expect(report.source).toMatchObject({ kind: 'embedded', clusterFile: path.join(dir, 'cluster', 'cluster.json') });
    expect(report.problem).toBeNull();
    expect(report.members.map((m) => [m.id, m.mode, m.reachable])).toEqual([
      ['member-1', 'primary', true],
      ['member-2', 'primary', true],
      ['member-3', 'secondary', true],
    ]);
    const m1 = report.members[0];
    expect(m1.databases.map((d) => d.name)).toEqual(['neo4j', 'system']);
    expect(m1.databases.find((d) => d.name === 'neo4j')).toMatchObject({ role: 'writer', status: 'online', replicationLag: 0 });
    expect(report.members[2].databases.every((d) => d.role === 'secondary')).toBe(true);
    expect(report.members.map((m) => m.replication)).toEqual([
      { paused: false, lagMs: 0 },
      { paused: false, lagMs: 0 },
      { paused: false, lagMs: 300 },
    ]);
  });

  it("reports a member's paused replication", async () => {
    const m3 = sup.member('member-3').address;
    await requestJson(m3, '/admin/replication', { method: 'POST', json: { paused: true } });
    try {
      const report = await getClusterStatus(parseEnv({ TXLINE_DATA_DIR: dir }));
      expect(report.members.find((m) => m.id === 'member-3')?.replication).toEqual({ paused: true, lagMs: 300 });
    } finally {
      await requestJson(m3, '/admin/replication', { method: 'POST', json: { paused: false } });
    }
  });

  it('reports a stopped member as unreachable, not as an error', async () => {
    await sup.stopMember('member-2');
    try {
      const report = await getClusterStatus(parseEnv({ TXLINE_DATA_DIR: dir }), { timeoutMs: 500 });
      const m2 = report.members.find((m) => m.id === 'member-2');
      expect(m2).toMatchObject({ reachable: false, mode: 'primary', processState: 'stopped', databases: [], replication: null });
      expect(m2?.error).toMatch(/cannot reach|did not answer/);
      expect(report.members.filter((m) => m.reachable).map((m) => m.id)).toEqual(['member-1', 'member-3']);
    } finally {
      await sup.startMember('member-2');
    }
  });

  it('watches TXLINE_CLUSTER_ADDRESSES instead of the embedded cluster', async () => {
    const addresses = `${sup.member('member-3').address},127.0.0.1:1`;
    const report = await getClusterStatus(parseEnv({ TXLINE_DATA_DIR: dir, TXLINE_CLUSTER_ADDRESSES: addresses }), { timeoutMs: 500 });
    expect(report.source.kind).toBe('addresses');
    expect(report.members.map((m) => [m.id, m.reachable])).toEqual([
      ['127.0.0.1:1', false],
      ['member-3', true],
    ]);
  });

  it('says nothing is there when there is no cluster file', async () => {
    const report = await getClusterStatus(parseEnv({ TXLINE_DATA_DIR: path.join(dir, 'nothing-here') }));
    expect(report).toMatchObject({ source: { kind: 'none' }, members: [], problem: null });
  });

  it('names a cluster file it cannot read', async () => {
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, '{ not json');
    const report = await getClusterStatus(parseEnv({ TXLINE_CLUSTER_FILE: bad }));
    expect(report.members).toEqual([]);
    expect(report.problem).toContain(`${bad} is not a cluster file`);
  });
});
