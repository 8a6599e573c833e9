/**
 * The state of a cluster that speaks Txline's member API, for the dashboard: finds the members (the cluster
 * file of a cluster this server started, or given addresses) and asks each for its /status (and its
 * replication switch) with a short timeout. A member that does not answer is reported as unreachable; this
 * never throws because a member is down. Server-only (Node).
 *
 * Each member is asked with its cluster's token only: a registered cluster's own (or none), the environment's
 * where it belongs (lib/cluster/token.ts), never the embedded cluster's to another host.
 */
import fs from 'node:fs';
import { MemberClient, requestJson, type ReplicationSettings } from '../../cluster/client';
import { catalogClusterToken, environmentTokenFor } from '../../cluster/token';
import type { ClusterFile } from '../../cluster/supervisor';
import { describeError } from '../../errors';
import type { TxlineEnv } from '../../env';
import type { ClusterConnection, StatusOptions } from '../kind';
import type { ClusterReport, ClusterSource, MemberReport } from '../report';

/**
 * The status of a cluster: one this server started (from its cluster file, with the environment's token for
 * it), or members at given addresses (with the cluster's own token, else the environment's where it belongs).
 */
export async function txlineStatus(c: ClusterConnection, e: TxlineEnv, opts: StatusOptions = {}): Promise<ClusterReport & { controlAddress: string | null }> {
  if (c.startedHere) {
    const found = withTokens(findEmbedded(e.clusterFile), (address) => environmentTokenFor(address, e));
    return { ...(await probeMembers(found, opts)), controlAddress: found.controlAddress };
  }
  const found = c.token === undefined
    ? withTokens(fromAddresses(c.addresses), (address) => environmentTokenFor(address, e))
    : withTokens(fromAddresses(c.addresses), () => catalogClusterToken({ addresses: c.addresses, token: c.token }, e));
  return { ...(await probeMembers(found, opts)), controlAddress: null };
}

interface MemberRef {
  id: string | null;
  address: string;
  mode: 'primary' | 'secondary' | null;
  processState: string | null;
  /** the token to send it (null: none) */
  token: string | null;
}

type Found = { source: ClusterSource; members: MemberRef[]; problem: string | null; controlAddress: string | null };

/** The members with their tokens; a token file that cannot be read is the report's problem (asked without). */
function withTokens(found: Found, tokenOf: (address: string) => string | null): Found {
  try {
    return { ...found, members: found.members.map((m) => ({ ...m, token: tokenOf(m.address) })) };
  } catch (err) {
    return { ...found, problem: found.problem ?? describeError(err) };
  }
}

async function probeMembers(found: Found, opts: StatusOptions): Promise<ClusterReport> {
  const checkedAt = new Date().toISOString();
  const members = await Promise.all(found.members.map((m) => probeWithin(m, opts)));
  members.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  return { source: found.source, checkedAt, members, problem: found.problem };
}

function fromAddresses(addresses: string[]): Found {
  return {
    source: { kind: 'addresses', addresses },
    members: addresses.map((address) => ({ id: null, address, mode: null, processState: null, token: null })),
    problem: null,
    controlAddress: null,
  };
}

/** The members of the embedded cluster, as its cluster.json lists them. */
export function findEmbedded(clusterFile: string): Found {
  const e = { clusterFile };
  const none = { source: { kind: 'none', clusterFile: e.clusterFile } as const, members: [], controlAddress: null };
  let text: string;
  try {
    text = fs.readFileSync(e.clusterFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ...none, problem: null };
    return { ...none, problem: `cannot read ${e.clusterFile}: ${describeError(err)}` };
  }
  let file: ClusterFile;
  try {
    file = JSON.parse(text) as ClusterFile;
    if (!Array.isArray(file.members)) throw new Error('it has no "members" list');
  } catch (err) {
    return { ...none, problem: `${e.clusterFile} is not a cluster file: ${describeError(err)}` };
  }
  return {
    source: { kind: 'embedded', clusterFile: e.clusterFile, startedAt: file.startedAt ?? null },
    members: file.members.map((m) => ({ id: m.id, address: m.address, mode: m.mode, processState: m.state ?? null, token: null })),
    problem: null,
    controlAddress: file.control ?? null,
  };
}

/**
 * The member's report, or, when it has not answered within opts.waitMs or is still answering an earlier
 * call (opts.inFlight), a report that says it is slow.
 */
async function probeWithin(ref: MemberRef, opts: StatusOptions): Promise<MemberReport> {
  const timeoutMs = opts.timeoutMs ?? 1500;
  const running = opts.inFlight;
  const earlier = running?.get(ref.address);
  if (earlier !== undefined) return unreachable(ref, `slow: still answering an earlier /status (asked ${Math.round(performance.now() - earlier)} ms ago)`);
  const probing = probe(ref, timeoutMs);
  if (running) {
    running.set(ref.address, performance.now());
    void probing.then(() => running.delete(ref.address));
  }
  const waitMs = opts.waitMs ?? timeoutMs;
  if (waitMs >= timeoutMs) return probing;
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<MemberReport>((resolve) => {
    timer = setTimeout(() => resolve(unreachable(ref, `slow: no answer to /status within ${waitMs} ms (still waiting, up to ${timeoutMs} ms)`)), waitMs);
  });
  try {
    return await Promise.race([probing, slow]);
  } finally {
    clearTimeout(timer);
  }
}

async function probe(ref: MemberRef, timeoutMs: number): Promise<MemberReport> {
  const started = performance.now();
  // Asked beside /status: whether replication is paused is not part of the public status. A member that
  // does not answer it (a real Neo4j, say) is reported with replication unknown, not as unreachable.
  const replication = requestJson<ReplicationSettings>(ref.address, '/admin/replication', { timeoutMs, token: ref.token }).then(
    (r) => ({ paused: r.paused, lagMs: r.lagMs }),
    () => null,
  );
  try {
    const status = await new MemberClient(ref.address, ref.token).status(timeoutMs);
    const latencyMs = Math.round(performance.now() - started);
    return {
      id: status.member.id,
      address: ref.address,
      mode: status.member.mode,
      reachable: true,
      processState: ref.processState,
      error: null,
      latencyMs,
      databases: [...status.databases].sort(byDatabaseName),
      replication: await replication,
    };
  } catch (err) {
    return unreachable(ref, describeError(err));
  }
}

function unreachable(ref: MemberRef, error: string): MemberReport {
  return {
    id: ref.id ?? ref.address,
    address: ref.address,
    mode: ref.mode,
    reachable: false,
    processState: ref.processState,
    error,
    latencyMs: null,
    databases: [],
    replication: null,
  };
}

/** User databases by name, `system` last (as a DBA scans them). */
function byDatabaseName(a: { name: string }, b: { name: string }): number {
  if (a.name === 'system' || b.name === 'system') return a.name === 'system' ? (b.name === 'system' ? 0 : 1) : -1;
  return a.name.localeCompare(b.name);
}
