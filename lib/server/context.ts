/**
 * The server's long-lived parts, made once per process (see lib/server/startup.ts for what starting them
 * does). Started from instrumentation.ts at server start; every server action and route handler reaches
 * them through `serverContext()`.
 */
import 'server-only';
import { env } from '../env';
import { startServer, type ServerContext } from './startup';

export type { ServerContext };

const g = globalThis as unknown as { __txlineServer?: ServerContext };

export function serverContext(): ServerContext {
  g.__txlineServer ??= startServer(env());
  return g.__txlineServer;
}
