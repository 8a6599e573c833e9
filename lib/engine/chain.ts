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
  const byFile = new Map(all.map((a) => [a.file, a]));
  const chain: T[] = [end];
  let cur = end;
  const seen = new Set([end.file]);
  while (!cur.full) {
    if (!cur.parent) return { ok: false, problem: `${cur.file} is a differential without a parent` };
    const parent = byFile.get(cur.parent);
    if (!parent) {
      // Name the transactions that are missing: from the best surviving ancestor's tip to this one's start.
      const needUpTo = isEmpty(cur) ? null : cur.lowestTx - 1;
      const below = all
        .filter((a) => a.database === cur.database && a.storeId === cur.storeId && a.tipTx <= (needUpTo ?? cur.tipTx) && !isEmpty(a))
        .sort((a, b) => b.tipTx - a.tipTx)[0];
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
    if (seen.has(parent.file)) return { ok: false, problem: `the parent links of ${end.file} form a loop` };
    seen.add(parent.file);
    const link = checkLink(parent, cur);
    if (link) return { ok: false, problem: `the backup chain of ${cur.database} is broken: ${link}` };
    chain.unshift(parent);
    cur = parent;
  }
  if (cur.lowestTx !== 1 && !(cur.lowestTx === 0 && cur.highestTx === 0)) {
    return { ok: false, problem: `${cur.file} is a full backup whose lowest transaction is ${cur.lowestTx}, not 1` };
  }
  return { ok: true, chain };
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
export function restorableRanges<T extends ChainNode>(all: readonly T[]): Array<{ storeId: string; fromTx: number; toTx: number; fromTime: number | null; toTime: number }> {
  const out = new Map<string, { storeId: string; fromTx: number; toTx: number; fromTime: number | null; toTime: number }>();
  for (const a of all) {
    const c = chainTo(a, all);
    if (!c.ok) continue;
    const full = c.chain[0];
    const key = `${full.file}`;
    const cur = out.get(key);
    const toTime = Date.parse(a.time);
    if (!cur) out.set(key, { storeId: a.storeId, fromTx: full.tipTx, toTx: a.tipTx, fromTime: full.lastCommitTime, toTime });
    else {
      cur.toTx = Math.max(cur.toTx, a.tipTx);
      cur.toTime = Math.max(cur.toTime, toTime);
    }
  }
  return [...out.values()].sort((a, b) => a.fromTx - b.fromTx);
}

function describeRanges<T extends ChainNode>(all: readonly T[]): string {
  const r = restorableRanges(all);
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
  const candidates = end ? [end] : [...all];
  const chains = candidates.map((a) => ({ end: a, result: chainTo(a, all) }));
  let firstBroken: string | null = null;
  type Cand = { chain: T[]; end: T };
  const intact: Cand[] = [];
  for (const c of chains) {
    if (c.result.ok) intact.push({ chain: c.result.chain, end: c.end });
    else firstBroken ??= c.result.problem;
  }

  if (point.kind === 'latest') {
    const latest = end ?? [...all].filter((a) => a.storeId === [...genTime].sort((x, y) => y[1] - x[1])[0][0]).sort(byTime).pop();
    const r = chainTo(latest as T, all);
    if (!r.ok) return { ok: false, code: 'CHAIN_BROKEN', problem: r.problem };
    const tip = (latest as T).tipTx;
    return { ok: true, plan: { chain: r.chain, stopBeforeTx: null, stopBeforeTime: null, targetTx: tip, txToReplay: tip - r.chain[0].tipTx } };
  }

  if (point.kind === 'tx') {
    const t = point.before - 1; // the state to reach
    const fits = intact.filter(({ chain, end: e }) => chain[0].tipTx <= t && t <= e.tipTx);
    if (fits.length === 0) {
      // A broken chain that would have reached `t`: its end holds `t`, or `t` lies in the range it is missing.
      const cover = chains.find(
        (c) =>
          !c.result.ok &&
          c.end.tipTx >= t &&
          (isEmpty(c.end) || c.end.full || c.end.lowestTx <= t || (c.result.missingFrom !== undefined && c.result.missingFrom <= t)),
      );
      if (cover && !cover.result.ok) return { ok: false, code: 'CHAIN_BROKEN', problem: cover.result.problem };
      return { ok: false, code: 'RESTORE_POINT_OUTSIDE_CHAIN', problem: `--restore-until=${point.before} is outside every backup chain; ${describeRanges(all)}` };
    }
    fits.sort(
      (a, b) =>
        (genTime.get(b.end.storeId) ?? 0) - (genTime.get(a.end.storeId) ?? 0) ||
        b.chain[0].tipTx - a.chain[0].tipTx ||
        a.end.tipTx - b.end.tipTx ||
        a.chain.length - b.chain.length,
    );
    const best = fits[0];
    const chain = trimChain(best.chain, t);
    return { ok: true, plan: { chain, stopBeforeTx: point.before, stopBeforeTime: null, targetTx: t, txToReplay: t - chain[0].tipTx } };
  }

  // time: replay what was committed strictly before `point.before`
  const t = point.before;
  const fits = intact.filter(({ chain, end: e }) => {
    const full = chain[0];
    const fullOk = full.tipTx === 0 || (full.lastCommitTime ?? 0) < t;
    return fullOk && t <= Date.parse(e.time);
  });
  if (fits.length === 0) {
    if (firstBroken && chains.some((c) => !c.result.ok && Date.parse(c.end.time) >= t)) return { ok: false, code: 'CHAIN_BROKEN', problem: firstBroken };
    return {
      ok: false,
      code: 'RESTORE_POINT_OUTSIDE_CHAIN',
      problem: `--restore-until="${formatUtc(t)}" is outside every backup chain; ${describeRanges(all)}`,
    };
  }
  // A backup's time says when it was taken, not that its source had every transaction committed before then
  // (a follower lags; the source answers before the time is read). A chain holding a transaction committed at
  // or after `t` proves it holds everything committed before `t` (commit times grow with IDs): prefer those,
  // the earliest-ending first; without one, the chain that reaches furthest.
  const lastCommit = (c: Cand) => Math.max(-1, ...c.chain.map((a) => a.lastCommitTime ?? -1));
  const proven = (c: Cand) => lastCommit(c) >= t;
  fits.sort(
    (a, b) =>
      Number(proven(b)) - Number(proven(a)) ||
      b.chain[0].tipTx - a.chain[0].tipTx ||
      (proven(a) ? Date.parse(a.end.time) - Date.parse(b.end.time) : b.end.tipTx - a.end.tipTx) ||
      a.chain.length - b.chain.length,
  );
  const best = fits[0];
  // Drop trailing artifacts whose transactions all come at or after the stopping time.
  const chain = [...best.chain];
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
