/**
 * Installing a rebuilt store on every member of a cluster that speaks Txline's member API, in one pass: the
 * store file is read once and streamed to all reachable members at the same time (the receiving half is
 * lib/cluster/staging.ts), hashed as it goes out (SHA-256 when it is uploaded; XXH3, lib/readback.ts, when a
 * member is on this host), while the caller computes its content digest. (With every member on this host and
 * the store rebuilt in one's file, it is not read here at all: see stageEverywhere.)
 *
 * Order, so that a member never serves a half-installed store and a failure leaves the old one:
 *   1. stop the database on the members hosting it (followers first);
 *   2. stage: every member receives the whole store beside its databases, syncs it, checks its identity and
 *      answers the SHA-256 of what it received; each must equal the SHA-256 of what was sent, or nothing is
 *      installed (the staged copies are discarded and the old stores started again). A member on this host
 *      gets the store written into a file it reserved (or, reserved before the rebuild, only the pages the
 *      replay changed) and answers the XXH3 it reads back (stageEverywhere);
 *   3. install: the writer first, then the others; each renames exactly the staged bytes into place;
 *   4. wait until every member serves the new store ID at its transaction.
 * The store must already carry the target's name and the new identity, in WAL mode (buildStore's `finalize`).
 */
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import '../../zod-mini';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { TxlineError, describeError } from '../../errors';
import { errorFrom, MemberClient, rawRequest, readBody, requestJson } from '../../cluster/client';
import { localCopyAllowed } from './local-store';
import { syncInBackground, writeAt } from '../../fs';
import { READBACK_HEX, ReadBackHash, readBackProblem } from '../../readback';
import { pageRanges, type WalPages } from '../../graph/wal';
import { destinationProblem } from '../../engine/restore';
import type { InstallResult, SourceMember, Topology } from '../../engine/source';
import type { Digest } from '../../graph/store';
import type { InstallOptions } from './source';

const CHUNK = 4 * 1024 * 1024;
/** how often the files written on this host are handed to the disk in the background */
const SYNC_EVERY = 64 * 1024 * 1024;
const CATCH_UP_MS = 120_000;

interface Staged {
  member: SourceMember;
  stage: string;
  /** what an HTTP upload's member hashed, or (written on its host) the XXH3 it read back */
  sha256: string | null;
  xxh3: string | null;
  bytes: number;
}

export async function installEverywhere(
  source: { topology(): Promise<Topology>; localCopy: boolean },
  db: string,
  storeFile: string,
  opts: InstallOptions & { contentDigest: Promise<Digest>; prepared?: Prepared },
): Promise<InstallResult> {
  const log = opts.log ?? (() => undefined);
  const topo = await source.topology();
  if (!topo.writer) throw new TxlineError('SOURCE_UNREACHABLE', 'cannot find the writer of the cluster');
  const writer = topo.writer;
  const hosting = topo.databases.filter((d) => d.name === db);
  // decided before the store was rebuilt; again here, in case the database was created meanwhile
  const refused = destinationProblem(db, hosting.length > 0, opts.overwrite);
  if (refused) throw refused;
  const reachable = topo.members;
  if (!reachable.some((m) => m.id === writer.id)) throw new TxlineError('SOURCE_UNREACHABLE', `the writer ${writer.id} cannot be reached`);
  opts.onProgress?.({ phase: 'stop', message: `stopping ${db} on ${hosting.length} member(s)` });
  const stopped: SourceMember[] = [];
  // Followers first, so nobody pulls from the writer while it switches stores.
  for (const d of [...hosting].sort((a, b) => Number(a.role === 'writer') - Number(b.role === 'writer'))) {
    await new MemberClient(d.member.address).stopDatabase(db);
    stopped.push(d.member);
    log(`stopped ${db} on ${d.member.id}`);
  }
  let staged: Staged[] = [];
  let installedAny = false;
  try {
    // a store rebuilt in the writer's reserved file is read by its descriptor (checked as the reservation)
    const rebuilt = opts.prepared?.sinks.find((l) => l.holds === 'rebuilt');
    const size = rebuilt ? fs.fstatSync(rebuilt.fd).size : fs.statSync(storeFile).size;
    opts.onProgress?.({ phase: 'install', message: `sending the restored store to ${reachable.length} member(s) at once`, bytesDone: 0, bytesTotal: size });
    const sent = await stageEverywhere(db, storeFile, size, reachable, { ...opts, localCopy: source.localCopy }, (s) => (staged = s));
    const wrong = staged.filter((s) => (s.sha256 === null ? s.xxh3 !== sent.xxh3 : s.sha256 !== sent.sha256) || s.bytes !== sent.bytes);
    const sentAs = `${sent.bytes} bytes, ${sent.sha256 ? `sha256 ${sent.sha256.slice(0, 16)}…` : ''}${sent.sha256 && sent.xxh3 ? ', ' : ''}${sent.xxh3 ? `XXH3 ${sent.xxh3}` : ''}${sent.readBackBy ? `, as ${sent.readBackBy} reads the rebuilt store back` : ''}`;
    if (wrong.length) {
      const what = (s: Staged) => (s.sha256 === null ? `XXH3 ${s.xxh3}` : `sha256 ${s.sha256.slice(0, 16)}…`);
      const received = wrong.map((s) => `${s.member.id} (${s.bytes} bytes, ${what(s)})`).join(', ');
      throw new TxlineError(
        'IO_ERROR',
        sent.readBackBy
          ? `the copies of ${received} do not read back as the rebuilt store (${sentAs}); nothing was installed`
          : `the store received by ${received} is not the store sent (${sentAs}); nothing was installed`,
      );
    }
    log(`every member received the store (${sentAs})`);
    const install = async (s: Staged) => {
      const r = await new MemberClient(s.member.address).installStaged(db, s.stage);
      installedAny = true;
      log(`installed ${db} on ${s.member.id} at transaction ${r.lastCommittedTxn} with store ID ${r.storeId}`);
      return r;
    };
    const onWriter = staged.find((s) => s.member.id === writer.id) as Staged;
    const installed = await install(onWriter);
    staged = staged.filter((s) => s !== onWriter);
    await Promise.all(
      staged.map(async (s) => {
        await install(s);
        staged = staged.filter((x) => x !== s);
      }),
    );
    opts.onProgress?.({ phase: 'catch-up', message: 'waiting for every member to serve the restored store', membersReady: 0, membersTotal: reachable.length });
    const members = await waitServing(db, reachable, installed, opts);
    const digest = await opts.contentDigest;
    if (digest.lastCommittedTxn !== installed.lastCommittedTxn) {
      throw new TxlineError('INTERNAL', `the digest of the restored store is at transaction ${digest.lastCommittedTxn}, the installed store at ${installed.lastCommittedTxn}`);
    }
    return { writer, members, digest, ...(sent.sha256 ? { storeSha256: sent.sha256 } : {}) };
  } catch (e) {
    // Staged copies not installed go (they would hold replication of the database off until they expire);
    // when nothing was installed, the stopped databases serve their old stores again.
    await giveBack(db, staged, installedAny ? [] : stopped, log);
    throw e;
  }
}

/**
 * Files members on this host reserved before the store was rebuilt (reserveForBuild): the writer's holds the
 * rebuilt store, the others the full's store, into which only `changed` pages are copied.
 */
export interface Prepared {
  sinks: LocalSink[];
  changed?: WalPages;
}

/**
 * Sends the store to every member at once, reading and hashing it once; `onStaged` gets what the members
 * staged. A member on this host (a loopback address, unless TXLINE_LOCAL_STORE_COPY=off) gets the bytes written
 * straight into an incoming file it reserves (POST /admin/db/{name}/incoming: no HTTP, no second copy), then
 * checks it reads back with the XXH3 written and stages it; any other member receives an HTTP upload and
 * answers the SHA-256 of what it received. A member whose reserved file cannot be opened as reserved here
 * (another host behind a port forward) gets the upload. A file reserved before the rebuild and holding the
 * full's store gets only the pages the replay changed, and the store's size; its member's read-back (the XXH3
 * of the whole file) proves it is the store sent like any other. When that is all there is to send (every
 * member on this host, the store rebuilt in one's file), the store is not read here at all: the XXH3 sent is
 * the one the rebuilt file's member reads back (measured on 1 GiB: this process's read and checksum of it took
 * 0.4 s before the members could start theirs).
 */
async function stageEverywhere(
  db: string,
  storeFile: string,
  size: number,
  members: SourceMember[],
  opts: InstallOptions & { localCopy: boolean; prepared?: Prepared },
  onStaged: (s: Staged[]) => void,
): Promise<{ sha256: string | null; xxh3: string | null; bytes: number; readBackBy?: string }> {
  const q = new URLSearchParams({ storeId: opts.storeId, databaseId: opts.databaseId });
  const remote: SourceMember[] = [];
  const prepared = opts.prepared?.sinks ?? [];
  const changed = opts.prepared?.changed;
  const rebuilt = prepared.find((l) => l.holds === 'rebuilt');
  if (rebuilt && !members.some((m) => m.id === rebuilt.member.id)) {
    throw new TxlineError('SOURCE_UNREACHABLE', `${rebuilt.member.id}, in whose reserved file the store was rebuilt, cannot be reached any more; nothing was installed`);
  }
  // a member that left the cluster since gets nothing; without the changed pages, a full's copy is overwritten
  await giveUpLocal(prepared.filter((l) => !members.some((m) => m.id === l.member.id)));
  const locals = prepared.filter((l) => members.some((m) => m.id === l.member.id));
  for (const l of locals) if (l.holds === 'full' && !changed) l.holds = 'empty';
  try {
    for (const m of members) {
      if (locals.some((l) => l.member.id === m.id)) continue;
      const local = opts.localCopy && localCopyAllowed(m) ? await reserveIncoming(db, m, size, q, (why) => opts.log?.(`sending the store to ${m.id} over HTTP: ${why}`)) : null;
      if (local) locals.push(local);
      else remote.push(m);
    }
  } catch (e) {
    await giveUpLocal(locals);
    throw e;
  }
  const bodies = remote.map(() => new PassThrough({ highWaterMark: CHUNK }));
  const done: Staged[] = [];
  const uploads = remote.map(async (m, i) => {
    const res = await rawRequest(m.address, `/admin/db/${encodeURIComponent(db)}/staged?${q}`, {
      method: 'PUT',
      body: bodies[i],
      headers: { 'content-length': String(size), 'content-type': 'application/vnd.sqlite3' },
      // counted once the upload (held to the client's minimum rate) is sent: the member's fsync and check
      timeoutMs: 300_000,
    });
    if (res.statusCode !== 200) throw await errorFrom(m.address, res);
    const a = JSON.parse((await readBody(res)).toString('utf8')) as { stage: string; sha256: string; bytes: number };
    done.push({ member: m, stage: a.stage, sha256: a.sha256, xxh3: null, bytes: a.bytes });
  });
  // SHA-256 is what uploads are checked by; members on this host answer the XXH3 they read back
  const hash = remote.length ? createHash('sha256') : null;
  const readBack = locals.length ? new ReadBackHash() : null;
  let sentHash: string | null = null;
  let sent = 0;
  // The files written here are handed to the disk as they fill (each member's final sync then has little
  // left, and the disk works while this process copies): a background fdatasync every SYNC_EVERY bytes, and
  // at once for a store rebuilt in place (its member syncs it again when it checks it).
  const syncs: Array<Promise<void>> = [];
  // a failed sync fails the stage: it is not reported again to the descriptor the member opens to check its copy
  let syncError: NodeJS.ErrnoException | null = null;
  const sync = (fd: number) =>
    syncs.push(
      syncInBackground(fd).catch((e: NodeJS.ErrnoException) => {
        syncError ??= e;
      }),
    );
  for (const l of locals) if (l.holds !== 'empty') sync(l.fd);
  const whole = locals.filter((l) => l.holds === 'empty');
  const patched = locals.filter((l) => l.holds === 'full');
  const cursor = { next: 0 };
  let sinceSync = 0;
  // With every member on this host, nothing holds a chunk once it is written: two buffers take turns (one is
  // read into while the other is written from; fresh memory for every chunk costs more than the read). Uploads
  // hold their chunks until sent: a fresh buffer each.
  const turns = remote.length === 0 ? [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)] : null;
  let turn = 0;
  // Every member on this host, the store rebuilt in one's reserved file, the others holding the full's store:
  // only the pages the replay changed need be read, for the others' copies. The XXH3 of the rebuilt file,
  // which this process would read whole to compute, is the one its member reads back; each member answers
  // the XXH3 of its own file, and installEverywhere compares them with the rebuilt member's.
  const patchOnly = rebuilt !== undefined && remote.length === 0 && whole.length === 0 && (patched.length === 0 || changed !== undefined);
  const patch = async (from: number) => {
    // a full's copy takes the store's size first: pages past the full's end are among the changed ones
    for (const l of patched) fs.ftruncateSync(l.fd, size);
    if (!changed || patched.length === 0) return;
    const buf = Buffer.allocUnsafe(CHUNK);
    for (const [start, end] of pageRanges(changed.pages, changed.pageSize, 0, size, { next: 0 })) {
      for (let at = start; at < end; ) {
        const want = Math.min(CHUNK, end - at);
        const n = await new Promise<number>((resolve, reject) => fs.read(from, buf, 0, want, at, (e, k) => (e ? reject(e) : resolve(k))));
        if (n !== want) throw new TxlineError('IO_ERROR', `the rebuilt store changed while it was sent: it ends at ${at + n} bytes, not ${size}`);
        // every write ends before anything fails (their descriptors close only then)
        const ended = await Promise.allSettled(patched.map((l) => writeAt(l.fd, buf.subarray(0, n), at)));
        const failedWrite = ended.find((x): x is PromiseRejectedResult => x.status === 'rejected');
        if (failedWrite) throw failedWrite.reason;
        at += n;
      }
    }
  };
  const sendWhole = async () => {
    // a full's copy takes the store's size first: pages past the full's end are among the changed ones
    for (const l of patched) fs.ftruncateSync(l.fd, size);
    const own = rebuilt ? null : await fs.promises.open(storeFile, 'r');
    const from = rebuilt?.fd;
    const read = (buf: Buffer, position: number): Promise<number> =>
      own ? own.read(buf, 0, CHUNK, position).then((r) => r.bytesRead) : new Promise((resolve, reject) => fs.read(from as number, buf, 0, CHUNK, position, (e, n) => (e ? reject(e) : resolve(n))));
    const readAt = async (position: number) => {
      const buf = turns ? turns[turn++ % 2] : Buffer.allocUnsafe(CHUNK);
      const bytesRead = await read(buf, position);
      return { buf, n: bytesRead };
    };
    let next: Promise<{ buf: Buffer; n: number }> | null = null;
    try {
      next = readAt(0);
      for (;;) {
        const { buf, n } = await next;
        if (n === 0) break;
        const chunk = n === CHUNK ? buf : buf.subarray(0, n);
        const at = sent;
        sent += n;
        next = readAt(sent);
        if (bodies.some((b) => b.destroyed)) throw new TxlineError('SOURCE_UNREACHABLE', 'a member stopped receiving the restored store');
        const waits: Array<Promise<void>> = whole.map((l) => writeAt(l.fd, chunk, at));
        if (changed && patched.length) {
          for (const [from, to] of pageRanges(changed.pages, changed.pageSize, at, at + n, cursor)) {
            for (const l of patched) waits.push(writeAt(l.fd, chunk.subarray(from - at, to - at), from));
          }
        }
        for (const b of bodies) if (!b.write(chunk)) waits.push(drained(b));
        // hashed while the writes run on libuv's pool
        hash?.update(chunk);
        readBack?.update(chunk);
        // every write ends before anything fails (their descriptors close only then)
        const ended = await Promise.allSettled(waits);
        const failedWrite = ended.find((x): x is PromiseRejectedResult => x.status === 'rejected');
        if (failedWrite) throw failedWrite.reason;
        sinceSync += n;
        if (sinceSync >= SYNC_EVERY) {
          sinceSync = 0;
          for (const l of whole) sync(l.fd);
        }
        opts.onProgress?.({ phase: 'install', message: `sending the restored store to ${members.length} member(s) at once`, bytesDone: sent, bytesTotal: size });
      }
    } finally {
      await next?.catch(() => undefined); // a read ahead still under way ends before its file closes
      await own?.close();
    }
  };
  const send = (async () => {
    if (patchOnly) {
      await patch(rebuilt.fd);
      sent = size;
      opts.onProgress?.({ phase: 'install', message: `sending the restored store to ${members.length} member(s) at once`, bytesDone: sent, bytesTotal: size });
    } else {
      await sendWhole();
    }
    if (sent !== size) throw new TxlineError('IO_ERROR', `the rebuilt store changed while it was sent: ${sent} bytes, not ${size}`);
    if (!patchOnly) sentHash = readBack?.hex() ?? null;
    for (const b of bodies) b.end();
    await Promise.all(syncs); // (a descriptor closes only once its syncs are done: its number could be reused)
    if (syncError) throw new TxlineError('IO_ERROR', `could not write the restored store on this host: ${describeError(syncError)}`, { cause: syncError });
    for (const l of locals) l.close();
    // each member reads back what was written into its file, syncs and checks it, at once
    await Promise.all(
      locals.map(async (l) => {
        // the member reads its copy back, syncs and checks it: 300 s and a second per 20 MB (members share a disk)
        const timeoutMs = 300_000 + Math.ceil(sent / 20_000);
        // (without the XXH3 of what was written, when this process did not read it all: the member answers its own)
        const claim = patchOnly ? { bytes: sent } : { bytes: sent, xxh3: sentHash };
        const raw = await requestJson<unknown>(l.member.address, l.path, { method: 'POST', json: claim, timeoutMs });
        const answer = completedSchema.safeParse(raw);
        if (!answer.success) {
          // what it staged all the same goes with the others (it would hold replication off until it expired)
          const stage = (raw as { stage?: unknown } | null)?.stage;
          if (typeof stage === 'string' && STAGE_ID.test(stage)) done.push({ member: l.member, stage, sha256: null, xxh3: null, bytes: -1 });
          throw new TxlineError('SOURCE_UNREACHABLE', `${l.member.id} answered the stage of its copy with something else: ${answer.error.issues[0]?.message ?? 'invalid'}`);
        }
        const a = answer.data;
        l.completed = true;
        done.push({ member: l.member, stage: a.stage, sha256: null, xxh3: a.xxh3, bytes: a.bytes });
      }),
    );
  })();
  // The first failure stops every upload: a member must not stage a store the others do not get.
  const all = [send, ...uploads].map((p) =>
    p.catch((e: unknown) => {
      for (const b of bodies) b.destroy();
      throw e;
    }),
  );
  const settled = await Promise.allSettled(all);
  onStaged(done);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(syncs);
    await giveUpLocal(locals);
    throw failed.reason;
  }
  if (patchOnly) {
    // what the others are compared with: the rebuilt file, as its member read it back (with no other member
    // on this host, only its size and identity are checked, as the member reads back the file written here)
    const own = done.find((d) => d.member.id === rebuilt.member.id);
    if (!own || own.xxh3 === null) throw new TxlineError('INTERNAL', `${rebuilt.member.id} did not say what it read back of the rebuilt store`);
    return { sha256: null, xxh3: own.xxh3, bytes: sent, readBackBy: rebuilt.member.id };
  }
  return { sha256: hash?.digest('hex') ?? null, xxh3: sentHash as string | null, bytes: sent };
}

/**
 * Empty incoming files reserved for `db` on the members on this host, before the store is rebuilt: the restore
 * rebuilds the store in the writer's (`holds: 'rebuilt'`, so the writer's copy is the rebuilt file itself) and
 * copies the full's store into the others' while the differentials are replayed (`holds: 'full'`;
 * stageEverywhere then copies the pages the replay changed). A reservation alone does not hold replication off
 * (a follower of a database being overwritten keeps its old store up to date until the install stops it). None
 * when the local copy is off; a member that does not reserve one gets its copy afterwards.
 */
export async function reserveForBuild(
  source: { topology(): Promise<Topology>; localCopy: boolean },
  db: string,
  identity: { storeId: string; databaseId: string },
  log: (m: string) => void,
): Promise<LocalSink[]> {
  if (!source.localCopy) return [];
  const topo = await source.topology();
  const q = new URLSearchParams(identity);
  const sinks: LocalSink[] = [];
  try {
    for (const m of topo.members) {
      if (!localCopyAllowed(m)) continue;
      const sink = await reserveIncoming(db, m, null, q, (why) => log(`${m.id} gets its copy once the store is rebuilt: ${why}`));
      if (!sink) continue;
      sink.holds = m.id === topo.writer?.id ? 'rebuilt' : 'full';
      sinks.push(sink);
    }
  } catch (e) {
    await giveUpLocal(sinks);
    throw e;
  }
  return sinks;
}

/** Closes the reserved files here and gives up those not completed (the members remove them). */
export async function giveUpLocal(locals: LocalSink[]): Promise<void> {
  for (const l of locals) l.close();
  await Promise.allSettled(locals.filter((l) => !l.completed).map((l) => requestJson(l.member.address, l.path, { method: 'DELETE', timeoutMs: 30_000 })));
}

/** An incoming file a member on this host reserved, opened here for writing. */
export interface LocalSink {
  member: SourceMember;
  /** the reserved file, on this host, and the reservation's route (POST completes it, DELETE gives it up) */
  file: string;
  path: string;
  fd: number;
  /**
   * what it holds: nothing yet, the rebuilt store (nothing is to be written into it), or the full's store
   * the rebuilt one was replayed on (only the pages the replay changed are to be written; reserveForBuild)
   */
  holds: 'empty' | 'rebuilt' | 'full';
  completed: boolean;
  close(): void;
}

/** how a member names a reservation and the stage it becomes (lib/cluster/staging.ts) */
const STAGE_ID = /^[0-9a-f]{24}$/;

/** A member's answer when it has staged the copy written into its reserved file. */
const completedSchema = z.object({
  stage: z.string().check(z.regex(STAGE_ID)),
  xxh3: z.string().check(z.regex(READBACK_HEX)),
  bytes: z.int().check(z.nonnegative()),
});

const reservationSchema = z.object({
  id: z.string().check(z.regex(STAGE_ID)),
  file: z.string().check(z.minLength(1), z.maxLength(4096)),
  dev: z.string().check(z.regex(/^\d{1,20}$/)),
  ino: z.string().check(z.regex(/^\d{1,20}$/)),
  nonce: z.string().check(z.regex(/^[0-9a-f]{32}$/)),
  ttlMs: z.int().check(z.gte(1000)),
  /** how the member checks the copy it reads back (a member of an older version checked a CRC-32: uploaded to) */
  readBack: z.literal('xxh3'),
});

/**
 * Reserves an incoming file on `m` and opens it here, proving it is the member's (device and inode, not a
 * symlink); null (with the reason to `why`) when the member does not reserve one (an older member has no such
 * route) or the file is not the one it made.
 */
export async function reserveIncoming(db: string, m: SourceMember, size: number | null, q: URLSearchParams, why: (reason: string) => void): Promise<LocalSink | null> {
  const base = `/admin/db/${encodeURIComponent(db)}/incoming`;
  const cannot = readBackProblem();
  if (cannot) {
    why(`a copy written on this host cannot be checked here: ${cannot}`);
    return null;
  }
  let r: z.infer<typeof reservationSchema>;
  try {
    const raw = await requestJson<unknown>(m.address, `${base}?${q}${size === null ? '' : `&bytes=${size}`}`, { method: 'POST', timeoutMs: 30_000 });
    const parsed = reservationSchema.safeParse(raw);
    if (!parsed.success) {
      // (a member of another version: what it reserved is given back)
      const id = (raw as { id?: unknown } | null)?.id;
      if (typeof id === 'string' && STAGE_ID.test(id)) await requestJson(m.address, `${base}/${id}`, { method: 'DELETE', timeoutMs: 30_000 }).catch(() => undefined);
      why(`${m.id} answered the reservation with something else (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
      return null;
    }
    r = parsed.data;
  } catch (e) {
    // an older member has no such route; whatever the reason, the upload is the way that remains (and says
    // plainly what is wrong with a member that cannot take it either)
    why(`${m.id} did not reserve a file for it: ${describeError(e)}`);
    return null;
  }
  const path = `${base}/${r.id}`;
  let fd: number | null = null;
  try {
    // not following a symlink, not waiting on a FIFO; then: the member's fresh file, holding its nonce alone
    fd = fs.openSync(r.file, fs.constants.O_RDWR | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd, { bigint: true });
    if (!st.isFile() || String(st.dev) !== r.dev || String(st.ino) !== r.ino) throw new Error(`device/inode ${st.dev}/${st.ino} here, the member's ${r.dev}/${r.ino}`);
    if (st.nlink !== 1n || st.size !== 16n) throw new Error(`${st.nlink} link(s) and ${st.size} bytes, not a fresh reservation's 1 and 16`);
    const held = Buffer.alloc(16);
    fs.readSync(fd, held, 0, 16, 0);
    if (held.toString('hex') !== r.nonce) throw new Error('it does not hold the nonce the member put in it');
    fs.ftruncateSync(fd, 0);
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    await requestJson(m.address, path, { method: 'DELETE', timeoutMs: 30_000 }).catch(() => undefined);
    why(`the file ${r.file} it reserved is not that file here (${describeError(e)})`);
    return null;
  }
  const opened = fd;
  let closed = false;
  // renewed while it is written (a rebuild in it can take long); completing or giving it up ends it
  const renew = setInterval(() => void requestJson(m.address, path, { method: 'PUT', timeoutMs: 30_000 }).catch(() => undefined), Math.max(1000, Math.floor(r.ttlMs / 5)));
  renew.unref();
  return {
    member: m,
    file: r.file,
    path,
    fd: opened,
    holds: 'empty',
    completed: false,
    close() {
      if (closed) return;
      closed = true;
      clearInterval(renew);
      fs.closeSync(opened);
    },
  };
}


function drained(b: PassThrough): Promise<void> {
  return new Promise((resolve, reject) => {
    const ok = () => {
      b.off('close', gone);
      resolve();
    };
    const gone = () => {
      b.off('drain', ok);
      reject(new TxlineError('SOURCE_UNREACHABLE', 'a member stopped receiving the restored store'));
    };
    b.once('drain', ok);
    b.once('close', gone);
  });
}

/** Nothing was installed: the staged copies go, the stopped databases serve their old stores again. */
async function giveBack(db: string, staged: Staged[], stopped: SourceMember[], log: (m: string) => void): Promise<void> {
  await Promise.allSettled(
    staged.map((s) => new MemberClient(s.member.address).discardStaged(db, s.stage)),
  );
  for (const m of stopped) {
    try {
      await new MemberClient(m.address).startDatabase(db);
      log(`started ${db} again on ${m.id} with its old store`);
    } catch (e) {
      log(`could not start ${db} again on ${m.id}: ${describeError(e)}`);
    }
  }
}

async function waitServing(
  db: string,
  reachable: SourceMember[],
  installed: { storeId: string; lastCommittedTxn: number },
  opts: InstallOptions,
): Promise<InstallResult['members']> {
  const deadline = Date.now() + CATCH_UP_MS;
  for (;;) {
    const members = await Promise.all(
      reachable.map(async (m) => {
        try {
          const st = await new MemberClient(m.address).status();
          const d = st.databases.find((x) => x.name === db);
          return { member: m, lastCommittedTxn: d?.lastCommittedTxn ?? -1, storeId: d?.storeId ?? null, status: d?.status ?? 'missing' };
        } catch (e) {
          return { member: m, lastCommittedTxn: -1, storeId: null, status: `unreachable: ${describeError(e)}` };
        }
      }),
    );
    const ready = members.filter((m) => m.storeId === installed.storeId && m.status === 'online' && m.lastCommittedTxn >= installed.lastCommittedTxn);
    opts.onProgress?.({ phase: 'catch-up', message: `${ready.length} of ${members.length} members on the restored store`, membersReady: ready.length, membersTotal: members.length });
    if (ready.length === members.length) return members;
    if (Date.now() > deadline) {
      const late = members.filter((m) => !ready.includes(m)).map((m) => `${m.member.id} (${m.status}, store ${m.storeId})`);
      throw new TxlineError('SOURCE_UNREACHABLE', `the restored store is installed, but these members do not serve it after ${CATCH_UP_MS / 1000} s: ${late.join(', ')}`);
    }
    await sleep(50);
  }
}
