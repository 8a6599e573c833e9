// Runs once when the Next.js server starts: open the catalog and start the collector, the indexer and the
// job runner (lib/server/context.ts). Node-only.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { serverContext } = await import('./lib/server/context');
    serverContext();
  }
}
