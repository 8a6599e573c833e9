/**
 * Retention: which backups of one database a policy keeps and which it deletes, as a pure function over
 * artifact metadata (no files, no processes). `txline backup prune` (prune.ts) runs it on a folder under the
 * database's lock; the dashboard's preview can run it on the catalog.
 *
 * A chain here is a tree of parent links: a full and everything whose parent links lead to it, whatever parent
 * rule made them (a `--prefer-diff-as-parent` differential taken after a newer full still belongs to the older
 * full's chain). Artifacts whose links lead to no full (a missing or unreadable parent) form a chain of their
 * own, rooted at the topmost one present.
 *
 * Invariants:
 * - A chain is kept or deleted as a whole, so nothing kept ever loses an ancestor: what remains is the same
 *   intact chains as before, fewer of them.
 * - Deletions come in delete.ts's order (children before parents, newest first), so stopping after any of them
 *   leaves intact, shorter chains.
 * - The newest restorable chain is always kept, whatever the policy.
 * - A chain whose full is corrupt, unreadable or missing is not restorable: it never counts toward --keep-full
 *   and never covers a --keep-days window or a --keep-weekly week. It is kept while it is not older than the
 *   oldest chain kept (so the DBA sees it), deleted once it is; the plan says so either way.
 *
 * Policy (each rule keeps chains; a chain is deleted only when no rule keeps it):
 * - keepFull N: the N restorable chains that reach the newest states. Chains are ranked by their newest backup
 *   (then by their full's time), not by their full's time alone: with --prefer-diff-as-parent, the chain still
 *   growing may have an older full than a newer full that nothing follows, and it holds the latest state.
 * - keepDays D: everything needed to restore to any point of the last D days: every restorable chain with a
 *   backup at or after now - D days, and, when none of those starts at or before that moment, the chain that
 *   holds the last state before it (a chain boundary inside the window).
 * - keepWeekly W: for each of the last W ISO weeks (UTC; the current week is the first), the restorable chain
 *   holding that week's newest backup.
 */
import { ChainIndex, isEmpty, type ChainNode } from './chain';
import { deletionOrder } from './delete';
import { restorableRanges } from './restore-plan';

export interface RetentionPolicy {
  keepFull?: number;
  keepDays?: number;
  keepWeekly?: number;
  /** the time the policy is applied at (ms since the epoch) */
  now: number;
}

export interface RetentionInput<T extends ChainNode> {
  /** the artifacts of one database */
  artifacts: readonly T[];
  /** artifacts known to be unusable (a payload that fails its checksum), with why */
  damaged?: ReadonlyMap<string, string>;
  /** `*.backup` names of the folder that could not be read at all (never deleted: not known to be artifacts) */
  unreadable?: readonly string[];
}

export interface RetentionRange {
  storeId: string;
  fromTx: number;
  toTx: number;
  /** ms since the epoch: the full's last commit (null when unknown), and the newest backup's time */
  fromTime: number | null;
  toTime: number;
}

export interface PlannedChain<T extends ChainNode> {
  /** 1 = the chain with the newest backup */
  number: number;
  /** the full (or, for a chain that leads to no full, its topmost artifact) */
  root: T;
  /** oldest first */
  artifacts: T[];
  newest: T;
  restorable: boolean;
  /** why it is not restorable */
  problem: string | null;
  keep: boolean;
  /** why it is kept, or why it is deleted */
  reasons: string[];
}

export interface PlannedDeletion<T extends ChainNode> {
  artifact: T;
  /** the chain's number */
  chain: number;
  reason: string;
}

export interface RetentionPlan<T extends ChainNode> {
  /** newest first */
  chains: PlannedChain<T>[];
  keep: T[];
  /** in the order to delete them: children before parents, newest first */
  delete: PlannedDeletion<T>[];
  /** what the restorable chains restore now, and what the kept ones will */
  restorableBefore: RetentionRange[];
  restorableAfter: RetentionRange[];
}

const DAY = 86_400_000;

/** Checks a policy's numbers (positive integers, at least one rule); returns what is wrong, or null. */
export function policyProblem(p: Omit<RetentionPolicy, 'now'>): string | null {
  const given = (['keepFull', 'keepDays', 'keepWeekly'] as const).filter((k) => p[k] !== undefined);
  if (given.length === 0) return 'give at least one of --keep-full, --keep-days, --keep-weekly';
  for (const k of given) {
    const v = p[k] as number;
    if (!Number.isSafeInteger(v) || v < 1) return `${FLAG[k]} must be a positive integer, got ${v}`;
  }
  return null;
}

const FLAG = { keepFull: '--keep-full', keepDays: '--keep-days', keepWeekly: '--keep-weekly' } as const;

export function planRetention<T extends ChainNode>(input: RetentionInput<T>, policy: RetentionPolicy): RetentionPlan<T> {
  const problem = policyProblem(policy);
  if (problem) throw new Error(problem);
  const dbs = new Set(input.artifacts.map((a) => a.database));
  if (dbs.size > 1) throw new Error(`a retention plan is for one database's artifacts, not ${[...dbs].join(', ')}`);
  const chains = groupChains(input);
  const restorable = chains.filter((c) => c.restorable);
  const rank = new Map(restorable.map((c, i) => [c, i + 1]));
  const keepWhy = new Map<PlannedChain<T>, string[]>();
  const keepFor = (c: PlannedChain<T>, why: string) => keepWhy.set(c, [...(keepWhy.get(c) ?? []), why]);

  if (policy.keepFull !== undefined) {
    restorable.slice(0, policy.keepFull).forEach((c, i) => keepFor(c, `restorable chain ${i + 1} of ${restorable.length}, within --keep-full=${policy.keepFull}`));
  }
  if (policy.keepDays !== undefined) {
    const start = windowStart(policy);
    const flag = `--keep-days=${policy.keepDays}`;
    const inWindow = restorable.filter((c) => ms(c.newest) >= start);
    for (const c of inWindow) keepFor(c, `has backups in the last ${policy.keepDays} day(s) (${flag})`);
    if (!inWindow.some((c) => ms(c.root) <= start)) {
      // The window starts between chains: the state at its start is the last one backed up before it.
      let cover: { chain: PlannedChain<T>; a: T } | null = null;
      for (const c of restorable) for (const a of c.artifacts) if (ms(a) < start && (!cover || byTimeCached(a, cover.a) > 0)) cover = { chain: c, a };
      if (cover) keepFor(cover.chain, `holds the state at the start of the ${flag} window (${iso(start)}): its backup ${cover.a.file} is the last before it`);
    }
  }
  if (policy.keepWeekly !== undefined) {
    // (at most 60,000 weeks back: more than any backup's age since 1970)
    const weeks = new Set(Array.from({ length: Math.min(policy.keepWeekly, 60_000) }, (_, k) => isoWeek(policy.now - k * 7 * DAY)));
    const best = new Map<string, { chain: PlannedChain<T>; a: T }>();
    for (const c of restorable) {
      for (const a of c.artifacts) {
        const week = isoWeek(ms(a));
        const cur = best.get(week);
        if (weeks.has(week) && (!cur || byTimeCached(a, cur.a) > 0)) best.set(week, { chain: c, a });
      }
    }
    for (const [week, b] of [...best].sort((x, y) => y[0].localeCompare(x[0]))) keepFor(b.chain, `holds the newest backup of ISO week ${week} (--keep-weekly=${policy.keepWeekly})`);
  }
  if (restorable.length && !keepWhy.has(restorable[0])) keepFor(restorable[0], 'the newest restorable chain (always kept)');

  const kept = restorable.filter((c) => keepWhy.has(c));
  const oldestKept = kept.length ? kept[kept.length - 1] : null;
  for (const c of chains) {
    if (c.restorable) {
      c.keep = keepWhy.has(c);
      c.reasons = c.keep ? (keepWhy.get(c) as string[]) : [whyDelete(c, chains.length, rank.get(c) ?? 0, policy)];
    } else if (!oldestKept || c.number < oldestKept.number) {
      c.keep = true;
      c.reasons = [`not restorable (${c.problem}); kept while it is not older than the chains kept, for you to inspect`];
    } else {
      c.keep = false;
      c.reasons = [`chain ${c.number} of ${chains.length} is not restorable (${c.problem}) and older than every chain kept`];
    }
  }

  const doomed = chains.filter((c) => !c.keep).flatMap((c) => c.artifacts.map((a) => ({ a, c })));
  const byFile = new Map(doomed.map((d) => [d.a.file, d.c]));
  const order = deletionOrder(doomed.map((d) => d.a));
  const keptArtifacts = chains.filter((c) => c.keep).flatMap((c) => c.artifacts);
  const usable = (list: readonly T[]) => {
    const bad = new Set(chains.filter((c) => !c.restorable).flatMap((c) => c.artifacts.map((a) => a.file)));
    return list.filter((a) => !bad.has(a.file));
  };
  return {
    chains,
    keep: keptArtifacts.sort(byTimeCached),
    delete: order.map((a) => {
      const c = byFile.get(a.file) as PlannedChain<T>;
      return { artifact: a, chain: c.number, reason: c.reasons[0] };
    }),
    restorableBefore: restorableRanges(usable(input.artifacts)),
    restorableAfter: restorableRanges(usable(keptArtifacts)),
  };
}

/** "chain 3 of 5 beyond --keep-full=2; its newest backup (…) is before the --keep-days=7 window (…); …" */
function whyDelete<T extends ChainNode>(c: PlannedChain<T>, total: number, rank: number, p: RetentionPolicy): string {
  const parts: string[] = [];
  if (p.keepFull !== undefined) parts.push(`beyond --keep-full=${p.keepFull} (restorable chain ${rank})`);
  if (p.keepDays !== undefined) parts.push(`its newest backup (${c.newest.time}) is older than --keep-days=${p.keepDays} allows (${iso(windowStart(p))})`);
  if (p.keepWeekly !== undefined) parts.push(`it holds no week's newest backup within --keep-weekly=${p.keepWeekly}`);
  return `chain ${c.number} of ${total} ${parts.join('; ')}`;
}

/** The chains of one database's artifacts (trees of parent links), newest first. */
function groupChains<T extends ChainNode>(input: RetentionInput<T>): PlannedChain<T>[] {
  const all = input.artifacts;
  const byFile = new Map(all.map((a) => [a.file, a]));
  const index = new ChainIndex(all);
  const unreadable = new Set(input.unreadable ?? []);
  const topOf = new Map<string, { top: T; loop: boolean }>();
  const findTop = (a: T): { top: T; loop: boolean } => {
    const path: T[] = [];
    const seen = new Set<string>();
    let cur = a;
    let found: { top: T; loop: boolean };
    for (;;) {
      const known = topOf.get(cur.file);
      if (known) {
        found = known;
        break;
      }
      if (seen.has(cur.file)) {
        found = { top: [...path].sort((x, y) => x.file.localeCompare(y.file))[0], loop: true };
        break;
      }
      seen.add(cur.file);
      path.push(cur);
      const parent = !cur.full && cur.parent ? byFile.get(cur.parent) : undefined;
      if (!parent) {
        found = { top: cur, loop: false };
        break;
      }
      cur = parent;
    }
    for (const p of path) topOf.set(p.file, found);
    return found;
  };
  const groups = new Map<string, { top: T; loop: boolean; artifacts: T[] }>();
  for (const a of all) {
    const t = findTop(a);
    const g = groups.get(t.top.file) ?? { ...t, artifacts: [] };
    g.loop ||= t.loop;
    g.artifacts.push(a);
    groups.set(t.top.file, g);
  }
  const chains: PlannedChain<T>[] = [...groups.values()].map((g) => {
    const artifacts = [...g.artifacts].sort(byTimeCached);
    const root = g.top;
    let problem: string | null = null;
    const st = index.status(root);
    if (g.loop) problem = `the parent links of ${root.file} form a loop`;
    else if (!root.full) {
      const where = root.parent === null ? 'has no parent' : unreadable.has(root.parent) ? `needs ${root.parent}, which cannot be read` : `needs ${root.parent}, which is not in the folder`;
      problem = `its full backup is missing: ${root.file} ${where}`;
    } else if (input.damaged?.has(root.file)) problem = `its full backup ${root.file} is corrupt: ${input.damaged.get(root.file)}`;
    else if (!st.ok) problem = st.problem;
    return { number: 0, root, artifacts, newest: artifacts[artifacts.length - 1], restorable: problem === null, problem, keep: false, reasons: [] };
  });
  // newest backup first; on a tie (an aggregate carries its old chain's last time), the newer full
  const t = (a: T) => ms(a);
  chains.sort((x, y) => t(y.newest) - t(x.newest) || y.newest.tipTx - x.newest.tipTx || byTimeCached(y.root, x.root) || byTimeCached(y.newest, x.newest));
  chains.forEach((c, i) => (c.number = i + 1));
  return chains;
}

/** A backup's time in ms, parsed once per artifact object. */
const parsed = new WeakMap<object, number>();
function ms(a: ChainNode): number {
  let t = parsed.get(a);
  if (t === undefined) {
    t = Date.parse(a.time);
    parsed.set(a, t);
  }
  return t;
}

/** chain.ts's byTime (oldest first: time, tip, name) on times parsed once. */
function byTimeCached(a: ChainNode, b: ChainNode): number {
  return ms(a) - ms(b) || a.tipTx - b.tipTx || a.file.localeCompare(b.file);
}

/** The start of the --keep-days window (no earlier than the earliest time a Date can hold). */
function windowStart(p: RetentionPolicy): number {
  return Math.max(p.now - (p.keepDays ?? 0) * DAY, -8.64e15);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The ISO 8601 week of a time, in UTC: "2026-W49" (weeks start on Monday; week 1 holds the year's first Thursday). */
export function isoWeek(ms: number): string {
  const d = new Date(ms);
  const day = (d.getUTCDay() + 6) % 7; // Monday 0 .. Sunday 6
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3);
  const year = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * DAY));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** "full backup, transactions 1..10" style description of a chain for messages: its full and its reach. */
export function describeChain<T extends ChainNode>(c: PlannedChain<T>): string {
  const tips = c.artifacts.filter((a) => !isEmpty(a)).map((a) => a.tipTx);
  const top = tips.length ? Math.max(...tips) : c.root.tipTx;
  return `${c.root.file}${c.artifacts.length > 1 ? ` and ${c.artifacts.length - 1} more` : ''}, transactions up to ${top}`;
}
