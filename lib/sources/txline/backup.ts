/**
 * The backup driver of the `txline` kind: a full backup is the member's store (zstd-compressed by the member
 * when the artifact is compressed), a differential the member's transaction records after the parent's last
 * one, checked against the parent's last-transaction checksum. Both stream into the engine's artifact writer.
 */
import { pipeline } from 'node:stream/promises';
import { TxlineError, describeError, isTxlineError } from '../../errors';
import { DEFAULT_CODEC } from '../../graph/codec';
import { RecordStreamDecoder } from '../../graph/record';
import type { Artifact } from '../../engine/artifact';
import { formatBytes, formatDuration } from '../../engine/progress';
import type { DiffOutcome, MemberDatabase, WriteContext } from '../../engine/source';
import type { StoreStream, TxlineSource } from './source';
import { digestAt, readDigest, type RecordedDigest } from './content-digest';
import { localCopyAllowed, openLocalStore, type LocalStore } from './local-store';
import type { Digest } from '../../graph/store';

function memberInfo(c: MemberDatabase) {
  return { id: c.member.id, address: c.member.address, role: c.role };
}

export async function takeFull(source: Pick<TxlineSource, 'fullStore' | 'localCopy'>, ctx: WriteContext): Promise<Artifact> {
  const c = ctx.from;
  // Uncompressed from a member on this host: the store file is copied here, as cp would (./local-store.ts).
  if (!ctx.compress && source.localCopy && localCopyAllowed(c.member)) {
    const local = await openLocalStore(ctx.database, c.member, (why) => debug(ctx, `the store is received over HTTP: ${why}`));
    if (local) return copyFull(local, ctx);
  }
  return receiveFull(source, ctx);
}

/** What a full backup knows of the store it takes: from the member's answer or its lease. */
type StoreInfo = Omit<StoreStream, 'stream' | 'encoding'>;

/** The store over HTTP from the member (compressed by it when the artifact is). */
async function receiveFull(source: Pick<TxlineSource, 'fullStore'>, ctx: WriteContext): Promise<Artifact> {
  const db = ctx.database;
  const c = ctx.from;
  const t0 = performance.now();
  const codec = ctx.compress ? DEFAULT_CODEC : 'none';
  // A source that compresses (the embedded members do) sends a seventh of the bytes and spends its own cores.
  const store = await source.fullStore(db, c.member, codec === 'zstd' ? { compress: 'zstd' } : {});
  // the sum kept at the store's transaction when the member sent it; else read beside the store (never fails:
  // null when it cannot be had), recorded if it is at the store's transaction
  const digest = store.contentSum ? Promise.resolve(keptAt(store)) : readDigest(db, c.member, ctx.log);
  const encoded = store.encoding !== 'none';
  if (encoded && store.encoding !== codec) {
    store.stream.destroy();
    throw new TxlineError('INTERNAL', `${c.member.id} sent the store ${store.encoding}-encoded, but this backup writes ${codec}`);
  }
  const w = ctx.newWriter(true);
  const txTotal = store.txId;
  let done = 0;
  try {
    ctx.progress?.({ phase: 'store', database: db, bytesDone: 0, bytesTotal: store.sizeBytes, txDone: 0, txTotal });
    debug(ctx, `receiving the store of ${db} from ${c.member.id}: ${formatBytes(store.sizeBytes)} at transaction ${store.txId} (store ID ${store.storeId})`);
    let reported = 0;
    // Counted by listening, not by another stream stage: a 1 GiB store passes in ~16,000 chunks.
    store.stream.on('data', (chunk: Buffer) => {
      done = encoded ? w.rawBytesWritten : done + chunk.length;
      ctx.progress?.({ phase: 'store', database: db, bytesDone: done, bytesTotal: store.sizeBytes, txDone: 0, txTotal });
      if (ctx.log.debug && (done - reported >= DEBUG_RANGE_BYTES || done === store.sizeBytes)) {
        debug(ctx, `received bytes ${reported}..${done} of ${store.sizeBytes} of the store of ${db} from ${c.member.id}`);
        reported = done;
      }
    });
    // An encoded store is decoded on the side as it is written; commit() checks it decodes to sizeBytes.
    await pipeline(store.stream, w.payload({ encoded, expectedRawBytes: store.sizeBytes }));
    if (!encoded && done !== store.sizeBytes) {
      throw new TxlineError('SOURCE_UNREACHABLE', `the store of ${db} from ${c.member.id} ended after ${done} of ${store.sizeBytes} bytes`);
    }
    // The whole store is in: it stands for every transaction up to its own.
    ctx.progress?.({ phase: 'finalize', database: db, bytesDone: done, bytesTotal: store.sizeBytes, txDone: txTotal, txTotal });
    const artifact = await w.commit(fullMetadata(store, c, digestAt(await digest, store.txId, { db, member: c.member.id, log: ctx.log })));
    done = artifact.payload.rawBytes;
    // (An encoded store's decoded count trails what arrived: its last range is known only now.)
    if (ctx.log.debug && reported < done) {
      debug(ctx, `received bytes ${reported}..${done} of ${store.sizeBytes} of the store of ${db} from ${c.member.id}`);
    }
    finished(ctx, artifact, store, 'received', t0);
    return artifact;
  } catch (e) {
    store.stream.destroy();
    const err = wrapSourceError(e, c);
    ctx.abort(w, failedFull(err, store, c, done));
    throw err;
  }
}

/** The store file copied here under the member's lease (./local-store.ts); uncompressed. */
async function copyFull(local: LocalStore, ctx: WriteContext): Promise<Artifact> {
  const db = ctx.database;
  const c = ctx.from;
  const t0 = performance.now();
  const l = local.lease;
  const store: StoreInfo = {
    sizeBytes: l.size,
    txId: l.tx,
    txChecksum: l.txChecksum,
    commitTime: l.commitTime,
    databaseId: l.databaseId,
    storeId: l.storeId,
    nodes: l.nodes,
    relationships: l.relationships,
    contentSum: l.contentSum ?? null,
  };
  const txTotal = store.txId;
  let done = 0;
  let w: ReturnType<WriteContext['newWriter']> | null = null;
  try {
    // (inside: the lease is given back whatever fails, the writer's creation too)
    const digest = store.contentSum ? keptAt(store) : await readDigest(db, c.member, ctx.log);
    w = ctx.newWriter(true);
    ctx.progress?.({ phase: 'store', database: db, bytesDone: 0, bytesTotal: store.sizeBytes, txDone: 0, txTotal });
    debug(ctx, `copying the store of ${db} from ${l.file} under a lease of ${c.member.id}: ${formatBytes(store.sizeBytes)} at transaction ${store.txId} (store ID ${store.storeId})`);
    let reported = 0;
    const writer = w;
    await writer.copyFrom(local.fd, store.sizeBytes, (n) => {
      done = n;
      ctx.progress?.({ phase: 'store', database: db, bytesDone: done, bytesTotal: store.sizeBytes, txDone: 0, txTotal });
      if (ctx.log.debug && (done - reported >= DEBUG_RANGE_BYTES || done === store.sizeBytes)) {
        debug(ctx, `copied bytes ${reported}..${done} of ${store.sizeBytes} of the store of ${db}`);
        reported = done;
      }
    });
    // the lease must have held to the end: else the member may have checkpointed into the file meanwhile
    await local.finish();
    ctx.progress?.({ phase: 'finalize', database: db, bytesDone: done, bytesTotal: store.sizeBytes, txDone: txTotal, txTotal });
    const artifact = await writer.commit(fullMetadata(store, c, digestAt(digest, store.txId, { db, member: c.member.id, log: ctx.log })));
    finished(ctx, artifact, store, `copied on this host from ${l.file}`, t0);
    return artifact;
  } catch (e) {
    local.abandon();
    const err = wrapSourceError(e, c);
    if (w) ctx.abort(w, failedFull(err, store, c, done));
    throw err;
  }
}

function keptAt(store: StoreInfo): Digest {
  return { lastCommittedTxn: store.txId, nodes: store.nodes, relationships: store.relationships, contentHash: store.contentSum as string };
}

function fullMetadata(store: StoreInfo, c: MemberDatabase, contentDigest: RecordedDigest | null) {
  return {
    databaseId: store.databaseId,
    storeId: store.storeId,
    lowestTx: 1,
    highestTx: store.txId,
    txCount: store.txId,
    parent: null,
    parentLastTxChecksum: null,
    tipTx: store.txId,
    lastTxChecksum: store.txChecksum,
    firstCommitTime: null,
    lastCommitTime: store.commitTime > 0 ? store.commitTime : null,
    recovered: true,
    member: memberInfo(c),
    store: { nodes: store.nodes, relationships: store.relationships },
    contentDigest,
  };
}

function failedFull(err: unknown, store: StoreInfo, c: MemberDatabase, received: number): Record<string, unknown> {
  return {
    error: describeError(err),
    member: memberInfo(c),
    databaseId: store.databaseId,
    storeId: store.storeId,
    lowestTx: 1,
    highestTx: store.txId,
    lastTxChecksum: store.txChecksum,
    storeBytesExpected: store.sizeBytes,
    storeBytesReceived: received,
  };
}

function finished(ctx: WriteContext, artifact: Artifact, store: StoreInfo, how: string, t0: number): void {
  const db = ctx.database;
  const c = ctx.from;
  const ms = performance.now() - t0;
  ctx.log.info(`Finished full backup of ${db} from ${c.member.id}: store at transaction ${store.txId} (${formatBytes(store.sizeBytes)}, ${how}), written as ${artifact.file} (${formatBytes(artifact.payload.sizeBytes)}${artifact.compressed ? `, ${(store.sizeBytes / Math.max(1, artifact.payload.sizeBytes)).toFixed(1)}x smaller` : ''}) in ${formatDuration(ms)}`);
  ctx.progress?.({ phase: 'done', database: db, artifact: artifact.file, bytesDone: artifact.payload.rawBytes, bytesTotal: store.sizeBytes, txDone: store.txId, txTotal: store.txId });
}

export async function takeDiff(source: Pick<TxlineSource, 'transactions'>, ctx: WriteContext, parent: Artifact): Promise<DiffOutcome> {
  const db = ctx.database;
  const c = ctx.from;
  const t0 = performance.now();
  // Ask from the parent's own last transaction when the member still has it, to compare its checksum;
  // otherwise the first new record's back-link is compared.
  const includeTip = parent.tipTx >= 1 && parent.tipTx >= c.lowestAvailableTxn;
  const fromTx = includeTip ? parent.tipTx : parent.tipTx + 1;
  // The digest first: the differential then stops at the transaction it was read at (content-digest.ts).
  const digest = await readDigest(db, c.member, ctx.log);
  const cutAt = digest && digest.lastCommittedTxn >= parent.tipTx ? digest.lastCommittedTxn : null;
  let txs;
  try {
    txs = await source.transactions(db, c.member, fromTx);
  } catch (e) {
    if (isTxlineError(e, 'TX_PRUNED')) return { ok: false, reason: `transactions from ${fromTx} were pruned from the transaction log of ${c.member.id} (${describeError(e)})` };
    throw wrapSourceError(e, c);
  }
  if (txs.storeId !== parent.storeId) {
    txs.stream.destroy();
    return { ok: false, reason: `the store ID changed: ${parent.file} has ${parent.storeId}, ${c.member.id} has ${txs.storeId}` };
  }
  const lastTxId = cutAt === null ? txs.lastTxId : Math.min(cutAt, txs.lastTxId);
  const txTotal = Math.max(0, lastTxId - parent.tipTx);
  const w = ctx.newWriter(false);
  const sink = w.payload();
  const decoder = new RecordStreamDecoder(`transactions of ${db} from ${c.member.id}`);
  let first: { txId: number; commitTime: number } | null = null;
  let last: { txId: number; checksum: number; commitTime: number } | null = null;
  let mismatch: string | null = null;
  let count = 0;
  try {
    // The byte size of a stream of transactions is known only at its end.
    ctx.progress?.({ phase: 'transactions', database: db, txDone: 0, txTotal, bytesDone: 0, bytesTotal: null });
    debug(ctx, `receiving transactions ${fromTx}..${lastTxId} of ${db} from ${c.member.id} (${txTotal} after the parent)`);
    await pipeline(txs.stream, async function* (source) {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        const out: Buffer[] = [];
        let chunkFirst: number | null = null;
        let cut = false;
        for (const rec of decoder.push(chunk)) {
          if (rec.txId > lastTxId) {
            cut = true; // committed after the digest was read: the next backup's
            break;
          }
          if (rec.txId === parent.tipTx) {
            if (rec.checksum !== parent.lastTxChecksum) mismatch = `the checksum of transaction ${parent.tipTx} on ${c.member.id} does not match the parent ${parent.file}`;
            continue;
          }
          if (count === 0 && rec.prevChecksum !== parent.lastTxChecksum) {
            mismatch = `transaction ${rec.txId} on ${c.member.id} does not follow the parent ${parent.file}: the checksum of transaction ${parent.tipTx} differs`;
          }
          if (mismatch) return;
          first ??= { txId: rec.txId, commitTime: rec.commitTime };
          last = { txId: rec.txId, checksum: rec.checksum, commitTime: rec.commitTime };
          count++;
          chunkFirst ??= rec.txId;
          out.push(rec.bytes);
        }
        if (out.length) yield Buffer.concat(out);
        if (chunkFirst !== null) debug(ctx, `received transactions ${chunkFirst}..${(last as { txId: number } | null)?.txId} of ${db} from ${c.member.id} (${formatBytes(chunk.length)})`);
        ctx.progress?.({ phase: 'transactions', database: db, txDone: count, txTotal, bytesDone: decoder.bytesSeen, bytesTotal: null });
        if (cut) return;
      }
      decoder.end();
    }, sink);
    if (mismatch) {
      ctx.abort(w, {}, { keepFailed: false });
      return { ok: false, reason: mismatch };
    }
    const lastRec = last as { txId: number; checksum: number; commitTime: number } | null;
    const firstRec = first as { txId: number; commitTime: number } | null;
    if (lastRec && lastRec.txId < lastTxId) {
      throw new TxlineError('SOURCE_UNREACHABLE', `the transactions of ${db} from ${c.member.id} ended at ${lastRec.txId}, before ${lastTxId}`);
    }
    const artifact = await w.commit({
      databaseId: parent.databaseId,
      storeId: parent.storeId,
      lowestTx: firstRec ? firstRec.txId : 0,
      highestTx: lastRec ? lastRec.txId : 0,
      txCount: count,
      parent: parent.file,
      parentLastTxChecksum: parent.lastTxChecksum,
      tipTx: lastRec ? lastRec.txId : parent.tipTx,
      lastTxChecksum: lastRec ? lastRec.checksum : parent.lastTxChecksum,
      firstCommitTime: firstRec ? firstRec.commitTime : null,
      lastCommitTime: lastRec ? lastRec.commitTime : null,
      recovered: false,
      member: memberInfo(c),
      store: null,
      contentDigest: digestAt(digest, lastRec ? lastRec.txId : parent.tipTx, { db, member: c.member.id, log: ctx.log }),
    });
    const ms = performance.now() - t0;
    const range = lastRec && firstRec ? `transactions ${firstRec.txId}..${lastRec.txId} (${count})` : `no new transactions (empty differential after ${parent.tipTx})`;
    ctx.log.info(`Finished differential backup of ${db} from ${c.member.id}: ${range}, written as ${artifact.file} (${formatBytes(artifact.payload.sizeBytes)}) in ${formatDuration(ms)}`);
    ctx.progress?.({ phase: 'done', database: db, artifact: artifact.file, txDone: count, txTotal: count, bytesDone: decoder.bytesSeen, bytesTotal: decoder.bytesSeen });
    return { ok: true, artifact };
  } catch (e) {
    txs.stream.destroy();
    const err = wrapSourceError(e, c);
    const f = first as { txId: number } | null;
    const l = last as { txId: number; checksum: number } | null;
    ctx.abort(w, {
      error: describeError(err),
      member: memberInfo(c),
      databaseId: parent.databaseId,
      storeId: parent.storeId,
      parent: parent.file,
      parentLastTxChecksum: parent.lastTxChecksum,
      txExpected: { from: parent.tipTx + 1, to: lastTxId },
      txReceived: f && l ? { from: f.txId, to: l.txId, count, lastTxChecksum: l.checksum } : null,
    });
    throw err;
  }
}

/** With --verbose: how much of the store passes between two debug lines. */
const DEBUG_RANGE_BYTES = 16 * 1024 * 1024;

function debug(ctx: WriteContext, message: string): void {
  ctx.log.debug?.(message);
}

/** Errors while talking to a member become SOURCE_UNREACHABLE (so the next server is tried). */
function wrapSourceError(e: unknown, c: MemberDatabase): unknown {
  if (e instanceof TxlineError) return e;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (e as Error)?.message === 'aborted') {
    return new TxlineError('SOURCE_UNREACHABLE', `the connection to ${c.member.id} (${c.member.address}) broke: ${describeError(e)}`, { cause: e });
  }
  return e;
}
