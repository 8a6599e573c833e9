/**
 * At the server's start, the scratch databases that drills killed with the previous server left (a drill's
 * `finally` cannot run after SIGKILL) are dropped from every registered cluster of the txline kind: one
 * `txline backup drill --drop-leftovers` per cluster, with the cluster's addresses and token as a job gets
 * them, bounded in time. No drill job runs yet (the runner starts after), so every `txline-drill-*` database
 * is a leftover; a drill a user runs by hand against the same cluster at that moment would lose its scratch
 * database and fail (never pass).
 */
import { spawn } from 'node:child_process';
import type { Catalog } from '../db';
import { listClusters } from '../db/queries/clusters';
import type { TxlineEnv } from '../env';
import { describeError } from '../errors';
import type { Logger } from '../log';
import { CLI_ENV, CLI_NODE_ARGS, txlineBin } from '../paths';
import { catalogConnection, kindOf } from '../sources';

const TIMEOUT_MS = 120_000;

/** Resolves when every cluster has been cleaned (or failed to be: logged); never rejects. */
export async function dropLeftoverDrills(db: Catalog, e: TxlineEnv, log: Pick<Logger, 'info' | 'warn'>): Promise<void> {
  const clusters = listClusters(db).filter((c) => c.kind === 'txline');
  await Promise.all(
    clusters.map(async (c) => {
      const conn = catalogConnection(c);
      const access = kindOf(conn).jobAccess(conn, e);
      if (access.addresses.length === 0) return;
      try {
        const out = await runCli(['backup', 'drill', '--drop-leftovers'], { TXLINE_CLUSTER_ADDRESSES: access.addresses.join(','), TXLINE_CLUSTER_TOKEN: access.token ?? '' });
        if (out.startsWith('dropped')) log.warn(`cluster ${c.name}: ${out} (scratch databases of drills that did not finish)`);
      } catch (err) {
        log.warn(`cluster ${c.name}: could not look for scratch databases left by drills: ${describeError(err)}`);
      }
    }),
  );
}

function runCli(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI_NODE_ARGS, txlineBin(), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...CLI_ENV, ...env, NODE_OPTIONS: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout.trim());
      else reject(new Error(`exited with ${signal ?? `code ${code}`}: ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`));
    });
  });
}
