/**
 * One database on one member: its store, its transaction log, and the single pipeline that changes them.
 *
 * Every change goes through `pipeline`, one batch at a time (group commit):
 *   BEGIN; apply each transaction in its own savepoint (a bad one is rolled back alone and rejected);
 *   append the records to the log; fdatasync the log; record the last transaction in the store; COMMIT.
 * A transaction is acknowledged after COMMIT, so an acknowledged transaction is in the durable log and
 * `open()` replays the log into the store after a crash. Snapshots and store installs also run as pipeline
 * steps, so they never see a half-applied batch.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { TxlineError, describeError } from '../errors';
import { type ClientOp, type ResolvedOp } from '../graph/ops';
import { MAX_RECORD_PAYLOAD, decodeOps, encodeRecord, encodeTx, type TxRecord, type TxRecordInfo } from '../graph/record';
import type { RetentionPolicy } from './retention';
import { GraphStore, computeDigest, findNodes, keptDigest, readMeta, type Digest, type NodeRow, type StoreMeta } from '../graph/store';
import { fsyncDir } from '../fs';
import { replacedName } from './staging';
import { applyRecords } from '../graph/apply';
import { TxLog, type LogRange } from './txlog';
import { digestOnWorker } from './digest-worker';

export interface DatabaseOptions {
  rotationSize: number;
  retention: RetentionPolicy;
  log: (message: string) => void;
}

export interface DatabaseDescription {
  databaseId: string;
  storeId: string;
  lastTxId: number;
  lastCommitTime: number;
  lowestAvailableTxn: number;
}

export interface CommitResult {
  txId: number;
  ids: Record<string, number>;
}

export interface Snapshot {
  file: string;
  size: number;
  meta: StoreMeta;
  /** the content digest kept at the snapshot's transaction (null for a store without a kept sum) */
  digest: Digest | null;
  /** false once the store was closed (stopped, replaced, dropped): the main file may have changed since */
  valid: () => boolean;
  release: () => void;
}

type Step = () => Promise<void> | void;

interface PendingTx {
  ops: ClientOp[];
  resolve: (r: CommitResult) => void;
  reject: (e: unknown) => void;
}

const MAX_BATCH = 2000;
const DIGEST_ON_WORKER_BYTES = 32 * 1024 * 1024;
const CHECKPOINT_WAL_BYTES = 16 * 1024 * 1024;

export class GraphDatabase {
  readonly dir: string;
  private store: GraphStore | null = null;
  private reader: BetterSqlite3.Database | null = null;
  private txlog: TxLog;
  private pendingTx: PendingTx[] = [];
  private steps: Step[] = [];
  private running = false;
  private snapshotHolders = 0;
  private heldMeta: StoreMeta | null = null;
  private heldDigest: Digest | null = null;
  /** bumped when the store closes: the snapshots taken before are over (closing checkpoints into the file) */
  private snapshotGen = 0;
  private waiters = new Set<() => void>();
  /** what `describe()` said when the store was last closed (kept for an offline database) */
  private closedAs: DatabaseDescription | null = null;
  /** stopped by stop() (an administrator, a restore), not since started or given a store by a restore */
  private stoppedByAdmin = false;
  committedTotal = 0;
  status: 'online' | 'offline' = 'offline';

  constructor(
    readonly name: string,
    readonly rootDir: string,
    private readonly opts: DatabaseOptions,
  ) {
    this.dir = path.join(rootDir, name);
    this.txlog = new TxLog(path.join(this.dir, 'txlog'), {
      rotationSize: opts.rotationSize,
      retention: opts.retention,
      onEvent: (m) => opts.log(`[${name}] ${m}`),
    });
  }

  get storeFile(): string {
    return path.join(this.dir, 'store.sqlite');
  }

  static exists(rootDir: string, name: string): boolean {
    return fs.existsSync(path.join(rootDir, name, 'store.sqlite'));
  }

  /** Opens the store and the log, replaying logged transactions the store has not applied yet. */
  open(init?: { databaseId?: string; storeId?: string }): void {
    if (this.store) return;
    fs.mkdirSync(this.dir, { recursive: true });
    const existed = fs.existsSync(this.storeFile);
    const store = GraphStore.open(this.storeFile, existed ? undefined : { databaseName: this.name, ...init });
    if (!existed) fsyncDir(this.dir);
    try {
      const rec = this.txlog.open(store.meta.storeId, { txId: store.meta.lastTxId, checksum: store.meta.lastTxChecksum });
      if (rec.lastTxId > store.meta.lastTxId) {
        const records = this.txlog.readRecords(store.meta.lastTxId + 1);
        if (!records) throw new TxlineError('INTERNAL', `transaction log of ${this.name} lost the records to recover from`);
        applyRecords(store, records);
        this.opts.log(`[${this.name}] recovered ${records.length} transaction(s) from the log, now at ${store.meta.lastTxId}`);
      }
      // A store from before content sums were kept gets one now (once: a read of every row), so that a backup's
      // digest is always the kept one (keptDigest), never a read of the whole store.
      if (!keptDigest(store.db)) {
        const t0 = performance.now();
        store.ensureContentSum();
        this.opts.log(`[${this.name}] computed the content sum of the store (kept since) in ${Math.round(performance.now() - t0)} ms`);
      }
    } catch (e) {
      store.close();
      this.txlog.close();
      throw e;
    }
    this.store = store;
    this.reader = GraphStore.openReader(this.storeFile);
    this.status = 'online';
  }

  close(): void {
    if (this.store) this.closedAs = this.describe();
    // Closing checkpoints the WAL into the main file: a snapshot still held is no longer what it was.
    this.snapshotGen++;
    this.snapshotHolders = 0;
    this.heldMeta = null;
    this.heldDigest = null;
    this.status = 'offline';
    this.reader?.close();
    this.reader = null;
    this.store?.close();
    this.store = null;
    this.txlog.close();
    for (const p of this.pendingTx.splice(0)) p.reject(offline(this.name));
    this.wake();
  }

  private get s(): GraphStore {
    return this.onlineStore();
  }

  /** The open store; throws when the member is offline. */
  private onlineStore(): GraphStore {
    if (!this.store || this.status !== 'online') throw offline(this.name);
    return this.store;
  }

  get meta(): StoreMeta {
    return this.s.meta;
  }

  /**
   * The database's identity, last transaction and log window, also while it is offline: as it was when it
   * closed, or read from the store file when it has not been open in this process. Null without a store.
   */
  describe(): DatabaseDescription | null {
    if (this.store) {
      const m = this.store.meta;
      return {
        databaseId: m.databaseId,
        storeId: m.storeId,
        lastTxId: m.lastTxId,
        lastCommitTime: m.lastCommitTime,
        lowestAvailableTxn: this.txlog.lowestAvailableTxn(m.lastTxId),
      };
    }
    if (!this.closedAs && fs.existsSync(this.storeFile)) {
      try {
        const reader = GraphStore.openReader(this.storeFile);
        try {
          const m = readMeta(reader);
          this.closedAs = { databaseId: m.databaseId, storeId: m.storeId, lastTxId: m.lastTxId, lastCommitTime: m.lastCommitTime, lowestAvailableTxn: m.lastTxId + 1 };
        } finally {
          reader.close();
        }
      } catch (e) {
        // a store being installed or copied in: nothing to tell yet, the next status asks again
        this.opts.log(`[${this.name}] cannot read the offline store's identity: ${describeError(e)}`);
      }
    }
    return this.closedAs;
  }

  get lastCommittedTxn(): number {
    return this.store ? this.store.meta.lastTxId : 0;
  }

  lowestAvailableTxn(): number {
    return this.txlog.lowestAvailableTxn(this.lastCommittedTxn);
  }

  logInfo() {
    return { segments: this.txlog.segmentsInfo(), sizeBytes: this.txlog.sizeBytes };
  }

  // ---- the pipeline ---------------------------------------------------------------------------------

  /** Commits a client's transaction on the writer. */
  commit(ops: ClientOp[]): Promise<CommitResult> {
    this.onlineStore(); // throws when offline
    return new Promise((resolve, reject) => {
      this.pendingTx.push({ ops, resolve, reject });
      this.kick();
    });
  }

  /** Runs `fn` between batches, with the store quiet. */
  private step<T>(fn: () => Promise<T> | T): Promise<T> {
    return new Promise((resolve, reject) => {
      this.steps.push(async () => {
        try {
          resolve(await fn());
        } catch (e) {
          reject(e);
        }
      });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.steps.length > 0 || this.pendingTx.length > 0) {
        const step = this.steps.shift();
        if (step) {
          await step();
          continue;
        }
        await this.commitBatch(this.pendingTx.splice(0, MAX_BATCH));
      }
    } finally {
      this.running = false;
    }
  }

  private async commitBatch(batch: PendingTx[]): Promise<void> {
    if (!this.store || this.status !== 'online') {
      for (const p of batch) p.reject(offline(this.name));
      return;
    }
    const store = this.store;
    const accepted: Array<{ p: PendingTx; ids: Record<string, number> }> = [];
    const records: TxRecord[] = [];
    const before = { ...store.meta };
    store.begin();
    let prev: TxRecordInfo = { txId: store.meta.lastTxId, checksum: store.meta.lastTxChecksum, commitTime: store.meta.lastCommitTime, prevChecksum: 0 };
    const now = Math.max(Date.now(), store.meta.lastCommitTime);
    for (const p of batch) {
      const saved = { ...store.meta };
      try {
        // The record holds the operations and the before-images of what they deleted or changed (record.ts),
        // encoded inside the savepoint: a record too large to be read back is refused with its changes undone.
        const { payload, ids } = store.inSavepoint(() => {
          const r = store.applyClientOps(p.ops);
          const encoded = encodeTx(r.resolved, r.before);
          if (encoded.length > MAX_RECORD_PAYLOAD) {
            throw new TxlineError('TX_INVALID', `the transaction's record would be ${encoded.length} bytes (with the before-images of what it deletes or changes), above the limit of ${MAX_RECORD_PAYLOAD}; split it`);
          }
          return { payload: encoded, ids: r.ids };
        });
        const rec = encodeRecord(prev.txId + 1, now, prev.checksum, payload);
        records.push(rec);
        prev = rec;
        accepted.push({ p, ids });
      } catch (e) {
        store.meta = saved;
        p.reject(e instanceof TxlineError ? e : new TxlineError('TX_INVALID', describeError(e), { cause: e }));
      }
    }
    if (records.length === 0) {
      store.rollback();
      return;
    }
    try {
      await this.persist(records, before);
    } catch (e) {
      const err = new TxlineError('IO_ERROR', `could not commit to ${this.name}: ${describeError(e)}`, { cause: e });
      for (const a of accepted) a.p.reject(err);
      return;
    }
    const first = records[0].txId;
    accepted.forEach((a, i) => a.p.resolve({ txId: first + i, ids: a.ids }));
  }

  /** Log, sync, record and COMMIT the open SQLite transaction holding `records`' changes. */
  private async persist(records: TxRecord[], before: StoreMeta): Promise<void> {
    const store = this.store as GraphStore;
    const lastBefore: TxRecordInfo = { txId: before.lastTxId, checksum: before.lastTxChecksum, commitTime: before.lastCommitTime, prevChecksum: 0 };
    let pos: { segmentIndex: number; size: number } | null = null;
    try {
      pos = this.txlog.append(records);
      await this.txlog.sync();
      const last = records[records.length - 1];
      store.writeMeta({ lastTxId: last.txId, lastTxChecksum: last.checksum, lastCommitTime: last.commitTime });
      store.commit();
    } catch (e) {
      store.rollback();
      store.meta = before;
      if (pos) this.txlog.truncateTo(pos, lastBefore);
      throw e;
    }
    this.committedTotal += records.length;
    this.txlog.markCommitted();
    this.wake();
    this.maybeCheckpoint();
  }

  /** Applies records pulled from the writer (a follower), after checking they continue this store. */
  applyReplicated(records: TxRecord[]): Promise<void> {
    return this.step(async () => {
      const store = this.s;
      if (records.length === 0) return;
      const first = records[0];
      if (first.txId !== store.meta.lastTxId + 1 || first.prevChecksum !== store.meta.lastTxChecksum) {
        throw new TxlineError(
          'STORE_MISMATCH',
          `transaction ${first.txId} does not continue ${this.name} at ${store.meta.lastTxId} (checksum chain differs)`,
        );
      }
      const before = { ...store.meta };
      store.begin({ deferNodeRows: true });
      try {
        for (const r of records) store.applyResolved(decodeOps(r), r.txId);
        // (the rows held back fail here if they cannot be written, before the records are logged: a record in
        // the log that cannot be applied would stop the next recovery)
        store.writePending();
      } catch (e) {
        store.rollback();
        store.meta = before;
        throw e;
      }
      await this.persist(records, before);
    });
  }

  private maybeCheckpoint(): void {
    if (this.snapshotHolders > 0 || !this.store) return;
    let walSize = 0;
    try {
      walSize = fs.statSync(`${this.storeFile}-wal`).size;
    } catch {
      return; // no WAL yet
    }
    if (walSize > CHECKPOINT_WAL_BYTES) this.store.checkpoint('TRUNCATE');
  }

  /** Wakes long-polling readers. */
  private wake(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  /** Resolves when a transaction above `txId` is committed, or after `ms`. */
  waitBeyond(txId: number, ms: number): Promise<void> {
    if (this.lastCommittedTxn > txId || ms <= 0 || this.status !== 'online') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  // ---- reads ----------------------------------------------------------------------------------------

  private get r(): BetterSqlite3.Database {
    if (!this.reader || this.status !== 'online') throw offline(this.name);
    return this.reader;
  }

  /**
   * The content digest. By default the one the writer keeps (no row is read); `scratch`: computed from every
   * row, `ordered`: with format 2's ordered hash as well (both for drills), read on a worker thread for stores
   * above DIGEST_ON_WORKER_BYTES.
   */
  async digest(opts: { scratch?: boolean; ordered?: boolean } = {}): Promise<Digest> {
    const reader = this.r;
    if (!opts.scratch && !opts.ordered) {
      const kept = keptDigest(reader);
      if (kept) return kept;
    }
    let bytes = 0;
    for (const f of [this.storeFile, `${this.storeFile}-wal`]) {
      try {
        bytes += fs.statSync(f).size;
      } catch {
        // no WAL file: nothing to add
      }
    }
    return bytes < DIGEST_ON_WORKER_BYTES ? computeDigest(reader, opts) : digestOnWorker(this.storeFile, opts);
  }

  nodes(opts: { label?: string; limit: number; afterId?: number }): NodeRow[] {
    return findNodes(this.r, opts);
  }

  /** Committed records from `fromTx`, as byte ranges of the log; TX_PRUNED below the log's window. */
  logRanges(fromTx: number): { ranges: LogRange[]; lastTxId: number } {
    this.onlineStore(); // throws when offline
    const opened = this.txlog.openRanges(fromTx);
    if (!opened) {
      throw new TxlineError('TX_PRUNED', `transactions from ${fromTx} of ${this.name} are no longer in the log`, {
        details: { lowestAvailableTxn: this.lowestAvailableTxn() },
      });
    }
    return opened;
  }

  /**
   * A consistent snapshot: checkpoints fully, then holds checkpoints off while the caller streams the main
   * file. Writes go on meanwhile (they land in the WAL).
   */
  snapshot(): Promise<Snapshot> {
    return this.step(async () => {
      const store = this.s;
      // While another snapshot streams, the main file must not change: share its state.
      if (this.snapshotHolders === 0 || !this.heldMeta) {
        for (let attempt = 0; !store.checkpoint('TRUNCATE'); attempt++) {
          if (attempt > 50) throw new TxlineError('INTERNAL', `could not checkpoint ${this.name}: readers keep it busy`);
          await new Promise((r) => setTimeout(r, 20));
        }
        this.heldMeta = { ...store.meta };
        this.heldDigest = keptDigest(store.db);
      }
      const meta = this.heldMeta;
      const digest = this.heldDigest;
      this.snapshotHolders++;
      let released = false;
      const gen = this.snapshotGen;
      return {
        file: this.storeFile,
        size: fs.statSync(this.storeFile).size,
        meta,
        digest,
        valid: () => gen === this.snapshotGen,
        release: () => {
          if (released) return;
          released = true;
          if (gen === this.snapshotGen) this.snapshotHolders--;
        },
      };
    });
  }

  /**
   * Replaces the store with `file` (a complete store of this database, already on this filesystem). The
   * log restarts after the new store's last transaction. `storeId` gives the store a new history.
   */
  install(file: string, opts: { storeId?: string; databaseId?: string; replication?: boolean }): Promise<StoreMeta> {
    return this.step(async () => {
      // a store copy of replication's does not bring back a database stopped by an administrator (a restore
      // stops it before it installs its own store)
      if (opts.replication && this.stoppedByAdmin) throw new TxlineError('DATABASE_OFFLINE', `database "${this.name}" was stopped; the store copy is not installed`);
      this.stoppedByAdmin = false;
      const incoming = GraphStore.open(file);
      let meta: StoreMeta;
      try {
        incoming.writeMeta({
          databaseName: this.name,
          ...(opts.storeId ? { storeId: opts.storeId } : {}),
          ...(opts.databaseId ? { databaseId: opts.databaseId } : {}),
        });
        if (!incoming.checkpoint('TRUNCATE')) throw new TxlineError('INTERNAL', 'could not checkpoint the incoming store');
        meta = { ...incoming.meta };
      } finally {
        incoming.close();
      }
      const fd = fs.openSync(file, 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      this.close();
      fs.mkdirSync(this.dir, { recursive: true });
      for (const ext of ['-wal', '-shm']) fs.rmSync(this.storeFile + ext, { force: true });
      fs.renameSync(file, this.storeFile);
      fsyncDir(this.dir);
      // Segments of the old store carry the old store ID and are dropped by the next open(); drop them now.
      this.txlog.reset(meta.storeId, { txId: meta.lastTxId, checksum: meta.lastTxChecksum });
      this.open();
      this.opts.log(`[${this.name}] installed a store at transaction ${meta.lastTxId}, store ID ${meta.storeId}`);
      return meta;
    });
  }

  /**
   * Puts a staged store (lib/cluster/staging.ts: received whole, synced, checked) into place as it is: no byte
   * of it changes before the rename, so the digest of what was received is the digest of what is installed.
   * The rename is the switch: a crash before it leaves the old store, after it the new one. The log restarts
   * after the new store's last transaction.
   */
  installStaged(file: string, meta: StoreMeta): Promise<StoreMeta> {
    return this.step(async () => {
      this.close();
      const created = !fs.existsSync(this.dir);
      fs.mkdirSync(this.dir, { recursive: true });
      if (created) fsyncDir(this.rootDir);
      for (const ext of ['-wal', '-shm']) fs.rmSync(this.storeFile + ext, { force: true });
      // The old store keeps a second name through the rename and is removed in the background once the new one
      // is open: freeing a big file's cached pages takes a while (about 0.3 s per GiB here), and the restore
      // waits for every member's answer. A member killed meanwhile drops it at its next start.
      let replaced: string | null = null;
      if (fs.existsSync(this.storeFile)) {
        try {
          replaced = replacedName(this.rootDir, this.name);
          fs.linkSync(this.storeFile, replaced);
        } catch (e) {
          // a filesystem without hard links: the rename frees the old store itself
          this.opts.log(`[${this.name}] the replaced store is freed as the new one is renamed into place (no second name: ${describeError(e)})`);
          replaced = null;
        }
      }
      fs.renameSync(file, this.storeFile);
      fsyncDir(this.dir);
      this.txlog.reset(meta.storeId, { txId: meta.lastTxId, checksum: meta.lastTxChecksum });
      this.stoppedByAdmin = false;
      this.open();
      if (replaced) {
        const old = replaced;
        fs.promises.rm(old, { force: true }).catch((e: unknown) => this.opts.log(`[${this.name}] could not remove the replaced store ${old}: ${describeError(e)}`));
      }
      this.opts.log(`[${this.name}] installed a staged store at transaction ${meta.lastTxId}, store ID ${meta.storeId}`);
      return { ...meta };
    });
  }

  /** Stops the database: closes files, rejects new transactions. */
  stop(): Promise<void> {
    return this.step(() => {
      this.stoppedByAdmin = true;
      this.close();
    });
  }

  start(): Promise<void> {
    return this.step(() => {
      this.stoppedByAdmin = false;
      this.open();
    });
  }

  /** Removes the database's files (after `stop`). */
  drop(): Promise<void> {
    return this.step(() => {
      this.close();
      fs.rmSync(this.dir, { recursive: true, force: true });
    });
  }

  /** Creates a fresh store file with a given identity, for `install`: used to make new, empty databases. */
  static createEmptyStoreFile(file: string, init: { databaseName: string; databaseId?: string; storeId?: string }): StoreMeta {
    const s = GraphStore.open(file, init);
    s.checkpoint('TRUNCATE');
    const meta = { ...s.meta };
    s.close();
    return meta;
  }

  static newStoreId(): string {
    return randomUUID();
  }
}

function offline(name: string): TxlineError {
  return new TxlineError('DATABASE_OFFLINE', `database "${name}" is offline`);
}

export type { ResolvedOp };
