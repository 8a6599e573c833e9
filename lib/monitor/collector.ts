/**
 * The collector: asks every member of every registered cluster for its status once a second (by default,
 * TXLINE_COLLECT_MS), keeps the latest report per cluster in memory for the dashboard, and stores one lag
 * sample per member and database. A member that does not answer still gets a sample per database, with
 * online = 0 (its databases are those it reported last, else the ones the rest of its cluster hosts), so
 * charts show it offline rather than a hole in the history. Every minute (downsampleEveryMs) it downsamples
 * old samples (see lib/db/queries/lag.ts).
 * Members are asked independently: a round waits for each at most 80% of the interval (a slow member is
 * reported slow, and so offline, for that round) and is never held by the slowest one, so the others keep
 * their cadence; each member has at most one probe in flight (bounded by its own deadline): a round that
 * finds one still running reports the member slow without asking again, and an answer that comes after
 * its round is over is dropped, so every sample says how a member was at the time it is stamped with.
 */
import { describeError } from '../errors';
import type { TxlineEnv } from '../env';
import type { Catalog } from '../db';
import { listClusters, upsertEmbeddedCluster } from '../db/queries/clusters';
import { downsampleLag, insertLagSamples } from '../db/queries/lag';
import type { ClusterRow, LagSampleRow } from '../db/schema';
import type { ClusterReport } from './cluster-report';
import { getCatalogClusterStatus, type StatusOptions } from './cluster-status';

type LagSampleInput = Omit<LagSampleRow, 'resolution'>;

export interface ClusterSnapshot {
  /** the catalog's row without its token (snapshots reach pages) */
  cluster: Pick<ClusterRow, 'id' | 'name' | 'kind' | 'startedHere' | 'addresses' | 'controlAddress'>;
  report: ClusterReport;
}

/** What a member said the last time it answered: its name and, per database, the last committed transaction. */
interface KnownMember {
  id: string;
  databases: Map<string, number>;
}

export class Collector {
  readonly latest = new Map<number, ClusterSnapshot>();
  private timer: NodeJS.Timeout | null = null;
  private lastDownsample = 0;
  private inFlight: Promise<void> | null = null;
  /** per cluster, per member address */
  private readonly known = new Map<number, Map<string, KnownMember>>();
  /** per cluster, when the probes still running were started, by member address */
  private readonly probing = new Map<number, NonNullable<StatusOptions['inFlight']>>();
  lastError: string | null = null;
  /** when the last downsampling ran and what it did (for tests and the log) */
  lastDownsampled: { at: number; folded: number; deleted: number } | null = null;

  constructor(
    private readonly db: Catalog,
    private readonly env: TxlineEnv,
    private readonly opts: { intervalMs: number; downsampleEveryMs?: number },
  ) {}

  start(): void {
    if (this.timer) return;
    void this.tick();
    // Rounds are due at whole multiples of the interval on the wall clock and stamped with the time they were
    // due: a setInterval drifts by each firing's lateness, and its rounds, stamped to the second, skip one
    // every few minutes.
    const schedule = () => {
      const every = this.opts.intervalMs;
      const due = (Math.floor(Date.now() / every) + 1) * every;
      this.timer = setTimeout(() => {
        schedule();
        void this.tick(due);
      }, due - Date.now());
      this.timer.unref();
    };
    schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * One round: probe every cluster, store samples, downsample when due. While a round runs, another call
   * waits for it instead of starting one (a slow round, members timing out, must not pile up).
   */
  tick(now = Date.now()): Promise<void> {
    this.inFlight ??= this.round(now).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async round(now: number): Promise<void> {
    try {
      const clusters = listClusters(this.db);
      // a cluster removed in Settings takes what was remembered of it along
      const ids = new Set(clusters.map((c) => c.id));
      for (const id of [...this.known.keys()]) if (!ids.has(id)) this.known.delete(id);
      for (const id of [...this.latest.keys()]) if (!ids.has(id)) this.latest.delete(id);
      for (const id of [...this.probing.keys()]) if (!ids.has(id)) this.probing.delete(id);
      await Promise.all(clusters.map((c) => this.collect(c, now)));
      if (now - this.lastDownsample >= (this.opts.downsampleEveryMs ?? 60_000)) {
        this.lastDownsample = now;
        this.lastDownsampled = { at: now, ...downsampleLag(this.db, now) };
      }
      this.lastError = null;
    } catch (e) {
      this.lastError = describeError(e);
    }
  }

  private async collect(cluster: ClusterRow, now: number): Promise<void> {
    const interval = this.opts.intervalMs;
    let inFlight = this.probing.get(cluster.id);
    if (!inFlight) this.probing.set(cluster.id, (inFlight = new Map()));
    const probed = await getCatalogClusterStatus(cluster, this.env, {
      timeoutMs: Math.min(1500, interval * 2),
      waitMs: Math.min(1500, Math.max(100, Math.round(interval * 0.8))),
      inFlight,
    });
    let row = cluster;
    if (cluster.startedHere) {
      const addresses = probed.members.map((m) => m.address);
      if (addresses.length > 0) row = upsertEmbeddedCluster(this.db, { addresses, controlAddress: probed.controlAddress });
    }
    const report = this.remember(cluster.id, probed);
    this.latest.set(cluster.id, { cluster: { id: row.id, name: row.name, kind: row.kind, startedHere: row.startedHere, addresses: row.addresses, controlAddress: row.controlAddress }, report });
    insertLagSamples(this.db, samplesOf(cluster.id, report, this.known.get(cluster.id) as Map<string, KnownMember>, now));
  }

  /**
   * Keeps what each answering member said; an unreachable member known by its address only (a remote
   * cluster's) gets back the name it answered with before, so its samples stay on its own series.
   */
  private remember(clusterId: number, report: ClusterReport): ClusterReport {
    let known = this.known.get(clusterId);
    if (!known) this.known.set(clusterId, (known = new Map()));
    const members = report.members.map((m) => {
      if (m.reachable) {
        known.set(m.address, { id: m.id, databases: new Map(m.databases.flatMap((d) => (d.lastCommittedTxn === null ? [] : [[d.name, d.lastCommittedTxn] as const]))) });
        return m;
      }
      const k = known.get(m.address);
      return k && m.id === m.address ? { ...m, id: k.id } : m;
    });
    return { ...report, members };
  }
}

/**
 * One sample per member and database: what a reachable member reports (online when the database is), and
 * for an unreachable member an offline sample per database it hosted when it last answered (or, never
 * having answered, per database its cluster hosts), at its last known transaction.
 */
export function samplesOf(clusterId: number, report: ClusterReport, known: Map<string, KnownMember>, now: number): LagSampleInput[] {
  const ts = Math.floor(now / 1000) * 1000;
  const clusterDbs = new Set(report.members.flatMap((m) => m.databases.map((d) => d.name)));
  for (const k of known.values()) for (const name of k.databases.keys()) clusterDbs.add(name);
  return report.members.flatMap((m) => {
    if (m.reachable) {
      // a copy whose position or lag the member cannot say (a Neo4j copy offline or store copying) has no
      // sample: the charts show a gap there rather than a guessed value
      return m.databases.flatMap((d) =>
        d.lastCommittedTxn === null || d.replicationLag === null
          ? []
          : [{ clusterId, memberId: m.id, database: d.name, ts, lastCommittedTxn: d.lastCommittedTxn, replicationLag: d.replicationLag, online: d.status === 'online' }],
      );
    }
    const last = known.get(m.address)?.databases;
    const names = last && last.size > 0 ? [...last.keys()] : [...clusterDbs];
    return names.map((name) => ({ clusterId, memberId: m.id, database: name, ts, lastCommittedTxn: last?.get(name) ?? 0, replicationLag: 0, online: false }));
  });
}
