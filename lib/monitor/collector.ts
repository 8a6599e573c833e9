/**
 * The collector: asks every member of every registered cluster for its status once a second (by default),
 * keeps the latest report per cluster in memory for the dashboard, and stores one lag sample per member and
 * database. Every minute it downsamples old samples (see lib/db/queries/lag.ts).
 */
import { describeError } from '../errors';
import type { TxlineEnv } from '../env';
import type { Catalog } from '../db';
import { listClusters, upsertEmbeddedCluster } from '../db/queries/clusters';
import { downsampleLag, insertLagSamples } from '../db/queries/lag';
import type { ClusterRow } from '../db/schema';
import type { ClusterReport } from './cluster-report';
import { getCatalogClusterStatus } from './cluster-status';

export interface ClusterSnapshot {
  cluster: Pick<ClusterRow, 'id' | 'name' | 'kind' | 'addresses' | 'controlAddress'>;
  report: ClusterReport;
}

export class Collector {
  readonly latest = new Map<number, ClusterSnapshot>();
  private timer: NodeJS.Timeout | null = null;
  private lastDownsample = 0;
  private ticking = false;
  lastError: string | null = null;

  constructor(
    private readonly db: Catalog,
    private readonly env: TxlineEnv,
    private readonly opts: { intervalMs: number; downsampleEveryMs?: number },
  ) {}

  start(): void {
    if (this.timer) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One round: probe every cluster, store samples, downsample when due. */
  async tick(now = Date.now()): Promise<void> {
    if (this.ticking) return; // a slow round (members timing out) must not pile up
    this.ticking = true;
    try {
      const clusters = listClusters(this.db);
      await Promise.all(clusters.map((c) => this.collect(c, now)));
      if (now - this.lastDownsample >= (this.opts.downsampleEveryMs ?? 60_000)) {
        this.lastDownsample = now;
        downsampleLag(this.db, now);
      }
      this.lastError = null;
    } catch (e) {
      this.lastError = describeError(e);
    } finally {
      this.ticking = false;
    }
  }

  private async collect(cluster: ClusterRow, now: number): Promise<void> {
    const report = await getCatalogClusterStatus(cluster, this.env, { timeoutMs: Math.min(1500, this.opts.intervalMs * 2) });
    let row = cluster;
    if (cluster.kind === 'embedded') {
      const addresses = report.members.map((m) => m.address);
      if (addresses.length > 0) row = upsertEmbeddedCluster(this.db, { addresses, controlAddress: report.controlAddress });
    }
    this.latest.set(cluster.id, { cluster: row, report });
    const ts = Math.floor(now / 1000) * 1000;
    const samples = report.members.flatMap((m) =>
      m.databases.map((d) => ({
        clusterId: cluster.id,
        memberId: m.id,
        database: d.name,
        ts,
        lastCommittedTxn: d.lastCommittedTxn,
        replicationLag: d.replicationLag,
        online: m.reachable && d.status === 'online',
      })),
    );
    insertLagSamples(this.db, samples);
  }
}
