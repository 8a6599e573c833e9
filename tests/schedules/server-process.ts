/**
 * A stand-in for the dashboard's server process in server-restart.test.ts: starts the server's parts the way
 * `txline serve` does (startServer over the environment: catalog, runner, collector, scheduler), prints a
 * line when started, and stays up until it is killed.
 *
 *   node --import tsx tests/schedules/server-process.ts
 */
import { parseEnv } from '../../lib/env';
import { startServer } from '../../lib/server/startup';

const ctx = startServer(parseEnv());
process.stdout.write(`${JSON.stringify({ started: ctx.scheduler.startedAt })}\n`);
setInterval(() => undefined, 60_000);
