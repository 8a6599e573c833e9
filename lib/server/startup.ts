/**
 * Starting the server's long-lived parts over a configuration: the catalog (migrated), the embedded cluster
 * and the default backup folder registered, jobs left running by a previous server marked interrupted, the
 * job runner, the lag collector (every TXLINE_COLLECT_MS), the folder indexer (every 15 s) and the backup
 * scheduler (lib/schedules, every second; it makes up missed runs once at its first tick, and runs the daily
 * restore drills) and the alert monitor (lib/alerts, every TXLINE_ALERT_MS). Scratch databases that killed drills
 * left are dropped (./drill-leftovers.ts).
 *
 * lib/server/context.ts makes one per process for Next.js; tests call startServer() themselves, so the
 * start-up path they check is the one the server runs. stop() ends the timers and the running jobs.
 */
import fs from 'node:fs';
import { catalogAt, type Catalog } from '../db';
import { indexAll, indexFolder } from '../db/indexer';
import { addRemoteCluster, ensureFolder, getFolder, listClusters, upsertEmbeddedCluster } from '../db/queries/clusters';
import type { TxlineEnv } from '../env';
import { createLogger } from '../log';
import { Collector } from '../monitor/collector';
import { clusterKind, DEFAULT_KIND } from '../sources';
import { JobRunner } from '../jobs/runner';
import { applyJobEffects } from '../jobs/effects';
import { txlineBin } from '../paths';
import { describeError } from '../errors';
import { ensureInitialAdmin } from '../auth/users';
import { markInterruptedAudited, recordJobOutcome } from '../auth/audit';
import { Scheduler } from '../schedules/scheduler';
import { AlertMonitor } from '../alerts/monitor';
import { dropLeftoverDrills } from './drill-leftovers';

export interface ServerContext {
  env: TxlineEnv;
  db: Catalog;
  runner: JobRunner;
  collector: Collector;
  /** runs due backup schedules as jobs */
  scheduler: Scheduler;
  /** evaluates the alert conditions and delivers their changes to the webhook targets */
  alerts: AlertMonitor;
  /** scans a folder (or every folder) into the catalog, off the request path (fs.promises); never rejects */
  reindex: (folderId?: number) => Promise<void>;
  /** how many jobs start-up found still marked running (and marked interrupted) */
  interruptedAtStart: number;
  /** resolves when the scratch databases drills left (killed with the previous server) are dropped; never rejects */
  drillLeftovers: Promise<void>;
  /** stops the collector and the indexer and cancels running jobs */
  stop: () => void;
}

/**
 * The embedded cluster is the default a newcomer sees; a cluster named by TXLINE_CLUSTER_ADDRESSES is
 * registered instead when given. Only into a catalog without clusters (`txline schedule` does the same).
 */
export function registerDefaultCluster(db: Catalog, e: TxlineEnv): void {
  if (listClusters(db).length > 0) return;
  if (e.clusterAddresses) {
    addRemoteCluster(db, { name: 'default', addresses: e.clusterAddresses });
  } else {
    const found = clusterKind(DEFAULT_KIND).locateStartedHere?.(e) ?? { addresses: [], controlAddress: null };
    upsertEmbeddedCluster(db, { addresses: found.addresses, controlAddress: found.controlAddress });
  }
}

export function startServer(e: TxlineEnv): ServerContext {
  const log = createLogger('server');
  const db = catalogAt(e.catalog);
  registerDefaultCluster(db, e);
  fs.mkdirSync(e.backupDir, { recursive: true });
  ensureFolder(db, { name: 'default', path: e.backupDir, isDefault: true });
  // The first admin: TXLINE_ADMIN_PASSWORD, or a generated password printed once (must be changed at first login).
  void ensureInitialAdmin(db, e.adminPassword).then(
    (r) => {
      if (r.generated) {
        process.stdout.write(
          `\n  Txline created the user "admin" with the password:  ${r.generated}\n  It is shown only now; you must change it when you first sign in.\n\n`,
        );
      } else if (r.created) log.info('created the user "admin" with the password from TXLINE_ADMIN_PASSWORD (to be changed at first sign-in)');
    },
    (err) => log.error(`could not create the first admin: ${describeError(err)}`),
  );
  // Before the runner exists: a job still marked running belonged to a server process that is gone.
  const interrupted = markInterruptedAudited(db);
  if (interrupted > 0) log.warn(`${interrupted} job(s) were running when the server last stopped; marked interrupted`);
  const reindex = async (folderId?: number) => {
    try {
      // confined to the backup roots again at every scan: a folder may have been replaced since it was added
      if (folderId === undefined) await indexAll(db, e);
      else {
        const f = getFolder(db, { id: folderId });
        if (f) await indexFolder(db, f, e);
      }
    } catch (err) {
      log.error(`indexing failed: ${describeError(err)}`);
    }
  };
  const runner = new JobRunner(db, {
    bin: txlineBin(),
    onFinished: async (job) => {
      recordJobOutcome(db, job);
      await reindex(job.folderId ?? undefined);
      applyJobEffects(db, job); // on the rows the scan brought in
      alerts.evaluateSoon(); // a failed job fires (and a backup resolves) now, not at the next interval
    },
  });
  const collector = new Collector(db, e, { intervalMs: e.collectIntervalMs });
  collector.start();
  // a drill killed with the previous server may have left its scratch database on a cluster (the collector's
  // first round says which clusters have one)
  const drillLeftovers = dropLeftoverDrills(db, e, collector, log);
  void reindex();
  // a scan still running when the next is due is not doubled: the indexer runs one per folder at a time
  const indexTimer = setInterval(() => void reindex(), 15_000);
  indexTimer.unref();
  const scheduler = new Scheduler({ db, runner, collector, env: e, reindex }, { drillsAfter: drillLeftovers });
  scheduler.start();
  const alerts = new AlertMonitor({ db, env: e, collector }, { intervalMs: e.alertIntervalMs });
  alerts.start();
  const stop = () => {
    alerts.stop();
    scheduler.stop();
    clearInterval(indexTimer);
    collector.stop();
    runner.stopAll();
  };
  return { env: e, db, runner, collector, scheduler, alerts, reindex, interruptedAtStart: interrupted, drillLeftovers, stop };
}
