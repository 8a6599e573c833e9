/**
 * Txline's environment, read once and validated with zod. Everything that reads a TXLINE_* variable goes
 * through here, so a bad value fails early with a message that names the variable.
 *
 *   TXLINE_DATA_DIR           data folder (default "data", relative to the working directory)
 *   TXLINE_CLUSTER_FILE       cluster.json of the embedded cluster (default <data>/cluster/cluster.json)
 *   TXLINE_CLUSTER_ADDRESSES  host:port,host:port of a cluster to watch instead of the embedded one
 *   TXLINE_CLUSTER_TOKEN      the cluster's shared token (at least 16 printable characters, no spaces): members
 *                             require it on every route but /metrics; unset, `txline cluster start` generates one
 *                             into the token file beside cluster.json and clients read it there (lib/cluster/token.ts)
 *   TXLINE_BACKUP_DIR         backup folder (default <data>/backups)
 *   TXLINE_CATALOG            the catalog's SQLite file (default <data>/txline.sqlite)
 *   TXLINE_BACKUP_ROOTS       comma-separated folders that backup folders added in the browser must be inside
 *                             (default: the backup folder)
 *   TXLINE_ADMIN_PASSWORD     the first admin's password (else one is generated and printed once)
 *   TXLINE_METRICS_TOKEN      bearer token for /api/metrics (from loopback, scraping needs no token)
 *   TXLINE_COLLECT_MS         how often the dashboard's collector asks every member for its status, in ms
 *                             (a whole number, at least 100; default 1000)
 *   TXLINE_ALERT_MS           how often the server evaluates the alert conditions, in ms (at least 100; default 30000)
 *   TXLINE_SCHEDULED_JOBS     how many jobs the scheduler runs at once (backups, retention prunes and drills
 *                             together; 1 to 64, default 4); the others wait their turn
 *   TXLINE_PUBLIC_URL         the dashboard's address as people reach it (https://txline.example.com), for the links
 *                             in webhook bodies (default: none, the links are paths like /alerts?alert=12)
 *   TXLINE_TRUSTED_PROXIES    comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For
 *                             and X-Forwarded-Proto are believed (default: none, the socket's address counts)
 *   TXLINE_NEO4J_ADMINS       comma-separated neo4j-admin executables (absolute paths) a Neo4j cluster registered in
 *                             the browser may use (default: none; the command line takes any --neo4j-admin)
 *   TXLINE_LOG_LEVEL          log level of every process: fatal, error, warn, info (default), debug, trace or
 *                             silent (lib/log.ts reads it through logLevel())
 *   TXLINE_LOCAL_STORE_COPY   on (default) or off: whether an uncompressed full backup from a member on this host
 *                             copies its store file here under a lease instead of receiving it over HTTP
 *                             (lib/sources/txline/local-store.ts; read through localStoreCopy())
 *   TXLINE_STORE_LEASE_TTL_MS a member's: how long a store lease lives without renewal, in ms (1000 to 3600000;
 *                             default 30000; read through storeLeaseTtlMs())
 *
 * Paths come back absolute. An empty variable counts as unset. Node-only.
 */
import net from 'node:net';
import path from 'node:path';
import * as z from 'zod/mini';
import { refusing } from './zod-mini';
import { TxlineError } from './errors';

export interface TxlineEnv {
  dataDir: string;
  clusterFile: string;
  /** addresses of a cluster to watch; null means the embedded cluster (clusterFile) */
  clusterAddresses: string[] | null;
  /** the cluster token; undefined: the token file beside clusterFile (lib/cluster/token.ts) */
  clusterToken: string | undefined;
  backupDir: string;
  catalog: string;
  backupRoots: string[];
  adminPassword: string | undefined;
  metricsToken: string | undefined;
  /** the collector's sampling interval (ms) */
  collectIntervalMs: number;
  /** how often the alert conditions are evaluated (ms) */
  alertIntervalMs: number;
  /** the dashboard's public address (no trailing slash), or null */
  publicUrl: string | null;
  /** reverse proxies (addresses or CIDR ranges) whose forwarded-for header is believed; empty: none */
  trustedProxies: string[];
  logLevel: LogLevel;
  /** neo4j-admin executables the browser may register (TXLINE_NEO4J_ADMINS); absent or empty: none */
  neo4jAdmins?: string[];
  /** how many jobs the scheduler runs at once (TXLINE_SCHEDULED_JOBS); absent: DEFAULT_SCHEDULED_JOBS */
  scheduledJobs?: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const ENV_VARS = ['TXLINE_DATA_DIR', 'TXLINE_CLUSTER_FILE', 'TXLINE_CLUSTER_ADDRESSES', 'TXLINE_BACKUP_DIR', 'TXLINE_CATALOG', 'TXLINE_BACKUP_ROOTS'] as const;
const SECRET_VARS = ['TXLINE_ADMIN_PASSWORD', 'TXLINE_METRICS_TOKEN', 'TXLINE_CLUSTER_TOKEN'] as const;
/** settings of the server alone (child processes do not need them) */
const SERVER_VARS = ['TXLINE_COLLECT_MS', 'TXLINE_TRUSTED_PROXIES', 'TXLINE_ALERT_MS', 'TXLINE_PUBLIC_URL', 'TXLINE_NEO4J_ADMINS', 'TXLINE_SCHEDULED_JOBS'] as const;
/** settings every process reads from its own environment (children inherit them) */
const PROCESS_VARS = ['TXLINE_LOG_LEVEL', 'TXLINE_LOCAL_STORE_COPY', 'TXLINE_STORE_LEASE_TTL_MS'] as const;

const HOST_PORT = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

const optionalText = z.pipe(
  z.optional(z.string()),
  z.transform((v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim())),
);

/** A variable parsed from its text, or refused with a message naming what was expected. */
const fromText = <O>(fn: (v: string | undefined, refuse: (message: string) => never) => O) => z.pipe(optionalText, refusing(fn));

const optionalPath = optionalText.check(z.refine((v) => v === undefined || !v.includes('\0'), { message: 'is not a valid path' }));

const addressList = fromText((v, refuse) => {
  if (v === undefined) return null;
  const parts = v.split(',').map((s) => s.trim());
  const bad = parts.filter((p) => !HOST_PORT.test(p) || Number(HOST_PORT.exec(p)?.[1]) > 65535);
  if (bad.length > 0) {
    return refuse(
      `expected a comma-separated list of host:port (e.g. 127.0.0.1:6362,127.0.0.1:6372), but ${bad
        .map((b) => (b === '' ? 'an entry is empty' : `"${b}" is not host:port`))
        .join(', ')}`,
    );
  }
  return [...new Set(parts)];
});

/** A cluster token: sent as `Authorization: Bearer <token>`, so printable ASCII without spaces. */
export const CLUSTER_TOKEN = /^[\x21-\x7e]{16,1024}$/;

const clusterTokenSchema = optionalText.check(
  z.refine((v) => v === undefined || CLUSTER_TOKEN.test(v), {
    message: 'must be 16 to 1024 printable characters without spaces',
  }),
);

const logLevelSchema = fromText((v, refuse): LogLevel => {
  if (v === undefined) return 'info';
  const level = v.toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    return refuse(`expected one of ${LOG_LEVELS.join(', ')}, but got "${v}"`);
  }
  return level as LogLevel;
});

const localStoreCopySchema = fromText((v, refuse) => {
  if (v === undefined || v.toLowerCase() === 'on') return true;
  if (v.toLowerCase() === 'off') return false;
  return refuse(`expected on or off, but got "${v.slice(0, 40)}"`);
});

const storeLeaseTtlSchema = fromText((v, refuse) => {
  if (v === undefined) return 30_000;
  const n = /^\d{1,7}$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1000 && n <= 3_600_000)) {
    return refuse(`expected a whole number of milliseconds from 1000 to 3600000, but got "${v.slice(0, 40)}"`);
  }
  return n;
});

const schema = z.object({
  TXLINE_DATA_DIR: optionalPath,
  TXLINE_CLUSTER_FILE: optionalPath,
  TXLINE_CLUSTER_ADDRESSES: addressList,
  TXLINE_BACKUP_DIR: optionalPath,
  TXLINE_CATALOG: optionalPath,
  TXLINE_BACKUP_ROOTS: optionalText.check(
    z.refine((v) => v === undefined || v.split(',').every((p) => p.trim() !== '' && !p.includes('\0')), {
      message: 'is a comma-separated list of folders',
    }),
  ),
  TXLINE_ADMIN_PASSWORD: optionalText.check(z.refine((v) => v === undefined || v.length >= 10, { message: 'must be at least 10 characters long' })),
  TXLINE_METRICS_TOKEN: optionalText.check(z.refine((v) => v === undefined || v.length >= 16, { message: 'must be at least 16 characters long' })),
  TXLINE_CLUSTER_TOKEN: clusterTokenSchema,
  TXLINE_COLLECT_MS: fromText((v, refuse) => {
    if (v === undefined) return 1000;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < 100) {
      return refuse(`expected a whole number of milliseconds, at least 100, but got "${v}"`);
    }
    return n;
  }),
  TXLINE_TRUSTED_PROXIES: fromText((v, refuse) => {
    if (v === undefined) return [];
    const parts = v.split(',').map((s) => s.trim());
    const bad = parts.filter((p) => !isAddressOrRange(p));
    if (bad.length > 0) {
      return refuse(
        `expected a comma-separated list of IP addresses or CIDR ranges (e.g. 127.0.0.1,10.0.0.0/8,::1), but ${bad
          .map((b) => (b === '' ? 'an entry is empty' : `"${b}" is neither`))
          .join(', ')}`,
      );
    }
    return [...new Set(parts)];
  }),
  TXLINE_LOG_LEVEL: logLevelSchema,
  TXLINE_LOCAL_STORE_COPY: localStoreCopySchema,
  TXLINE_STORE_LEASE_TTL_MS: storeLeaseTtlSchema,
  TXLINE_ALERT_MS: fromText((v, refuse) => {
    if (v === undefined) return 30_000;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < 100) {
      return refuse(`expected a whole number of milliseconds, at least 100, but got "${v}"`);
    }
    return n;
  }),
  TXLINE_SCHEDULED_JOBS: fromText((v, refuse) => {
    if (v === undefined) return undefined;
    const n = /^\d+$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > 64) return refuse(`expected a whole number of jobs from 1 to 64, but got "${v.slice(0, 40)}"`);
    return n;
  }),
  TXLINE_PUBLIC_URL: fromText((v, refuse) => {
    if (v === undefined) return null;
    const u = URL.canParse(v) ? new URL(v) : null;
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || u.search || u.hash) {
      return refuse(`expected the dashboard's http(s) address, like https://txline.example.com, but got "${v.slice(0, 80)}"`);
    }
    return u.toString().replace(/\/+$/, '');
  }),
  TXLINE_NEO4J_ADMINS: fromText((v, refuse) => {
    if (v === undefined) return [];
    const parts = v.split(',').map((s) => s.trim());
    const bad = parts.filter((p) => !path.isAbsolute(p) || p.includes('\0'));
    if (bad.length > 0) {
      return refuse(`expected a comma-separated list of absolute paths of neo4j-admin executables, but ${bad.map((b) => (b === '' ? 'an entry is empty' : `"${b}" is not absolute`)).join(', ')}`);
    }
    return [...new Set(parts.map((p) => path.resolve(p)))];
  }),
});

/** An IPv4 or IPv6 address, or one with a /prefix length that fits it. */
function isAddressOrRange(s: string): boolean {
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(s);
  if (!m) return false;
  const family = net.isIP(m[1]);
  if (family === 0) return false;
  return m[2] === undefined || Number(m[2]) <= (family === 4 ? 32 : 128);
}

/** Validates an environment (process.env by default) and resolves the defaults; pure apart from `cwd`. */
export function parseEnv(source: Record<string, string | undefined> = process.env, cwd = process.cwd()): TxlineEnv {
  const picked = Object.fromEntries([...ENV_VARS, ...SECRET_VARS, ...SERVER_VARS, ...PROCESS_VARS].map((k) => [k, source[k]]));
  const parsed = schema.safeParse(picked);
  if (!parsed.success) throw invalidEnvironment(parsed.error.issues);
  const e = parsed.data;
  const dataDir = path.resolve(cwd, e.TXLINE_DATA_DIR ?? 'data');
  const resolve = (v: string | undefined, fallback: string) => (v === undefined ? fallback : path.resolve(cwd, v));
  return {
    dataDir,
    clusterFile: resolve(e.TXLINE_CLUSTER_FILE, path.join(dataDir, 'cluster', 'cluster.json')),
    clusterAddresses: e.TXLINE_CLUSTER_ADDRESSES,
    clusterToken: e.TXLINE_CLUSTER_TOKEN,
    backupDir: resolve(e.TXLINE_BACKUP_DIR, path.join(dataDir, 'backups')),
    catalog: resolve(e.TXLINE_CATALOG, path.join(dataDir, 'txline.sqlite')),
    backupRoots: e.TXLINE_BACKUP_ROOTS
      ? e.TXLINE_BACKUP_ROOTS.split(',').map((p) => path.resolve(cwd, p.trim()))
      : [resolve(e.TXLINE_BACKUP_DIR, path.join(dataDir, 'backups'))],
    adminPassword: e.TXLINE_ADMIN_PASSWORD,
    metricsToken: e.TXLINE_METRICS_TOKEN,
    collectIntervalMs: e.TXLINE_COLLECT_MS,
    trustedProxies: e.TXLINE_TRUSTED_PROXIES,
    alertIntervalMs: e.TXLINE_ALERT_MS,
    publicUrl: e.TXLINE_PUBLIC_URL,
    logLevel: e.TXLINE_LOG_LEVEL,
    neo4jAdmins: e.TXLINE_NEO4J_ADMINS,
    ...(e.TXLINE_SCHEDULED_JOBS === undefined ? {} : { scheduledJobs: e.TXLINE_SCHEDULED_JOBS }),
  };
}

function invalidEnvironment(issues: Array<{ path: PropertyKey[]; message: string }>): TxlineError {
  const lines = issues.map((i) => `${String(i.path[0] ?? 'environment')}: ${i.message}`);
  return new TxlineError('INVALID_ARGUMENT', `Invalid environment: ${lines.join('; ')}`);
}

/**
 * TXLINE_LOG_LEVEL alone, validated as parseEnv does (a bad value: INVALID_ARGUMENT naming the variable, exit 2).
 * Loggers use it, so that a logger never fails over another variable.
 */
export function logLevel(source: Record<string, string | undefined> = process.env): LogLevel {
  const parsed = z.object({ TXLINE_LOG_LEVEL: logLevelSchema }).safeParse({ TXLINE_LOG_LEVEL: source.TXLINE_LOG_LEVEL });
  if (!parsed.success) throw invalidEnvironment(parsed.error.issues);
  return parsed.data.TXLINE_LOG_LEVEL;
}

/** TXLINE_LOCAL_STORE_COPY alone (on unless "off"), validated as parseEnv does. */
export function localStoreCopy(source: Record<string, string | undefined> = process.env): boolean {
  const parsed = z.object({ TXLINE_LOCAL_STORE_COPY: localStoreCopySchema }).safeParse({ TXLINE_LOCAL_STORE_COPY: source.TXLINE_LOCAL_STORE_COPY });
  if (!parsed.success) throw invalidEnvironment(parsed.error.issues);
  return parsed.data.TXLINE_LOCAL_STORE_COPY;
}

/** TXLINE_STORE_LEASE_TTL_MS alone (a member reads it at start), validated as parseEnv does. */
export function storeLeaseTtlMs(source: Record<string, string | undefined> = process.env): number {
  const parsed = z.object({ TXLINE_STORE_LEASE_TTL_MS: storeLeaseTtlSchema }).safeParse({ TXLINE_STORE_LEASE_TTL_MS: source.TXLINE_STORE_LEASE_TTL_MS });
  if (!parsed.success) throw invalidEnvironment(parsed.error.issues);
  return parsed.data.TXLINE_STORE_LEASE_TTL_MS;
}

/**
 * TXLINE_CLUSTER_TOKEN alone, validated as parseEnv does: a member reads its token so (the supervisor sets it),
 * whatever the other variables hold.
 */
export function clusterTokenVar(source: Record<string, string | undefined> = process.env): string | undefined {
  const parsed = z.object({ TXLINE_CLUSTER_TOKEN: clusterTokenSchema }).safeParse({ TXLINE_CLUSTER_TOKEN: source.TXLINE_CLUSTER_TOKEN });
  if (!parsed.success) throw invalidEnvironment(parsed.error.issues);
  return parsed.data.TXLINE_CLUSTER_TOKEN;
}

let cached: TxlineEnv | null = null;

/** The process's environment, parsed on first use and kept. */
export function env(): TxlineEnv {
  cached ??= parseEnv();
  return cached;
}

/** The variables to give a child process so that it sees the same configuration. */
export function envVars(e: TxlineEnv): Record<(typeof ENV_VARS)[number], string> {
  return {
    TXLINE_DATA_DIR: e.dataDir,
    TXLINE_CLUSTER_FILE: e.clusterFile,
    TXLINE_CLUSTER_ADDRESSES: e.clusterAddresses?.join(',') ?? '',
    TXLINE_BACKUP_DIR: e.backupDir,
    TXLINE_CATALOG: e.catalog,
    TXLINE_BACKUP_ROOTS: e.backupRoots.join(','),
  };
}
