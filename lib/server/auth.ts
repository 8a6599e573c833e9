/**
 * The caller of a request (from the session cookie) and the guard applied to it: refusals and every audited
 * action end up in the audit log. Server-only (reads Next.js cookies and headers).
 */
import 'server-only';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { decide, permissionsOf, roleFor, scrapeFactsFrom, type Action, type Caller, type Decision, type ScrapeFacts } from '../auth/guard';
import { recordAudit } from '../auth/audit';
import { addressOf, httpsOf, peerHookInstalled } from '../auth/client-address';
import { createLogger } from '../log';
import { SESSION_COOKIE, readSession } from '../auth/sessions';
import { serverContext } from './context';

/**
 * The request's client address: the socket's (recorded by the hook in lib/auth/client-address.ts, which a
 * client cannot forge), or the forwarded-for address when the socket is a trusted proxy
 * (TXLINE_TRUSTED_PROXIES). Null when the hook is not installed in this process.
 */
export async function requestAddress(): Promise<string | null> {
  const h = await headers();
  warnWithoutHook();
  return addressOf(h, serverContext().env.trustedProxies);
}

/** Whether the request came over HTTPS (for the cookie's Secure flag): TLS, or https from a trusted proxy. */
export async function overHttps(): Promise<boolean> {
  return httpsOf(await headers(), serverContext().env.trustedProxies);
}

let warned = false;
function warnWithoutHook(): void {
  if (warned || peerHookInstalled()) return;
  warned = true;
  createLogger('auth').warn('the socket-address hook is not installed (instrumentation.ts did not run): client addresses are unknown');
}

export async function currentCaller(): Promise<Caller | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  const s = readSession(serverContext().db, token);
  if (!s) return null;
  return { userId: s.user.id, username: s.user.username, role: s.user.role, address: await requestAddress(), mustChangePassword: s.user.mustChangePassword };
}

/** What the scrape rule decides on (lib/auth/guard.ts): the Authorization header and the socket's address. */
async function scrapeFacts(): Promise<ScrapeFacts> {
  warnWithoutHook();
  return scrapeFactsFrom(await headers(), serverContext().env);
}

export async function authorize(action: Action, target?: string | null): Promise<Decision> {
  const scrape = roleFor(action) === null ? await scrapeFacts() : undefined;
  const caller = scrape ? null : await currentCaller();
  const d = decide(caller, action, scrape);
  if (!d.ok) {
    recordAudit(serverContext().db, {
      username: caller?.username ?? null,
      address: caller?.address ?? scrape?.client ?? (await requestAddress()),
      action,
      target: target ?? null,
      outcome: 'denied',
      detail: d.error,
    });
  }
  return d;
}

/** For pages: the signed-in caller, or a redirect to the login page (or to the password change it owes). */
export async function requireCaller(path = '/'): Promise<Caller> {
  const caller = await currentCaller();
  if (!caller) redirect(`/login?next=${encodeURIComponent(path)}`);
  if (caller.mustChangePassword && path !== '/account') redirect('/account?required=1');
  return caller;
}

/** For pages that hide what the role cannot do. */
export async function pagePermissions(path = '/'): Promise<{ caller: Caller; can: Record<Action, boolean> }> {
  const caller = await requireCaller(path);
  return { caller, can: permissionsOf(caller.role) };
}
