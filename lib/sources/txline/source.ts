/**
 * The `Source` of a cluster that speaks Txline's member API (the embedded cluster, or members at given
 * addresses): HTTP to the members.
 */
import { TxlineError, describeError } from '../../errors';
import { localStoreCopy } from '../../env';
import { errorFrom, MemberClient, rawRequest, requestJson, type ClusterInfo, type MemberStatus } from '../../cluster/client';
import { takeDiff, takeFull } from './backup';
import { restoreChain } from './restore';
import { installEverywhere, reserveForBuild, type LocalSink, type Prepared } from './install';
import type { Digest } from '../../graph/store';
import { txlineScratch } from './scratch';
import { COMPRESSED_STORE_MIN_RATE, DEFAULT_MIN_RATE } from '../../cluster/watchdog';
import type { Artifact } from '../../engine/artifact';
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
  /** the content sum the member kept at `txId`, when it sent one */
  contentSum: string | null;
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
  /**
   * an uncompressed full backup from a member on this host copies its store file here under a lease
   * (./local-store.ts); default: on unless TXLINE_LOCAL_STORE_COPY=off
   */
  localCopy?: boolean;
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

  /** Whether full backups may copy the store file on this host (TxlineSourceOptions.localCopy). */
  get localCopy(): boolean {
    return this.opts.localCopy ?? localStoreCopy();
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
      contentSum: /^[0-9a-f]{64}$/.test(h('x-txline-content-sum')) ? h('x-txline-content-sum') : null,
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
   * Installs a rebuilt store (named for `db`, with the new identity, in WAL mode) on every reachable member at
   * once (./install.ts); `contentDigest` is the store's content digest, computed by the caller meanwhile.
   */
  installStore(db: string, storeFile: string, opts: InstallOptions & { contentDigest: Promise<Digest>; prepared?: Prepared }): Promise<InstallResult> {
    return installEverywhere(this, db, storeFile, opts);
  }

  /** An empty file the writer reserved on this host for the store a restore rebuilds (./install.ts), or null. */
  reserveForBuild(db: string, identity: { storeId: string; databaseId: string }, log: (m: string) => void): Promise<LocalSink[]> {
    return reserveForBuild(this, db, identity, log);
  }
}
