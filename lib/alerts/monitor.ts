/**
 * The alert monitor: every `intervalMs` (TXLINE_ALERT_MS, 30 s by default) it gathers the facts of every database
 * (./facts.ts), evaluates the conditions against the thresholds (./conditions.ts, ./rules.ts), applies the
 * findings to the alert states (./store.ts) and delivers each change to every enabled webhook target
 * (./webhooks.ts) in the background. Started by lib/server/startup.ts beside the scheduler.
 *
 * An evaluation never overlaps another; `evaluateSoon()` runs one at the next turn (after a threshold was saved,
 * so the page shows its effect at once), or right after the one in progress. The facts are read one database at
 * a time, letting requests in every SLICE_MS (a fleet of 5,000 databases takes seconds of queries: held at once,
 * they would stall every page that long); the findings are applied at the end, in one step. Deliveries run concurrently with evaluations and are awaited by `idle()`
 * (tests) and cut short by `stop()`.
 *
 * Requests to one target: at most REQUESTS_PER_TARGET at once (a fleet whose backups all fail at once fires
 * thousands of alerts; the receiver gets them a few at a time, in the order they came, retries first; a delivery
 * waiting out its back-off holds no place), and at most WAITING_PER_TARGET unfinished deliveries (past it, firings
 * and acknowledgements are not sent until fewer than 90% of it wait: the first is logged, the rest counted and
 * logged in one row then; a `resolved` is never dropped). One condition's changes go one after another, across
 * its episodes (a `resolved` being retried is not overtaken by the next episode's `firing`). A delivery that has
 * not started when the monitor stops, or when its target is removed, disabled or pointed elsewhere, is not sent.
 * A test send (sendTest) waits for nothing.
 */
import type { Catalog } from '../db';
import type { AlertRow } from '../db/schema';
import type { TxlineEnv } from '../env';
import { describeError } from '../errors';
import { createLogger } from '../log';
import type { ClusterReport } from '../monitor/cluster-report';
import { evaluate, type Finding } from './conditions';
import { catalogDrills, type DrillResults } from './drills';
import { factsOf, gatherFacts } from './facts';
import { listRules, rulesFor } from './rules';
import { applyFindings, type AlertEvent } from './store';
import { alertBody, DEFAULT_DELIVERY, deliver, getTarget, listTargets, logNotSent, type AttemptResult, type DeliveryOptions, type WebhookBody } from './webhooks';
import { listClusters } from '../db/queries/clusters';
import PQueue from 'p-queue';

/** How many requests to one webhook target may be under way at once. */
export const REQUESTS_PER_TARGET = 4;
/**
 * How many unfinished deliveries one webhook target may have (under way, queued, in back-off or behind their
 * condition's earlier change); past it, firings and acknowledgements are not sent until fewer than RESUME_SHARE
 * of it wait (then one row says how many were not).
 */
export const WAITING_PER_TARGET = 10_000;
/** Dropping stops once fewer than this share of the limit wait. */
const RESUME_SHARE = 0.9;

/** thrown at an attempt's turn when it is not to be sent (see send()) */
const NOT_SENT = new Error('not sent: the alert monitor stopped, or the target was removed, disabled or pointed elsewhere');

/** A webhook target's requests' turns, how many deliveries wait for it, and how many were not sent meanwhile. */
interface Lane {
  queue: PQueue;
  waiting: number;
  dropped: number;
  lastDropped?: { body: WebhookBody; alertId: number };
}

export interface AlertMonitorContext {
  db: Catalog;
  env: Pick<TxlineEnv, 'catalog' | 'publicUrl'>;
  /** the collector's latest report per cluster (lib/monitor/collector.ts) */
  collector: { latest: Map<number, { report: ClusterReport }> };
  drills?: DrillResults;
}

export interface AlertMonitorOptions {
  intervalMs: number;
  delivery?: DeliveryOptions;
  now?: () => number;
  /** WAITING_PER_TARGET by default */
  waitingPerTarget?: number;
}

/** An evaluation holds the thread at most this long (plus one database) before letting other work run. */
const SLICE_MS = 15;

export class AlertMonitor {
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Immediate | null = null;
  private stopped = false;
  /** the evaluation in progress, if any */
  private running: Promise<void> | null = null;
  /** asked for (evaluateSoon) while one was in progress: another runs when it ends */
  private again = false;
  private readonly pending = new Set<Promise<unknown>>();
  /** per target id */
  private readonly lanes = new Map<number, Lane>();
  /** per target and condition (`<target>:<alert key>`): the last of the condition's deliveries queued */
  private readonly lastOfKey = new Map<string, Promise<unknown>>();
  /** moved by stop(): what was queued before a stop is not sent after a start */
  private generation = 0;
  private readonly log = createLogger('alerts');
  private readonly drills: DrillResults;
  private readonly now: () => number;
  /** the findings of the last evaluation (for tests and the log) */
  lastFindings: Finding[] = [];

  constructor(
    private readonly ctx: AlertMonitorContext,
    private readonly opts: AlertMonitorOptions,
  ) {
    this.drills = ctx.drills ?? catalogDrills(ctx.db);
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    if (this.timer) return;
    this.stopped = false;
    this.timer = setInterval(() => void this.safeEvaluate(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    this.generation++;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearImmediate(this.soon);
    this.timer = null;
    this.soon = null;
  }

  /** Evaluates at the next turn of the event loop (once, however often it is asked meanwhile). */
  evaluateSoon(): void {
    if (this.soon) return;
    this.soon = setImmediate(() => {
      this.soon = null;
      if (this.running) this.again = true;
      else void this.safeEvaluate();
    });
  }

  /** Resolves when every delivery started so far has ended (its retries included). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** One evaluation in slices (none when one is in progress: the interval's next tick is soon enough). */
  private safeEvaluate(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.evaluateInSlices();
        } while (this.again && !this.stopped);
      } catch (e) {
        this.log.error(`an alert evaluation failed: ${describeError(e)}`);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async evaluateInSlices(now = this.now()): Promise<void> {
    const { db } = this.ctx;
    const rows = listRules(db);
    const reports = new Map([...this.ctx.collector.latest].map(([id, s]) => [id, s.report]));
    const findings: Finding[] = [];
    let until = performance.now() + SLICE_MS;
    for (const { facts: f, rules } of factsOf({ db, reports, drills: this.drills.recent(20), rulesFor: (d) => rulesFor(rows, d), now })) {
      findings.push(...evaluate(f, rules, now));
      if (performance.now() > until) {
        await new Promise((r) => setImmediate(r));
        if (this.stopped) return;
        until = performance.now() + SLICE_MS;
      }
    }
    this.apply(findings, now);
  }

  /** One evaluation at `now`, at once: the changes it made (each also sent to the webhook targets). */
  evaluate(now = this.now()): AlertEvent[] {
    const { db } = this.ctx;
    const rows = listRules(db);
    const reports = new Map([...this.ctx.collector.latest].map(([id, s]) => [id, s.report]));
    const facts = gatherFacts({ db, reports, drills: this.drills.recent(20), rulesFor: (d) => rulesFor(rows, d), now });
    return this.apply(
      facts.flatMap(({ facts: f, rules }) => evaluate(f, rules, now)),
      now,
    );
  }

  private apply(findings: Finding[], now: number): AlertEvent[] {
    const { db } = this.ctx;
    this.lastFindings = findings;
    const clusters = new Set(listClusters(db).map((c) => c.name));
    const events = applyFindings(db, findings, now, (a) => a.cluster !== null && !clusters.has(a.cluster));
    for (const e of events) {
      this.log.info(`${e.state}: ${e.alert.message}`);
      this.send(e.alert, e.state);
    }
    return events;
  }

  /** Sends an alert change to every enabled target, in the background (in turn: see the header). */
  send(alert: AlertRow, state: AlertEvent['state']): void {
    const generation = this.generation;
    const limit = this.opts.waitingPerTarget ?? WAITING_PER_TARGET;
    for (const t of listTargets(this.ctx.db)) {
      if (!t.enabled) continue;
      const d = { body: alertBody(alert, state, this.ctx.env.publicUrl), alertId: alert.id };
      const lane = this.lanes.get(t.id) ?? this.openLane(t.id);
      // (a `resolved` always waits its turn: dropped, it would leave the receiver with a stale `firing`)
      if ((lane.waiting >= limit || lane.dropped > 0) && state !== 'resolved') {
        // said once, and then counted: one row per drop would push the attempts that explain it out of the log
        if (lane.dropped++ === 0) {
          const why = `${limit} unfinished deliveries wait for this target (more are counted until fewer wait)`;
          this.log.error(`webhook target ${t.name}: ${state} of "${alert.message}" not sent: ${why}`);
          logNotSent(this.ctx.db, t.id, d, why);
        }
        lane.lastDropped = d;
        continue;
      }
      lane.waiting++;
      const key = `${t.id}:${alert.key}`;
      const before = this.lastOfKey.get(key) ?? Promise.resolve();
      // The target as it is when the condition's earlier change is done, and again at each attempt's turn in
      // the target's lane: one removed, disabled or pointed elsewhere meanwhile gets nothing more, nor does
      // anything once the monitor stops.
      const current = () => {
        const now = getTarget(this.ctx.db, { id: t.id });
        return !this.stopped && this.generation === generation && now && now.enabled && now.url === t.url ? now : null;
      };
      // (retries go ahead of first attempts, so that their back-off is the wait they get)
      const gate = (request: () => Promise<AttemptResult>, attempt: number) =>
        lane.queue.add(
          () => {
            if (!current()) throw NOT_SENT;
            return request();
          },
          { priority: attempt > 1 ? 1 : 0 },
        );
      const sent = before
        .then(() => {
          const now = current();
          return now ? deliver(this.ctx.db, this.ctx.env.catalog, now, d, this.delivery(), () => this.stopped || this.generation !== generation, gate) : undefined;
        })
        .catch((e: unknown) => {
          if (e !== NOT_SENT) throw e;
        });
      const settled = sent.catch(() => undefined);
      this.lastOfKey.set(key, settled);
      void settled.then(() => {
        if (this.lastOfKey.get(key) === settled) this.lastOfKey.delete(key);
        lane.waiting--;
        // (until fewer than RESUME_SHARE of the limit wait, a full lane stays full: not a row per delivery that ends)
        if (lane.dropped > 0 && lane.waiting < limit * RESUME_SHARE) {
          if (lane.dropped > 1 && lane.lastDropped) {
            const why = `${lane.dropped - 1} more alert changes came while ${limit} unfinished deliveries waited for this target`;
            this.log.error(`webhook target ${t.name}: not sent: ${why}`);
            logNotSent(this.ctx.db, t.id, lane.lastDropped, why);
          }
          lane.dropped = 0;
        }
        if (lane.waiting === 0 && this.lanes.get(t.id) === lane) this.lanes.delete(t.id);
      });
      this.track(sent);
    }
  }

  private openLane(targetId: number): Lane {
    const lane: Lane = { queue: new PQueue({ concurrency: REQUESTS_PER_TARGET }), waiting: 0, dropped: 0 };
    this.lanes.set(targetId, lane);
    return lane;
  }

  /** Sends a test body to one target now (no retries) and resolves to what happened. */
  async sendTest(targetId: number): Promise<AttemptResult & { attempts: number }> {
    const t = getTarget(this.ctx.db, { id: targetId });
    if (!t) return { outcome: 'failed', httpStatus: null, error: `There is no webhook target #${targetId}.`, retry: false, durationMs: 0, attempts: 0 };
    const body: WebhookBody = { alert: 'test', state: 'test', cluster: null, database: null, value: null, threshold: null, since: new Date(this.now()).toISOString(), url: `${this.ctx.env.publicUrl ?? ''}/alerts` };
    return deliver(this.ctx.db, this.ctx.env.catalog, t, { body, alertId: null }, { ...this.delivery(), retries: 0 });
  }

  private delivery(): DeliveryOptions {
    return this.opts.delivery ?? DEFAULT_DELIVERY;
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch((e) => this.log.error(`a webhook delivery failed: ${describeError(e)}`)).finally(() => this.pending.delete(q));
    this.pending.add(q);
  }
}
