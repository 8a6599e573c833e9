/**
 * Staged stores: the receiving half of a restore's install (the sending half is in
 * lib/sources/txline/install.ts). A restore streams the rebuilt store to every member at once; each member
 * stages it here and installs it only when told to.
 *
 * Invariants:
 * - A store is received into a hidden `.incoming-<db>-<random>.sqlite` beside the databases, hashed (SHA-256)
 *   as the bytes arrive, synced, and checked (it opens as a store in WAL mode with the identity the restore
 *   announced) before it is staged. The database being restored keeps its old store meanwhile: a member killed
 *   at any moment before the install holds its old store, and its next start removes what it was receiving.
 * - Installing a staged store is a rename of exactly the bytes that were hashed (GraphDatabase.installStaged
 *   changes none of them first), so the digest a member reports is the digest of the store it serves.
 * - A staged store that is not installed within STAGE_TTL_MS (the restore died) is removed; while a name has a
 *   staged store, replication neither seeds, copies nor drops that database (the restore is in charge of it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TxlineError, describeError } from '../errors';
import { GraphStore, readMeta, type StoreMeta } from '../graph/store';

export const STAGE_TTL_MS = 10 * 60_000;
const INCOMING_PREFIX = '.incoming-';
/** how often the receiving file is handed to the disk in the background, so the final sync has little left */
const SYNC_EVERY = 64 * 1024 * 1024;

export interface StagedStore {
  id: string;
  name: string;
  file: string;
  meta: StoreMeta;
  sha256: string;
  bytes: number;
}

export class StagedStores {
  private readonly byId = new Map<string, StagedStore & { timer: NodeJS.Timeout }>();
  /** receptions under way, per database name */
  private readonly receiving = new Map<string, number>();

  /** Whether a restore is installing `name` here (receiving or staged). */
  has(name: string): boolean {
    return (this.receiving.get(name) ?? 0) > 0 || [...this.byId.values()].some((s) => s.name === name);
  }

  /**
   * Receives a store for `name` from `body` into `dir` and stages it. `expect`: the identity and size the
   * sender announced; the store must carry exactly that identity.
   */
  async receive(dir: string, name: string, body: NodeJS.ReadableStream, expect: { storeId: string; databaseId: string; bytes?: number }): Promise<StagedStore> {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${INCOMING_PREFIX}${name}-${randomBytes(6).toString('hex')}.sqlite`);
    this.receiving.set(name, (this.receiving.get(name) ?? 0) + 1);
    const fd = fs.openSync(file, 'wx');
    let closed = false;
    /** background syncs in flight: the descriptor closes only after them (its number could be reused) */
    const syncs: Array<Promise<void>> = [];
    const close = async () => {
      await Promise.allSettled(syncs);
      fs.closeSync(fd);
      closed = true;
    };
    try {
      const hash = createHash('sha256');
      let bytes = 0;
      let sinceSync = 0;
      const hashing = new Transform({
        highWaterMark: 1024 * 1024,
        transform(chunk: Buffer, _e, cb) {
          hash.update(chunk);
          bytes += chunk.length;
          sinceSync += chunk.length;
          if (sinceSync >= SYNC_EVERY) {
            // start the writeback of what is written so far (harmless if it fails: the final fsync reports it)
            sinceSync = 0;
            syncs.push(new Promise((resolve) => fs.fdatasync(fd, () => resolve())));
          }
          cb(null, chunk);
        },
      });
      await pipeline(body, hashing, fs.createWriteStream('', { fd, autoClose: false, highWaterMark: 1024 * 1024 }));
      if (expect.bytes !== undefined && bytes !== expect.bytes) {
        throw new TxlineError('BAD_REQUEST', `store upload is incomplete: ${bytes} of ${expect.bytes} bytes`);
      }
      await Promise.allSettled(syncs);
      fs.fsyncSync(fd);
      await close();
      const meta = checkIncoming(file, name, expect);
      const id = randomBytes(12).toString('hex');
      const staged: StagedStore = { id, name, file, meta, sha256: hash.digest('hex'), bytes };
      const timer = setTimeout(() => this.discard(id), STAGE_TTL_MS);
      timer.unref();
      this.byId.set(id, { ...staged, timer });
      return staged;
    } catch (e) {
      if (!closed) await close();
      removeIncoming(file);
      throw e;
    } finally {
      const n = (this.receiving.get(name) ?? 1) - 1;
      if (n > 0) this.receiving.set(name, n);
      else this.receiving.delete(name);
    }
  }

  /** Takes the staged store `id` of `name` out of staging (to install it); NOT_FOUND when there is none. */
  take(name: string, id: string): StagedStore {
    const s = this.byId.get(id);
    if (!s || s.name !== name) throw new TxlineError('NOT_FOUND', `no staged store ${id} for ${name} (it expired after ${STAGE_TTL_MS / 60_000} minutes, or was installed or discarded)`);
    clearTimeout(s.timer);
    this.byId.delete(id);
    const { timer: _t, ...rest } = s;
    return rest;
  }

  /** Removes a staged store (the restore gave up); true when there was one. */
  discard(id: string): boolean {
    const s = this.byId.get(id);
    if (!s) return false;
    clearTimeout(s.timer);
    this.byId.delete(id);
    removeIncoming(s.file);
    return true;
  }

  /** Removes every staged store (the member stops). */
  clear(): void {
    for (const id of [...this.byId.keys()]) this.discard(id);
  }
}

/**
 * The received file must be a store in WAL mode (so that opening it changes no byte of the main file) of
 * `name` with the announced identity. Read-only: nothing of it changes.
 */
function checkIncoming(file: string, name: string, expect: { storeId: string; databaseId: string }): StoreMeta {
  const head = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 100, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.toString('latin1', 0, 16) !== 'SQLite format 3\u0000') throw new TxlineError('BAD_REQUEST', `the uploaded store for ${name} is not an SQLite file`);
  if (head[18] !== 2 || head[19] !== 2) throw new TxlineError('BAD_REQUEST', `the uploaded store for ${name} is not in WAL mode (it would change as it is opened)`);
  let meta: StoreMeta;
  try {
    const db = GraphStore.openReader(file);
    try {
      meta = readMeta(db);
    } finally {
      db.close();
    }
  } catch (e) {
    throw new TxlineError('BAD_REQUEST', `cannot open the uploaded store for ${name}: ${describeError(e)}`, { cause: e });
  } finally {
    for (const ext of ['-wal', '-shm']) fs.rmSync(file + ext, { force: true });
  }
  const want: Partial<StoreMeta> = { databaseName: name, storeId: expect.storeId, databaseId: expect.databaseId };
  for (const [k, v] of Object.entries(want) as Array<[keyof StoreMeta, unknown]>) {
    if (meta[k] !== v) throw new TxlineError('BAD_REQUEST', `the uploaded store for ${name} has ${k} ${String(meta[k])}, not the announced ${String(v)}`);
  }
  if (!Number.isSafeInteger(meta.lastTxId) || meta.lastTxId < 0) throw new TxlineError('BAD_REQUEST', `the uploaded store for ${name} has no valid last transaction`);
  return meta;
}

function removeIncoming(file: string): void {
  for (const ext of ['', '-wal', '-shm']) fs.rmSync(file + ext, { force: true });
}

/** Removes what an interrupted reception or an uninstalled staged store left in `dir` (at member start). */
export function removeStaleIncoming(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed = names.filter((n) => n.startsWith(INCOMING_PREFIX));
  for (const n of removed) fs.rmSync(path.join(dir, n), { force: true });
  return removed;
}
