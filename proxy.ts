/**
 * The front door: every request but the login page and static files needs a valid session. A page without
 * one is redirected to /login?next=…, an API call gets 401; a user who must change the password is sent to
 * /account first. Server actions and route handlers check roles again (lib/server/auth.ts): this is the
 * first check, not the only one. Runs in the Node.js runtime (Next.js 16 proxy).
 */
import { NextResponse, type NextRequest } from 'next/server';
import { httpsOf } from './lib/auth/client-address';
import { SESSION_COOKIE, readSession, sessionCookieOptions } from './lib/auth/sessions';
import { serverContext } from './lib/server/context';

const PUBLIC = [/^\/login(\/|$)/, /^\/api\/metrics$/];

export function proxy(request: NextRequest): NextResponse {
  const { pathname, search } = request.nextUrl;
  if (PUBLIC.some((re) => re.test(pathname))) return NextResponse.next();
  const isApi = pathname.startsWith('/api/');
  const session = readSession(serverContext().db, request.cookies.get(SESSION_COOKIE)?.value);
  if (!session) {
    if (isApi) return NextResponse.json({ code: 'UNAUTHENTICATED', message: 'Sign in first.' }, { status: 401 });
    const url = new URL('/login', request.url);
    url.search = new URLSearchParams({ next: pathname + search }).toString();
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
