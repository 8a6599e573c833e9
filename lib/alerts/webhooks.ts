/**
 * Webhook targets and their delivery. An admin sets a target (a name, an http(s) URL, an optional secret); each
 * alert change (firing, acknowledged, resolved) is POSTed to every enabled target as JSON with exactly the keys
 * `alert`, `state`, `cluster`, `database`, `value`, `threshold`, `since`, `url`.
 *
 * Invariants:
 * - The secret is sealed under the catalog's key file, bound to the target's URL (lib/sources/neo4j/secret.ts),
 *   and never leaves this module except as signatures: `X-Txline-Signature: sha256=<hex HMAC-SHA256 of the
 *   exact body bytes>`, and `X-Txline-Signature-256: sha256=<hex HMAC-SHA256 of "<timestamp>.<delivery>.<body>">`
 *   (the values of X-Txline-Timestamp and X-Txline-Delivery), which a receiver can hold to a recent time and a
 *   delivery it has not seen (a captured request replayed later fails it). `publicTarget` is what pages see
 *   (whether a secret is set, never the secret).
 * - Every request carries `X-Txline-Delivery` (one ID per delivery, the same in each of its attempts) and
 *   `X-Txline-Timestamp` (Unix seconds when the attempt was sent).
 * - Every URL is checked when set and again when sent (./address.ts): link-local and metadata addresses are
 *   refused, also behind a host name (the request connects to the address that was checked).
 * - An attempt is bounded (timeoutMs for the whole exchange); redirects are not followed (a 3xx is a failure);
 *   2xx is success. Network errors, timeouts, 408, 429 and 5xx are retried with exponential back-off
 *   (backoffMs, 2×, 4×, ...) up to `retries` more times; other answers and refused addresses are not.
 * - Every attempt is a row of webhook_deliveries (the delivery log); each target keeps its newest
 *   KEPT_DELIVERIES attempts (more than the page shows), older ones go as a new one is logged.
 */
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { and, desc, eq, lt } from 'drizzle-orm';
import type { Catalog } from '../db';
import { webhookDeliveries, webhookTargets, type AlertRow, type WebhookDeliveryRow, type WebhookTargetRow } from '../db/schema';
import { codeOf, describeError, TxlineError } from '../errors';
import { openSecret, sealSecret } from '../sources/neo4j/secret';
import { checkWebhookUrl, guardedLookup } from './address';

export interface WebhookBody {
  alert: string;
  state: 'firing' | 'acknowledged' | 'resolved' | 'test';
  cluster: string | null;
  database: string | null;
  value: number | null;
  threshold: number | null;
  /** when the episode started firing (ISO 8601, UTC) */
  since: string;
  /** the alert on the alerts page */
  url: string;
}

export interface DeliveryOptions {
  /** bound on one attempt (connect, send, answer) */
  timeoutMs: number;
  /** attempts after the first */
  retries: number;
  /** wait before the first retry; doubled for each next one */
  backoffMs: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = { timeoutMs: 5000, retries: 4, backoffMs: 2000 };

export type PublicTarget = Pick<WebhookTargetRow, 'id' | 'name' | 'url' | 'enabled' | 'createdBy' | 'createdAt'> & { hasSecret: boolean };

const purpose = (url: string) => `webhook\0${url}`;

export function publicTarget(t: WebhookTargetRow): PublicTarget {
  return { id: t.id, name: t.name, url: t.url, enabled: t.enabled, createdBy: t.createdBy, createdAt: t.createdAt, hasSecret: t.secretSealed !== null };
}

export function listTargets(db: Catalog): WebhookTargetRow[] {
  return db.select().from(webhookTargets).orderBy(webhookTargets.name).all();
}

export function getTarget(db: Catalog, { id }: { id: number }): WebhookTargetRow | undefined {
  return db.select().from(webhookTargets).where(eq(webhookTargets.id, id)).get();
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

/** Adds a target (checked URL, sealed secret). ALREADY_EXISTS for a name in use. */
export function addTarget(db: Catalog, catalog: string, i: { name: string; url: string; secret?: string | null; by: string | null }): WebhookTargetRow {
  const name = i.name.trim();
  if (!NAME.test(name)) throw new TxlineError('INVALID_ARGUMENT', 'name: letters, digits, spaces, dots, dashes and underscores, up to 64 characters', { details: { field: 'name' } });
  const url = checkWebhookUrl(i.url).toString();
  const secret = i.secret?.trim() ? i.secret.trim() : null;
  if (secret !== null && (secret.length < 8 || secret.length > 512)) throw new TxlineError('INVALID_ARGUMENT', 'secret: 8 to 512 characters', { details: { field: 'secret' } });
  if (db.select({ id: webhookTargets.id }).from(webhookTargets).where(eq(webhookTargets.name, name)).get()) {
    throw new TxlineError('ALREADY_EXISTS', `A webhook target named "${name}" exists.`, { details: { field: 'name' } });
  }
  return db
    .insert(webhookTargets)
    .values({ name, url, secretSealed: secret === null ? null : sealSecret(catalog, purpose(url), secret), createdBy: i.by })
    .returning()
    .get();
}

export function removeTarget(db: Catalog, { id }: { id: number }): WebhookTargetRow {
  const t = getTarget(db, { id });
  if (!t) throw new TxlineError('NOT_FOUND', `There is no webhook target #${id}.`);
  db.delete(webhookTargets).where(eq(webhookTargets.id, id)).run();
  return t;
}

export function setTargetEnabled(db: Catalog, { id, enabled }: { id: number; enabled: boolean }): WebhookTargetRow {
  const t = db.update(webhookTargets).set({ enabled }).where(eq(webhookTargets.id, id)).returning().get();
  if (!t) throw new TxlineError('NOT_FOUND', `There is no webhook target #${id}.`);
  return t;
}

export function listDeliveries(db: Catalog, { targetId, limit = 50 }: { targetId?: number; limit?: number } = {}): WebhookDeliveryRow[] {
  return db
    .select()
    .from(webhookDeliveries)
    .where(targetId === undefined ? undefined : eq(webhookDeliveries.targetId, targetId))
    .orderBy(desc(webhookDeliveries.id))
    .limit(Math.min(500, limit))
    .all();
}

/** The body of an alert change; `baseUrl` (TXLINE_PUBLIC_URL) makes the link absolute. */
export function alertBody(a: AlertRow, state: WebhookBody['state'], baseUrl: string | null): WebhookBody {
  return {
    alert: a.condition,
    state,
    cluster: a.cluster,
    database: a.database,
    value: a.value,
    threshold: a.threshold,
    since: new Date(a.since).toISOString(),
    url: `${baseUrl ?? ''}/alerts?alert=${a.id}`,
  };
}

/** The signature header's value for a body. */
export function signature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** X-Txline-Signature-256's value: the body signed with the attempt's timestamp and the delivery's ID. */
export function timestampedSignature(secret: string, timestamp: string, deliveryId: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${deliveryId}.`).update(body).digest('hex')}`;
}

export interface AttemptResult {
  outcome: 'ok' | 'failed' | 'refused';
  httpStatus: number | null;
  error: string | null;
  retry: boolean;
  durationMs: number;
}

/** One POST of `body` to `url`, bounded by `timeoutMs`; never throws. */
export async function postOnce(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<AttemptResult> {
  const t0 = performance.now();
  const done = (r: Omit<AttemptResult, 'durationMs'>): AttemptResult => ({ ...r, durationMs: Math.round(performance.now() - t0) });
  let u: URL;
  try {
    u = checkWebhookUrl(url); // again at send time: a row may have been written by hand
  } catch (e) {
    return done({ outcome: 'refused', httpStatus: null, error: describeError(e), retry: false });
  }
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<AttemptResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(r));
    };
    const req = lib.request(
      u,
      {
        method: 'POST',
        lookup: guardedLookup as unknown as typeof import('node:dns').lookup,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Txline-Webhook/1', ...headers },
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume(); // the answer's body is not needed; drain it so the socket closes
        res.on('end', () => {
          const ok = status >= 200 && status < 300;
          finish({ outcome: ok ? 'ok' : 'failed', httpStatus: status, error: ok ? null : `the receiver answered ${status}${status >= 300 && status < 400 ? ' (redirects are not followed)' : ''}`, retry: status === 408 || status === 429 || status >= 500 });
        });
        res.on('error', (e) => finish({ outcome: 'failed', httpStatus: status, error: describeError(e), retry: true }));
      },
    );
    const timer = setTimeout(() => {
      finish({ outcome: 'failed', httpStatus: null, error: `no answer within ${timeoutMs} ms`, retry: true });
      req.destroy();
    }, timeoutMs);
    req.on('error', (e) => {
      const refused = codeOf(e) === 'ADDRESS_REFUSED';
      finish({ outcome: refused ? 'refused' : 'failed', httpStatus: null, error: describeError(e), retry: !refused });
    });
    req.end(body);
  });
}

/**
 * Delivers one body to one target with retries and back-off, logging every attempt; resolves to the last
 * attempt's result. `stopped()` ends the retries early (the server is stopping); so does the target being
 * removed, disabled or pointed elsewhere meanwhile (an admin who takes a receiver away sends it nothing more).
 */
export async function deliver(
  db: Catalog,
  catalog: string,
  target: WebhookTargetRow,
  d: { body: WebhookBody; alertId: number | null },
  opts: DeliveryOptions = DEFAULT_DELIVERY,
  stopped: () => boolean = () => false,
  /** runs each attempt's request (the monitor's per-target lane: a back-off between attempts holds no place) */
  gate: (request: () => Promise<AttemptResult>, attempt: number) => Promise<AttemptResult> = (request) => request(),
): Promise<AttemptResult & { attempts: number }> {
  const raw = JSON.stringify(d.body);
  const deliveryId = randomUUID();
  const headers: Record<string, string> = { 'x-txline-event': d.body.state, 'x-txline-delivery': deliveryId };
  let secret: string | null = null;
  if (target.secretSealed) {
    try {
      secret = openSecret(catalog, purpose(target.url), target.secretSealed);
      headers['x-txline-signature'] = signature(secret, raw);
    } catch (e) {
      const r: AttemptResult = { outcome: 'failed', httpStatus: null, error: describeError(e), retry: false, durationMs: 0 };
      logAttempt(db, target.id, d, 1, r);
      return { ...r, attempts: 1 };
    }
  }
  let attempt = 0;
  for (;;) {
    attempt++;
    // (stamped when the attempt is sent, after any wait for its turn)
    const send = () => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const stamped: Record<string, string> = { ...headers, 'x-txline-timestamp': timestamp };
      if (secret !== null) stamped['x-txline-signature-256'] = timestampedSignature(secret, timestamp, deliveryId, raw);
      return postOnce(target.url, raw, stamped, opts.timeoutMs);
    };
    const r = await gate(send, attempt);
    logAttempt(db, target.id, d, attempt, r);
    if (r.outcome === 'ok' || !r.retry || attempt > opts.retries || stopped()) return { ...r, attempts: attempt };
    await sleep(opts.backoffMs * 2 ** (attempt - 1));
    if (stopped()) return { ...r, attempts: attempt };
    const now = getTarget(db, { id: target.id });
    if (!now || !now.enabled || now.url !== target.url) return { ...r, attempts: attempt };
  }
}

/** Logs a delivery that was not attempted (`why`), as a failed first attempt. */
export function logNotSent(db: Catalog, targetId: number, d: { body: WebhookBody; alertId: number | null }, why: string): void {
  logAttempt(db, targetId, d, 1, { outcome: 'failed', httpStatus: null, error: `not sent: ${why}`, retry: false, durationMs: 0 });
}

/** How many delivery attempts each target keeps in its log (listDeliveries shows at most 500). */
export const KEPT_DELIVERIES = 1000;

function logAttempt(db: Catalog, targetId: number, d: { body: WebhookBody; alertId: number | null }, attempt: number, r: AttemptResult): void {
  try {
    db.transaction((tx) => {
      tx.insert(webhookDeliveries)
        .values({ targetId, alertId: d.alertId, event: d.body.state, attempt, outcome: r.outcome, httpStatus: r.httpStatus, error: r.error?.slice(0, 500) ?? null, durationMs: r.durationMs, at: Date.now() })
        .run();
      // the log does not grow without end: a receiver down for a month, or an alert that flaps, fills it
      const oldestKept = tx
        .select({ id: webhookDeliveries.id })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.targetId, targetId))
        .orderBy(desc(webhookDeliveries.id))
        .limit(1)
        .offset(KEPT_DELIVERIES - 1)
        .get();
      if (oldestKept) tx.delete(webhookDeliveries).where(and(eq(webhookDeliveries.targetId, targetId), lt(webhookDeliveries.id, oldestKept.id))).run();
    });
  } catch (e) {
    // the target was removed while its delivery ran (the foreign key refuses the row): nothing to log it under
    if (!/FOREIGN KEY/i.test(describeError(e))) throw e;
  }
}
