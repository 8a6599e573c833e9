'use client';
/**
 * What the signed-in user may do, for client components that hide controls the role cannot use
 * (the server refuses them anyway). Filled by the root layout from the session.
 */
import { createContext, useContext, type ReactNode } from 'react';
import type { Action } from '@/lib/auth/guard';

type Can = Partial<Record<Action, boolean>>;

const PermissionsContext = createContext<{ username: string | null; role: string | null; can: Can }>({ username: null, role: null, can: {} });

export function PermissionsProvider({ username, role, can, children }: { username: string | null; role: string | null; can: Can; children: ReactNode }) {
  return <PermissionsContext.Provider value={{ username, role, can }}>{children}</PermissionsContext.Provider>;
}

/** Whether the signed-in user may perform `action`. */
export function useCan(action: Action): boolean {
  return useContext(PermissionsContext).can[action] === true;
}

export function useRole(): string | null {
  return useContext(PermissionsContext).role;
}

/** Renders its children only when the user may perform `action` (else `fallback`). */
export function IfCan({ action, children, fallback = null }: { action: Action; children: ReactNode; fallback?: ReactNode }) {
  return useCan(action) ? <>{children}</> : <>{fallback}</>;
}
