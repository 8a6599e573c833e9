// Runs once when the Next.js server starts: open the catalog and start the collector, the indexer and the
// job runner (lib/server/context.ts). Node-only.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    // Before the first request: every request carries its socket's address (lib/auth/client-address.ts).
    const { installPeerHook } = await import('./lib/auth/client-address');
    installPeerHook();
    const { serverContext } = await import('./lib/server/context');
    serverContext();
  }
}
