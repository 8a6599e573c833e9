/**
 * Replication on a follower or secondary: keeps every database in step with the writer.
 *
 * - Every `pollMs` it reads the writer's /status: databases it lacks are seeded by copying the writer's store;
 *   databases the writer no longer has are dropped; a different store ID on the writer (a restore started
 *   a new history) means a fresh copy.
 * - Per online database, a loop long-polls the writer's log from `lastCommittedTxn + 1` and applies the
 *   records in batches, each no sooner than `commitTime + lagMs` (the configured, visible lag).
 * - Records that do not continue the local store's checksum chain, or a pruned log (TX_PRUNED), also lead
 *   to a fresh store copy. Pausing stops pulling and applying at once (records already received are not
 *   applied, a delay for lag is cut short); nothing is lost, the member catches up on resume.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describeError, isTxlineError, TxlineError } from '../errors';
import { errorFrom, rawRequest, requestJson, type MemberStatus } from './client';
import { installUpload } from './member-http';
import type { Member } from './member';
import { RecordStreamDecoder, type TxRecord } from '../graph/record';

const APPLY_BATCH = 500;

export class Replicator {
  private running = false;
  private loops = new Map<string, Promise<void>>();
  private seeding = new Set<string>();
  private abort = new AbortController();

  constructor(
    private readonly member: Member,
    private readonly pollMs = 500,
  ) {}

  start(): void {
    if (this.member.isWriter || this.running) return;
    this.running = true;
    void this.watchWriter();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    await Promise.allSettled([...this.loops.values()]);
  }

  private get log() {
    return this.member.log;
  }

  private async watchWriter(): Promise<void> {
    let complained = false;
    while (this.running) {
      try {
        const st = await requestJson<MemberStatus>(this.member.writerAddress, '/status', { timeoutMs: 3000, signal: this.abort.signal });
        if (complained) this.log.info(`writer ${this.member.writerAddress} is reachable again`);
        complained = false;
        await this.reconcile(st);
      } catch (e) {
        if (!this.running) break;
        if (!complained) this.log.warn(`cannot reach the writer: ${describeError(e)}`);
        complained = true;
      }
      await sleep(this.pollMs).catch(() => undefined);
    }
  }

  private async reconcile(writer: MemberStatus): Promise<void> {
    const names = new Set(writer.databases.map((d) => d.name));
    for (const d of writer.databases) {
      this.member.writerLast.set(d.name, d.lastCommittedTxn);
      const local = this.member.databases.get(d.name);
      // a restore installing the database here is in charge of it (./staging.ts)
      if (d.status !== 'online' || this.seeding.has(d.name) || this.member.staged.has(d.name)) continue;
      if (!local) {
        await this.seed(d.name, 'it is new on this member');
      } else if (local.status === 'online' && d.storeId && local.describe()?.storeId !== d.storeId) {
        await this.seed(d.name, `the writer has a new store ID (${d.storeId})`);
      }
      if (this.member.databases.has(d.name) && !this.loops.has(d.name)) {
        const loop = this.pull(d.name).finally(() => this.loops.delete(d.name));
        this.loops.set(d.name, loop);
      }
    }
    for (const [name, db] of [...this.member.databases]) {
      if (!names.has(name) && !this.seeding.has(name) && !this.member.staged.has(name)) {
        this.log.info(`database ${name} is gone from the writer; dropping it here`);
        await db.drop();
        this.member.databases.delete(name);
      }
    }
  }

  /** Copies the writer's store into place (a store copy, as a new or diverged member does). */
  async seed(name: string, why: string): Promise<void> {
    if (this.seeding.has(name)) return;
    this.seeding.add(name);
    try {
      this.log.info(`copying store of ${name} from the writer: ${why}`);
      const res = await rawRequest(this.member.writerAddress, `/db/${encodeURIComponent(name)}/store`, {
        timeoutMs: 60_000,
        signal: this.abort.signal,
      });
      if (res.statusCode !== 200) throw await errorFrom(this.member.writerAddress, res);
      const meta = await installUpload(this.member, name, res, { replication: true });
      this.log.info(`store copy of ${name} installed at transaction ${meta.lastTxId}`);
    } catch (e) {
      if (this.running) this.log.warn(`store copy of ${name} failed: ${describeError(e)}`);
    } finally {
      this.seeding.delete(name);
    }
  }

  private async pull(name: string): Promise<void> {
    while (this.running) {
      const db = this.member.databases.get(name);
      if (!db) return;
      if (this.member.replication.paused || db.status !== 'online' || this.seeding.has(name) || this.member.staged.has(name)) {
        await sleep(100).catch(() => undefined);
        continue;
      }
      try {
        await this.pullOnce(name);
      } catch (e) {
        if (!this.running) return;
        if (isTxlineError(e, 'TX_PRUNED') || isTxlineError(e, 'STORE_MISMATCH')) {
          await this.seed(name, describeError(e));
        } else if (isTxlineError(e, 'DATABASE_NOT_FOUND')) {
          return; // reconcile decides what happens to it
        } else {
          if (!isTxlineError(e, 'SOURCE_UNREACHABLE') && !isTxlineError(e, 'DATABASE_OFFLINE')) {
            this.log.warn(`replication of ${name}: ${describeError(e)}`);
          }
          await sleep(250).catch(() => undefined);
        }
      }
    }
  }

  private async pullOnce(name: string): Promise<void> {
    const db = this.member.databases.get(name);
    if (!db || db.status !== 'online') return;
    const from = db.lastCommittedTxn + 1;
    const storeId = db.meta.storeId;
    const res = await rawRequest(this.member.writerAddress, `/db/${encodeURIComponent(name)}/tx?from=${from}&wait=1000`, {
      timeoutMs: 30_000,
      signal: this.abort.signal,
    });
    if (res.statusCode !== 200) throw await errorFrom(this.member.writerAddress, res);
    const writerStore = String(res.headers['x-txline-store-id'] ?? '');
    const writerLast = Number(res.headers['x-txline-last-committed'] ?? 0);
    this.member.writerLast.set(name, Math.max(writerLast, this.member.writerLast.get(name) ?? 0));
    if (writerStore !== storeId) {
      res.destroy();
      throw new TxlineError('STORE_MISMATCH', `the writer's store ID of ${name} is ${writerStore}, here it is ${storeId}`);
    }
    const decoder = new RecordStreamDecoder(`replication stream of ${name}`);
    let batch: TxRecord[] = [];
    const halted = () => this.member.replication.paused || !this.running;
    const flush = async () => {
      if (batch.length === 0) return;
      const records = batch;
      batch = [];
      await this.waitForLag(records[records.length - 1].commitTime);
      if (halted()) return; // paused while waiting: the next pull after resume reads these again
      await db.applyReplicated(records);
    };
    try {
      for await (const chunk of res) {
        for (const rec of decoder.push(chunk as Buffer)) {
          if (halted()) {
            // Paused (or stopping) while this response was in flight: apply nothing more.
            res.destroy();
            return;
          }
          if (rec.commitTime + this.member.replication.lagMs > Date.now()) {
            // Not due yet: apply what is, then this one when its lag has passed.
            await flush();
            batch.push(rec);
            await flush();
          } else {
            batch.push(rec);
            if (batch.length >= APPLY_BATCH) await flush();
          }
        }
      }
      decoder.end();
      await flush();
    } finally {
      if (!res.destroyed) res.destroy();
    }
  }

  private async waitForLag(commitTime: number): Promise<void> {
    for (;;) {
      const due = commitTime + this.member.replication.lagMs - Date.now();
      if (due <= 0 || !this.running || this.member.replication.paused) return;
      await sleep(Math.min(due, 100)).catch(() => undefined);
    }
  }
}
