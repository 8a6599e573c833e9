/**
 * The `Source` of a cluster that speaks Txline's member API (the embedded cluster, or members at given
 * addresses): HTTP to the members.
 */
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { TxlineError, describeError } from '../../errors';
import { errorFrom, MemberClient, rawRequest, requestJson, type ClusterInfo, type MemberStatus } from '../../cluster/client';
import { takeDiff, takeFull } from './backup';
import { restoreChain } from './restore';
import { txlineScratch } from './scratch';
import { COMPRESSED_STORE_MIN_RATE, DEFAULT_MIN_RATE } from '../../cluster/watchdog';
import type { Artifact } from '../../engine/artifact';
import { destinationProblem } from '../../engine/restore';
import type { Readable } from 'node:stream';
import type { BackupDriver, DiffOutcome, RestoreOutcome, RestoreRequest, ScratchDatabases, WriteContext, InstallResult, MemberDatabase, Source, SourceMember, Topology } from '../../engine/source';

/**
 * A consistent store at one transaction, as a byte stream: the store file itself, or (encoding 'zstd') a
 * zstd stream of it that the source compressed.
 */
export interface StoreStream {
  stream: Readable;
  encoding: 'none' | 'zstd';
  /** size of the store file (not of the stream when it is compressed) */
  sizeBytes: number;
  txId: number;
  txChecksum: number;
  commitTime: number;
  databaseId: string;
  storeId: string;
  nodes: number;
  relationships: number;
}

/** Transaction records from a given ID up to the source's last committed one at the time of asking. */
export interface TxStream {
  stream: Readable;
  storeId: string;
  databaseId: string;
  lastTxId: number;
}

export interface InstallOptions {
  /** replace an existing database of that name */
  overwrite: boolean;
  /** the new store ID (a restore starts a new history) */
  storeId: string;
  /** the database ID to give the database when it is created */
  databaseId: string;
  /** stop, install (bytesDone/bytesTotal of the store sent), catch-up (membersReady of membersTotal) */
  onProgress?: (p: { phase: string; message: string; bytesDone?: number; bytesTotal?: number; membersReady?: number; membersTotal?: number }) => void;
  log?: (message: string) => void;
}

export interface TxlineSourceOptions {
  /** member addresses to ask, in order */
  addresses: string[];
  /** ask the members for the whole cluster (all members), not only the given addresses */
  resolve: boolean;
  timeoutMs?: number;
}

export class TxlineSource implements Source, BackupDriver {
  readonly scratch: ScratchDatabases = txlineScratch(this);

  constructor(private readonly opts: TxlineSourceOptions) {
    if (opts.addresses.length === 0) throw new TxlineError('INVALID_ARGUMENT', 'no cluster address given');
  }

  async topology(): Promise<Topology> {
    const timeoutMs = this.opts.timeoutMs ?? 5000;
    const unreachable: Topology['unreachable'] = [];
    let addresses = [...this.opts.addresses];
    let info: ClusterInfo | null = null;
    for (const a of this.opts.addresses) {
      try {
        info = await new MemberClient(a).cluster(timeoutMs); // its members get the token `a` gets
        break;
      } catch (e) {
        if (this.opts.resolve) unreachable.push({ address: a, error: describeError(e) });
      }
    }
    if (this.opts.resolve && info) addresses = info.members.map((m) => m.address);
    const statuses = await Promise.all(
      addresses.map(async (address) => {
        try {
          return { address, status: await requestJson<MemberStatus>(address, '/status', { timeoutMs }) };
        } catch (e) {
          if (!unreachable.some((u) => u.address === address)) unreachable.push({ address, error: describeError(e) });
          return { address, status: null };
        }
      }),
    );
    const members: SourceMember[] = [];
    const databases: MemberDatabase[] = [];
    for (const { address, status } of statuses) {
      if (!status) continue;
      const member: SourceMember = { id: status.member.id, address, mode: status.member.mode };
      members.push(member);
      for (const d of status.databases) databases.push({ member, ...d });
    }
    for (const u of unreachable) u.id ??= info?.members.find((m) => m.address === u.address)?.id;
    const writerInfo = info?.members.find((m) => m.id === info?.writer);
    const writer = writerInfo ? { id: writerInfo.id, address: writerInfo.address, mode: writerInfo.mode } : null;
    return { members, databases, unreachable, writer };
  }

  takeFull(ctx: WriteContext): Promise<Artifact> {
    return takeFull(this, ctx);
  }

  takeDiff(ctx: WriteContext, parent: Artifact): Promise<DiffOutcome> {
    return takeDiff(this, ctx, parent);
  }

  restoreChain(req: RestoreRequest): Promise<RestoreOutcome> {
    return restoreChain(this, req);
  }

  async fullStore(db: string, member: SourceMember, opts: { compress?: 'zstd' } = {}): Promise<StoreStream> {
    const query = opts.compress ? `?compress=${opts.compress}` : '';
    // compressed, a store of free pages is a few bytes per MiB read: judged by liveness, not throughput
    const minRate = opts.compress ? COMPRESSED_STORE_MIN_RATE : DEFAULT_MIN_RATE;
    const res = await rawRequest(member.address, `/db/${encodeURIComponent(db)}/store${query}`, { timeoutMs: 60_000, minRate });
    if (res.statusCode !== 200) throw await errorFrom(member.address, res);
    const h = (k: string) => String(res.headers[k] ?? '');
    return {
      stream: res,
      encoding: h('x-txline-encoding') === 'zstd' ? 'zstd' : 'none',
      sizeBytes: Number(h('x-txline-store-bytes') || h('content-length')),
      txId: Number(h('x-txline-tx')),
      txChecksum: Number(h('x-txline-tx-checksum')),
      commitTime: Number(h('x-txline-commit-time')),
      databaseId: h('x-txline-database-id'),
      storeId: h('x-txline-store-id'),
      nodes: Number(h('x-txline-nodes')),
      relationships: Number(h('x-txline-relationships')),
    };
  }

  async transactions(db: string, member: SourceMember, fromTx: number): Promise<TxStream> {
    const res = await rawRequest(member.address, `/db/${encodeURIComponent(db)}/tx?from=${fromTx}`, { timeoutMs: 60_000 });
    if (res.statusCode !== 200) throw await errorFrom(member.address, res);
    return {
      stream: res,
      storeId: String(res.headers['x-txline-store-id'] ?? ''),
      databaseId: String(res.headers['x-txline-database-id'] ?? ''),
      lastTxId: Number(res.headers['x-txline-last-committed'] ?? 0),
    };
  }

  /**
   * Stops the database on every member, installs the store on the writer (new store ID), starts it
   * everywhere and waits until every reachable member holds the new store at its transaction.
   */
  async installStore(db: string, storeFile: string, opts: InstallOptions): Promise<InstallResult> {
    const log = opts.log ?? (() => undefined);
    const topo = await this.topology();
    if (!topo.writer) throw new TxlineError('SOURCE_UNREACHABLE', 'cannot find the writer of the cluster');
    const writer = topo.writer;
    const hosting = topo.databases.filter((d) => d.name === db);
    // decided before the store was rebuilt; again here, in case the database was created meanwhile
    const refused = destinationProblem(db, hosting.length > 0, opts.overwrite);
    if (refused) throw refused;
    const reachable = topo.members;
    opts.onProgress?.({ phase: 'stop', message: `stopping ${db} on ${hosting.length} member(s)` });
    // Followers first, so nobody pulls from the writer while it switches stores.
    for (const d of [...hosting].sort((a, b) => Number(a.role === 'writer') - Number(b.role === 'writer'))) {
      await new MemberClient(d.member.address).stopDatabase(db);
      log(`stopped ${db} on ${d.member.id}`);
    }
    const size = fs.statSync(storeFile).size;
    opts.onProgress?.({ phase: 'install', message: `installing the restored store on the writer ${writer.id}`, bytesDone: 0, bytesTotal: size });
    const q = new URLSearchParams({ storeId: opts.storeId, databaseId: opts.databaseId });
    const res = await rawRequest(writer.address, `/admin/db/${encodeURIComponent(db)}/store?${q}`, {
      method: 'PUT',
      body: fs.createReadStream(storeFile, { highWaterMark: 1024 * 1024 }),
      headers: { 'content-length': String(size), 'content-type': 'application/vnd.sqlite3' },
      // counted once the upload (held to the client's minimum rate) is sent: checkpoint, fsync and rename
      timeoutMs: 300_000,
    });
    if (res.statusCode !== 200) throw await errorFrom(writer.address, res);
    const installed = JSON.parse((await readAll(res)).toString('utf8')) as { lastCommittedTxn: number; storeId: string };
    log(`installed ${db} on the writer ${writer.id} at transaction ${installed.lastCommittedTxn} with store ID ${installed.storeId}`);
    // The restored database's digest (seconds on a big store) is computed on the writer while the other
    // members catch up; a failure surfaces where it is awaited below.
    const digest = new MemberClient(writer.address).digest(db);
    digest.catch(() => undefined);
    for (const d of hosting.filter((x) => x.role !== 'writer')) {
      await new MemberClient(d.member.address).startDatabase(db);
    }
    opts.onProgress?.({ phase: 'catch-up', message: 'bringing the other members up to the restored store', membersReady: 0, membersTotal: reachable.length });
    const deadline = Date.now() + 120_000;
    let members: InstallResult['members'] = [];
    for (;;) {
      members = await Promise.all(
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
      if (ready.length === members.length) break;
      if (Date.now() > deadline) {
        const late = members.filter((m) => !ready.includes(m)).map((m) => `${m.member.id} (${m.status}, store ${m.storeId})`);
        throw new TxlineError('SOURCE_UNREACHABLE', `the restored store is installed on the writer, but these members did not catch up within 120 s: ${late.join(', ')}`);
      }
      await sleep(100);
    }
    return { writer, members, digest: await digest };
  }
}

async function readAll(res: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
