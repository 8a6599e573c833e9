/**
 * A full backup from a member on this host copies the store file itself: the member leases it a snapshot
 * (lib/cluster/store-lease.ts) and the backup reads the file from disk, as `cp` would, instead of receiving it
 * over loopback HTTP (which cost two processes, four memory copies and the HTTP parsing of every byte: about
 * 3.8x the time of cp + sync for 1 GiB, against about 1x for the copy).
 *
 * Only for members at a loopback address, and only once the file opened here is proved to be the one the
 * member holds: its device and inode, size, and the SHA-256 of its head must match the lease. A member behind
 * a port forward (another host, a container) fails that and is read over HTTP as before; so does a member
 * without the lease route. TXLINE_LOCAL_STORE_COPY=off (or the source's `localCopy: false`) turns it off.
 *
 * The lease is renewed while the copy runs; if it was lost (not renewed in time: the member may have
 * checkpointed into the file meanwhile), finish() throws and the copy is not used.
 */
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import '../../zod-mini';
import { TxlineError, describeError } from '../../errors';
import { requestJson } from '../../cluster/client';
import { isLoopbackHost, splitAddress } from '../../net/address';
import { STORE_LEASE_HEAD_BYTES, readHead } from '../../cluster/store-lease';
import type { SourceMember } from '../../engine/source';

const leaseSchema = z.object({
  lease: z.string().check(z.regex(/^[0-9a-f]{32}$/)),
  file: z.string().check(z.minLength(1), z.maxLength(4096)),
  dev: z.string().check(z.regex(/^\d{1,20}$/)),
  ino: z.string().check(z.regex(/^\d{1,20}$/)),
  size: z.int().check(z.nonnegative()),
  headSha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  ttlMs: z.int().check(z.gte(1000), z.lte(3_600_000)),
  databaseId: z.string(),
  storeId: z.string(),
  tx: z.int().check(z.nonnegative()),
  txChecksum: z.int(),
  commitTime: z.number(),
  nodes: z.int().check(z.nonnegative()),
  relationships: z.int().check(z.nonnegative()),
  contentSum: z.optional(z.nullable(z.string().check(z.regex(/^[0-9a-f]{64}$/)))),
});

export type StoreLease = z.infer<typeof leaseSchema>;

/** A leased store file opened here: copy from `fd` (`size` bytes), then finish() or abandon(). */
export interface LocalStore {
  lease: StoreLease;
  fd: number;
  /** Gives the lease back; throws if it was lost meanwhile (the bytes read may not be the snapshot's). */
  finish(): Promise<void>;
  /** Closes the file and gives the lease back, not waiting (a failed copy). */
  abandon(): void;
}

/** Whether a full backup from `member` may try the local copy: a member at a loopback address. */
export function localCopyAllowed(member: SourceMember): boolean {
  try {
    return isLoopbackHost(splitAddress(member.address)[0]);
  } catch {
    return false;
  }
}

/**
 * Leases the store of `db` from `member` and opens it here; null (with the reason in `why`) when the member
 * gives no lease (an older one has no such route) or the file is not the one it holds.
 */
export async function openLocalStore(db: string, member: SourceMember, why: (reason: string) => void): Promise<LocalStore | null> {
  const base = `/db/${encodeURIComponent(db)}/store-lease`;
  let lease: StoreLease;
  try {
    const answer = await requestJson<unknown>(member.address, base, { method: 'POST', timeoutMs: 60_000 });
    const parsed = leaseSchema.safeParse(answer);
    if (!parsed.success) {
      why(`${member.id} answered the store lease with something else: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return null;
    }
    lease = parsed.data;
  } catch (e) {
    // a member from before leases has no such route, one may hold all the leases it gives: whatever the
    // reason, the store comes over HTTP (which says plainly what is wrong with a member that cannot send it)
    why(`${member.id} did not lease its store: ${describeError(e)}`);
    return null;
  }
  const leasePath = `${base}/${lease.lease}`;
  const giveBack = () => requestJson(member.address, leasePath, { method: 'DELETE', timeoutMs: 10_000 });
  let fd: number | null = null;
  try {
    // not following a symlink, and not waiting on a FIFO named instead of a file (isFile is checked next)
    fd = fs.openSync(lease.file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    const mismatch = identityMismatch(fd, lease);
    if (mismatch) {
      why(`the file ${lease.file} here is not the store ${member.id} holds (${mismatch})`);
      fs.closeSync(fd);
      await giveBack().catch(() => undefined);
      return null;
    }
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    await giveBack().catch(() => undefined);
    why(`cannot open ${lease.file} here: ${describeError(e)}`);
    return null;
  }
  const opened = fd;
  let lost: string | null = null;
  const renew = setInterval(() => {
    requestJson(member.address, leasePath, { method: 'PUT', timeoutMs: Math.max(1000, lease.ttlMs / 3) }).catch((e) => {
      lost ??= `the store lease of ${db} on ${member.id} could not be renewed: ${describeError(e)}`;
    });
  }, Math.max(500, Math.floor(lease.ttlMs / 3)));
  renew.unref();
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(renew);
    fs.closeSync(opened);
  };
  return {
    lease,
    fd: opened,
    async finish() {
      close();
      try {
        await giveBack();
      } catch (e) {
        lost ??= `the store lease of ${db} on ${member.id} was lost before the copy ended: ${describeError(e)}`;
      }
      if (lost) throw new TxlineError('SOURCE_UNREACHABLE', `${lost}; the copy is not used`);
    },
    abandon() {
      close();
      void giveBack().catch(() => undefined);
    },
  };
}

/** Why the open file is not the leased one, or null when device, inode, size and head all match. */
function identityMismatch(fd: number, lease: StoreLease): string | null {
  const st = fs.fstatSync(fd, { bigint: true });
  if (!st.isFile()) return 'not a regular file';
  if (String(st.dev) !== lease.dev || String(st.ino) !== lease.ino) return `device/inode ${st.dev}/${st.ino}, the member's ${lease.dev}/${lease.ino}`;
  if (Number(st.size) !== lease.size) return `${st.size} bytes, the member's ${lease.size}`;
  const head = readHead(fd, Math.min(lease.size, STORE_LEASE_HEAD_BYTES));
  const sha = createHash('sha256').update(head).digest('hex');
  return sha === lease.headSha256 ? null : 'its first bytes differ';
}
