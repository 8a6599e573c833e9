/**
 * Bolt URIs, checked without the driver: the CLI checks --uri, and the neo4j kind a member's address, in
 * processes that never load neo4j-driver (./bolt.ts loads it when a cluster is asked something).
 */
import { TxlineError } from '../../errors';

/** The URI schemes neo4j-driver takes. */
export const BOLT_SCHEMES = ['neo4j', 'neo4j+s', 'neo4j+ssc', 'bolt', 'bolt+s', 'bolt+ssc'] as const;

/** Checks a Bolt URI (scheme, host, port, nothing else); returns its host:port. Throws INVALID_ARGUMENT. */
export function checkBoltUri(uri: string): { scheme: string; address: string } {
  const m = /^([a-z0-9+]+):\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?$/.exec(uri);
  if (!m || !(BOLT_SCHEMES as readonly string[]).includes(m[1])) {
    throw new TxlineError('INVALID_ARGUMENT', `"${uri.slice(0, 80)}" is not a Bolt URI: expected ${BOLT_SCHEMES.map((s) => `${s}://`).join(', ')} then host[:port], and nothing else`);
  }
  const port = m[3] === undefined ? 7687 : Number(m[3]);
  if (port < 1 || port > 65535) throw new TxlineError('INVALID_ARGUMENT', `"${uri}": port ${m[3]} is out of range`);
  return { scheme: m[1], address: `${m[2]}:${port}` };
}
