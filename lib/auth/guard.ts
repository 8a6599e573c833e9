/**
 * The one authorization guard. Every server action and route handler names an action from ACTIONS; the
 * guard decides from the caller's role. This module is the decision only (pure); lib/server/auth.ts finds
 * the caller from the request and records refusals and changes in the audit log.
 *
 * Roles (Neo4j's built-in roles, as the reference texts use them): viewer sees everything and changes
 * nothing; operator can also back up, verify and cancel jobs; admin can also restore, aggregate, delete
 * artifacts, control the cluster, and manage users and settings.
 */
import type { Role } from '../db/schema';

export const ROLE_RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Every action, the least role it needs, and whether doing it is written to the audit log. */
export const ACTIONS = {
  'cluster.read': { role: 'viewer', audit: false },
  'catalog.read': { role: 'viewer', audit: false },
  'jobs.read': { role: 'viewer', audit: false },
  'account.password': { role: 'viewer', audit: true },
  'backup.start': { role: 'operator', audit: true },
  'artifact.verify': { role: 'operator', audit: true },
  'chain.verify': { role: 'operator', audit: true },
  'job.cancel': { role: 'operator', audit: true },
  'restore.preview': { role: 'admin', audit: false },
  'restore.start': { role: 'admin', audit: true },
  'chain.aggregate': { role: 'admin', audit: true },
  'artifact.delete': { role: 'admin', audit: true },
  'cluster.control': { role: 'admin', audit: true },
  'settings.write': { role: 'admin', audit: true },
  'users.read': { role: 'admin', audit: false },
  'users.write': { role: 'admin', audit: true },
  'audit.read': { role: 'admin', audit: false },
} as const satisfies Record<string, { role: Role; audit: boolean }>;

export type Action = keyof typeof ACTIONS;

export interface Caller {
  userId: number;
  username: string;
  role: Role;
  address: string | null;
  mustChangePassword: boolean;
}

export type Decision = { ok: true; caller: Caller } | { ok: false; caller: Caller | null; status: 401 | 403; error: string };

export function mayPerform(role: Role, action: Action): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[ACTIONS[action].role];
}

/** What the caller (null: not signed in) may do. A user who must change the password may only do that. */
export function decide(caller: Caller | null, action: Action): Decision {
  if (!caller) return { ok: false, caller: null, status: 401, error: 'Sign in first.' };
  if (caller.mustChangePassword && action !== 'account.password') {
    return { ok: false, caller, status: 403, error: 'Change your password first.' };
  }
  if (!mayPerform(caller.role, action)) {
    return { ok: false, caller, status: 403, error: `Your role (${caller.role}) may not do this (${action} needs ${ACTIONS[action].role}).` };
  }
  return { ok: true, caller };
}

/** Every action's permission for a role, for pages that hide what the role cannot do. */
export function permissionsOf(role: Role): Record<Action, boolean> {
  return Object.fromEntries(Object.keys(ACTIONS).map((a) => [a, mayPerform(role, a as Action)])) as Record<Action, boolean>;
}

/**
 * Prometheus scraping of /api/metrics: a bearer token when one is configured, else loopback only (and only
 * when Txline itself listens on loopback, since a forwarded-for header can be forged from elsewhere).
 */
export function mayScrape(opts: { authorization: string | null; forwardedFor: string | null; token: string | undefined; listensOnLoopback: boolean }): boolean {
  if (opts.token) {
    const m = /^Bearer\s+(\S+)$/i.exec(opts.authorization ?? '');
    return m !== null && constantTimeEqual(m[1], opts.token);
  }
  const from = (opts.forwardedFor ?? '').split(',')[0].trim();
  return opts.listensOnLoopback && isLoopback(from);
}

export function isLoopback(address: string): boolean {
  return address === '::1' || address === '127.0.0.1' || address.startsWith('127.') || address === '::ffff:127.0.0.1' || address.startsWith('::ffff:127.');
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
