/**
 * Backup chains, as pure functions over artifact metadata (no files, no processes).
 *
 * A chain is a full artifact and the differentials that follow it, each contiguous with its parent: a
 * non-empty differential starts at its parent's tip + 1 and its first transaction follows the parent's last
 * one (`parentLastTxChecksum`); an empty differential (lowest = highest = 0) keeps its parent's tip. Parent
 * links make the artifacts of one database and store ID a tree.
 *
 * Parent choice: the latest non-empty artifact of that database and store ID; with `preferDiff`, the latest
 * non-empty differential when there is one (so every transaction stays restorable one by one).
 */
import type { ArtifactMetadata } from './artifact';

export type ChainNode = Pick<
  ArtifactMetadata,
  | 'database'
  | 'databaseId'
  | 'storeId'
  | 'time'
  | 'full'
  | 'lowestTx'
  | 'highestTx'
  | 'parent'
  | 'parentLastTxChecksum'
  | 'tipTx'
  | 'lastTxChecksum'
  | 'firstCommitTime'
  | 'lastCommitTime'
> & { file: string };

export function isEmpty(a: Pick<ChainNode, 'full' | 'highestTx'>): boolean {
  return !a.full && a.highestTx === 0;
}

/** Oldest first: by backup time, then by tip, then by name. */
export function byTime(a: ChainNode, b: ChainNode): number {
  return Date.parse(a.time) - Date.parse(b.time) || a.tipTx - b.tipTx || a.file.localeCompare(b.file);
}

export type ChainResult<T extends ChainNode> = { ok: true; chain: T[] } | { ok: false; problem: string; missingFrom?: number; missingTo?: number };

/** The chain ending at `end`: its full first. Reports the first broken link, naming what is missing. */
export function chainTo<T extends ChainNode>(end: T, all: readonly T[]): ChainResult<T> {
  return new ChainIndex(all).chain(end);
}

type Status<T> = { ok: true; root: T; depth: number } | { ok: false; problem: string; missingFrom?: number; missingTo?: number };

/**
 * Chain analysis of a whole folder in linear time: each artifact's status (intact, with its full and its
 * depth, or the nearest broken link above it) is computed once and shared by the artifacts below it.
 */
export class ChainIndex<T extends ChainNode> {
  private readonly byFile: Map<string, T>;
  private readonly memo = new Map<string, Status<T>>();

  constructor(readonly all: readonly T[]) {
    this.byFile = new Map(all.map((a) => [a.file, a]));
  }

  status(a: T): Status<T> {
    const known = this.memo.get(a.file);
    if (known) return known;
    const path: T[] = [];
    const onPath = new Set<string>();
    let cur = a;
    let base: Status<T>;
    for (;;) {
      const m = this.memo.get(cur.file);
      if (m) {
        base = m;
        break;
      }
      if (onPath.has(cur.file)) {
        base = { ok: false, problem: `the parent links of ${a.file} form a loop` };
        break;
      }
      path.push(cur);
      onPath.add(cur.file);
      if (cur.full) {
        base =
          cur.lowestTx !== 1 && !(cur.lowestTx === 0 && cur.highestTx === 0)
            ? { ok: false, problem: `${cur.file} is a full backup whose lowest transaction is ${cur.lowestTx}, not 1` }
            : { ok: true, root: cur, depth: 0 };
        this.memo.set(cur.file, base);
        path.pop();
        break;
      }
      const parent = cur.parent ? this.byFile.get(cur.parent) : undefined;
      const broken = !cur.parent
        ? { ok: false as const, problem: `${cur.file} is a differential without a parent` }
        : !parent
          ? this.missingParent(cur)
          : onPath.has(parent.file)
            ? { ok: false as const, problem: `the parent links of ${a.file} form a loop` }
            : (() => {
              const link = checkLink(parent, cur);
              return link ? { ok: false as const, problem: `the backup chain of ${cur.database} is broken: ${link}` } : null;
            })();
      if (broken) {
        base = broken;
        this.memo.set(cur.file, base);
        path.pop();
        break;
      }
      cur = parent as T;
    }
    // Unwind: everything on the path inherits the status above it.
    for (let i = path.length - 1; i >= 0; i--) {
      base = base.ok ? { ok: true, root: base.root, depth: base.depth + 1 } : base;
      this.memo.set(path[i].file, base);
    }
    return this.memo.get(a.file) as Status<T>;
  }

  chain(end: T): ChainResult<T> {
    const st = this.status(end);
    if (!st.ok) return st;
    const chain: T[] = [end];
    let cur = end;
    while (!cur.full) {
      cur = this.byFile.get(cur.parent as string) as T;
      chain.push(cur);
    }
    return { ok: true, chain: chain.reverse() };
  }

  private missingParent(cur: T): Status<T> {
    // Name the transactions that are missing: from the best surviving ancestor's tip to this one's start.
    const needUpTo = isEmpty(cur) ? null : cur.lowestTx - 1;
    let below: T | undefined;
    for (const a of this.all) {
      if (a.database === cur.database && a.storeId === cur.storeId && a.tipTx <= (needUpTo ?? cur.tipTx) && !isEmpty(a) && (!below || a.tipTx > below.tipTx)) below = a;
    }
    const from = below ? below.tipTx + 1 : 1;
    if (needUpTo !== null && from <= needUpTo) {
      return {
        ok: false,
        problem: `the backup chain of ${cur.database} is broken: transactions ${from}..${needUpTo} are missing (${cur.file} needs its parent ${cur.parent}, which is not there)`,
        missingFrom: from,
        missingTo: needUpTo,
      };
    }
    return { ok: false, problem: `the backup chain of ${cur.database} is broken: ${cur.file} needs its parent ${cur.parent}, which is not there` };
  }
}

/** Why `child` does not follow `parent`, or null when it does. */
export function checkLink(parent: ChainNode, child: ChainNode): string | null {
  if (parent.database !== child.database || parent.databaseId !== child.databaseId) {
    return `${child.file} belongs to database ${child.database} (${child.databaseId}) but its parent ${parent.file} to ${parent.database} (${parent.databaseId})`;
  }
  if (parent.storeId !== child.storeId) return `${child.file} has store ID ${child.storeId} but its parent ${parent.file} has ${parent.storeId}`;
  if (isEmpty(child)) {
    if (child.tipTx !== parent.tipTx) return `empty ${child.file} claims transaction ${child.tipTx} but its parent ${parent.file} ends at ${parent.tipTx}`;
  } else if (child.lowestTx !== parent.tipTx + 1) {
    const gap = child.lowestTx > parent.tipTx + 1 ? `transactions ${parent.tipTx + 1}..${child.lowestTx - 1} are missing` : 'they overlap';
    return `${child.file} starts at transaction ${child.lowestTx} but its parent ${parent.file} ends at ${parent.tipTx}: ${gap}`;
  }
  if (child.parentLastTxChecksum !== parent.lastTxChecksum) {
    return `${child.file} does not follow ${parent.file}: the checksum of transaction ${parent.tipTx} differs`;
  }
  return null;
}

export interface ParentChoice<T extends ChainNode> {
  parent: T | null;
  /** why there is no usable parent (the backup becomes a full) */
  reason?: string;
}

/**
 * The parent of the next differential of `database` with store ID `storeId`, following DESIGN.md's rules.
 */
export function chooseParent<T extends ChainNode>(
  all: readonly T[],
  opts: { database: string; storeId: string; preferDiff: boolean },
): ParentChoice<T> {
  const ofDb = all.filter((a) => a.database === opts.database);
  if (ofDb.length === 0) return { parent: null, reason: `there is no earlier backup of ${opts.database} in the folder` };
  const same = ofDb.filter((a) => a.storeId === opts.storeId && !isEmpty(a));
  if (same.length === 0) {
    const other = [...ofDb].sort(byTime).pop() as T;
    return {
      parent: null,
      reason: `the store ID changed: the latest backup ${other.file} has store ID ${other.storeId}, the source has ${opts.storeId} (the database was restored or recreated)`,
    };
  }
  const diffs = same.filter((a) => !a.full);
  const pool = opts.preferDiff && diffs.length > 0 ? diffs : same;
  const parent = [...pool].sort(byTime).pop() as T;
  const chain = chainTo(parent, all);
  if (!chain.ok) return { parent: null, reason: `the chain of the latest backup ${parent.file} is broken (${chain.problem})` };
  return { parent };
}

// ---- restore planning ---------------------------------------------------------------------------------

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

/**
 * Chooses the chain and the stopping point for a restore of one database's artifacts.
 * `end` pins the chain's last artifact (a restore from one named differential).
 */
export function planRestore<T extends ChainNode>(all: readonly T[], point: RestorePoint, end?: T): PlanResult<T> {
  if (all.length === 0) return { ok: false, code: 'RESTORE_POINT_OUTSIDE_CHAIN', problem: 'there are no backups to restore from' };
  // Newest generation (store ID) first.
  const genTime = new Map<string, number>();
  for (const a of all) genTime.set(a.storeId, Math.max(genTime.get(a.storeId) ?? 0, Date.parse(a.time)));
  const index = new ChainIndex(all);
  const candidates = end ? [end] : [...all];
  const chains = candidates.map((a) => ({ end: a, result: index.status(a) }));
  let firstBroken: string | null = null;
  // A candidate: the chain ending at `end`, known by its full (`root`) and length; built only when chosen.
  type Cand = { end: T; root: T; depth: number };
  const intact: Cand[] = [];
  for (const c of chains) {
    if (c.result.ok) intact.push({ end: c.end, root: c.result.root, depth: c.result.depth });
    else firstBroken ??= c.result.problem;
  }
  const build = (c: Cand) => (index.chain(c.end) as { ok: true; chain: T[] }).chain;

  if (point.kind === 'latest') {
    const latest = end ?? [...all].filter((a) => a.storeId === [...genTime].sort((x, y) => y[1] - x[1])[0][0]).sort(byTime).pop();
    const r = index.chain(latest as T);
    if (!r.ok) return { ok: false, code: 'CHAIN_BROKEN', problem: r.problem };
    const tip = (latest as T).tipTx;
    return { ok: true, plan: { chain: r.chain, stopBeforeTx: null, stopBeforeTime: null, targetTx: tip, txToReplay: tip - r.chain[0].tipTx } };
  }

  if (point.kind === 'tx') {
    const t = point.before - 1; // the state to reach
    const fits = intact.filter(({ root, end: e }) => root.tipTx <= t && t <= e.tipTx);
    if (fits.length === 0) {
      // A broken chain that would have reached `t`: its end holds `t`, or `t` lies in the range it is missing.
      const cover = chains.find(
        (c) =>
          !c.result.ok &&
          c.end.tipTx >= t &&
          (isEmpty(c.end) || c.end.full || c.end.lowestTx <= t || (c.result.missingFrom !== undefined && c.result.missingFrom <= t)),
      );
      if (cover && !cover.result.ok) return { ok: false, code: 'CHAIN_BROKEN', problem: cover.result.problem };
      return { ok: false, code: 'RESTORE_POINT_OUTSIDE_CHAIN', problem: `--restore-until=${point.before} is outside every backup chain; ${describeRanges(all, index)}` };
    }
    fits.sort(
      (a, b) =>
        (genTime.get(b.end.storeId) ?? 0) - (genTime.get(a.end.storeId) ?? 0) ||
        b.root.tipTx - a.root.tipTx ||
        a.end.tipTx - b.end.tipTx ||
        a.depth - b.depth,
    );
    const chain = trimChain(build(fits[0]), t);
    return { ok: true, plan: { chain, stopBeforeTx: point.before, stopBeforeTime: null, targetTx: t, txToReplay: t - chain[0].tipTx } };
  }

  // time: replay what was committed strictly before `point.before`
  const t = point.before;
  const fits = intact.filter(({ root: full, end: e }) => {
    const fullOk = full.tipTx === 0 || (full.lastCommitTime ?? 0) < t;
    return fullOk && t <= Date.parse(e.time);
  });
  if (fits.length === 0) {
    if (firstBroken && chains.some((c) => !c.result.ok && Date.parse(c.end.time) >= t)) return { ok: false, code: 'CHAIN_BROKEN', problem: firstBroken };
    return {
      ok: false,
      code: 'RESTORE_POINT_OUTSIDE_CHAIN',
      problem: `--restore-until="${formatUtc(t)}" is outside every backup chain; ${describeRanges(all, index)}`,
    };
  }
  // A backup's time says when it was taken, not that its source had every transaction committed before then
  // (a follower lags; the source answers before the time is read). A chain holding a transaction committed at
  // or after `t` proves it holds everything committed before `t` (commit times grow with IDs): prefer those,
  // the earliest-ending first; without one, the chain that reaches furthest.
  const lastCommit = (c: Cand) => {
    // commit times grow with IDs: the last commit of a chain is that of its last non-empty artifact
    let a: T | undefined = c.end;
    while (a && isEmpty(a)) a = all.find((x) => x.file === a?.parent);
    return a?.lastCommitTime ?? -1;
  };
  const proven = (c: Cand) => lastCommit(c) >= t;
  fits.sort(
    (a, b) =>
      Number(proven(b)) - Number(proven(a)) ||
      b.root.tipTx - a.root.tipTx ||
      (proven(a) ? Date.parse(a.end.time) - Date.parse(b.end.time) : b.end.tipTx - a.end.tipTx) ||
      a.depth - b.depth,
  );
  // Drop trailing artifacts whose transactions all come at or after the stopping time.
  const chain = [...build(fits[0])];
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
