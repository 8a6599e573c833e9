/**
 * Restore planning: which chain to read and where to stop, for the latest state, for "up to but not including
 * transaction N" and for "what was committed before time T". One candidate index (every artifact's chain,
 * intact or broken, by the artifact it ends at) is shared by three strategies. The engine's plan, read from
 * the artifacts on disk, is authoritative; the dashboard's preview runs the same function on the catalog.
 */
import { ChainIndex, byTime, isEmpty, type ChainNode } from './chain';

export type RestorePoint = { kind: 'latest' } | { kind: 'tx'; before: number } | { kind: 'time'; before: number };

export interface RestorePlan<T extends ChainNode> {
  chain: T[];
  /** replay transactions below this ID (exclusive), or committed before this time (ms, exclusive) */
  stopBeforeTx: number | null;
  stopBeforeTime: number | null;
  /** the transaction the restored store will be at, when known before replaying */
  targetTx: number | null;
  /** an upper bound of transactions to replay */
  txToReplay: number;
}

export type PlanResult<T extends ChainNode> = { ok: true; plan: RestorePlan<T> } | { ok: false; code: 'RESTORE_POINT_OUTSIDE_CHAIN' | 'CHAIN_BROKEN'; problem: string };

/** Restorable ranges of every intact chain, for messages and the wizard. */
export function restorableRanges<T extends ChainNode>(
  all: readonly T[],
  index: ChainIndex<T> = new ChainIndex(all),
): Array<{ storeId: string; fromTx: number; toTx: number; fromTime: number | null; toTime: number }> {
  const out = new Map<string, { storeId: string; fromTx: number; toTx: number; fromTime: number | null; toTime: number }>();
  for (const a of all) {
    const st = index.status(a);
    if (!st.ok) continue;
    const full = st.root;
    const cur = out.get(full.file);
    const toTime = Date.parse(a.time);
    if (!cur) out.set(full.file, { storeId: a.storeId, fromTx: full.tipTx, toTx: a.tipTx, fromTime: full.lastCommitTime, toTime });
    else {
      cur.toTx = Math.max(cur.toTx, a.tipTx);
      cur.toTime = Math.max(cur.toTime, toTime);
    }
  }
  return [...out.values()].sort((a, b) => a.fromTx - b.fromTx);
}

function describeRanges<T extends ChainNode>(all: readonly T[], index: ChainIndex<T>): string {
  const r = restorableRanges(all, index);
  if (r.length === 0) return 'no intact backup chain is available';
  return `restorable: ${r
    .map((x) => `transactions ${x.fromTx}..${x.toTx} (--restore-until=${x.fromTx + 1}..${x.toTx + 1}), times ${x.fromTime ? new Date(x.fromTime + 1).toISOString() : 'from the start'} .. ${new Date(x.toTime).toISOString()}`)
    .join('; ')}`;
}

/** A candidate: the intact chain ending at `end`, known by its full (`root`) and length; built only when chosen. */
interface Candidate<T extends ChainNode> {
  end: T;
  root: T;
  depth: number;
}

/** What every strategy works from: each candidate end's chain status, the intact ones, and each generation's age. */
class Candidates<T extends ChainNode> {
  readonly index: ChainIndex<T>;
  /** the newest backup time of each generation (store ID) */
  readonly genTime = new Map<string, number>();
  readonly chains: Array<{ end: T; result: ReturnType<ChainIndex<T>['status']> }>;
  readonly intact: Candidate<T>[] = [];
  readonly firstBroken: string | null = null;

  constructor(
    readonly all: readonly T[],
    readonly end: T | undefined,
  ) {
    for (const a of all) this.genTime.set(a.storeId, Math.max(this.genTime.get(a.storeId) ?? 0, Date.parse(a.time)));
    this.index = new ChainIndex(all);
    this.chains = (end ? [end] : [...all]).map((a) => ({ end: a, result: this.index.status(a) }));
    let firstBroken: string | null = null;
    for (const c of this.chains) {
      if (c.result.ok) this.intact.push({ end: c.end, root: c.result.root, depth: c.result.depth });
      else firstBroken ??= c.result.problem;
    }
    this.firstBroken = firstBroken;
  }

  build(c: Candidate<T>): T[] {
    return (this.index.chain(c.end) as { ok: true; chain: T[] }).chain;
  }

  outside(flag: string): PlanResult<T> {
    return { ok: false, code: 'RESTORE_POINT_OUTSIDE_CHAIN', problem: `${flag} is outside every backup chain; ${describeRanges(this.all, this.index)}` };
  }
}

/** The newest state: the chain of the named artifact, or of the newest artifact of the newest generation. */
function planLatest<T extends ChainNode>(c: Candidates<T>): PlanResult<T> {
  const newestGen = [...c.genTime].sort((x, y) => y[1] - x[1])[0][0];
  const latest = c.end ?? [...c.all].filter((a) => a.storeId === newestGen).sort(byTime).pop();
  const r = c.index.chain(latest as T);
  if (!r.ok) return { ok: false, code: 'CHAIN_BROKEN', problem: r.problem };
  const tip = (latest as T).tipTx;
  return { ok: true, plan: { chain: r.chain, stopBeforeTx: null, stopBeforeTime: null, targetTx: tip, txToReplay: tip - r.chain[0].tipTx } };
}

/**
 * Up to but not including transaction `before`: among intact chains that reach it, the newest generation, then
 * the latest full, then the shortest way there.
 */
function planToTx<T extends ChainNode>(c: Candidates<T>, before: number): PlanResult<T> {
  const t = before - 1; // the state to reach
  const fits = c.intact.filter(({ root, end }) => root.tipTx <= t && t <= end.tipTx);
  if (fits.length === 0) {
    // A broken chain that would have reached `t`: its end holds `t`, or `t` lies in the range it is missing.
    const cover = c.chains.find(
      (x) =>
        !x.result.ok &&
        x.end.tipTx >= t &&
        (isEmpty(x.end) || x.end.full || x.end.lowestTx <= t || (x.result.missingFrom !== undefined && x.result.missingFrom <= t)),
    );
    if (cover && !cover.result.ok) return { ok: false, code: 'CHAIN_BROKEN', problem: cover.result.problem };
    return c.outside(`--restore-until=${before}`);
  }
  fits.sort(
    (a, b) =>
      (c.genTime.get(b.end.storeId) ?? 0) - (c.genTime.get(a.end.storeId) ?? 0) ||
      b.root.tipTx - a.root.tipTx ||
      a.end.tipTx - b.end.tipTx ||
      a.depth - b.depth,
  );
  const chain = trimChain(c.build(fits[0]), t);
  return { ok: true, plan: { chain, stopBeforeTx: before, stopBeforeTime: null, targetTx: t, txToReplay: t - chain[0].tipTx } };
}

/** What was committed strictly before time `t` (ms). */
function planToTime<T extends ChainNode>(c: Candidates<T>, t: number): PlanResult<T> {
  const fits = c.intact.filter(({ root: full, end }) => {
    const fullOk = full.tipTx === 0 || (full.lastCommitTime ?? 0) < t;
    return fullOk && t <= Date.parse(end.time);
  });
  if (fits.length === 0) {
    if (c.firstBroken && c.chains.some((x) => !x.result.ok && Date.parse(x.end.time) >= t)) return { ok: false, code: 'CHAIN_BROKEN', problem: c.firstBroken };
    return c.outside(`--restore-until="${formatUtc(t)}"`);
  }
  // A backup's time says when it was taken, not that its source had every transaction committed before then
  // (a follower lags; the source answers before the time is read). A chain holding a transaction committed at
  // or after `t` proves it holds everything committed before `t` (commit times grow with IDs): prefer those,
  // the earliest-ending first; without one, the chain that reaches furthest.
  const lastCommit = (x: Candidate<T>) => {
    // commit times grow with IDs: the last commit of a chain is that of its last non-empty artifact
    let a: T | undefined = x.end;
    while (a && isEmpty(a)) a = c.all.find((y) => y.file === a?.parent);
    return a?.lastCommitTime ?? -1;
  };
  const proven = (x: Candidate<T>) => lastCommit(x) >= t;
  fits.sort(
    (a, b) =>
      Number(proven(b)) - Number(proven(a)) ||
      b.root.tipTx - a.root.tipTx ||
      (proven(a) ? Date.parse(a.end.time) - Date.parse(b.end.time) : b.end.tipTx - a.end.tipTx) ||
      a.depth - b.depth,
  );
  // Drop trailing artifacts whose transactions all come at or after the stopping time.
  const chain = [...c.build(fits[0])];
  while (chain.length > 1) {
    const last = chain[chain.length - 1];
    if (isEmpty(last) || (last.firstCommitTime !== null && last.firstCommitTime >= t)) chain.pop();
    else break;
  }
  return {
    ok: true,
    plan: { chain, stopBeforeTx: null, stopBeforeTime: t, targetTx: null, txToReplay: chain[chain.length - 1].tipTx - chain[0].tipTx },
  };
}

/**
 * Chooses the chain and the stopping point for a restore of one database's artifacts.
 * `end` pins the chain's last artifact (a restore from one named differential).
 */
export function planRestore<T extends ChainNode>(all: readonly T[], point: RestorePoint, end?: T): PlanResult<T> {
  if (all.length === 0) return { ok: false, code: 'RESTORE_POINT_OUTSIDE_CHAIN', problem: 'there are no backups to restore from' };
  const c = new Candidates(all, end);
  switch (point.kind) {
    case 'latest':
      return planLatest(c);
    case 'tx':
      return planToTx(c, point.before);
    case 'time':
      return planToTime(c, point.before);
  }
}

/** Drops artifacts after the one that brings the store to `t`. */
function trimChain<T extends ChainNode>(chain: T[], t: number): T[] {
  const i = chain.findIndex((a) => a.tipTx >= t);
  return chain.slice(0, i + 1);
}

export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, '');
}

/** Parses `--restore-until`: a transaction ID, or "YYYY-MM-DD HH:MM:SS" in UTC. */
export function parseRestorePoint(raw: string): RestorePoint | null {
  const s = raw.trim();
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    return Number.isSafeInteger(n) && n >= 1 ? { kind: 'tx', before: n } : null;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z?$/.exec(s);
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? Math.round(Number(m[7]) * 1000) : 0);
  const d = new Date(ms);
  if (d.getUTCFullYear() !== +m[1] || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3] || +m[4] > 23 || +m[5] > 59 || +m[6] > 59) return null;
  return { kind: 'time', before: ms };
}
