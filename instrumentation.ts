// Runs once when the Next.js server starts: open the catalog and start the collector, the indexer and the
// job runner (lib/server/context.ts). Node-only.
import type { Instrumentation } from 'next';

export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    // Before the first request: every request carries its socket's address (lib/auth/client-address.ts).
    const { installPeerHook } = await import('./lib/auth/client-address');
    installPeerHook();
    const { serverContext } = await import('./lib/server/context');
    serverContext();
  }
}

/**
 * Every request that fails inside Next.js (a render, a route handler, a server action, the proxy) is logged as
 * one line with its method, path and reason. This covers what proxy.ts cannot refuse first, such as a server
 * action call that is well formed JSON but that React's decoder still rejects (Next.js answers it with a 500).
 */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const [{ createLogger }, { describeError }] = await Promise.all([import('./lib/log'), import('./lib/errors')]);
  const digest = typeof error === 'object' && error !== null && 'digest' in error ? ` (digest ${String(error.digest)})` : '';
  createLogger('http').error(`${request.method} ${request.path.split('?')[0]} failed in ${context.routeType} ${context.routePath}: ${describeError(error)}${digest}`);
};
