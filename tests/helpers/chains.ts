/**
 * Backup chains written as real artifact files by the engine's own writer (ArtifactWriter), without a cluster:
 * for tests of what the engine does with a folder's chains (inspect, delete) rather than with their payloads.
 * The metadata follows the chain rules exactly (contiguous transactions, the parent's last-transaction
 * checksum); the payload is a few bytes that stand for the transactions and do not replay.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { expect } from 'vitest';
import { folderLocation, listArtifacts, type Artifact } from '../../lib/engine/artifact';
import { ChainIndex } from '../../lib/engine/chain';
import { ArtifactWriter, UNRACED } from '../../lib/engine/artifact-writer';
import type { Location, Lock } from '../../lib/storage';

export const DATABASE_ID = '11111111-1111-4111-8111-111111111111';
export const STORE_ID = '22222222-2222-4222-8222-222222222222';
const T0 = Date.parse('2026-03-01T10:30:00.000Z');

/**
 * One artifact of a chain spec: `full` with its highest transaction, or a differential after `parent` (a label
 * written earlier) up to `to` (omitted: an empty differential). `at`: minutes after 2026-03-01 10:30 UTC
 * (default: the artifact's place in the spec, in hours).
 */
export type ChainSpec = { label: string; at?: number; database?: string } & ({ full: number } | { parent: string; to?: number });

/**
 * Writes the spec's artifacts into `dir`, in order; returns them by label. `into`: another location, written
 * under that lock (the scratch files then go to `dir`).
 */
export async function writeChain(dir: string, spec: ChainSpec[], into?: { location: Location; lock: Pick<Lock, 'confirm'> }): Promise<Record<string, Artifact>> {
  const out: Record<string, Artifact> = {};
  for (const [i, s] of spec.entries()) {
    const time = new Date(T0 + (s.at ?? i * 60) * 60_000);
    const isFull = 'full' in s;
    const parent = isFull ? null : out[s.parent];
    if (!isFull && !parent) throw new Error(`${s.label}: its parent ${s.parent} is not written before it`);
    const lowestTx = isFull ? 1 : s.to === undefined ? 0 : (parent as Artifact).tipTx + 1;
    const highestTx = isFull ? s.full : (s.to ?? 0);
    const tipTx = isFull ? s.full : (s.to ?? (parent as Artifact).tipTx);
    const w = new ArtifactWriter({ location: into?.location ?? folderLocation(dir), lock: into?.lock ?? UNRACED, tempDir: into ? dir : undefined, database: s.database ?? parent?.database ?? 'neo4j', time, full: isFull, codec: 'none', keepFailed: false });
    await pipeline(Readable.from([Buffer.from(`${s.label}: transactions ${lowestTx}..${highestTx}\n`)]), w.payload());
    out[s.label] = await w.commit({
      databaseId: DATABASE_ID,
      storeId: STORE_ID,
      lowestTx,
      highestTx,
      txCount: highestTx === 0 ? 0 : highestTx - lowestTx + 1,
      parent: parent?.file ?? null,
      parentLastTxChecksum: parent?.lastTxChecksum ?? null,
      tipTx,
      // the checksum of transaction `tipTx`: the same for every artifact that ends there
      lastTxChecksum: tipTx === (parent?.tipTx ?? -1) ? (parent as Artifact).lastTxChecksum : 1000 + tipTx,
      firstCommitTime: highestTx === 0 ? null : time.getTime() - 60_000,
      lastCommitTime: highestTx === 0 ? (parent?.lastCommitTime ?? null) : time.getTime() - 1000,
      recovered: isFull,
      member: null,
      store: isFull ? { nodes: s.full, relationships: 0 } : null,
    });
  }
  return out;
}

/** DESIGN.md's chain table (backup1..backup6); with `preferDiff`, backup6's parent is backup3 (--prefer-diff-as-parent). */
export function designTable(preferDiff: boolean): ChainSpec[] {
  return [
    { label: 'backup1', full: 10 },
    { label: 'backup2', parent: 'backup1', to: 20 },
    { label: 'backup3', parent: 'backup2', to: 30 },
    { label: 'backup4', parent: 'backup3' },
    { label: 'backup5', full: 40 },
    preferDiff ? { label: 'backup6', parent: 'backup3', to: 50 } : { label: 'backup6', parent: 'backup5', to: 50 },
  ];
}

/** Every artifact in `dir` belongs to an intact chain (the engine's chain rules); returns how many there are. */
export function expectIntactChains(dir: string, what: string): number {
  const listed = listArtifacts(dir);
  expect(listed.problems.map((p) => p.error.message), what).toEqual([]);
  const index = new ChainIndex(listed.artifacts);
  for (const a of listed.artifacts) {
    const st = index.status(a);
    expect(st.ok ? 'intact' : st.problem, `${what}: ${a.file}`).toBe('intact');
  }
  return listed.artifacts.length;
}
