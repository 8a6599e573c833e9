/**
 * Database names. They become folder names on every member and parts of artifact file names, so they are
 * checked once, here, before anything touches a path: lower-case ASCII letters, digits, dots and dashes,
 * starting with a letter, at most 63 characters, never `..` nor `/`. Input is normalised to lower case, as
 * Neo4j does.
 */
import { TxlineError } from '../errors';

const NAME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/;

export function normalizeDatabaseName(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0) {
    throw new TxlineError('INVALID_NAME', 'A database name is required.');
  }
  const name = raw.toLowerCase();
  if (name.length > 63) {
    throw new TxlineError('INVALID_NAME', `Database name "${raw}" is longer than 63 characters.`);
  }
  if (!NAME.test(name)) {
    throw new TxlineError(
      'INVALID_NAME',
      `Invalid database name "${raw}": use letters, digits, dots and dashes, starting with a letter (no "/", no "..").`,
    );
  }
  return name;
}

export function isValidDatabaseName(raw: string): boolean {
  try {
    normalizeDatabaseName(raw);
    return true;
  } catch {
    return false;
  }
}
