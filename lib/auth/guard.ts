/**
 * The one authorization guard. Every server action and route handler names an action from ACTIONS; the
 * guard decides from the caller's role. This module is the decision only (pure); lib/server/auth.ts finds
 * the caller from the request and records refusals and changes in the audit log.
 *
 * Roles (Neo4j's built-in roles, as the reference texts use them): viewer sees everything and changes
 * nothing; operator can also back up, verify, run restore drills, cancel jobs and set backup schedules; admin can also
 * restore, choose where drills restore, aggregate, delete artifacts, set retention policies, control the cluster, and
 * manage users and settings.
 *
 * One action is not decided by role: Prometheus scraping /api/metrics ('metrics.scrape') needs the bearer
 * token TXLINE_METRICS_TOKEN or a connection from loopback (the socket's address, never X-Forwarded-For).
 */
import type { Role } from '../db/schema';
import { addressOf, isLoopback, peerOf } from './client-address';

export const ROLE_RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

type Rule = { role: Role; audit: boolean } | { scrape: true; audit: boolean };

/** Every action, the least role it needs (or the scrape rule), and whether doing it is written to the audit log. */
export const ACTIONS = {
  'cluster.read': { role: 'viewer', audit: false },
  'catalog.read': { role: 'viewer', audit: false },
  'jobs.read': { role: 'viewer', audit: false },
  'account.password': { role: 'viewer', audit: true },
  'backup.start': { role: 'operator', audit: true },
  'artifact.verify': { role: 'operator', audit: true },
  'chain.verify': { role: 'operator', audit: true },
  'job.cancel': { role: 'operator', audit: true },
  'schedule.set': { role: 'operator', audit: true },
  'schedule.remove': { role: 'operator', audit: true },
  'drill.start': { role: 'operator', audit: true },
  'restore.preview': { role: 'admin', audit: false },
  'restore.start': { role: 'admin', audit: true },
  'chain.aggregate': { role: 'admin', audit: true },
  'artifact.delete': { role: 'admin', audit: true },
  'cluster.control': { role: 'admin', audit: true },
  'settings.write': { role: 'admin', audit: true },
  'users.read': { role: 'admin', audit: false },
  'users.create': { role: 'admin', audit: true },
  'users.role': { role: 'admin', audit: true },
  'users.disable': { role: 'admin', audit: true },
  'users.enable': { role: 'admin', audit: true },
  'users.reset-password': { role: 'admin', audit: true },
  'audit.read': { role: 'admin', audit: false },
  'metrics.scrape': { scrape: true, audit: false },
  // retention policies delete backups when applied: admins only (the preview is the form's first step)
  'retention.preview': { role: 'admin', audit: false },
  'retention.set': { role: 'admin', audit: true },
  'retention.remove': { role: 'admin', audit: true },
  'alerts.read': { role: 'viewer', audit: false },
  'alert.acknowledge': { role: 'operator', audit: true },
  'alert.rules': { role: 'operator', audit: true },
  'webhook.read': { role: 'admin', audit: false },
  'webhook.write': { role: 'admin', audit: true },
  'webhook.test': { role: 'admin', audit: true },
  // which cluster a database's drills restore into: another cluster gets a copy of the database's data for each
  // drill, as a restore there would (admins only, as restore.start)
  'drill.target': { role: 'admin', audit: true },
} as const satisfies Record<string, Rule>;

export type Action = keyof typeof ACTIONS;

export interface Caller {
  userId: number;
  username: string;
  role: Role;
  address: string | null;
  mustChangePassword: boolean;
}

export type Decision = { ok: true; caller: Caller } | { ok: false; caller: Caller | null; status: 401 | 403; error: string };

/** What the scrape rule looks at: the request's Authorization header and addresses, and the configured token. */
export interface ScrapeFacts {
  authorization: string | null;
  /** the socket's address (lib/auth/client-address.ts) */
  peer: string | null;
  /** the client's address (the peer, or what a trusted proxy forwarded) */
  client: string | null;
  token: string | undefined;
}

/** The scrape facts of a request, from its headers (the peer comes from the socket-address hook). */
export function scrapeFactsFrom(h: { get(name: string): string | null }, { trustedProxies, metricsToken }: { trustedProxies: readonly string[]; metricsToken: string | undefined }): ScrapeFacts {
  return { authorization: h.get('authorization'), peer: peerOf(h), client: addressOf(h, trustedProxies), token: metricsToken };
}

/** The role an action needs, or null for the scrape rule. */
export function roleFor(action: Action): Role | null {
  const rule: Rule = ACTIONS[action];
  return 'role' in rule ? rule.role : null;
}

export function mayPerform(role: Role, action: Action): boolean {
  const needs = roleFor(action);
  return needs !== null && ROLE_RANK[role] >= ROLE_RANK[needs];
}

/**
 * What the caller (null: not signed in) may do. A user who must change the password may only do that.
 * Actions under the scrape rule are decided from `scrape` alone (no facts: refused).
 */
export function decide(caller: Caller | null, action: Action, scrape?: ScrapeFacts): Decision {
  if (roleFor(action) === null) return decideScrape(scrape);
  if (!caller) return { ok: false, caller: null, status: 401, error: 'Sign in first.' };
  if (caller.mustChangePassword && action !== 'account.password') {
    return { ok: false, caller, status: 403, error: 'Change your password first.' };
  }
  if (!mayPerform(caller.role, action)) {
    return { ok: false, caller, status: 403, error: `Your role (${caller.role}) may not do this (${action} needs ${roleFor(action)}).` };
  }
  return { ok: true, caller };
}

/** Every action's permission for a role, for pages that hide what the role cannot do. */
export function permissionsOf(role: Role): Record<Action, boolean> {
  return Object.fromEntries(Object.keys(ACTIONS).map((a) => [a, mayPerform(role, a as Action)])) as Record<Action, boolean>;
}

/**
 * Prometheus scraping of /api/metrics: a request that presents a bearer token must present the right one
 * (TXLINE_METRICS_TOKEN); without one, only a loopback connection may scrape (the socket's address and the
 * client address both loopback, so a loopback proxy does not let remote clients in). Forwarded-for headers
 * a client wrote play no part.
 */
function decideScrape(f: ScrapeFacts | undefined): Decision {
  const refuse = (status: 401 | 403, error: string): Decision => ({ ok: false, caller: null, status, error });
  if (!f) return refuse(403, 'Scraping needs the request facts.');
  const scraper: Caller = { userId: 0, username: 'metrics scraper', role: 'viewer', address: f.client, mustChangePassword: false };
  if (f.authorization !== null) {
    const m = /^Bearer\s+(\S+)$/i.exec(f.authorization);
    if (!f.token) return refuse(403, 'No metrics token is configured (TXLINE_METRICS_TOKEN); scrape from loopback without one.');
    if (m === null || !constantTimeEqual(m[1], f.token)) return refuse(403, 'The metrics bearer token is wrong.');
    return { ok: true, caller: scraper };
  }
  if (isLoopback(f.peer) && isLoopback(f.client)) return { ok: true, caller: scraper };
  return refuse(401, `Scraping /api/metrics needs the bearer token (TXLINE_METRICS_TOKEN) or a connection from loopback (this one is from ${f.client ?? 'an unknown address'}).`);
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
