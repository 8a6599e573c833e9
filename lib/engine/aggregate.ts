/**
 * Aggregate: fold a database's latest chain into one recovered full artifact at the chain's tip, then delete
 * the old chain (unless `keepOld`) with delete.ts's removeArtifacts: newest first, so an interrupted delete
 * still leaves usable backups. An artifact that a backup outside the chain depends on is kept.
 */
import fs from 'node:fs';
import os from 'node:os';
import { pipeline } from 'node:stream/promises';
import { TxlineError, describeError } from '../errors';
import { cleanStaleWorkDirs, makeWorkDir } from '../cleanup';
import { listArtifactsIn, openWhere, readArtifactIn, skippedLine, type Artifact } from './artifact';
import type { Location } from '../storage';
import { ArtifactWriter, cleanStaleTemporaries } from './artifact-writer';
import { byTime, chainTo, isEmpty } from './chain';
import { dependentsOf, removeArtifacts } from './delete';
import { DEFAULT_CODEC } from '../graph/codec';
import { foldersToClean, lockIn } from './lock';
import { globMatches } from './backup';
import type { PayloadFormat } from './format';
import { formatBytes, formatDuration, type EngineLog, type ProgressSink } from './progress';

export interface AggregateOptions {
  fromPath: string;
  databases: string[];
  keepOld: boolean;
  tempPath?: string;
  /** what the payloads hold: how the chain becomes a store (the kind that wrote them) */
  format: PayloadFormat;
  log: EngineLog;
  progress?: ProgressSink;
}

export interface AggregateResult {
  database: string;
  ok: boolean;
  artifact?: Artifact;
  deleted: string[];
  kept: string[];
  error?: { code: string; message: string };
}

export async function aggregate(opts: AggregateOptions): Promise<{ results: AggregateResult[]; exitCode: 0 | 1 }> {
  const { log } = opts;
  const where = openWhere(opts.fromPath, '--from-path');
  const single = where.name !== null ? await readArtifactIn(where.location, where.name) : null;
  const loc = where.location;
  const listed = await listArtifactsIn(where.location);
  for (const p of listed.problems) log.warn(skippedLine(p));
  const names = [...new Set(listed.artifacts.map((a) => a.database))].sort();
  const wanted = single
    ? [single.database]
    : names.filter((n) => opts.databases.some((p) => globMatches(p.toLowerCase(), n)));
  if (wanted.length === 0) throw new TxlineError('PATH_NOT_FOUND', `no backups of ${opts.databases.join(', ')} in ${loc.describe()}`);
  const results: AggregateResult[] = [];
  for (const db of wanted) {
    try {
      results.push(await aggregateOne(db, loc, single ?? undefined, opts));
    } catch (e) {
      const err = e instanceof TxlineError ? e : new TxlineError('INTERNAL', describeError(e), { cause: e });
      log.error(`Aggregation of ${db} failed: ${err.message}`);
      results.push({ database: db, ok: false, deleted: [], kept: [], error: { code: err.code, message: err.message } });
    }
  }
  return { results, exitCode: results.every((r) => r.ok) ? 0 : 1 };
}

async function aggregateOne(db: string, loc: Location, end: Artifact | undefined, opts: AggregateOptions): Promise<AggregateResult> {
  const { log } = opts;
  const t0 = performance.now();
  const lock = await lockIn(loc, db, 'aggregate', { tempDirs: opts.tempPath ? [opts.tempPath] : [] });
  try {
    // What a killed backup or aggregation of this database left: here, in --temp-path, where a killed run wrote.
    const scratch = [loc.localFolder, opts.tempPath].filter((d): d is string => d !== undefined);
    for (const d of foldersToClean(lock, scratch, log)) {
      for (const m of cleanStaleTemporaries(d, db)) log.info(m);
    }
    for (const m of await loc.cleanLeftovers()) log.info(m);
    const all = (await listArtifactsIn(loc)).artifacts.filter((a) => a.database === db);
    const last = end ?? [...all].sort(byTime).pop();
    if (!last) throw new TxlineError('PATH_NOT_FOUND', `no backups of ${db} in ${loc.describe()}`);
    const c = chainTo(last, all);
    if (!c.ok) throw new TxlineError('CHAIN_BROKEN', c.problem);
    const chain = c.chain;
    if (chain.length === 1 && chain[0].recovered) {
      log.info(`${db}: the latest chain is a single recovered full backup (${chain[0].file}); nothing to aggregate`);
      opts.progress?.({ phase: 'done', database: db, artifact: chain[0].file, bytesDone: 0, bytesTotal: 0, txDone: 0, txTotal: 0, deleted: 0 });
      return { database: db, ok: true, artifact: chain[0], deleted: [], kept: [] };
    }
    log.info(`Aggregating ${db}: ${chain.map((a) => a.file).join(' -> ')} (transactions up to ${last.tipTx})`);
    const base = opts.tempPath ?? os.tmpdir();
    for (const m of cleanStaleWorkDirs(base)) log.info(m);
    const work = makeWorkDir(base, 'aggregate', db);
    const txTotal = last.tipTx - chain[0].tipTx;
    let artifact: Artifact;
    let bytes = 0;
    try {
      const built = await opts.format.buildStore(
        { chain, stopBeforeTx: null, stopBeforeTime: null, targetTx: last.tipTx, txToReplay: txTotal },
        work.dir,
        { log, progress: opts.progress, phase: 'aggregate' },
      );
      // Bytes: of the rebuilt store written into the new artifact.
      const size = fs.statSync(built.file).size;
      const tx = { txDone: built.replayed, txTotal };
      const w = new ArtifactWriter({
        location: loc,
        lock,
        tempDir: opts.tempPath,
        database: db,
        // The aggregate stands for the state at the chain's last backup, so it carries that time.
        time: new Date(last.time),
        full: true,
        codec: chain[0].compressed ? DEFAULT_CODEC : 'none',
        keepFailed: false,
      });
      try {
        opts.progress?.({ phase: 'aggregate:write', database: db, bytesDone: 0, bytesTotal: size, ...tx });
        const read = fs.createReadStream(built.file, { highWaterMark: 1024 * 1024 });
        read.on('data', (chunk) => {
          bytes += chunk.length;
          opts.progress?.({ phase: 'aggregate:write', database: db, bytesDone: bytes, bytesTotal: size, ...tx });
        });
        await pipeline(read, w.payload());
        artifact = await w.commit({
          databaseId: chain[0].databaseId,
          storeId: chain[0].storeId,
          lowestTx: 1,
          highestTx: built.state.lastTxId,
          txCount: built.state.lastTxId,
          parent: null,
          parentLastTxChecksum: null,
          tipTx: built.state.lastTxId,
          lastTxChecksum: built.state.lastTxChecksum,
          firstCommitTime: null,
          lastCommitTime: built.state.lastCommitTime > 0 ? built.state.lastCommitTime : null,
          recovered: true,
          member: null,
          store: { nodes: built.state.nodes, relationships: built.state.relationships },
          // the same content as the chain's tip: the digest recorded there, if any, holds for the fold too
          contentDigest: chain.find((a) => a.contentDigest?.tx === built.state.lastTxId)?.contentDigest ?? null,
        });
      } catch (e) {
        w.abort();
        throw e;
      }
    } finally {
      work.remove();
    }
    log.info(`Wrote ${artifact.file}: recovered full backup at transaction ${artifact.tipTx} (${formatBytes(artifact.payload.sizeBytes)})`);
    const deleted: string[] = [];
    const kept: string[] = [];
    if (!opts.keepOld) {
      const inChain = new Set(chain.map((a) => a.file));
      // Empty differentials hanging off the chain go with it; they hold no transactions.
      for (const a of all) if (isEmpty(a) && a.parent && inChain.has(a.parent)) inChain.add(a.file);
      // An artifact that a backup outside the chain depends on stays (and so do its ancestors).
      const doomed: Artifact[] = [];
      for (const a of all.filter((x) => inChain.has(x.file)).sort(byTime)) {
        const outside = dependentsOf(a, all).find((d) => !inChain.has(d.file));
        if (!outside) doomed.push(a);
        else {
          kept.push(a.file);
          log.info(`kept ${a.file}: ${outside.file} depends on it`);
        }
      }
      // newest first, the folder synced after each (delete.ts): an interrupted delete leaves intact chains
      for (const a of await removeArtifacts(loc, doomed, () => lock)) deleted.push(a.file);
      if (deleted.length) log.info(`deleted the old chain, newest first: ${deleted.join(', ')}`);
    }
    log.info(`Aggregated ${db} in ${formatDuration(performance.now() - t0)}`);
    opts.progress?.({ phase: 'done', database: db, artifact: artifact.file, bytesDone: bytes, bytesTotal: bytes, txDone: txTotal, txTotal, deleted: deleted.length });
    return { database: db, ok: true, artifact, deleted, kept };
  } finally {
    await lock.release();
  }
}
