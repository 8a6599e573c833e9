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
 * - A restore process on this member's host may write the incoming file itself instead of uploading it
 *   (reserve(), then complete()): the member creates the file, and checks when it is complete that it is still
 *   that file, of the announced size, that it reads back with the checksum the writer computed (XXH3:
 *   lib/readback.ts), and that it is a store with the announced identity; then it is synced and staged like an
 *   upload.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TxlineError, describeError } from '../errors';
import { positionalChunks, positionalWriter } from '../fs';
import { GraphStore, readMeta, type StoreMeta } from '../graph/store';
import { ReadBackHash, readBackProblem } from '../readback';

export const STAGE_TTL_MS = 10 * 60_000;
const INCOMING_PREFIX = '.incoming-';
/** how often the receiving file is handed to the disk in the background, so the final sync has little left */
const SYNC_EVERY = 64 * 1024 * 1024;

export interface StagedStore {
  id: string;
  name: string;
  file: string;
  meta: StoreMeta;
  /** of the bytes received over HTTP; null for a store written here by a restore on this host (see xxh3) */
  sha256: string | null;
  /** of the bytes a restore on this host wrote (reserve/complete), read back here (lib/readback.ts); null for an upload */
  xxh3: string | null;
  bytes: number;
}

/** An incoming file a restore process on this host writes itself (reserve(), then complete()). */
export interface ReservedStore {
  id: string;
  file: string;
  /** the file's device and inode numbers as decimal strings: the writer proves it opened this file */
  dev: string;
  ino: string;
  /** hex of the 16 random bytes the file holds until it is written */
  nonce: string;
  ttlMs: number;
  /** how complete() checks the copy it reads back (lib/readback.ts); a restore that checks otherwise uploads */
  readBack: 'xxh3';
}

export class StagedStores {
  private readonly byId = new Map<string, StagedStore & { timer: NodeJS.Timeout }>();
  private readonly reserved = new Map<string, { name: string; file: string; dev: bigint; ino: bigint; expect: { storeId: string; databaseId: string; bytes?: number }; timer: NodeJS.Timeout }>();
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
      const out = positionalWriter(fd);
      try {
        await pipeline(body, hashing, out);
      } finally {
        await out.settled(); // the descriptor closes after the last write
      }
      if (expect.bytes !== undefined && bytes !== expect.bytes) {
        throw new TxlineError('BAD_REQUEST', `store upload is incomplete: ${bytes} of ${expect.bytes} bytes`);
      }
      await Promise.allSettled(syncs);
      fs.fsyncSync(fd);
      await close();
      const meta = checkIncoming(file, name, expect);
      return this.stage({ id: randomBytes(12).toString('hex'), name, file, meta, sha256: hash.digest('hex'), xxh3: null, bytes });
    } catch (e) {
      if (!closed) await close();
      removeIncoming(file);
      throw e;
    } finally {
      this.doneReceiving(name);
    }
  }

  /**
   * Creates an empty incoming file for `name` that a restore process on this member's host writes itself
   * (faster than an upload: no HTTP, no second copy; the restore may even rebuild the store in it), of
   * `expect.bytes` when it is known; complete() then checks and stages it. A reservation alone does not
   * hold replication off the database (a restore reserves before it rebuilds, which can take long, and it
   * stops the database before it completes): completing one counts as a reception under way.
   */
  reserve(dir: string, name: string, expect: { storeId: string; databaseId: string; bytes?: number }): ReservedStore {
    // (a copy this member could not check: the restore uploads the store instead)
    const cannot = readBackProblem();
    if (cannot) throw new TxlineError('BAD_REQUEST', `this member cannot check a copy written on its host: ${cannot}`);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${INCOMING_PREFIX}${name}-${randomBytes(6).toString('hex')}.sqlite`);
    // It holds a random nonce until the restore writes it: the writer proves it opened this very file by reading
    // it back (its device and inode anyone could learn), and a file that is not a fresh reservation never has it.
    const nonce = randomBytes(16);
    const fd = fs.openSync(file, 'wx', 0o600);
    let st: fs.BigIntStats;
    try {
      fs.writeSync(fd, nonce, 0, nonce.length, 0);
      st = fs.fstatSync(fd, { bigint: true });
    } finally {
      fs.closeSync(fd);
    }
    const id = randomBytes(12).toString('hex');
    const timer = setTimeout(() => this.unreserve(id), STAGE_TTL_MS);
    timer.unref();
    this.reserved.set(id, { name, file, dev: st.dev, ino: st.ino, expect, timer });
    return { id, file, dev: String(st.dev), ino: String(st.ino), nonce: nonce.toString('hex'), ttlMs: STAGE_TTL_MS, readBack: 'xxh3' };
  }

  /** Extends a reservation by STAGE_TTL_MS (a long rebuild in it); NOT_FOUND when it is gone. */
  renew(name: string, id: string): void {
    this.reservation(name, id).timer.refresh();
  }

  /**
   * The restore process wrote the reserved file: it must still be the file reserved (same device and inode,
   * not a symlink), hold exactly the announced bytes with the checksum the writer computed of what it wrote
   * (XXH3, lib/readback.ts; when it gives one: else the checksum read back is only answered, for the writer to
   * compare), and be a store with the announced identity; it is synced and staged. Else it is removed and
   * BAD_REQUEST says why.
   */
  async complete(name: string, id: string, claim: { bytes: number; xxh3: string | null }): Promise<StagedStore> {
    const r = this.reservation(name, id);
    clearTimeout(r.timer);
    this.reserved.delete(id);
    this.receiving.set(name, (this.receiving.get(name) ?? 0) + 1);
    try {
      let fd: number;
      try {
        fd = fs.openSync(r.file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
      } catch (e) {
        throw new TxlineError('BAD_REQUEST', `the incoming store for ${name} cannot be opened as the file reserved (replaced after it was reserved?): ${describeError(e)}`, { cause: e });
      }
      const readBack = new ReadBackHash();
      let bytes = 0;
      // settles with the sync's error, never rejects: the sync may fail while the file is still being read
      let synced: Promise<Error | null> | null = null;
      try {
        const st = fs.fstatSync(fd, { bigint: true });
        if (st.dev !== r.dev || st.ino !== r.ino) throw new TxlineError('BAD_REQUEST', `the incoming store for ${name} was replaced after it was reserved`);
        if (Number(st.size) !== claim.bytes || (r.expect.bytes !== undefined && claim.bytes !== r.expect.bytes)) {
          throw new TxlineError('BAD_REQUEST', `the incoming store for ${name} holds ${st.size} bytes; ${claim.bytes} were claimed${r.expect.bytes === undefined ? '' : ` and ${r.expect.bytes} announced`}`);
        }
        // the disk takes the file while it is read back, not after (the writer is done with it)
        synced = new Promise<Error | null>((resolve) => fs.fsync(fd, (e) => resolve(e)));
        for await (const chunk of positionalChunks(fd, 0, claim.bytes, 4 * 1024 * 1024, { reuse: true })) {
          readBack.update(chunk);
          bytes += chunk.length;
        }
        const failed = await synced;
        if (failed) throw failed;
      } finally {
        await synced; // the descriptor closes after its sync
        fs.closeSync(fd);
      }
      const xxh3 = readBack.hex();
      if (bytes !== claim.bytes || (claim.xxh3 !== null && xxh3 !== claim.xxh3)) {
        throw new TxlineError('BAD_REQUEST', `the incoming store for ${name} reads back as ${bytes} bytes with XXH3 ${xxh3}, not the ${claim.bytes} bytes${claim.xxh3 === null ? '' : ` with XXH3 ${claim.xxh3}`} written`);
      }
      const meta = checkIncoming(r.file, name, r.expect);
      return this.stage({ id, name, file: r.file, meta, sha256: null, xxh3, bytes });
    } catch (e) {
      removeIncoming(r.file);
      throw e;
    } finally {
      this.doneReceiving(name);
    }
  }

  /** Removes a reserved incoming file (the restore gave up, or it expired); true when there was one. */
  unreserve(id: string): boolean {
    const r = this.reserved.get(id);
    if (!r) return false;
    clearTimeout(r.timer);
    this.reserved.delete(id);
    removeIncoming(r.file);
    return true;
  }

  /** The reservation `id` of `name`; NOT_FOUND when there is none. */
  private reservation(name: string, id: string) {
    const r = this.reserved.get(id);
    if (!r || r.name !== name) throw new TxlineError('NOT_FOUND', `no reserved incoming store ${id} for ${name} (it expired after ${STAGE_TTL_MS / 60_000} minutes without renewal, or was completed or discarded)`);
    return r;
  }

  /** Keeps a checked store staged until it is installed, discarded or expires. */
  private stage(staged: StagedStore): StagedStore {
    const timer = setTimeout(() => this.discard(staged.id), STAGE_TTL_MS);
    timer.unref();
    this.byId.set(staged.id, { ...staged, timer });
    return staged;
  }

  private doneReceiving(name: string): void {
    const n = (this.receiving.get(name) ?? 1) - 1;
    if (n > 0) this.receiving.set(name, n);
    else this.receiving.delete(name);
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

  /** Removes every staged and reserved store (the member stops). */
  clear(): void {
    for (const id of [...this.byId.keys()]) this.discard(id);
    for (const id of [...this.reserved.keys()]) this.unreserve(id);
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

/**
 * A second name in `dir` for a store file about to be replaced (GraphDatabase.installStaged): hidden like an
 * incoming file, so a member killed before it is removed drops it at its next start (removeStaleIncoming).
 */
export function replacedName(dir: string, name: string): string {
  return path.join(dir, `${INCOMING_PREFIX}${name}-replaced-${randomBytes(6).toString('hex')}.sqlite`);
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
