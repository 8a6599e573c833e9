/**
 * Talking to a Neo4j cluster over Bolt with the official neo4j-driver: the admin queries the kind needs, on
 * `system`, each bounded in time.
 *
 * Invariants:
 * - Every call is bounded: the driver's connection and acquisition timeouts, a transaction timeout sent to the
 *   server, and a timer of our own around the whole call (a server that accepts the connection and then never
 *   answers is reported as unreachable within `timeoutMs`; its driver is closed and dropped).
 * - The password lives only in the driver's auth token in this process: never in a message, a log or an error
 *   (a neo4j-driver error's text is the server's and does not contain it).
 * - `CALL dbms.components()` runs once per driver (per connection settings), not per status.
 * - `SHOW SERVERS YIELD *` needs a privilege (and Enterprise): refused, the topology comes from SHOW DATABASES
 *   alone and says what is missing; SHOW DATABASES refused is an error (FORBIDDEN).
 * - Errors: wrong user or password → UNAUTHENTICATED; no server answers → SOURCE_UNREACHABLE; a missing
 *   privilege → FORBIDDEN; each message names the URI and user, never the password.
 * - A refused login is not retried with the same settings for AUTH_BACKOFF_MS: the dashboard asks every
 *   second, and Neo4j locks a user out after a few failed attempts (dbms.security.auth_max_failed_attempts).
 */
import { createHash } from 'node:crypto';
import type { Driver, Record as Neo4jRecord } from 'neo4j-driver';
import { TxlineError, describeError } from '../../errors';
import { parseTopology, type Neo4jTopology } from './topology';
import { checkBoltUri } from './uri';
import type { Row } from './values';
import { parseComponents, type Neo4jComponents } from './version';

export { BOLT_SCHEMES, checkBoltUri } from './uri';

export interface BoltSettings {
  /** neo4j://host:port (routing), bolt://host:port (one server), or their +s / +ssc forms */
  uri: string;
  user: string;
  password: string;
}

interface Held {
  driver: Driver;
  components: Neo4jComponents | null;
  idle: NodeJS.Timeout | null;
}

/** Open drivers by connection settings (URI, user, a hash of the password): the dashboard asks every second. */
const drivers = new Map<string, Held>();
/** A driver unused this long is closed (so the CLI exits, and a removed cluster lets go of its sockets). */
const IDLE_MS = 30_000;
/** How long a refused login is remembered (and not retried) per connection settings. */
export const AUTH_BACKOFF_MS = 60_000;
const refusedLogins = new Map<string, { at: number; error: TxlineError }>();

function keyOf(s: BoltSettings): string {
  return createHash('sha256').update(`${s.uri}\0${s.user}\0${s.password}`).digest('hex');
}

/**
 * neo4j-driver, loaded when a cluster of this kind is first reached: with its Bolt connection and rxjs it was a
 * third of the bundled CLI's start-up, and most commands never reach a Neo4j server. (Values are read and made
 * with neo4j-driver-core, its light half: ./values.ts, ./argv.ts.)
 */
let driverModule: Promise<typeof import('neo4j-driver')> | null = null;
async function loadDriver(): Promise<typeof import('neo4j-driver').default> {
  driverModule ??= import('neo4j-driver');
  return (await driverModule).default;
}

async function held(s: BoltSettings, timeoutMs: number): Promise<{ key: string; h: Held }> {
  checkBoltUri(s.uri);
  const neo4j = await loadDriver(); // before the lookup: nothing awaits between it and the insert
  const key = keyOf(s);
  let h = drivers.get(key);
  if (!h) {
    const driver = neo4j.driver(s.uri, neo4j.auth.basic(s.user, s.password), {
      connectionTimeout: timeoutMs,
      connectionAcquisitionTimeout: timeoutMs,
      maxTransactionRetryTime: 0,
      maxConnectionPoolSize: 4,
      userAgent: 'txline',
    });
    h = { driver, components: null, idle: null };
    drivers.set(key, h);
  }
  if (h.idle) clearTimeout(h.idle);
  h.idle = null;
  return { key, h };
}

function release(key: string, h: Held): void {
  if (drivers.get(key) !== h) return;
  if (h.idle) clearTimeout(h.idle);
  h.idle = setTimeout(() => drop(key, h), IDLE_MS);
  h.idle.unref();
}

function drop(key: string, h: Held): void {
  if (drivers.get(key) === h) drivers.delete(key);
  if (h.idle) clearTimeout(h.idle);
  h.driver.close().catch((e: unknown) => {
    // closing a driver whose server went away can fail; nothing is left to release
    void e;
  });
}

/** Closes every open driver (tests; a CLI command that wants to exit at once). */
export async function closeBoltDrivers(): Promise<void> {
  const all = [...drivers.entries()];
  drivers.clear();
  await Promise.all(all.map(([, h]) => (h.idle ? clearTimeout(h.idle) : undefined, h.driver.close())));
}

/** A neo4j-driver failure as a TxlineError naming what to check (URI and user, never the password). */
export function boltError(e: unknown, s: Pick<BoltSettings, 'uri' | 'user'>, what: string): TxlineError {
  if (e instanceof TxlineError) return e;
  const code = (e as { code?: unknown }).code;
  const msg = describeError(e);
  if (code === 'Neo.ClientError.Security.Unauthorized' || code === 'Neo.ClientError.Security.AuthenticationRateLimit') {
    return new TxlineError('UNAUTHENTICATED', `${s.uri} refused user "${s.user}": wrong user or password (${msg})`, { cause: e });
  }
  if (code === 'Neo.ClientError.Security.Forbidden' || code === 'Neo.ClientError.Security.AuthorizationExpired') {
    return new TxlineError('FORBIDDEN', `user "${s.user}" may not ${what} on ${s.uri}: ${msg}`, { cause: e });
  }
  if (code === 'ServiceUnavailable' || code === 'SessionExpired' || code === 'Neo.ClientError.Cluster.NotALeader' || /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|timed? ?out/i.test(msg)) {
    return new TxlineError('SOURCE_UNREACHABLE', `no Neo4j server answered at ${s.uri} (${what}): ${msg}`, { cause: e });
  }
  return new TxlineError('ADMIN_TOOL_FAILED', `${what} on ${s.uri} failed: ${msg}`, { cause: e });
}

/** Runs one query on `system`, bounded by `timeoutMs`; on our timeout the driver is dropped. */
async function run(key: string, h: Held, s: BoltSettings, query: string, timeoutMs: number, opts: { params?: Record<string, unknown>; write?: boolean } = {}): Promise<Row[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      drop(key, h);
      reject(new TxlineError('SOURCE_UNREACHABLE', `no answer from ${s.uri} within ${timeoutMs} ms (${query})`));
    }, timeoutMs);
  });
  try {
    const r = await Promise.race([
      h.driver.executeQuery(query, opts.params ?? {}, { database: 'system', routing: opts.write ? 'WRITE' : 'READ', transactionConfig: { timeout: timeoutMs } }),
      timeout,
    ]);
    return r.records.map((rec: Neo4jRecord) => rec.toObject() as Row);
  } catch (e) {
    throw boltError(e, s, `run ${query}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One administrative statement on `system` (values as parameters, never in the text), on the writer when
 * `write`; bounded by `timeoutMs`. Throws a TxlineError (see the header).
 */
export async function runOnSystem(s: BoltSettings, query: string, opts: { params?: Record<string, unknown>; write?: boolean; timeoutMs?: number } = {}): Promise<Row[]> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const { key, h } = await held(s, timeoutMs);
  try {
    return await run(key, h, s, query, timeoutMs, opts);
  } finally {
    release(key, h);
  }
}

export interface BoltTopology {
  components: Neo4jComponents;
  topology: Neo4jTopology;
  /** round trip of the whole reading, in ms */
  latencyMs: number;
}

/**
 * The cluster as Neo4j lists it: dbms.components() (once per driver), SHOW SERVERS YIELD * (refused: noted),
 * SHOW DATABASES YIELD *. Throws a TxlineError (see the header).
 */
export async function readTopology(s: BoltSettings, opts: { timeoutMs?: number } = {}): Promise<BoltTopology> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const refused = refusedLogins.get(keyOf(s));
  if (refused && Date.now() - refused.at < AUTH_BACKOFF_MS) {
    throw new TxlineError('UNAUTHENTICATED', `${refused.error.message} (not tried again until ${new Date(refused.at + AUTH_BACKOFF_MS).toISOString()}, so as not to lock the user out)`, { cause: refused.error });
  }
  const { key, h } = await held(s, timeoutMs);
  const started = performance.now();
  try {
    if (!h.components) h.components = parseComponents(await run(key, h, s, 'CALL dbms.components()', timeoutMs));
    let servers: Row[] | null = null;
    let serversError: string | undefined;
    try {
      servers = await run(key, h, s, 'SHOW SERVERS YIELD *', timeoutMs);
    } catch (e) {
      // only a refusal is survivable (no privilege, Community edition); anything else is the cluster's state
      const t = e as TxlineError;
      const refused = t.code === 'FORBIDDEN' || /Neo\.ClientError\.(Statement\.(SyntaxError|NotSystemDatabaseError)|Security\.Forbidden)|Unsupported administration command/i.test(String((t.cause as { code?: unknown } | undefined)?.code ?? ''));
      if (!refused) throw e;
      serversError = t.message;
    }
    const databases = await run(key, h, s, 'SHOW DATABASES YIELD *', timeoutMs);
    const topology = parseTopology({ servers, serversError, databases });
    refusedLogins.delete(key);
    return { components: h.components, topology, latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    if (e instanceof TxlineError && e.code === 'UNAUTHENTICATED') {
      refusedLogins.set(key, { at: Date.now(), error: e });
      drop(key, h);
    }
    throw e;
  } finally {
    release(key, h);
  }
}
