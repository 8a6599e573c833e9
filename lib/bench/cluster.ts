/**
 * `npm run bench:cluster`: the writer's commit rate for 5-operation transactions with durable commits, and
 * each follower's apply rate, on a real 3-member cluster in a temporary folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { MemberClient } from '../cluster/client';
import type { ClientOp } from '../graph/ops';
import { ClusterSupervisor } from '../cluster/supervisor';
import { setClusterToken } from '../cluster/token';

export interface ClusterBenchOptions {
  seconds: number;
  /** one measurement per level, in one run on one cluster */
  concurrency: number[];
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number | null): number | null {
  if (!pid) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = 100;

export async function benchCluster(opts: ClusterBenchOptions): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-bench-cluster-'));
  const sup = new ClusterSupervisor({ dataDir: dir, basePort: 0, output: 'file', txLogRotationSize: '64M', txLogRetention: '2 days' });
  const out = (s: string) => process.stdout.write(`${s}\n`);
  try {
    await sup.start();
    setClusterToken(sup.token, sup.addresses());
    const [w, ...followers] = sup.info().members;
    const writer = new MemberClient(w.address);
    // Seed a few nodes for updates to touch.
    await writer.commit('neo4j', Array.from({ length: 100 }, () => ({ op: 'createNode', labels: ['Seed'], properties: { n: 0 } })));
    const seeds = (await writer.nodes('neo4j', 'Seed', 100)).map((n) => n.id);
    let i = 0;
    const tx = (): ClientOp[] => {
      i++;
      return [
        { op: 'createNode', ref: '$a', labels: ['Person'], properties: { name: `p${i}`, age: i % 90 } },
        { op: 'createNode', ref: '$b', labels: ['Person'], properties: { name: `q${i}`, age: (i * 7) % 90 } },
        { op: 'createRelationship', type: 'KNOWS', start: '$a', end: '$b', properties: { since: 2000 + (i % 25) } },
        { op: 'setProperties', node: seeds[i % seeds.length], properties: { n: i } },
        { op: 'addLabels', node: '$a', labels: ['Active'] },
      ];
    };
    const members = sup.info().members;
    out(`durability: every commit fdatasync'ed to the transaction log before it is acknowledged (group commit), SQLite WAL synchronous=NORMAL`);
    const rates: string[] = [];
    for (const clients of opts.concurrency) {
      const start = (await writer.status()).databases.find((d) => d.name === 'neo4j')?.lastCommittedTxn ?? 0;
      const cpu0 = members.map((m) => cpuSeconds(m.pid));
      const self0 = process.cpuUsage();
      const deadline = Date.now() + opts.seconds * 1000;
      const latencies: number[] = [];
      const t0 = performance.now();
      // The load comes from undici's connection pool: node:http's client costs more CPU per request than the
      // writer itself, and it shares these two cores with the members it measures.
      const pool = new Pool(`http://${w.address}`, { connections: clients });
      try {
        await Promise.all(
          Array.from({ length: clients }, async () => {
            while (Date.now() < deadline) {
              const r0 = performance.now();
              const res = await pool.request({
                path: '/db/neo4j/tx',
                method: 'POST',
                headers: { 'content-type': 'application/json', authorization: `Bearer ${sup.token}` },
                body: JSON.stringify({ ops: tx() }),
              });
              const body = await res.body.text();
              if (res.statusCode !== 200) throw new Error(`the writer answered ${res.statusCode}: ${body}`);
              latencies.push(performance.now() - r0);
            }
          }),
        );
      } finally {
        await pool.close();
      }
      const done = latencies.length;
      const elapsed = (performance.now() - t0) / 1000;
      const writerLast = start + done;
      const selfCpu = process.cpuUsage(self0);
      const cpuPerTx = (seconds: number | null) => (seconds === null ? 'n/a' : `${((seconds * 1000) / done).toFixed(3)} ms`);
      latencies.sort((a, b) => a - b);
      const pct = (q: number) => latencies[Math.min(done - 1, Math.floor(q * done))].toFixed(1);
      const rate = Math.round(done / elapsed);
      rates.push(`${rate} tx/s with ${clients} clients`);
      out('');
      out(`writer, ${clients} concurrent clients over HTTP: ${done} transactions of 5 operations in ${elapsed.toFixed(1)} s = ${rate} tx/s; commit latency median ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);
      // Followers: how far they got during the run, and how long they take to catch up.
      const t1 = performance.now();
      for (const f of followers) {
        const c = new MemberClient(f.address);
        for (;;) {
          const st = await c.status();
          const last = st.databases.find((d) => d.name === 'neo4j')?.lastCommittedTxn ?? 0;
          if (last >= writerLast) break;
          await sleep(20);
        }
        const caughtUp = (performance.now() - t1) / 1000;
        const total = (performance.now() - t0) / 1000;
        out(`${f.id} (${f.mode}): applied ${done} transactions, caught up ${caughtUp.toFixed(2)} s after the writer finished; apply rate ${Math.round(done / total)} tx/s`);
      }
      const cpu1 = members.map((m) => cpuSeconds(m.pid));
      const perMember = members.map((m, k) => {
        const a = cpu0[k];
        const b = cpu1[k];
        return `${m.id} ${cpuPerTx(a === null || b === null ? null : b - a)}`;
      });
      out(`CPU per transaction: ${perMember.join(', ')}, client ${cpuPerTx((selfCpu.user + selfCpu.system) / 1e6)}`);
    }
    out('');
    out(`commit rate: ${rates.join('; ')} (aim >= 3000 tx/s)`);
  } finally {
    await sup.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
