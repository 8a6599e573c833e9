/**
 * At the server's start, the scratch databases that drills killed with the previous server left (a drill's
 * `finally` cannot run after SIGKILL) are dropped from every registered cluster of the txline kind that has
 * one: the collector's first round says which databases each cluster hosts, and only a cluster that reports a
 * `txline-drill-*` database gets a `txline backup drill --drop-leftovers` (with the cluster's addresses and token
 * as a job gets them, bounded in time), at most CLI_AT_ONCE at a time. A CLI process per registered cluster
 * (fifty of them on a fleet) would hold the server's CPU for minutes at its start; a cluster that does not
 * answer has nothing the CLI could drop either. Scheduled drills wait until this is done (Scheduler's
 * drillsAfter), so every `txline-drill-*` database is a leftover; a drill a user starts ("Drill now", or by hand
 * against the same cluster) at that moment would lose its scratch database and fail (never pass).
 */
import { spawn } from 'node:child_process';
import type { Catalog } from '../db';
import { listClusters } from '../db/queries/clusters';
import type { TxlineEnv } from '../env';
import { describeError } from '../errors';
import type { Logger } from '../log';
import { isScratchName } from '../engine/drill';
import type { Collector } from '../monitor/collector';
import { CLI_ENV, CLI_NODE_ARGS, txlineBin } from '../paths';
import { catalogConnection, kindOf } from '../sources';

const TIMEOUT_MS = 120_000;
/** CLI processes at once (each is a node process: a few hundred milliseconds of CPU to start) */
const CLI_AT_ONCE = 2;

/** Resolves when every cluster has been cleaned (or failed to be: logged); never rejects. */
export async function dropLeftoverDrills(db: Catalog, e: TxlineEnv, collector: Pick<Collector, 'tick' | 'latest'>, log: Pick<Logger, 'info' | 'warn'>): Promise<void> {
  try {
    await collector.tick(); // the first round (already started: this waits for it)
  } catch (err) {
    log.warn(`could not look for scratch databases left by drills: ${describeError(err)}`);
    return;
  }
  const withLeftovers = listClusters(db).filter(
    (c) => c.kind === 'txline' && (collector.latest.get(c.id)?.report.members.some((m) => m.databases.some((d) => isScratchName(d.name))) ?? false),
  );
  const todo = [...withLeftovers];
  const worker = async () => {
    for (let c = todo.shift(); c; c = todo.shift()) {
      const conn = catalogConnection(c);
      const access = kindOf(conn).jobAccess(conn, e);
      if (access.addresses.length === 0) continue;
      try {
        const out = await runCli(['backup', 'drill', '--drop-leftovers'], { TXLINE_CLUSTER_ADDRESSES: access.addresses.join(','), TXLINE_CLUSTER_TOKEN: access.token ?? '' });
        if (out.startsWith('dropped')) log.warn(`cluster ${c.name}: ${out} (scratch databases of drills that did not finish)`);
      } catch (err) {
        log.warn(`cluster ${c.name}: could not look for scratch databases left by drills: ${describeError(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CLI_AT_ONCE }, worker));
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
