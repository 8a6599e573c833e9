/**
 * The one authorization guard every server action and route handler goes through.
 *
 * Each action has a name and the least role it needs (ACTION_ROLES). `authorize(action)` answers who the
 * caller is and whether they may. Until users and sessions exist the caller is an anonymous admin, so
 * everything is allowed, but every entry point already asks.
 */
import type { Role } from '../db/schema';

export const ROLE_RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Every action of the dashboard and the role it requires. A new action without an entry does not compile. */
export const ACTION_ROLES = {
  'cluster.read': 'viewer',
  'catalog.read': 'viewer',
  'jobs.read': 'viewer',
  'backup.start': 'operator',
  'artifact.verify': 'operator',
  'chain.verify': 'operator',
  'job.cancel': 'operator',
  'restore.start': 'admin',
  'chain.aggregate': 'admin',
  'artifact.delete': 'admin',
  'cluster.control': 'admin',
  'settings.write': 'admin',
} as const satisfies Record<string, Role>;

export type Action = keyof typeof ACTION_ROLES;

export interface Caller {
  username: string;
  role: Role;
  address: string | null;
}

export type Decision = { ok: true; caller: Caller } | { ok: false; caller: Caller | null; error: string };

export function mayPerform(role: Role, action: Action): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[ACTION_ROLES[action]];
}

/** Decides whether the current caller may perform `action`. */
export async function authorize(action: Action): Promise<Decision> {
  const caller: Caller = { username: 'anonymous', role: 'admin', address: null };
  if (!mayPerform(caller.role, action)) return { ok: false, caller, error: `Your role (${caller.role}) may not ${action}.` };
  return { ok: true, caller };
}
