/**
 * Which databases a backup run covers and which members it asks, in which order: pure functions of the
 * cluster's topology and the run's options, each decision given with the reason the log prints.
 */
import { TxlineError } from '../errors';
import { planBackup, type PlanOptions } from './backup-plan';
import type { ChainNode } from './chain';
import type { MemberDatabase, Topology } from './source';

/** Expands names and globs against the databases the reachable servers host. */
export function matchDatabases(patterns: string[], topology: Pick<Topology, 'databases'>): string[] {
  const all = [...new Set(topology.databases.map((d) => d.name))].sort();
  const out = new Set<string>();
  for (const p of patterns) {
    if (/[*?]/.test(p)) {
      for (const n of all) if (globMatches(p.toLowerCase(), n)) out.add(n);
    } else {
      out.add(p.toLowerCase());
    }
  }
  return [...out];
}

/**
 * Whether `glob` covers the whole of `name`: `*` stands for any run of characters, `?` for one, every other
 * character for itself (neo4j-admin's database patterns). Matched by walking both with the last star
 * remembered, at most name × glob steps: a regular expression made of the glob backtracks exponentially in
 * its stars (`*a*a*a*a*a*a*a*a*a*a*b` against 40 a's took 26 s, and a schedule's glob is matched against the
 * name in a page's URL).
 */
export function globMatches(glob: string, name: string): boolean {
  let g = 0;
  let n = 0;
  let star = -1; // where the last star was in the glob
  let from = 0; // where in the name that star's run ends now
  while (n < name.length) {
    if (g < glob.length && (glob[g] === '?' || (glob[g] !== '*' && glob[g] === name[n]))) {
      g++;
      n++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      from = n;
    } else if (star >= 0) {
      // the last star takes one more character
      g = star + 1;
      n = ++from;
    } else return false;
  }
  while (g < glob.length && glob[g] === '*') g++;
  return g === glob.length;
}

export interface SourcePolicy {
  /** the servers were given with --from and are tried in that order */
  explicitSources: boolean;
  /** members more than this many transactions behind the writer are passed over */
  maxLag: number;
}

/** A decision's reason, as the log prints it (debug lines only with --verbose). */
export type Note = { level: 'debug' | 'info'; message: string };

/**
 * The members to back up `db` from, in order, and why: the order of --from when the servers were given;
 * otherwise secondaries, then primary followers, then the writer (least lag first within each), passing over
 * offline members and members more than `maxLag` behind. DATABASE_NOT_FOUND when no reachable member hosts it.
 */
export function orderSources(db: string, topology: Pick<Topology, 'databases'>, policy: SourcePolicy): { ordered: MemberDatabase[]; notes: Note[] } {
  const notes: Note[] = [];
  const hosting = topology.databases.filter((d) => d.name === db);
  if (hosting.length === 0) throw new TxlineError('DATABASE_NOT_FOUND', `no reachable server hosts database ${db}`);
  for (const d of hosting) {
    notes.push({
      level: 'debug',
      message: `considering ${d.member.id} (${d.member.address}) for ${db}: ${d.role}, ${d.status}, transactions ${d.lowestAvailableTxn}..${d.lastCommittedTxn} in its log, lag ${d.replicationLag}, store ID ${d.storeId}`,
    });
  }
  const online = hosting.filter((d) => {
    if (d.status !== 'online') notes.push({ level: 'info', message: `passing over ${d.member.id} (${d.member.address}) for ${db}: the database is ${d.status} there` });
    return d.status === 'online';
  });
  if (policy.explicitSources) return { ordered: online, notes }; // the order of --from
  const rank = { secondary: 0, follower: 1, writer: 2 } as const;
  const eligible = online.filter((d) => {
    if (d.role !== 'writer' && -d.replicationLag > policy.maxLag) {
      notes.push({ level: 'info', message: `passing over ${d.member.id} (${d.role}) for ${db}: ${-d.replicationLag} transactions behind the writer (--max-lag=${policy.maxLag})` });
      return false;
    }
    return true;
  });
  eligible.sort((a, b) => rank[a.role] - rank[b.role] || b.replicationLag - a.replicationLag);
  notes.push({ level: 'info', message: `source order for ${db}: ${eligible.map((d) => `${d.member.id} (${d.role}, lag ${d.replicationLag})`).join(', ')}` });
  return { ordered: eligible, notes };
}

/**
 * When a differential is wanted, members that can serve it come first (keeping the order otherwise): a
 * secondary that lost the transactions after the parent must not force a full while the writer has them.
 */
export function preferDiffSources(db: string, ordered: MemberDatabase[], existing: readonly ChainNode[], opts: PlanOptions): { ordered: MemberDatabase[]; note: Note | null } {
  if (opts.type === 'full' || ordered.length < 2) return { ordered, note: null };
  const can = (c: MemberDatabase) => {
    try {
      return planBackup(db, c, existing, opts).type === 'diff';
    } catch {
      return false;
    }
  };
  const yes = ordered.filter(can);
  if (yes.length === 0 || yes[0] === ordered[0]) return { ordered, note: null };
  return {
    ordered: [...yes, ...ordered.filter((c) => !yes.includes(c))],
    note: { level: 'info', message: `preferring ${yes[0].member.id} (${yes[0].role}) for ${db}: it still holds the transactions after the latest backup, ${ordered[0].member.id} does not` },
  };
}
