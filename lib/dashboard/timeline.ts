/**
 * The chain timeline of one database in one backup folder, as the dashboard draws it: artifacts grouped by
 * store-ID generation (a restore starts a new one), each a bar over its transaction range with a link to its
 * parent, gaps where no artifact covers a range, and each chain's health. With thousands of artifacts only
 * a window of them is drawn (timeline-window.ts); chain analysis (each artifact's chain, the restorable
 * ranges, the health) always covers them all, in linear time. Pure: rows in, view out.
 *
 * Restorable ranges leave out artifacts a verification found corrupt, as restore planning does.
 */
import type { ArtifactRow } from '../db/schema';
import { chainNode } from '../db/queries/artifacts';
import { ChainIndex, type ChainNode } from '../engine/chain';
import { restorableRanges } from '../engine/restore-plan';
import { barOf } from './timeline-payload';
import { planWindow, type WindowPlan, type WindowRow, type WindowTarget } from './timeline-window';

export type ChainHealth = 'verified' | 'unverified' | 'broken';

export interface TimelineArtifact {
  id: number;
  file: string;
  full: boolean;
  empty: boolean;
  /** the bar: a full covers 1..tip (the whole store); a differential its own transactions; an empty one is a point at its parent's tip */
  fromTx: number;
  toTx: number;
  lowestTx: number;
  highestTx: number;
  tipTx: number;
  time: number;
  firstCommitTime: number | null;
  lastCommitTime: number | null;
  storeId: string;
  databaseId: string;
  parentFile: string | null;
  parentId: number | null;
  compressed: boolean;
  recovered: boolean;
  sizeBytes: number;
  memberId: string | null;
  memberAddress: string | null;
  /** transactions in this artifact (0 for an empty differential) */
  txCount: number;
  rawBytes: number;
  sha256: string;
  /** store counts of a full (null for a differential) */
  nodes: number | null;
  relationships: number | null;
  verifyStatus: 'ok' | 'corrupt' | null;
  verifyMessage: string | null;
  verifiedAt: number | null;
  /** why the chain ending here cannot be restored (a missing or damaged link), if it cannot */
  chainProblem: string | null;
  /** the full this artifact's chain starts from (null when the chain is broken) */
  rootId: number | null;
  /** how many differentials follow the full up to here */
  depth: number;
}

export interface Generation {
  storeId: string;
  databaseId: string;
  /** 1 for the oldest generation */
  index: number;
  firstTime: number;
  lastTime: number;
  fromTx: number;
  toTx: number;
  artifacts: TimelineArtifact[];
  gaps: Array<{ fromTx: number; toTx: number }>;
}

export interface Timeline {
  database: string;
  total: number;
  /** how many artifacts are in `generations`: the window's (see `window`) */
  shown: number;
  generations: Generation[];
  restorable: ReturnType<typeof restorableRanges>;
  health: ChainHealth | 'none';
  latestChain: number[];
  /** which artifacts are drawn, the windows before and after, and a strip of every window */
  window: WindowPlan;
}

/** What the whole folder says about a database's chains: computed once over every artifact. */
export interface ChainSummary {
  restorable: ReturnType<typeof restorableRanges>;
  health: ChainHealth | 'none';
  /** the newest artifact's chain, full first (empty when it is broken) */
  latestChain: number[];
}

const bySortOrder = (a: ArtifactRow, b: ArtifactRow) => a.time - b.time || a.tipTx - b.tipTx || a.file.localeCompare(b.file);

type Node = ChainNode & { id: number };

function summarize(rows: readonly ArtifactRow[], sorted: readonly ArtifactRow[], nodes: Node[], index: ChainIndex<Node>): ChainSummary {
  const nodeOf = new Map(nodes.map((n) => [n.id, n]));
  const latest = sorted[sorted.length - 1];
  const latestChain = latest ? index.chain(nodeOf.get(latest.id) as Node) : null;
  let health: ChainSummary['health'] = 'none';
  if (latestChain) {
    if (!latestChain.ok) health = 'broken';
    else {
      const ids = new Set(latestChain.chain.map((n) => n.id));
      const inChain = rows.filter((r) => ids.has(r.id));
      health = inChain.some((r) => r.verifyStatus === 'corrupt') ? 'broken' : inChain.every((r) => r.verifyStatus === 'ok') ? 'verified' : 'unverified';
    }
  }
  const corrupt = new Set(rows.filter((r) => r.verifyStatus === 'corrupt').map((r) => r.id));
  const usable = corrupt.size ? nodes.filter((n) => !corrupt.has(n.id)) : nodes;
  return {
    restorable: restorableRanges(usable, corrupt.size ? new ChainIndex(usable) : index),
    health,
    latestChain: latestChain?.ok ? latestChain.chain.map((n) => n.id) : [],
  };
}

/** The chains' restorable ranges, health and latest chain, without drawing anything (the overview's need). */
export function chainSummary(rows: readonly ArtifactRow[]): ChainSummary {
  const nodes = rows.map(chainNode);
  return summarize(rows, [...rows].sort(bySortOrder), nodes, new ChainIndex(nodes));
}

export interface TimelineOptions {
  /** how many artifacts a window holds (400 by default) */
  size?: number;
  /** @deprecated the window's size */
  limit?: number;
  /** index of the window's oldest artifact (from a link) */
  start?: number | null;
  /** show the window holding this (an artifact, a transaction ID, a time) */
  target?: WindowTarget | null;
  /** the rows' chainSummary, when the caller has it (saves analysing every row again) */
  summary?: ChainSummary;
}

export function buildTimeline(database: string, rows: ArtifactRow[], opts: TimelineOptions = {}): Timeline {
  const size = opts.size ?? opts.limit ?? 400;
  const nodes = rows.map(chainNode);
  const index = new ChainIndex(nodes);
  const nodeOf = new Map(nodes.map((n) => [n.id, n]));
  const byFile = new Map(rows.map((r) => [r.file, r]));
  const sorted = [...rows].sort(bySortOrder);
  const windowRows: WindowRow[] = sorted.map((r) => ({ id: r.id, file: r.file, time: r.time, full: r.full, storeId: r.storeId, ...barOf(r) }));
  const window = planWindow(windowRows, { size, start: opts.start, target: opts.target });
  const shownRows = sorted.slice(window.start, window.end);
  const gens = new Map<string, Generation>();
  for (const r of shownRows) {
    let g = gens.get(r.storeId);
    if (!g) {
      g = { storeId: r.storeId, databaseId: r.databaseId, index: 0, firstTime: r.time, lastTime: r.time, fromTx: Infinity, toTx: 0, artifacts: [], gaps: [] };
      gens.set(r.storeId, g);
    }
    const { empty, fromTx, toTx } = barOf(r);
    const st = index.status(nodeOf.get(r.id) as Node);
    g.artifacts.push({
      id: r.id,
      file: r.file,
      full: r.full,
      empty,
      fromTx,
      toTx,
      lowestTx: r.lowestTx,
      highestTx: r.highestTx,
      tipTx: r.tipTx,
      time: r.time,
      firstCommitTime: r.firstCommitTime,
      lastCommitTime: r.lastCommitTime,
      storeId: r.storeId,
      databaseId: r.databaseId,
      parentFile: r.parent,
      parentId: r.parent ? (byFile.get(r.parent)?.id ?? null) : null,
      compressed: r.compressed,
      recovered: r.recovered,
      sizeBytes: r.sizeBytes,
      memberId: r.memberId,
      memberAddress: r.memberAddress,
      txCount: r.txCount,
      rawBytes: r.rawBytes,
      sha256: r.sha256,
      nodes: r.nodes,
      relationships: r.relationships,
      verifyStatus: r.verifyStatus,
      verifyMessage: r.verifyMessage,
      verifiedAt: r.verifiedAt,
      chainProblem: st.ok ? null : st.problem,
      rootId: st.ok ? (st.root as ChainNode & { id: number }).id : null,
      depth: st.ok ? st.depth : 0,
    });
    g.firstTime = Math.min(g.firstTime, r.time);
    g.lastTime = Math.max(g.lastTime, r.time);
    g.fromTx = Math.min(g.fromTx, fromTx);
    g.toTx = Math.max(g.toTx, toTx);
  }
  const generations = [...gens.values()].sort((a, b) => a.firstTime - b.firstTime);
  generations.forEach((g, i) => {
    g.index = i + 1;
    if (!Number.isFinite(g.fromTx)) g.fromTx = 0;
    g.gaps = gapsOf(g.artifacts);
  });
  return {
    database,
    total: rows.length,
    shown: shownRows.length,
    generations,
    ...(opts.summary ?? summarize(rows, sorted, nodes, index)),
    window,
  };
}

/** Transaction ranges inside a generation that no artifact covers. */
export function gapsOf(arts: Array<Pick<TimelineArtifact, 'fromTx' | 'toTx' | 'empty' | 'full'>>): Array<{ fromTx: number; toTx: number }> {
  const ranges = arts
    .filter((a) => !a.empty)
    .map((a) => [a.fromTx, a.toTx] as const)
    .filter(([f, t]) => t >= f)
    .sort((a, b) => a[0] - b[0]);
  const gaps: Array<{ fromTx: number; toTx: number }> = [];
  let covered = ranges.length ? ranges[0][1] : 0;
  for (const [f, t] of ranges.slice(1)) {
    if (f > covered + 1) gaps.push({ fromTx: covered + 1, toTx: f - 1 });
    covered = Math.max(covered, t);
  }
  return gaps;
}
