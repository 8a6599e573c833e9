/**
 * Store leases: a backup process on this member's own host copies the store file itself instead of receiving
 * it over HTTP (`POST /db/{name}/store-lease`). The lease is a snapshot (database.ts: checkpointed, then
 * checkpoints held off, so the main file does not change while writes go on into the WAL) that the client keeps
 * by renewing it (`PUT …/store-lease/{id}`) and gives back (`DELETE …/store-lease/{id}`).
 *
 * A client that stops renewing (killed, hung) loses the lease after `ttlMs`: the snapshot is released and
 * checkpoints resume, so a dead backup cannot make the WAL grow without end. A lease also ends when its
 * database is stopped, replaced or dropped (closing the store checkpoints into the file). A lost lease answers its renewal
 * and its release with NOT_FOUND, and the client then throws its copy away: the file may have changed under it.
 *
 * What the lease answers lets the client prove it opened the same file the member holds, not one of the same
 * name on another host (a member behind a port forward) or swapped in later: the file's device and inode,
 * its size, and the SHA-256 of its first bytes (the SQLite header and the schema page).
 */
import fs from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { TxlineError } from '../errors';
import type { GraphDatabase } from './database';

/** How long a lease lives without a renewal. The client renews every third of it. */
export const STORE_LEASE_TTL_MS = 30_000;
/** Bytes of the file's head whose SHA-256 identifies it. */
export const STORE_LEASE_HEAD_BYTES = 64 * 1024;
/** Leases held at once per member: each holds checkpoints off. */
const MAX_LEASES = 8;

export interface StoreLeaseAnswer {
  lease: string;
  file: string;
  /** the file's device and inode numbers, as decimal strings (they can exceed 2^53) */
  dev: string;
  ino: string;
  size: number;
  headSha256: string;
  ttlMs: number;
  databaseId: string;
  storeId: string;
  tx: number;
  txChecksum: number;
  commitTime: number;
  nodes: number;
  relationships: number;
  /** the content sum the writer kept at `tx` (lib/graph/content-sum.ts), null when the store keeps none */
  contentSum: string | null;
}

interface Held {
  database: string;
  valid: () => boolean;
  release: () => void;
  timer: NodeJS.Timeout;
}

export class StoreLeases {
  private readonly held = new Map<string, Held>();
  private opening = 0;

  constructor(private readonly ttlMs = STORE_LEASE_TTL_MS) {}

  get size(): number {
    return this.held.size;
  }

  async open(db: GraphDatabase): Promise<StoreLeaseAnswer> {
    if (this.held.size + this.opening >= MAX_LEASES) {
      throw new TxlineError('BACKUP_IN_PROGRESS', `${MAX_LEASES} store leases are held or being taken on this member already (the backup process reads the store over HTTP instead)`);
    }
    this.opening++; // counted before the snapshot is awaited, so that requests at once cannot pass the cap
    let snap;
    try {
      snap = await db.snapshot();
    } finally {
      this.opening--;
    }
    try {
      const st = fs.statSync(snap.file, { bigint: true });
      const head = headOf(snap.file, Math.min(Number(st.size), STORE_LEASE_HEAD_BYTES));
      const id = randomBytes(16).toString('hex');
      const timer = setTimeout(() => this.drop(id), this.ttlMs);
      timer.unref();
      this.held.set(id, { database: db.name, valid: snap.valid, release: snap.release, timer });
      return {
        lease: id,
        file: snap.file,
        dev: String(st.dev),
        ino: String(st.ino),
        size: snap.size,
        headSha256: createHash('sha256').update(head).digest('hex'),
        ttlMs: this.ttlMs,
        databaseId: snap.meta.databaseId,
        storeId: snap.meta.storeId,
        tx: snap.meta.lastTxId,
        txChecksum: snap.meta.lastTxChecksum,
        commitTime: snap.meta.lastCommitTime,
        nodes: snap.meta.nodeCount,
        relationships: snap.meta.relCount,
        contentSum: snap.digest && snap.digest.lastCommittedTxn === snap.meta.lastTxId ? snap.digest.contentHash : null,
      };
    } catch (e) {
      snap.release();
      throw e;
    }
  }

  /** Extends a lease by ttlMs from now; NOT_FOUND when it is gone (expired, released, another database's). */
  renew(database: string, id: string): void {
    const h = this.find(database, id);
    h.timer.refresh();
  }

  /** Gives a lease back; NOT_FOUND when it had already expired (the holder's copy is then not to be trusted). */
  release(database: string, id: string): void {
    this.find(database, id);
    this.drop(id);
  }

  clear(): void {
    for (const id of [...this.held.keys()]) this.drop(id);
  }

  private find(database: string, id: string): Held {
    const h = this.held.get(id);
    if (!h || h.database !== database) {
      throw new TxlineError('NOT_FOUND', `no store lease ${id.slice(0, 12)}… on ${database}: it expired (not renewed within ${this.ttlMs / 1000} s) or was given back`);
    }
    if (!h.valid()) {
      this.drop(id);
      throw new TxlineError('NOT_FOUND', `the store lease ${id.slice(0, 12)}… on ${database} is over: the database was stopped, replaced or dropped while it was leased, and closing it changed the file`);
    }
    return h;
  }

  private drop(id: string): void {
    const h = this.held.get(id);
    if (!h) return;
    this.held.delete(id);
    clearTimeout(h.timer);
    h.release();
  }
}

function headOf(file: string, n: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    return readHead(fd, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** The first `n` bytes of the open file `fd` (fewer if it is shorter): what a lease's `headSha256` hashes. */
export function readHead(fd: number, n: number): Buffer {
  const buf = Buffer.alloc(n);
  let got = 0;
  while (got < n) {
    const k = fs.readSync(fd, buf, got, n - got, got);
    if (k === 0) break;
    got += k;
  }
  return buf.subarray(0, got);
}
