/**
 * The chain timeline as the database page sends it to the browser: once, compactly. A window of 400 artifacts
 * as objects with repeated keys (and IDs, times and file names spelled out in full) was ~300 KiB of the page;
 * here each artifact is one tuple of numbers and its file name (what it does not share with the previous
 * one's), with IDs, times and transactions as differences, what the bar derives (its range, empty or not)
 * left out, store and database IDs once per generation, members once per page. The SHA-256 is left out too
 * (64 characters an artifact, a fifth of the page at 400): unpacked, it is '', and the opened artifact's
 * details fetch it. `packTimeline` runs on the
 * server, `unpackTimeline` in the browser; unpacking a packed timeline gives back its generations exactly
 * (tests/dashboard/timeline-payload.test.ts). Pure, and free of server imports: both ends import it.
 */
import type { Generation, Timeline, TimelineArtifact } from './timeline';

/** What the client components draw: the database and its generations (the window's artifacts). */
export type TimelineView = Pick<Timeline, 'database' | 'generations'>;

/** The bar of an artifact on the transaction axis: a full covers 1..tip; an empty differential is a point at its tip. */
export function barOf(r: { full: boolean; highestTx: number; lowestTx: number; tipTx: number }): { empty: boolean; fromTx: number; toTx: number } {
  const empty = !r.full && r.highestTx === 0;
  return { empty, fromTx: r.full ? Math.min(1, r.tipTx) : empty ? r.tipTx : r.lowestTx, toTx: r.full ? r.tipTx : empty ? r.tipTx : r.highestTx };
}

const FULL = 1;
const COMPRESSED = 2;
const RECOVERED = 4;
const VERIFIED_OK = 8;
const VERIFIED_CORRUPT = 16;

/**
 * One artifact: [id − previous id, characters its file name shares with the previous one's, the rest of it,
 * flags, lowestTx, highestTx − lowestTx, tipTx − highestTx, time − previous time, time − firstCommitTime,
 * time − lastCommitTime, id − parentId, sizeBytes, rawBytes, txCount, member (index), id − rootId, depth, then
 * the rare fields (trailing nulls dropped): parent file (when its parent is not before it in the payload),
 * database ID (when not the generation's), nodes, relationships, verifyMessage, verifiedAt, chainProblem].
 */
type Packed = [
  number,
  number,
  string,
  number,
  number,
  number,
  number,
  number,
  number | null,
  number | null,
  number | null,
  number,
  number,
  number,
  number | null,
  number | null,
  number,
  ...Array<string | number | null>,
];

/** How many characters two names share at their start. */
function shared(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}


export interface TimelinePayload {
  database: string;
  /** [memberId, memberAddress] pairs the artifacts point at */
  members: Array<[string | null, string | null]>;
  generations: Array<
    GenerationHead & {
      /** [fromTx, toTx] of each gap */
      gaps: Array<[number, number]>;
      artifacts: Packed[];
    }
  >;
}

/** A generation's own fields, sent as they are (its gaps and artifacts are packed). */
type GenerationHead = Pick<Generation, 'storeId' | 'databaseId' | 'index' | 'firstTime' | 'lastTime' | 'fromTx' | 'toTx'>;

/** The head of a generation, packed or not: a copy of its own fields and no more. */
function headOf(g: GenerationHead): GenerationHead {
  return { storeId: g.storeId, databaseId: g.databaseId, index: g.index, firstTime: g.firstTime, lastTime: g.lastTime, fromTx: g.fromTx, toTx: g.toTx };
}

export function packTimeline(tl: TimelineView): TimelinePayload {
  const members: TimelinePayload['members'] = [];
  const memberIndex = new Map<string, number>();
  const memberOf = (a: TimelineArtifact): number | null => {
    if (a.memberId === null && a.memberAddress === null) return null;
    const key = `${a.memberId ?? ''}\n${a.memberAddress ?? ''}`;
    let i = memberIndex.get(key);
    if (i === undefined) {
      i = members.length;
      members.push([a.memberId, a.memberAddress]);
      memberIndex.set(key, i);
    }
    return i;
  };
  // a parent's file name is sent only when the browser cannot take it from the parent, sent before the child
  const fileOf = new Map<number, string>();
  let prevId = 0;
  let prevTime = 0;
  let prevFile = '';
  const generations = tl.generations.map((g) => ({
    ...headOf(g),
    gaps: g.gaps.map((x): [number, number] => [x.fromTx, x.toTx]),
    artifacts: g.artifacts.map((a): Packed => {
      const flags = (a.full ? FULL : 0) | (a.compressed ? COMPRESSED : 0) | (a.recovered ? RECOVERED : 0) | (a.verifyStatus === 'ok' ? VERIFIED_OK : a.verifyStatus === 'corrupt' ? VERIFIED_CORRUPT : 0);
      const parentKnown = a.parentId !== null && fileOf.get(a.parentId) === a.parentFile;
      const k = shared(prevFile, a.file);
      const row: Packed = [
        a.id - prevId,
        k,
        a.file.slice(k),
        flags,
        a.lowestTx,
        a.highestTx - a.lowestTx,
        a.tipTx - a.highestTx,
        a.time - prevTime,
        a.firstCommitTime === null ? null : a.time - a.firstCommitTime,
        a.lastCommitTime === null ? null : a.time - a.lastCommitTime,
        a.parentId === null ? null : a.id - a.parentId,
        a.sizeBytes,
        a.rawBytes,
        a.txCount,
        memberOf(a),
        a.rootId === null ? null : a.id - a.rootId,
        a.depth,
        parentKnown || a.parentFile === null ? null : a.parentFile,
        a.databaseId === g.databaseId ? null : a.databaseId,
        a.nodes,
        a.relationships,
        a.verifyMessage,
        a.verifiedAt,
        a.chainProblem,
      ];
      while (row.length > 17 && row[row.length - 1] === null) row.pop();
      fileOf.set(a.id, a.file);
      prevFile = a.file;
      prevId = a.id;
      prevTime = a.time;
      return row;
    }),
  }));
  return { database: tl.database, members, generations };
}

/** The timeline again; each artifact's `sha256` is '' (not sent: ArtifactDetails fetches the opened one's). */
export function unpackTimeline(p: TimelinePayload): TimelineView {
  let prevId = 0;
  let prevTime = 0;
  let prevFile = '';
  const fileOf = new Map<number, string>();
  const generations: Generation[] = p.generations.map((g) => ({
    ...headOf(g),
    gaps: g.gaps.map(([fromTx, toTx]) => ({ fromTx, toTx })),
    artifacts: g.artifacts.map((r): TimelineArtifact => {
      const [dId, k, rest, flags, lowestTx, dHighest, dTip, dTime, dFirst, dLast, dParent, sizeBytes, rawBytes, txCount, member, dRoot, depth] = r;
      const [parentFile = null, databaseId = null, nodes = null, relationships = null, verifyMessage = null, verifiedAt = null, chainProblem = null] = r.slice(17);
      const highestTx = lowestTx + dHighest;
      const tipTx = highestTx + dTip;
      const file = prevFile.slice(0, k) + rest;
      prevFile = file;
      const id = prevId + dId;
      const time = prevTime + dTime;
      prevId = id;
      prevTime = time;
      fileOf.set(id, file);
      const full = (flags & FULL) !== 0;
      const parentId = dParent === null ? null : id - dParent;
      const m = member === null ? null : p.members[member];
      return {
        id,
        file,
        full,
        ...barOf({ full, lowestTx, highestTx, tipTx }),
        lowestTx,
        highestTx,
        tipTx,
        time,
        firstCommitTime: dFirst === null ? null : time - dFirst,
        lastCommitTime: dLast === null ? null : time - dLast,
        storeId: g.storeId,
        databaseId: (databaseId as string | null) ?? g.databaseId,
        parentFile: (parentFile as string | null) ?? (parentId === null ? null : (fileOf.get(parentId) ?? null)),
        parentId,
        compressed: (flags & COMPRESSED) !== 0,
        recovered: (flags & RECOVERED) !== 0,
        sizeBytes,
        memberId: m ? m[0] : null,
        memberAddress: m ? m[1] : null,
        txCount,
        rawBytes,
        sha256: '',
        nodes: nodes as number | null,
        relationships: relationships as number | null,
        verifyStatus: flags & VERIFIED_OK ? 'ok' : flags & VERIFIED_CORRUPT ? 'corrupt' : null,
        verifyMessage: verifyMessage as string | null,
        verifiedAt: verifiedAt as number | null,
        chainProblem: chainProblem as string | null,
        rootId: dRoot === null ? null : id - dRoot,
        depth,
      };
    }),
  }));
  return { database: p.database, generations };
}
