/**
 * Test bed: a real embedded cluster (member processes on free loopback ports, files in a temporary folder).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemberClient, type DatabaseStatus } from '../../lib/cluster/client';
import { ClusterSupervisor, type ClusterOptions } from '../../lib/cluster/supervisor';

export interface TestCluster {
  dir: string;
  sup: ClusterSupervisor;
  /** member clients by id */
  clients: Record<string, MemberClient>;
  writer: MemberClient;
  addresses: string[];
  stop(): Promise<void>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `txline-${prefix}-`));
}

export async function startTestCluster(opts: Partial<ClusterOptions> = {}): Promise<TestCluster> {
  const dir = opts.dataDir ?? tempDir('cluster');
  const sup = new ClusterSupervisor({ basePort: 0, output: 'file', ...opts, dataDir: dir });
  await sup.start();
  const clients = Object.fromEntries(sup.info().members.map((m) => [m.id, new MemberClient(m.address)]));
  return {
    dir,
    sup,
    clients,
    writer: clients['member-1'],
    addresses: sup.addresses(),
    async stop() {
      await sup.stop();
      if (!process.env.TXLINE_KEEP_TEST_DATA) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function dbStatus(client: MemberClient, db: string): Promise<DatabaseStatus | undefined> {
  return (await client.status()).databases.find((d) => d.name === db);
}

/** Polls `check` until it returns true, failing with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (e) {
      lastError = e;
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}

/** Waits until every member's database has caught up with the writer's last committed transaction. */
export async function waitForConvergence(cluster: TestCluster, db: string, timeoutMs = 30_000): Promise<number> {
  const target = (await dbStatus(cluster.writer, db))?.lastCommittedTxn ?? 0;
  await waitFor(
    `all members of ${db} at transaction ${target}`,
    async () => {
      for (const c of Object.values(cluster.clients)) {
        const s = await dbStatus(c, db);
        if (!s || s.lastCommittedTxn < target) return false;
      }
      return true;
    },
    timeoutMs,
  );
  return target;
}
