/**
 * Seeds a backup folder with many real artifact files fast, for tests of the dashboard at scale: chains of one
 * full and `chainLength - 1` differentials of 50 transactions each, one backup a minute, empty payloads. Two
 * templates (a full and a differential) are written by the engine's ArtifactWriter; every file is a template's
 * bytes with its metadata block rewritten and its metadata checksum recomputed (as resealMetadata does in
 * ./engine.ts), so the indexer reads each as the engine would have written it, at a fraction of the cost
 * (the writer takes ~10 ms a file on a loaded machine: 100 s for 10,000).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ArtifactWriter, artifactBaseName, UNRACED } from '../../lib/engine/artifact-writer';
import { ARTIFACT_EXTENSION, BLOCK, METADATA_BYTES, folderLocation, metadataChecksum } from '../../lib/engine/artifact';

async function template(dir: string, database: string, full: boolean): Promise<Buffer> {
  const time = new Date(Date.UTC(2000, 0, 1, 0, 0, full ? 0 : 1));
  const w = new ArtifactWriter({ location: folderLocation(dir), lock: UNRACED, database, time, full, codec: 'none', keepFailed: false });
  const payload = w.payload();
  await new Promise<void>((resolve, reject) => payload.end(Buffer.alloc(0), (e?: Error | null) => (e ? reject(e) : resolve())));
  const a = await w.commit({
    databaseId: randomUUID(),
    storeId: randomUUID(),
    lowestTx: full ? 1 : 2,
    highestTx: full ? 1 : 2,
    txCount: 1,
    parent: full ? null : 'x.backup',
    parentLastTxChecksum: full ? null : 1,
    tipTx: full ? 1 : 2,
    lastTxChecksum: 1,
    firstCommitTime: full ? null : time.getTime(),
    lastCommitTime: time.getTime(),
    recovered: full,
    member: { id: 'member-3', address: '127.0.0.1:6382', role: 'secondary' },
    store: full ? { nodes: 1, relationships: 1 } : null,
  });
  return fs.readFileSync(path.join(dir, a.file));
}

/** Writes `count` artifacts of `database` into `dir` (oldest first, ending a minute ago); answers their file names. */
export async function seedArtifacts(dir: string, opts: { count: number; database?: string; chainLength?: number }): Promise<string[]> {
  const database = opts.database ?? 'neo4j';
  const chainLength = opts.chainLength ?? 200;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'txline-seed-'));
  const templates = { full: await template(scratch, database, true), diff: await template(scratch, database, false) };
  fs.rmSync(scratch, { recursive: true, force: true });
  const databaseId = randomUUID();
  const storeId = randomUUID();
  const start = Math.floor(Date.now() / 60_000) * 60_000 - opts.count * 60_000;
  const nameOf = (i: number) => `${artifactBaseName(database, new Date(start + i * 60_000))}${ARTIFACT_EXTENSION}`;
  const files: string[] = [];
  let tip = 0;
  for (let i = 0; i < opts.count; i++) {
    const full = i % chainLength === 0;
    const time = start + i * 60_000;
    const parentTip = tip;
    if (!full) tip += 50;
    const bytes = Buffer.from(full ? templates.full : templates.diff);
    const block = bytes.subarray(BLOCK, BLOCK + METADATA_BYTES);
    const { metadataSha256: _old, ...meta } = JSON.parse(block.toString('utf8')) as Record<string, unknown>;
    Object.assign(meta, {
      time: new Date(time).toISOString(),
      databaseId,
      storeId,
      lowestTx: full ? 1 : parentTip + 1,
      highestTx: tip,
      txCount: full ? tip : 50,
      parent: full ? null : nameOf(i - 1),
      parentLastTxChecksum: full ? null : parentTip,
      tipTx: tip,
      lastTxChecksum: tip,
      firstCommitTime: full ? null : time - 50_000,
      lastCommitTime: time - 1000,
      store: full ? { nodes: tip * 2, relationships: tip * 3 } : null,
    });
    const json = JSON.stringify({ ...meta, metadataSha256: metadataChecksum(meta) }, null, 1);
    block.fill(0x20);
    block.write(json, 0, 'utf8');
    block[METADATA_BYTES - 1] = 0x0a;
    fs.writeFileSync(path.join(dir, nameOf(i)), bytes, { flag: 'wx' });
    files.push(nameOf(i));
  }
  return files;
}
