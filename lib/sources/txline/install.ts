/**
 * Installing a rebuilt store on every member of a cluster that speaks Txline's member API, in one pass: the
 * store file is read once and streamed to all reachable members at the same time (the receiving half is
 * lib/cluster/staging.ts), hashed (SHA-256) as it goes out, while the caller computes its content digest.
 *
 * Order, so that a member never serves a half-installed store and a failure leaves the old one:
 *   1. stop the database on the members hosting it (followers first);
 *   2. stage: every member receives the whole store beside its databases, syncs it, checks its identity and
 *      answers the SHA-256 of what it received; each must equal the SHA-256 of what was sent, or nothing is
 *      installed (the staged copies are discarded and the old stores started again);
 *   3. install: the writer first, then the others; each renames exactly the staged bytes into place;
 *   4. wait until every member serves the new store ID at its transaction.
 * The store must already carry the target's name and the new identity, in WAL mode (buildStore's `finalize`).
 */
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { TxlineError, describeError } from '../../errors';
import { errorFrom, MemberClient, rawRequest, readBody } from '../../cluster/client';
import { destinationProblem } from '../../engine/restore';
import type { InstallResult, SourceMember, Topology } from '../../engine/source';
import type { Digest } from '../../graph/store';
import type { InstallOptions } from './source';

const CHUNK = 1024 * 1024;
const CATCH_UP_MS = 120_000;

interface Staged {
  member: SourceMember;
  stage: string;
  sha256: string;
  bytes: number;
}

export async function installEverywhere(
  source: { topology(): Promise<Topology> },
  db: string,
  storeFile: string,
  opts: InstallOptions & { contentDigest: Promise<Digest> },
): Promise<InstallResult & { storeSha256: string }> {
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
    const size = fs.statSync(storeFile).size;
    opts.onProgress?.({ phase: 'install', message: `sending the restored store to ${reachable.length} member(s) at once`, bytesDone: 0, bytesTotal: size });
    const sent = await stageEverywhere(db, storeFile, size, reachable, opts, (s) => (staged = s));
    const wrong = staged.filter((s) => s.sha256 !== sent.sha256 || s.bytes !== sent.bytes);
    if (wrong.length) {
      throw new TxlineError(
        'IO_ERROR',
        `the store received by ${wrong.map((s) => `${s.member.id} (${s.bytes} bytes, sha256 ${s.sha256.slice(0, 16)}…)`).join(', ')} is not the store sent (${sent.bytes} bytes, sha256 ${sent.sha256.slice(0, 16)}…); nothing was installed`,
      );
    }
    log(`every member received the store (${sent.bytes} bytes, sha256 ${sent.sha256.slice(0, 16)}…)`);
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
    return { writer, members, digest, storeSha256: sent.sha256 };
  } catch (e) {
    // Staged copies not installed go (they would hold replication of the database off until they expire);
    // when nothing was installed, the stopped databases serve their old stores again.
    await giveBack(db, staged, installedAny ? [] : stopped, log);
    throw e;
  }
}

/** Streams the store to every member at once, hashing it once; `onStaged` gets what the members staged. */
async function stageEverywhere(
  db: string,
  storeFile: string,
  size: number,
  members: SourceMember[],
  opts: InstallOptions,
  onStaged: (s: Staged[]) => void,
): Promise<{ sha256: string; bytes: number }> {
  const q = new URLSearchParams({ storeId: opts.storeId, databaseId: opts.databaseId });
  const bodies = members.map(() => new PassThrough({ highWaterMark: CHUNK }));
  const done: Staged[] = [];
  const uploads = members.map(async (m, i) => {
    const res = await rawRequest(m.address, `/admin/db/${encodeURIComponent(db)}/staged?${q}`, {
      method: 'PUT',
      body: bodies[i],
      headers: { 'content-length': String(size), 'content-type': 'application/vnd.sqlite3' },
      // counted once the upload (held to the client's minimum rate) is sent: the member's fsync and check
      timeoutMs: 300_000,
    });
    if (res.statusCode !== 200) throw await errorFrom(m.address, res);
    const a = JSON.parse((await readBody(res)).toString('utf8')) as { stage: string; sha256: string; bytes: number };
    done.push({ member: m, stage: a.stage, sha256: a.sha256, bytes: a.bytes });
  });
  const hash = createHash('sha256');
  let sent = 0;
  const send = (async () => {
    const fh = await fs.promises.open(storeFile, 'r');
    try {
      for (;;) {
        const buf = Buffer.allocUnsafe(CHUNK);
        const { bytesRead } = await fh.read(buf, 0, CHUNK, sent);
        if (bytesRead === 0) break;
        const chunk = bytesRead === CHUNK ? buf : buf.subarray(0, bytesRead);
        hash.update(chunk);
        sent += bytesRead;
        const waits: Array<Promise<void>> = [];
        for (const b of bodies) {
          if (b.destroyed) throw new TxlineError('SOURCE_UNREACHABLE', 'a member stopped receiving the restored store');
          if (!b.write(chunk)) waits.push(drained(b));
        }
        await Promise.all(waits);
        opts.onProgress?.({ phase: 'install', message: `sending the restored store to ${members.length} member(s) at once`, bytesDone: sent, bytesTotal: size });
      }
    } finally {
      await fh.close();
    }
    if (sent !== size) throw new TxlineError('IO_ERROR', `the rebuilt store changed while it was sent: ${sent} bytes, not ${size}`);
    for (const b of bodies) b.end();
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
  if (failed) throw failed.reason;
  return { sha256: hash.digest('hex'), bytes: sent };
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
