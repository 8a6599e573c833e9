/**
 * Webhook delivery against real receivers on loopback: retries with exponential back-off against a receiver that
 * fails twice, every attempt in the delivery log; a receiver that never answers is cut off by the timeout; a 4xx
 * is not retried; the secret is sealed in the catalog, signs the exact body bytes, and is never shown back; a
 * refused URL is refused when set and when a row was altered by hand; each delivery has one ID and each attempt
 * a timestamp, both under the timestamped signature. Through the alert monitor: at most REQUESTS_PER_TARGET
 * requests to a target at once (retries first, a back-off holds no place), one condition's changes in order across
 * its episodes, a bounded backlog, and nothing sent that was still waiting when the monitor stopped or the target
 * was disabled or moved.
 */
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEPT_DELIVERIES, addTarget, deliver, listDeliveries, publicTarget, type WebhookBody } from '../../lib/alerts/webhooks';
import { openCatalog, type Catalog } from '../../lib/db';
import { webhookDeliveries, webhookTargets } from '../../lib/db/schema';
import { codeOf } from '../../lib/errors';
import { tempDir } from '../helpers/cluster';
import { startReceiver, type Receiver } from './receiver';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { alertKey } from '../../lib/alerts/conditions';
import { AlertMonitor, REQUESTS_PER_TARGET, WAITING_PER_TARGET } from '../../lib/alerts/monitor';
import { applyFindings } from '../../lib/alerts/store';
import { acknowledge } from '../../lib/dashboard/commands/alerts';
import { listAudit } from '../../lib/auth/audit';

const BODY: WebhookBody = { alert: 'rpo', state: 'firing', cluster: 'embedded', database: 'neo4j', value: 30.5, threshold: 26, since: '2026-12-06T10:00:00.000Z', url: '/alerts?alert=1' };

describe('webhook delivery', () => {
  let dir: string;
  let catalog: string;
  let db: Catalog;
  const receivers: Receiver[] = [];
  const receiver = async (answer?: Parameters<typeof startReceiver>[0]) => {
    const r = await startReceiver(answer);
    receivers.push(r);
    return r;
  };

  beforeAll(() => {
    dir = tempDir('webhooks');
    catalog = path.join(dir, 'txline.sqlite');
    db = openCatalog(catalog);
  });

  afterAll(async () => {
    for (const r of receivers) await r.close();
    db?.$client.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('retries with back-off against a receiver that fails twice, and logs every attempt', async () => {
    const r = await receiver((n) => (n <= 2 ? 503 : 200));
    const t = addTarget(db, catalog, { name: 'flaky', url: r.url, secret: 'a-long-signing-secret', by: 'admin' });
    const result = await deliver(db, catalog, t, { body: BODY, alertId: null }, { timeoutMs: 2000, retries: 4, backoffMs: 150 });
    expect(result).toMatchObject({ outcome: 'ok', httpStatus: 200, attempts: 3 });
    expect(r.received).toHaveLength(3);
    // exponential back-off: 150 ms, then 300 ms (less a little for timer granularity)
    expect(r.received[1].at - r.received[0].at).toBeGreaterThanOrEqual(140);
    expect(r.received[2].at - r.received[1].at).toBeGreaterThanOrEqual(290);
    const log = listDeliveries(db, { targetId: t.id }).reverse();
    expect(log.map((d) => [d.attempt, d.outcome, d.httpStatus])).toEqual([
      [1, 'failed', 503],
      [2, 'failed', 503],
      [3, 'ok', 200],
    ]);
    expect(log[0].error).toMatch(/answered 503/);
    // every attempt carries the same body, signed over its exact bytes, and the same delivery ID; the
    // timestamped signature binds the attempt's time and that ID, so a captured request replayed later can be told
    const id = r.received[0].headers['x-txline-delivery'] as string;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const got of r.received) {
      expect(got.raw).toBe(JSON.stringify(BODY));
      expect(got.headers['x-txline-signature']).toBe(`sha256=${createHmac('sha256', 'a-long-signing-secret').update(got.raw).digest('hex')}`);
      expect(Object.keys(got.body).sort()).toEqual(['alert', 'cluster', 'database', 'since', 'state', 'threshold', 'url', 'value']);
      expect(got.headers['x-txline-delivery']).toBe(id);
      const timestamp = got.headers['x-txline-timestamp'] as string;
      expect(timestamp).toMatch(/^\d+$/);
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
      const signed = (ts: string) => `sha256=${createHmac('sha256', 'a-long-signing-secret').update(`${ts}.${id}.${got.raw}`).digest('hex')}`;
      expect(got.headers['x-txline-signature-256']).toBe(signed(timestamp));
      expect(got.headers['x-txline-signature-256']).not.toBe(signed(String(Number(timestamp) - 3600)));
    }
    // another delivery of the same body is another delivery
    await deliver(db, catalog, t, { body: BODY, alertId: null }, { timeoutMs: 2000, retries: 0, backoffMs: 150 });
    expect(r.received).toHaveLength(4);
    expect(r.received[3].headers['x-txline-delivery']).not.toBe(id);
  });

  it("keeps each target's newest attempts: the oldest goes as a new one is logged, another target's stay", async () => {
    const r = await receiver();
    const busy = addTarget(db, catalog, { name: 'busy', url: r.url, by: 'admin' });
    const quiet = addTarget(db, catalog, { name: 'quiet', url: r.url, by: 'admin' });
    const row = (targetId: number, i: number) => ({ targetId, alertId: null, event: 'firing', attempt: 1, outcome: 'failed' as const, httpStatus: 503, error: `old ${i}`, durationMs: 1, at: i });
    db.insert(webhookDeliveries).values(Array.from({ length: 3 }, (_, i) => row(quiet.id, i))).run();
    for (let i = 0; i < KEPT_DELIVERIES; i += 250) db.insert(webhookDeliveries).values(Array.from({ length: 250 }, (_, k) => row(busy.id, i + k))).run();
    const count = (targetId: number) => db.select().from(webhookDeliveries).where(eq(webhookDeliveries.targetId, targetId)).all();
    expect(count(busy.id)).toHaveLength(KEPT_DELIVERIES);
    expect(await deliver(db, catalog, busy, { body: BODY, alertId: null })).toMatchObject({ outcome: 'ok' });
    const kept = count(busy.id);
    expect(kept).toHaveLength(KEPT_DELIVERIES);
    expect(kept.some((d) => d.error === 'old 0')).toBe(false);
    expect(kept.some((d) => d.error === 'old 1')).toBe(true);
    expect(listDeliveries(db, { targetId: busy.id, limit: 1 })[0]).toMatchObject({ outcome: 'ok', httpStatus: 200 });
    expect(count(quiet.id)).toHaveLength(3);
  });

  it('stops retrying once the target is removed, disabled or pointed elsewhere', async () => {
    for (const change of ['removed', 'disabled', 'moved'] as const) {
      let id = 0;
      const r = await receiver((n) => {
        // the admin changes the target while its first attempt is answered
        if (n === 1) {
          if (change === 'removed') db.delete(webhookTargets).where(eq(webhookTargets.id, id)).run();
          else if (change === 'disabled') db.update(webhookTargets).set({ enabled: false }).where(eq(webhookTargets.id, id)).run();
          else db.update(webhookTargets).set({ url: 'http://127.0.0.1:9/elsewhere' }).where(eq(webhookTargets.id, id)).run();
        }
        return 503;
      });
      const t = addTarget(db, catalog, { name: `going-${change}`, url: r.url, by: 'admin' });
      id = t.id;
      const result = await deliver(db, catalog, t, { body: BODY, alertId: null }, { timeoutMs: 2000, retries: 4, backoffMs: 20 });
      expect({ change, attempts: result.attempts, outcome: result.outcome }).toEqual({ change, attempts: 1, outcome: 'failed' });
      expect(r.received).toHaveLength(1);
    }
  });

  it('gives up after its retries, bounds each attempt by the timeout, and does not retry a 4xx', async () => {
    const hang = await receiver(() => 'hang');
    const t = addTarget(db, catalog, { name: 'silent', url: hang.url, by: 'admin' });
    const t0 = performance.now();
    const r = await deliver(db, catalog, t, { body: BODY, alertId: null }, { timeoutMs: 300, retries: 1, backoffMs: 50 });
    const took = performance.now() - t0;
    expect(r).toMatchObject({ outcome: 'failed', attempts: 2 });
    expect(r.error).toMatch(/no answer within 300 ms/);
    expect(took).toBeGreaterThanOrEqual(600);
    expect(took).toBeLessThan(3000);
    expect(hang.received[0].headers['x-txline-signature']).toBeUndefined(); // no secret, no signature
    expect(hang.received[0].headers['x-txline-signature-256']).toBeUndefined();
    expect(hang.received[0].headers['x-txline-delivery']).toBe(hang.received[1].headers['x-txline-delivery']);
    expect(hang.received[0].headers['x-txline-timestamp']).toMatch(/^\d+$/);

    const gone = await receiver(() => 404);
    const t2 = addTarget(db, catalog, { name: 'gone', url: gone.url, by: 'admin' });
    expect(await deliver(db, catalog, t2, { body: BODY, alertId: null }, { timeoutMs: 1000, retries: 3, backoffMs: 10 })).toMatchObject({ outcome: 'failed', httpStatus: 404, attempts: 1 });
  });

  it('seals the secret and never shows it back', () => {
    const t = addTarget(db, catalog, { name: 'sealed', url: 'http://127.0.0.1:9/hook', secret: 'do-not-show-me', by: 'admin' });
    expect(t.secretSealed).toMatch(/^v1:/);
    expect(JSON.stringify(db.select().from(webhookTargets).all())).not.toContain('do-not-show-me');
    const shown = publicTarget(t);
    expect(shown).toMatchObject({ name: 'sealed', hasSecret: true });
    expect(JSON.stringify(shown)).not.toContain('v1:');
  });

  it('refuses a metadata URL when set, and again at send time when the row was altered', async () => {
    let err: unknown;
    try {
      addTarget(db, catalog, { name: 'meta', url: 'http://0xA9FEA9FE/latest/meta-data/', by: 'admin' });
    } catch (e) {
      err = e;
    }
    expect(codeOf(err)).toBe('ADDRESS_REFUSED');
    const t = addTarget(db, catalog, { name: 'altered', url: 'http://127.0.0.1:9/hook', by: 'admin' });
    const altered = db.update(webhookTargets).set({ url: 'http://[::ffff:169.254.169.254]/' }).where(eq(webhookTargets.id, t.id)).returning().get();
    const r = await deliver(db, catalog, altered, { body: BODY, alertId: null }, { timeoutMs: 1000, retries: 3, backoffMs: 10 });
    expect(r).toMatchObject({ outcome: 'refused', attempts: 1 });
    expect(r.error).toMatch(/169\.254\.169\.254/);
  });

  it('an acknowledgement is delivered too, with who did it kept on the alert', async () => {
    const r = await receiver();
    db.delete(webhookTargets).run();
    addTarget(db, catalog, { name: 'acks', url: r.url, by: 'admin' });
    const monitor = new AlertMonitor({ db, env: { catalog, publicUrl: null }, collector: { latest: new Map() } }, { intervalMs: 60_000, delivery: { timeoutMs: 2000, retries: 0, backoffMs: 10 } });
    const [fired] = applyFindings(db, [{ key: alertKey('lag', 'embedded', 'neo4j'), condition: 'lag', cluster: 'embedded', database: 'neo4j', firing: true, value: 2000, threshold: 1000, message: 'neo4j: member-3 behind' }], Date.now());
    const res = acknowledge({ db, env: { catalog }, alerts: monitor }, { alertId: String(fired.alert.id) }, 'operator1');
    expect(res.ok).toBe(true);
    await monitor.idle();
    expect(r.received.map((x) => x.body)).toEqual([{ alert: 'lag', state: 'acknowledged', cluster: 'embedded', database: 'neo4j', value: 2000, threshold: 1000, since: new Date(fired.alert.since).toISOString(), url: `/alerts?alert=${fired.alert.id}` }]);
    expect(acknowledge({ db, env: { catalog }, alerts: monitor }, { alertId: String(fired.alert.id) }, 'operator2')).toMatchObject({ ok: false, code: 'NOT_SUPPORTED' });
    expect(listAudit(db, { action: 'alert.firing' })).toHaveLength(1);
  });

  const monitorFor = (delivery: { timeoutMs: number; retries: number; backoffMs: number }, more: { waitingPerTarget?: number } = {}) =>
    new AlertMonitor({ db, env: { catalog, publicUrl: null }, collector: { latest: new Map() } }, { intervalMs: 60_000, delivery, ...more });
  const fire = (database: string) =>
    applyFindings(db, [{ key: alertKey('lag', 'embedded', database), condition: 'lag', cluster: 'embedded', database, firing: true, value: 2000, threshold: 1000, message: `${database}: member-3 behind` }], Date.now())[0].alert;

  it(`sends at most ${REQUESTS_PER_TARGET} requests to one target at once; the others wait their turn and all arrive`, async () => {
    // a receiver that holds its answers until it holds as many requests as the limit (or 3 s have passed), then
    // answers each 100 ms later, counting how many it held at once
    let open = 0;
    let most = 0;
    const got: string[] = [];
    const held: Array<() => void> = [];
    const server = http.createServer((req, res) => {
      open++;
      most = Math.max(most, open);
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        got.push((JSON.parse(raw) as { database: string }).database);
        let answered = false;
        const answer = () => {
          if (answered) return;
          answered = true;
          open--;
          res.writeHead(200).end('ok');
        };
        held.push(answer);
        setTimeout(answer, 3000);
        if (open >= REQUESTS_PER_TARGET) for (const a of held.splice(0)) setTimeout(a, 100);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      db.delete(webhookTargets).run();
      addTarget(db, catalog, { name: 'fleet', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, by: 'admin' });
      const monitor = monitorFor({ timeoutMs: 5000, retries: 0, backoffMs: 10 });
      const names = Array.from({ length: 12 }, (_, i) => `fleet${i}`);
      for (const name of names) monitor.send(fire(name), 'firing');
      await monitor.idle();
      expect(most).toBe(REQUESTS_PER_TARGET);
      expect(got.sort()).toEqual([...names].sort());
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  const until = async (what: () => boolean) => {
    for (const deadline = Date.now() + 10_000; !what(); await new Promise((resolve) => setTimeout(resolve, 10))) {
      if (Date.now() > deadline) throw new Error('timed out waiting');
    }
  };

  it('a delivery waiting out its back-off holds no place: the next alert is sent meanwhile', async () => {
    const r = await receiver((n) => (n <= REQUESTS_PER_TARGET ? 503 : 200));
    db.delete(webhookTargets).run();
    addTarget(db, catalog, { name: 'backing-off', url: r.url, by: 'admin' });
    const monitor = monitorFor({ timeoutMs: 2000, retries: 1, backoffMs: 2000 });
    const names = Array.from({ length: REQUESTS_PER_TARGET + 1 }, (_, i) => `backoff${i}`);
    for (const name of names) monitor.send(fire(name), 'firing');
    await monitor.idle();
    // the first four failed; the fifth alert's request came next, before any of their retries (2 s later)
    expect(r.received).toHaveLength(2 * REQUESTS_PER_TARGET + 1);
    expect(r.received[REQUESTS_PER_TARGET].body.database).toBe(names[REQUESTS_PER_TARGET]);
    expect(new Set(r.received.slice(0, names.length).map((x) => x.body.database))).toEqual(new Set(names));
  });

  it('a retry goes ahead of first attempts still waiting for the target', async () => {
    // the first request fails at once; the others are answered after 100 ms, so first attempts queue up
    const r = await startReceiver((n) => (n === 1 ? 503 : 200), { delayMs: (n) => (n === 1 ? 0 : 100) });
    receivers.push(r);
    db.delete(webhookTargets).run();
    addTarget(db, catalog, { name: 'retry-first', url: r.url, by: 'admin' });
    const monitor = monitorFor({ timeoutMs: 5000, retries: 1, backoffMs: 50 });
    const names = Array.from({ length: 4 * REQUESTS_PER_TARGET }, (_, i) => `retry-first${i}`);
    // (sent in one go: the first is sent at once and fails, the others wait for places)
    for (const name of names) monitor.send(fire(name), 'firing');
    await monitor.idle();
    const order = r.received.map((x) => x.body.database);
    expect(order).toHaveLength(names.length + 1);
    const retry = order.indexOf(names[0], 1);
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThan(order.indexOf(names[names.length - 1]));
  });

  it("one condition's changes reach a target in the order they happened, also while one is retried, across episodes", async () => {
    const r = await receiver((n) => (n === 1 || n === 4 ? 503 : 200));
    db.delete(webhookTargets).run();
    addTarget(db, catalog, { name: 'ordered', url: r.url, by: 'admin' });
    const monitor = monitorFor({ timeoutMs: 2000, retries: 2, backoffMs: 300 });
    const alert = fire('ordered');
    monitor.send(alert, 'firing'); // answered 503: retried after 300 ms
    await new Promise((resolve) => setTimeout(resolve, 50));
    monitor.send(alert, 'resolved'); // waits for the firing's delivery to end
    await monitor.idle();
    expect(r.received.map((x) => x.body.state)).toEqual(['firing', 'firing', 'resolved']);
    // the next episode of the same condition: its firing waits for the earlier episode's resolved (retried)
    const [resolved] = applyFindings(db, [{ key: alertKey('lag', 'embedded', 'ordered'), condition: 'lag', cluster: 'embedded', database: 'ordered', firing: false, value: 0, threshold: 1000, message: 'ordered: caught up' }], Date.now());
    const next = fire('ordered');
    expect(next.id).not.toBe(resolved.alert.id);
    monitor.send(resolved.alert, 'resolved'); // the 4th request: 503, retried
    await new Promise((resolve) => setTimeout(resolve, 50));
    monitor.send(next, 'firing');
    await monitor.idle();
    expect(r.received.slice(3).map((x) => [x.body.state, x.body.since])).toEqual([
      ['resolved', new Date(resolved.alert.since).toISOString()],
      ['resolved', new Date(resolved.alert.since).toISOString()],
      ['firing', new Date(next.since).toISOString()],
    ]);
  });

  it('a delivery still waiting for its turn is not sent once the monitor stops (also after a new start) or its target is disabled or moved', async () => {
    for (const change of ['stopped', 'restarted', 'disabled', 'moved'] as const) {
      const r = await receiver(() => 'hang');
      db.delete(webhookTargets).run();
      const t = addTarget(db, catalog, { name: `waiting-${change}`, url: r.url, by: 'admin' });
      const monitor = monitorFor({ timeoutMs: 1000, retries: 0, backoffMs: 10 });
      for (let i = 0; i <= REQUESTS_PER_TARGET; i++) monitor.send(fire(`waiting-${change}${i}`), 'firing');
      await until(() => r.received.length === REQUESTS_PER_TARGET);
      if (change === 'stopped') monitor.stop();
      else if (change === 'restarted') {
        monitor.stop();
        monitor.start();
      } else if (change === 'disabled') db.update(webhookTargets).set({ enabled: false }).where(eq(webhookTargets.id, t.id)).run();
      else db.update(webhookTargets).set({ url: 'http://127.0.0.1:9/elsewhere' }).where(eq(webhookTargets.id, t.id)).run();
      await monitor.idle();
      monitor.stop();
      expect({ change, received: r.received.length }).toEqual({ change, received: REQUESTS_PER_TARGET });
      expect(listDeliveries(db, { targetId: t.id })).toHaveLength(REQUESTS_PER_TARGET);
    }
  });

  it(`keeps at most ${WAITING_PER_TARGET} unfinished deliveries for a target: the next firings are logged once and counted, a resolved still waits its turn`, async () => {
    const r = await receiver(() => 'hang');
    db.delete(webhookTargets).run();
    const t = addTarget(db, catalog, { name: 'backlog', url: r.url, by: 'admin' });
    const monitor = monitorFor({ timeoutMs: 1000, retries: 0, backoffMs: 10 });
    const alert = fire('backlog');
    for (let i = 0; i < WAITING_PER_TARGET + 3; i++) monitor.send(alert, 'firing');
    monitor.send(alert, 'resolved');
    const first = listDeliveries(db, { targetId: t.id });
    expect(first.map((x) => x.error)).toEqual([`not sent: ${WAITING_PER_TARGET} unfinished deliveries wait for this target (more are counted until fewer wait)`]);
    await until(() => r.received.length === 1); // (one at a time: they are one condition's changes)
    monitor.stop();
    await monitor.idle();
    expect(r.received).toHaveLength(1);
    const log = listDeliveries(db, { targetId: t.id }).map((x) => x.error);
    expect(log).toContain(`not sent: 2 more alert changes came while ${WAITING_PER_TARGET} unfinished deliveries waited for this target`);
    expect(log.filter((e) => e?.startsWith('not sent'))).toHaveLength(2);
  });

  it('once a target is full, firings are not sent until fewer than 90% of the limit wait', async () => {
    // a limit of 10: not sent from the 11th until fewer than 9 wait; answers come 300 ms after each request
    const r = await startReceiver(() => 200, { delayMs: () => 300 });
    receivers.push(r);
    db.delete(webhookTargets).run();
    const t = addTarget(db, catalog, { name: 'resume', url: r.url, by: 'admin' });
    const monitor = monitorFor({ timeoutMs: 5000, retries: 0, backoffMs: 10 }, { waitingPerTarget: 10 });
    const alert = fire('resume');
    const ok = () => listDeliveries(db, { targetId: t.id }).filter((x) => x.outcome === 'ok').length;
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; i < 11; i++) monitor.send(alert, 'firing'); // the 11th is not sent (logged)
    await until(() => ok() === 1);
    await tick(); // 9 wait: not fewer than 9
    monitor.send(alert, 'firing'); // not sent (counted)
    await until(() => ok() === 2);
    await tick(); // 8 wait: the count is logged, and what comes is sent again
    monitor.send(alert, 'firing');
    await monitor.idle();
    expect(r.received).toHaveLength(11);
    expect(listDeliveries(db, { targetId: t.id }).filter((x) => x.error?.startsWith('not sent')).map((x) => x.error)).toEqual([
      'not sent: 1 more alert changes came while 10 unfinished deliveries waited for this target',
      'not sent: 10 unfinished deliveries wait for this target (more are counted until fewer wait)',
    ]);
  });
});
