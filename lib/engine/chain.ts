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
