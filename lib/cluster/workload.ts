/**
 * A steady stream of realistic graph transactions against the writer: people and companies, KNOWS and
 * WORKS_AT relationships, property updates and some deletes. It follows the writer when a member answers
 * NOT_WRITER, and keeps going through errors (a stopped database during a restore, say), counting them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TxlineError, describeError, isTxlineError } from '../errors';
import { MemberClient } from './client';
import { splitAddress } from '../net/address';
import type { ClientOp } from '../graph/ops';
import { trustPeers } from './token';

export interface WorkloadOptions {
  server: string;
  database: string;
  /** transactions per second */
  rate: number;
  /** stop after this long (ms); Infinity runs until aborted */
  durationMs: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** a seed for the pseudo-random choices, so runs can be repeated */
  seed?: number;
}

export interface WorkloadStats {
  committed: number;
  failed: number;
  lastTxId: number;
  elapsedMs: number;
  /** why the last failed transaction failed */
  lastError: TxlineError | null;
}

const FIRST = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Linus', 'Radia', 'Tim', 'Sophie', 'Dennis', 'Hedy', 'John'];
const LAST = ['Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Torvalds', 'Perlman', 'Berners-Lee', 'Wilson', 'Ritchie', 'Lamarr', 'Backus'];
const CITIES = ['Malmö', 'London', 'San Mateo', 'Berlin', 'Paris', 'Oslo', 'Madrid', 'Toronto'];
const INDUSTRIES = ['software', 'finance', 'retail', 'logistics', 'energy', 'health'];

/** A small, seedable PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class WorkloadGenerator {
  readonly people: number[] = [];
  readonly companies: number[] = [];
  private rand: () => number;
  private serial = 0;

  constructor(seed = Date.now()) {
    this.rand = rng(seed);
  }

  private pick<T>(xs: T[]): T {
    return xs[Math.floor(this.rand() * xs.length)];
  }

  private person(ref: string): ClientOp {
    const first = this.pick(FIRST);
    const last = this.pick(LAST);
    return {
      op: 'createNode',
      ref,
      labels: ['Person'],
      properties: {
        name: `${first} ${last}`,
        email: `${first}.${last}.${++this.serial}@example.com`.toLowerCase(),
        age: 20 + Math.floor(this.rand() * 50),
        city: this.pick(CITIES),
      },
    };
  }

  /** The next transaction to send, with a note of what it does to the local ID caches once committed. */
  next(): { ops: ClientOp[]; kind: string } {
    const r = this.rand();
    const havePeople = this.people.length >= 2;
    const haveCompanies = this.companies.length >= 1;
    if (!haveCompanies || r < 0.08) {
      return {
        kind: 'company',
        ops: [
          {
            op: 'createNode',
            ref: '$c',
            labels: ['Company'],
            properties: { name: `Company ${++this.serial}`, industry: this.pick(INDUSTRIES), founded: 1950 + Math.floor(this.rand() * 75) },
          },
        ],
      };
    }
    if (!havePeople || r < 0.4) {
      const ops: ClientOp[] = [this.person('$p')];
      if (havePeople) ops.push({ op: 'createRelationship', type: 'KNOWS', start: '$p', end: this.pick(this.people), properties: { since: 2000 + Math.floor(this.rand() * 26) } });
      ops.push({ op: 'createRelationship', type: 'WORKS_AT', start: '$p', end: this.pick(this.companies), properties: { role: this.pick(['engineer', 'analyst', 'manager', 'designer']) } });
      return { kind: 'person', ops };
    }
    if (r < 0.6) {
      const a = this.pick(this.people);
      let b = this.pick(this.people);
      if (a === b) b = this.people[(this.people.indexOf(a) + 1) % this.people.length];
      return { kind: 'knows', ops: [{ op: 'createRelationship', type: 'KNOWS', start: a, end: b, properties: { since: 2000 + Math.floor(this.rand() * 26) } }] };
    }
    if (r < 0.9) {
      return {
        kind: 'update',
        ops: [{ op: 'setProperties', node: this.pick(this.people), properties: { lastSeen: Date.now(), score: Math.round(this.rand() * 1000) / 10 } }],
      };
    }
    if (r < 0.95) {
      return { kind: 'move', ops: [{ op: 'setProperties', node: this.pick(this.people), properties: { city: this.pick(CITIES) } }] };
    }
    return { kind: 'delete', ops: [{ op: 'deleteNode', node: this.pick(this.people) }] };
  }

  /** Updates the caches after a commit. */
  committed(tx: { ops: ClientOp[]; kind: string }, ids: Record<string, number>): void {
    if (tx.kind === 'company') this.companies.push(ids.$c);
    if (tx.kind === 'person') this.people.push(ids.$p);
    if (tx.kind === 'delete') this.forget(tx.ops[0] as { node: number });
  }

  /** A transaction failed because a node it named is gone: drop that node from the caches. */
  forget(op: { node?: unknown }): void {
    if (typeof op.node !== 'number') return;
    for (const xs of [this.people, this.companies]) {
      const i = xs.indexOf(op.node);
      if (i >= 0) xs.splice(i, 1);
    }
  }
}

/**
 * Makes sure the workload can start: the member answers and the database exists in the cluster (on that
 * member, or, on a follower that has not copied it yet, on the writer). Throws SOURCE_UNREACHABLE or
 * DATABASE_NOT_FOUND with the reason.
 */
export async function checkWorkloadTarget(server: string, database: string): Promise<void> {
  const client = new MemberClient(server);
  let names: string[];
  try {
    names = (await client.status(5000)).databases.map((d) => d.name);
  } catch (e) {
    throw new TxlineError('SOURCE_UNREACHABLE', `cannot reach ${server}: ${describeError(e)}`, { cause: e });
  }
  if (names.includes(database)) return;
  try {
    const cluster = await client.cluster();
    const writer = cluster.members.find((m) => m.id === cluster.writer);
    if (writer && writer.address !== server && (await new MemberClient(writer.address).status()).databases.some((d) => d.name === database)) return;
  } catch (e) {
    // the writer cannot tell: what this member has is the answer
    names.push(`(the writer could not be asked: ${describeError(e)})`);
  }
  throw new TxlineError('DATABASE_NOT_FOUND', `database "${database}" does not exist on ${server} (it has ${names.join(', ') || 'none'})`);
}

export async function runWorkload(opts: WorkloadOptions): Promise<WorkloadStats> {
  const log = opts.log ?? (() => undefined);
  splitAddress(opts.server); // a bad address is a usage error, before anything runs
  let client = new MemberClient(opts.server);
  const gen = new WorkloadGenerator(opts.seed);
  const started = Date.now();
  const stats: WorkloadStats = { committed: 0, failed: 0, lastTxId: 0, elapsedMs: 0, lastError: null };
  const loadCaches = async () => {
    const [people, companies] = await Promise.all([client.nodes(opts.database, 'Person', 5000), client.nodes(opts.database, 'Company', 1000)]);
    gen.people.splice(0, gen.people.length, ...people.map((n) => n.id));
    gen.companies.splice(0, gen.companies.length, ...companies.map((n) => n.id));
  };
  try {
    await loadCaches();
  } catch (e) {
    log(`workload: could not read existing nodes (${describeError(e)}); starting from scratch`);
  }
  const interval = 1000 / opts.rate;
  let due = Date.now();
  let lastError = '';
  while (!opts.signal?.aborted && Date.now() - started < opts.durationMs) {
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait, undefined, { signal: opts.signal }).catch(() => undefined);
    if (opts.signal?.aborted) break;
    due = Math.max(due + interval, Date.now() - 1000); // do not burst more than a second's worth after a stall
    const tx = gen.next();
    try {
      const r = await client.commit(opts.database, tx.ops);
      gen.committed(tx, r.ids);
      stats.committed++;
      stats.lastTxId = r.txId;
      lastError = '';
    } catch (e) {
      stats.failed++;
      stats.lastError = e instanceof TxlineError ? e : new TxlineError('INTERNAL', describeError(e), { cause: e });
      if (isTxlineError(e, 'NOT_WRITER') && typeof e.details?.writer === 'string') {
        log(`workload: following the writer to ${e.details.writer}`);
        trustPeers(client.address, [e.details.writer]); // the writer its member names gets the token that member gets
        client = new MemberClient(e.details.writer);
        continue;
      }
      if (isTxlineError(e, 'TX_INVALID')) {
        gen.forget(tx.ops.find((o) => 'node' in o) as { node?: unknown });
        continue;
      }
      const msg = describeError(e);
      if (msg !== lastError) log(`workload: ${msg}`);
      lastError = msg;
      if (isTxlineError(e, 'DATABASE_NOT_FOUND') || isTxlineError(e, 'DATABASE_OFFLINE') || isTxlineError(e, 'SOURCE_UNREACHABLE')) {
        await sleep(500, undefined, { signal: opts.signal }).catch(() => undefined);
        if (isTxlineError(e, 'DATABASE_OFFLINE') || isTxlineError(e, 'DATABASE_NOT_FOUND')) await loadCaches().catch(() => undefined);
      }
    }
  }
  stats.elapsedMs = Date.now() - started;
  return stats;
}
