/**
 * Rebuilds a store from a chain: unpacks the full artifact's store, then replays the differentials'
 * transactions up to the stopping point (the txline kind's payloads: a SQLite GraphStore, then records). Used by
 * restore and, through the payload format, by aggregate; it works in a private folder and
 * touches nothing else.
 *
 * Every artifact of the chain is read whole (also past the stopping point), so every payload's SHA-256 is
 * verified before the caller installs anything. Replayed records must continue the store's checksum chain.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TxlineError, describeError } from '../../errors';
import { copyInBackground, syncInBackground, type BackgroundCopy } from '../../fs';
import { applyRecords } from '../../graph/apply';
import { RecordStreamDecoder, type TxRecord } from '../../graph/record';
import { GraphStore, type Digest, type StoreMeta } from '../../graph/store';
import { walPages, type WalPages } from '../../graph/wal';
import { consumePayload, unpackPayload, type Artifact } from '../../engine/artifact';
import { isEmpty } from '../../engine/chain';
import type { RestorePlan } from '../../engine/restore-plan';
import type { EngineLog, ProgressSink } from '../../engine/progress';

const BATCH = 20_000;
const SYNC_EVERY = 64 * 1024 * 1024;
/** how big the log may grow before it is checkpointed, with copies of the full to bring along */
const WAL_LIMIT = 64 * 1024 * 1024;
/** how much of the store being rebuilt SQLite may map (clamped to its MAX_MMAP_SIZE) */
const MMAP_BYTES = 2 ** 31;

export interface BuiltStore {
  file: string;
  meta: StoreMeta;
  replayed: number;
  /**
   * the digest the rebuilt store keeps: the full's content sum, moved by every replayed row (computed from
   * scratch once when the full is from before sums were kept)
   */
  digest: Digest;
  /** with `copies`: the pages (of the rebuilt file) that differ from the full's store, and the page size */
  changed?: WalPages;
}

export async function buildStore(
  plan: RestorePlan<Artifact>,
  workDir: string,
  opts: {
    log: EngineLog;
    progress?: ProgressSink;
    phase?: string;
    /**
     * Make the store what a member installs as it is: give it the target's name and the new identity, and
     * leave it in WAL mode (opening it then changes no byte). Not synced here: it is a private scratch copy
     * that is streamed to the members, who sync their own copies; unsynced, a store deleted soon after never
     * needs to reach the disk.
     */
    finalize?: Pick<StoreMeta, 'databaseName' | 'storeId' | 'databaseId'>;
    /**
     * Rebuild in this file instead of the work folder: an empty file a member reserved for the store (the
     * restore then need not copy it to that member), open here for writing as `fd`, which the full's store is
     * written through; SQLite then opens it by its path.
     */
    into?: { file: string; fd: number };
    /**
     * Other members' reserved files on this host, open here as these descriptors: the full's store is copied
     * into each on another thread while the differentials are replayed (in WAL mode, with nothing
     * checkpointed, the rebuilt file holds the full's store until the end), and the rebuilt store says which
     * pages the replay changed (BuiltStore.changed): each becomes the rebuilt store by those pages alone.
     */
    copies?: number[];
    /** with `copies`: how big the log may grow before it is checkpointed (WAL_LIMIT) */
    walLimit?: number;
  },
): Promise<BuiltStore> {
  const [full, ...diffs] = plan.chain;
  const file = opts.into?.file ?? path.join(workDir, 'store.sqlite');
  const phase = opts.phase ?? 'restore';
  const bytesTotal = plan.chain.reduce((a, x) => a + x.payload.rawBytes, 0);
  let bytesDone = 0;
  opts.progress?.({ phase: `${phase}:store`, bytesDone, bytesTotal, txDone: 0, txTotal: plan.txToReplay });
  // Rebuilt in a member's file, the full's store is handed to the disk as it is written (most of its pages
  // stay as they are): the disk works while the differentials are replayed, and the member's sync has less left.
  const syncs: Array<Promise<void>> = [];
  let syncError: NodeJS.ErrnoException | null = null;
  const copies = opts.copies ?? [];
  // written through a descriptor: the member's reserved file, or a new one in the private work folder
  const fd = opts.into?.fd ?? fs.openSync(file, 'wx+', 0o600);
  // The other members' copies are made on a thread of their own while the differentials are replayed (here, on
  // this one; on this one's core too once the replay is over): in WAL mode, with nothing checkpointed until the
  // copy is done, the file holds the full's store meanwhile (the logs name every page the replay changes:
  // ./wal.ts). Not while the full is unpacked: that keeps both cores busy already (following the unpack made
  // the whole rebuild slower).
  const copy: { running: BackgroundCopy | null } = { running: null };
  const copied: { now: 'running' | 'done' | 'failed' } = { now: 'running' };
  try {
    return await rebuild();
  } finally {
    // a copy still under way ends before its descriptors can be closed
    copy.running?.stop();
    await copy.running?.done.catch(() => undefined);
    if (!opts.into) fs.closeSync(fd);
  }

  async function rebuild(): Promise<BuiltStore> {
    let synced = 0;
    const unpacked = unpackPayload(full, fd, (done) => {
      bytesDone = done;
      if (opts.into && done - synced >= SYNC_EVERY) {
        synced = done;
        syncs.push(
          syncInBackground(fd).catch((e: NodeJS.ErrnoException) => {
            syncError ??= e;
          }),
        );
      }
      opts.progress?.({ phase: `${phase}:store`, bytesDone, bytesTotal, txDone: 0, txTotal: plan.txToReplay });
    });
    try {
      await unpacked;
    } finally {
      // the descriptor closes after the last sync
      await Promise.all(syncs);
    }
    // a failed sync is not reported again to a descriptor opened later (the member's)
    if (syncError) throw new TxlineError('IO_ERROR', `could not write the store into ${file}: ${describeError(syncError)}`, { cause: syncError });
    let store: GraphStore;
    try {
      store = GraphStore.open(file);
    } catch (e) {
      throw new TxlineError('ARTIFACT_CORRUPT', `${full.file} is corrupt: its store cannot be opened`, { cause: e });
    }
    try {
      if (store.meta.lastTxId !== full.tipTx || store.meta.storeId !== full.storeId || store.meta.lastTxChecksum !== full.lastTxChecksum) {
        throw new TxlineError(
          'ARTIFACT_CORRUPT',
          `${full.file} is corrupt: its store is at transaction ${store.meta.lastTxId} (store ID ${store.meta.storeId}) but the metadata says ${full.tipTx} (${full.storeId})`,
        );
      }
      // A copy that nobody else opens (in the work folder, or a file a member reserved and reads only once it is
      // complete), synced once at the end (a failed rebuild is thrown away): no WAL (pages go straight to the
      // file, no checkpoint), the rollback journal in memory, one lock held throughout. The store is back in WAL
      // mode when a member opens it.
      // With copies of the full to bring along, the replay stays in WAL mode: the logs name every page the replay
      // changed (./wal.ts).
      store.db.pragma('synchronous = OFF');
      if (!copies.length) store.db.pragma('journal_mode = MEMORY');
      store.db.pragma('locking_mode = EXCLUSIVE');
      // Pages are read through a memory map (writes still go through write(2): SQLite never writes to the map), so
      // the B-tree descents read pages where they lie instead of copying each into SQLite's page cache, which
      // then mostly holds the pages being changed (8 MiB; 16 MiB, as before the map, when part of the store is
      // beyond it). Replay of 100,000 tx into a 1 GiB store: 2.9 s -> 2.0-2.4 s (`npm run bench:engine`). The
      // mapped pages count in the process's RSS but are the kernel's page cache (file-backed, clean). Nothing
      // truncates the file while it is open here (a member only unlinks a reserved file, which stays mapped). A
      // disk failing a read of a mapped page ends the process (SIGBUS) instead of failing the call with IO_ERROR:
      // then it is as if the restore were killed (nothing installed; the work folder and the reservation stay
      // until they are cleaned). SQLite maps at most MAX_MMAP_SIZE (2 GiB as better-sqlite3 builds it).
      store.db.pragma(`cache_size = ${bytesDone > MMAP_BYTES ? -16384 : -8192}`);
      store.db.pragma(`mmap_size = ${MMAP_BYTES}`);
      const replayStart = performance.now();
      const wal = `${file}-wal`;
      const pageSize = store.db.pragma('page_size', { simple: true }) as number;
      // the pages the replay changed: of the logs checkpointed so far, then of the last one
      const changedPages = new Set<number>();
      if (copies.length) {
        copy.running = copyInBackground(fd, copies, { length: bytesDone });
        void copy.running.done.then(
          () => {
            copied.now = 'done';
            opts.log.debug?.(`copied the full's store into ${copies.length} reserved file(s) in ${((performance.now() - replayStart) / 1000).toFixed(2)} s`);
          },
          (e: unknown) => {
            // only a head start: those members get the whole store at the install
            copied.now = 'failed';
            opts.log.warn(`could not copy the full's store into the files the other members reserved; they get the whole store: ${describeError(e)}`);
          },
        );
      }
      // The log is checkpointed whenever it outgrows the limit (pages changed in every batch are appended again
      // each time: an update-heavy chain grew it to 13 times the store), its pages noted first; not before the
      // copy is done (it reads the file the checkpoint writes), which is waited for then.
      const walLimit = opts.walLimit ?? WAL_LIMIT;
      const boundLog = async () => {
        if (!copies.length || fs.statSync(wal).size < walLimit) return;
        copy.running?.help(); // (this thread only waits meanwhile)
        await copy.running?.done.catch(() => undefined);
        if (copied.now === 'done') walPages(wal, pageSize, changedPages);
        if (!store.checkpoint('TRUNCATE')) throw new TxlineError('INTERNAL', 'could not checkpoint the store being rebuilt');
        opts.log.debug?.(`checkpointed the log of the store being rebuilt at transaction ${store.meta.lastTxId} (${changedPages.size} changed page(s) so far)`);
      };
      let replayed = 0;
      let stopped = false;
      for (const d of diffs) {
        if (isEmpty(d)) continue;
        const decoder = new RecordStreamDecoder(d.file);
        let batch: TxRecord[] = [];
        const flush = async () => {
          if (batch.length === 0) return;
          applyRecords(store, batch);
          replayed += batch.length;
          batch = [];
          await boundLog();
          opts.progress?.({ phase: `${phase}:replay`, bytesDone, bytesTotal, txDone: replayed, txTotal: plan.txToReplay, artifact: d.file });
        };
        await consumePayload(d, async (source) => {
          for await (const chunk of source) {
            bytesDone += chunk.length;
            for (const rec of decoder.push(chunk)) {
              if (stopped) continue; // keep reading: the whole payload's checksum is verified
              if ((plan.stopBeforeTx !== null && rec.txId >= plan.stopBeforeTx) || (plan.stopBeforeTime !== null && rec.commitTime >= plan.stopBeforeTime)) {
                stopped = true;
                continue;
              }
              const expected = store.meta.lastTxId + batch.length + 1;
              const prev = batch.length > 0 ? batch[batch.length - 1].checksum : store.meta.lastTxChecksum;
              if (rec.txId !== expected || rec.prevChecksum !== prev) {
                throw new TxlineError('CHAIN_BROKEN', `${d.file}: transaction ${rec.txId} does not follow transaction ${expected - 1} of the store being restored`);
              }
              batch.push(rec);
              if (batch.length >= BATCH) await flush();
            }
          }
          decoder.end();
        });
        await flush();
        if (!stopped && store.meta.lastTxId !== d.tipTx) {
          throw new TxlineError('ARTIFACT_CORRUPT', `${d.file} is corrupt: it ends at transaction ${store.meta.lastTxId}, its metadata says ${d.tipTx}`);
        }
      }
      const contentHash = store.contentSum;
      if (opts.finalize) {
        store.writeMeta(opts.finalize);
        store.db.pragma('journal_mode = WAL');
      }
      opts.log.debug?.(`replayed ${replayed} transactions in ${((performance.now() - replayStart) / 1000).toFixed(2)} s`);
      // (the copy reads the file: it ends before the checkpoint writes the changed pages into it; a copy that
      // is behind the replay gets this thread's core for what is left)
      copy.running?.help();
      await copy.running?.done.catch(() => undefined);
      const changed = copied.now === 'done' ? walPages(wal, pageSize, changedPages) : undefined;
      if (changed) opts.log.debug?.(`the other members' copies get the ${changed.pages.length} page(s) the replay changed, of ${Math.ceil(bytesDone / pageSize)}`);
      if (!store.checkpoint('TRUNCATE')) throw new TxlineError('INTERNAL', 'could not checkpoint the rebuilt store');
      const meta = { ...store.meta };
      store.close();
      if (!opts.finalize) fs.fsyncSync(fd);
      return { file, meta, replayed, digest: { lastCommittedTxn: meta.lastTxId, nodes: meta.nodeCount, relationships: meta.relCount, contentHash }, changed };
    } finally {
      store.close();
    }
  }
}
