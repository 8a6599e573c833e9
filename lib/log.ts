/**
 * Logging: pino, rendered as one human-readable line per event on stderr (member processes, the CLI,
 * the server), e.g. `[2026-11-23 18:31:20.123 UTC] INFO (member-1): opened database neo4j`.
 * Standard output stays free for machine-readable output (tables, JSON, progress lines).
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { logLevel } from './env';

export type { Logger };

export function createLogger(name: string, opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const stream = pretty({
    sync: true,
    colorize: false,
    translateTime: 'UTC:yyyy-mm-dd HH:MM:ss.l Z',
    ignore: 'pid,hostname',
    destination: opts.destination ?? process.stderr,
  });
  // TXLINE_LOG_LEVEL is validated (lib/env.ts): a bad value is a usage error that names the variable
  return pino({ name, level: opts.level ?? logLevel() }, stream);
}
