/**
 * The lock of one database in an S3 location (Location.lock): a lease object
 * `<prefix>/.txline-locks/<database>.json` holding who holds it (host, process, what, since), until when
 * (`expiresAt`), and a random token.
 *
 * - Taking it: a lease already there that is still live (not expired, and not a process of this host that is
 *   gone) refuses with BACKUP_IN_PROGRESS naming the holder; a stale one is removed and returned as `previous`
 *   (its `tempDirs` are what the killed run wrote to). Then the lease is written with `If-None-Match: *`, and
 *   read back: the lock is held only if what the key holds is this lease (its token).
 * - Held: renewed every RENEW_MS (a new `expiresAt`), so a live holder's lease never expires; a process killed
 *   with `kill -9` stops renewing and its lease is stale after TTL_MS (at once for a process of this host). A
 *   renewal reads the lease first and does not write over another run's: a holder that could not renew for
 *   TTL_MS (its lease then taken over as stale) stops renewing instead of making two holders (`lost` says so).
 * - Before each commit or delete, what runs under the lock calls confirm(): the lease is read (one small
 *   request) and must still be this run's, with CONFIRM_MARGIN_MS left (renewed first when it has less);
 *   otherwise nothing is committed or deleted. This is not a fence: the commit's or delete's own requests (a
 *   small artifact's whole upload, the last parts of a large one) are sent after it, and one that stalls
 *   (or a process paused) past the lease's end can still land after another run took the lease over.
 * - release() stops renewing and deletes the lease if it is still ours.
 *
 * The guarantee is as strong as the server: where conditional writes are honoured (AWS S3 since 2024, moto),
 * two writers racing for a free lease cannot both win. A server that ignores `If-None-Match` (s3rver) keeps
 * the check before the write and the read back after it, which refuses every operation that starts while another
 * holds the lease, but not two started within the same few milliseconds. Txline's server also never runs two
 * jobs on one database, so that window is for two command lines started together by hand.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { TxlineError } from '../../errors';
import { processAlive } from '../../cleanup';
import type { Lock, LockOwner } from '../location';
import type { S3Context } from './context';
import { s3ErrorName, s3Status } from './errors';

const LOCK_FOLDER = '.txline-locks/';
/** how long a lease lasts without being renewed */
export const TTL_MS = 120_000;
/** how often a held lease is renewed */
const RENEW_MS = 30_000;
/** how long a lease must still last when a commit or delete is confirmed (a renewal is due well before) */
const CONFIRM_MARGIN_MS = 60_000;
/** the largest lease body read back (anything bigger is not a lease) */
const MAX_LEASE_BYTES = 16 * 1024;

interface Lease extends LockOwner {
  host: string;
  token: string;
  expiresAt: number;
}

/** A held S3 lock: also renewed on demand, and says when it was lost (see renewOnce). */
export interface S3Lock extends Lock {
  renew(): Promise<void>;
  readonly lost: string | null;
}

export async function takeLock(ctx: S3Context, database: string, what: string, opts: { tempDirs?: string[] } = {}): Promise<S3Lock> {
  if (!/^[a-z0-9][a-z0-9.-]*$/i.test(database)) throw new TxlineError('INVALID_NAME', `Invalid database name "${database}" for a lock`);
  const key = `${ctx.keyPrefix}${LOCK_FOLDER}${database}.json`;
  const client = await ctx.client();
  let previous: LockOwner | null = null;
  const held = await readLease(ctx, key);
  if (held) {
    if (!stale(held)) throw inProgress(ctx, database, held);
    previous = { pid: held.pid, what: held.what, since: held.since, tempDirs: held.tempDirs };
    await client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: key }), ctx.small).catch((e: unknown) => {
      throw ctx.fail(e, `removing the stale lock of ${database}`);
    });
  }
  const me: Lease = {
    pid: process.pid,
    host: os.hostname(),
    what,
    since: new Date().toISOString(),
    tempDirs: [...new Set([...(opts.tempDirs ?? []), ...(previous?.tempDirs ?? [])])],
    token: randomBytes(12).toString('hex'),
    expiresAt: Date.now() + TTL_MS,
  };
  try {
    await client.send(new PutObjectCommand({ Bucket: ctx.bucket, Key: key, Body: JSON.stringify(me), ContentType: 'application/json', IfNoneMatch: '*' }), ctx.small);
  } catch (e) {
    if (s3Status(e) === 412 || s3Status(e) === 409 || s3ErrorName(e) === 'PreconditionFailed') {
      const other = await readLease(ctx, key);
      throw inProgress(ctx, database, other);
    }
    throw ctx.fail(e, `taking the lock of ${database}`);
  }
  const now = await readLease(ctx, key);
  if (now?.token !== me.token) throw inProgress(ctx, database, now);
  let released = false;
  let lost: string | null = null;
  /** why the last renewal failed (the storage's error), until one succeeds */
  let renewFailure: unknown = null;
  // one renewal at a time (the timer's, or one asked for)
  let renewing: Promise<void> | null = null;
  const renewOnce = (): Promise<void> => (renewing ??= renewal().finally(() => (renewing = null)));
  /**
   * Renews the lease if it is still this one. One that another run took over (this one had not renewed it for
   * TTL_MS: the storage unreachable, the process paused) or removed is not written back: it is lost, and
   * renewing stops. A failed renewal is retried at the next tick; the lease lasts TTL_MS, four ticks. (Read,
   * then written: another run taking it over between the two is still overwritten; the window is one request.)
   */
  const renewal = async (): Promise<void> => {
    if (released || lost) return;
    try {
      if (!stillMine(await readLease(ctx, key))) return;
      const expiresAt = Date.now() + TTL_MS;
      await client.send(new PutObjectCommand({ Bucket: ctx.bucket, Key: key, Body: JSON.stringify({ ...me, expiresAt }), ContentType: 'application/json' }), ctx.small);
      me.expiresAt = expiresAt;
      renewFailure = null;
    } catch (e) {
      // the storage failing: tried again at the next tick (the lease is still this one's until read otherwise)
      renewFailure = e;
    }
  };
  /** whether `there` (the lease read now) is still this one; if not, the lock is lost and renewing stops */
  const stillMine = (there: Lease | null): boolean => {
    if (there?.token === me.token) return true;
    lost ??= there ? `taken over by ${there.what}, process ${there.pid} on ${there.host}, since ${there.since}` : 'removed by another run';
    clearInterval(renew);
    return false;
  };
  const renew = setInterval(() => void renewOnce(), RENEW_MS);
  renew.unref();
  return {
    previous,
    renew: renewOnce,
    async confirm() {
      if (released) throw new TxlineError('INTERNAL', `the lock of ${database} in ${ctx.where} was released already`);
      if (!lost) {
        // a renewal reads the lease first; a failed one leaves the lease's end where it was (checked below)
        if (me.expiresAt - Date.now() < CONFIRM_MARGIN_MS) await renewOnce();
        else stillMine(await readLease(ctx, key)); // a storage failure throws: nothing is committed then
      }
      if (lost) {
        throw new TxlineError('BACKUP_IN_PROGRESS', `the lock of ${database} in ${ctx.where} was lost while this ${what} ran (${lost}): nothing more of it is committed or deleted`);
      }
      if (me.expiresAt - Date.now() < CONFIRM_MARGIN_MS) {
        // the storage's own error (unreachable, credentials expired, access denied), with its code
        const why = renewFailure instanceof TxlineError ? renewFailure : renewFailure ? ctx.fail(renewFailure, `renewing the lock of ${database}`) : null;
        throw new TxlineError(
          why?.code ?? 'STORAGE_UNREACHABLE',
          `the lock of ${database} in ${ctx.where} could not be renewed${why ? ` (${why.message})` : ''}; its lease ends ${new Date(me.expiresAt).toISOString()}: nothing more of this ${what} is committed or deleted`,
          { cause: why ?? undefined },
        );
      }
    },
    get lost() {
      return lost;
    },
    async release() {
      if (released) return;
      released = true;
      clearInterval(renew);
      await renewing; // (a renewal under way would otherwise put the lease back after it is deleted)
      const still = await readLease(ctx, key).catch(() => null);
      if (still?.token === me.token) await client.send(new DeleteObjectCommand({ Bucket: ctx.bucket, Key: key }), ctx.small).catch(() => undefined);
    },
  };
}

function stale(l: Lease): boolean {
  if (l.expiresAt < Date.now()) return true;
  return l.host === os.hostname() && !processAlive(l.pid);
}

function inProgress(ctx: S3Context, database: string, holder: Lease | null): TxlineError {
  const who = holder ? ` (${holder.what}, process ${holder.pid} on ${holder.host}, since ${holder.since})` : '';
  return new TxlineError('BACKUP_IN_PROGRESS', `another operation on ${database} is running in ${ctx.where}${who}; try again when it has finished`);
}

/** The lease under `key`, or null when there is none (or what is there is not a lease). */
async function readLease(ctx: S3Context, key: string): Promise<Lease | null> {
  const client = await ctx.client();
  let text: string;
  try {
    const res = await client.send(new GetObjectCommand({ Bucket: ctx.bucket, Key: key, Range: `bytes=0-${MAX_LEASE_BYTES - 1}` }), ctx.small);
    text = (await res.Body?.transformToString('utf8')) ?? '';
  } catch (e) {
    if (s3ErrorName(e) === 'NoSuchKey' || (s3Status(e) === 404 && s3ErrorName(e) !== 'NoSuchBucket')) return null;
    throw ctx.fail(e, 'reading a lock');
  }
  try {
    const o = JSON.parse(text) as Partial<Lease>;
    if (typeof o.pid !== 'number' || typeof o.host !== 'string' || typeof o.token !== 'string' || typeof o.expiresAt !== 'number') return null;
    return {
      pid: o.pid,
      host: o.host.slice(0, 200),
      what: String(o.what ?? '').slice(0, 100),
      since: String(o.since ?? '').slice(0, 40),
      tempDirs: Array.isArray(o.tempDirs) ? o.tempDirs.filter((d): d is string => typeof d === 'string').slice(0, 16) : [],
      token: o.token,
      expiresAt: o.expiresAt,
    };
  } catch {
    return null; // not a lease: taken over as if there were none
  }
}
