/**
 * The front door: every request but the login page and static files needs a valid session. A page without
 * one is redirected to /login?next=…, an API call gets 401; a user who must change the password is sent to
 * /account first. Server actions and route handlers check roles again (lib/server/auth.ts): this is the
 * first check, not the only one. Runs in the Node.js runtime (Next.js 16 proxy).
 *
 * Before that, it refuses what Next.js would otherwise answer with a bare 500 (lib/server/refusals.ts): a
 * state-changing request from another site's page (403), a server action call whose body is not a React reply
 * (400), a path with malformed percent-encoding (400). Each answers JSON and is logged: under /api as every
 * route handler does, `{ error: { code, message } }` (lib/server/action.ts), elsewhere `{ code, message }`.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { httpsOf } from './lib/auth/client-address';
import { safeRedirectPath } from './lib/auth/redirect';
import { SESSION_COOKIE, readSession, sessionCookieOptions } from './lib/auth/sessions';
import { serverContext } from './lib/server/context';
import { actionBodyRefusal, crossOriginRefusal, pathRefusal, type Refusal } from './lib/server/refusals';
import { createLogger, type Logger } from './lib/log';

const PUBLIC = [/^\/login(\/|$)/, /^\/api\/metrics$/];

let log: Logger | undefined;

/** Answers a refusal as JSON and logs one line: the method, the path and why. */
function refuse(request: NextRequest, r: Refusal): NextResponse {
  log ??= createLogger('http');
  log.warn(`refused ${request.method} ${request.nextUrl.pathname} with ${r.status}: ${r.message}`);
  const body = request.nextUrl.pathname.startsWith('/api/') ? { error: { code: r.code, message: r.message } } : { code: r.code, message: r.message };
  return NextResponse.json(body, { status: r.status, headers: { 'cache-control': 'no-store' } });
}

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const { pathname, search } = request.nextUrl;
  const refusal = crossOriginRefusal(request.method, request.headers) ?? pathRefusal(pathname) ?? (await actionBodyRefusal(request));
  if (refusal) return refuse(request, refusal);
  if (PUBLIC.some((re) => re.test(pathname))) return NextResponse.next();
  const isApi = pathname.startsWith('/api/');
  const session = readSession(serverContext().db, request.cookies.get(SESSION_COOKIE)?.value);
  if (!session) {
    if (isApi) return NextResponse.json({ error: { code: 'UNAUTHENTICATED', message: 'Sign in first.' } }, { status: 401 });
    const url = new URL('/login', request.url);
    url.search = new URLSearchParams({ next: safeRedirectPath(pathname + search) }).toString();
    return NextResponse.redirect(url);
  }
  if (session.user.mustChangePassword && !isApi && !pathname.startsWith('/account')) {
    return NextResponse.redirect(new URL('/account?required=1', request.url));
  }
  const res = NextResponse.next();
  if (session.renewedUntil) {
    const https = httpsOf(request.headers, serverContext().env.trustedProxies);
    res.cookies.set(SESSION_COOKIE, request.cookies.get(SESSION_COOKIE)?.value ?? '', sessionCookieOptions({ expiresAt: session.renewedUntil, https }));
  }
  return res;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.svg|favicon.ico).*)'],
};
