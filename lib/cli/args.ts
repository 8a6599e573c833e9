/**
 * Argument helpers shared by the commands: neo4j-admin style booleans (`--compress`, `--compress=false`),
 * durations (`60s`, `5m`), and the usage error that maps to exit code 2.
 */
import { InvalidArgumentError } from 'commander';
import { TxlineError } from '../errors';

/**
 * neo4j-admin accepts `--flag`, `--flag=true` and `--flag=false` for booleans. Commander knows `--flag` and
 * `--no-flag`; rewrite the `=value` forms before parsing. A bare following word is never taken as the value,
 * so `--compress neo4j` keeps `neo4j` as the database.
 */
export function rewriteBooleanFlags(argv: string[], flags: readonly string[]): string[] {
  return argv.map((a) => {
    const m = /^--([a-z-]+)=(.*)$/.exec(a);
    if (!m || !flags.includes(m[1])) return a;
    const v = m[2].toLowerCase();
    if (v === 'true') return `--${m[1]}`;
    if (v === 'false') return `--no-${m[1]}`;
    throw new TxlineError('USAGE', `--${m[1]} takes true or false, got "${m[2]}"`);
  });
}

export function parseDuration(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(raw);
  if (!m) throw new InvalidArgumentError(`"${raw}" is not a duration (e.g. 500ms, 60s, 5m, 1h)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
}

export function parsePositiveInt(name: string) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw) || Number(raw) <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got "${raw}"`);
    return Number(raw);
  };
}

export function parseNonNegativeInt(name: string) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw)) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${raw}"`);
    return Number(raw);
  };
}

export function parsePort(raw: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new InvalidArgumentError(`"${raw}" is not a port number (0-65535)`);
  return Number(raw);
}
