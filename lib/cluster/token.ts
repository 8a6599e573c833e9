/**
 * The cluster token: the shared secret that members and the supervisor's control API require on every route
 * but /metrics (`Authorization: Bearer <token>`, see http-guard.ts).
 *
 * Where it comes from, as the members' addresses do (discovery.ts): TXLINE_CLUSTER_TOKEN beside
 * TXLINE_CLUSTER_ADDRESSES, else the token file beside cluster.json (`<cluster data folder>/token`, mode 0600).
 * `txline cluster start` writes that file: TXLINE_CLUSTER_TOKEN when it is set, else the token already in the
 * file (a restart keeps it), else a new random one. So the file always holds the running cluster's token.
 *
 * A token goes only to the addresses of its own cluster (a member's API is clear HTTP: a token sent elsewhere is
 * given away). `clusterTokenFor(address)`, which client.ts sends unless the caller passes a token itself:
 * - a process that set its token (`setClusterToken(token, addresses)`: a member for its peers, `txline serve`
 *   and the benchmarks for the cluster they started) sends it to those addresses;
 * - otherwise the environment's: TXLINE_CLUSTER_TOKEN to the configured cluster (TXLINE_CLUSTER_ADDRESSES, else
 *   cluster.json's members and control API, else 127.0.0.1:6362), the token file to cluster.json's members and
 *   control API; both files are read again when they change;
 * - an address that a member of the cluster lists as one of its members (its /cluster answer) gets the token
 *   that member got (`trustPeers`): it is the cluster's, and the member holds the token anyway;
 * - the CLI's own `--from`, `--to` and `--server` addresses get TXLINE_CLUSTER_TOKEN when the user set it: the
 *   user chose to send it there (`trustGivenAddresses`). The token file's token never goes to them unless they
 *   are cluster.json's.
 * Anything else gets no token. The dashboard passes each registered cluster's token per request
 * (`catalogClusterToken`): its own from the catalog, else the environment's only where the environment's would
 * go anyway.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CLUSTER_TOKEN, env, type TxlineEnv } from '../env';
import { TxlineError, describeError } from '../errors';
import { readClusterFile } from './discovery';

export const TOKEN_FILE = 'token';

/** The token file of the cluster whose cluster.json is `clusterFile`. */
export function tokenFileFor(clusterFile: string): string {
  return path.join(path.dirname(clusterFile), TOKEN_FILE);
}

/** The token in `file`; null when there is no such file. A file that holds no valid token is an error. */
export function readTokenFile(file: string): string | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TxlineError('INVALID_ARGUMENT', `cannot read the cluster token file ${file}: ${describeError(e)}`, { cause: e });
  }
  const token = text.trim();
  if (!CLUSTER_TOKEN.test(token)) {
    throw new TxlineError('INVALID_ARGUMENT', `${file} does not hold a cluster token (16 to 1024 printable characters without spaces)`);
  }
  return token;
}

/**
 * The token of the cluster in `dataDir`, written to its token file (mode 0600): `given` when set, else the
 * token already there, else a new random one (256 bits). A token file that is a symlink is refused (it would
 * make the supervisor write, or the cluster trust, a file elsewhere); a new one is written under a random
 * name that must not exist yet, then renamed over it.
 */
export function ensureTokenFile(dataDir: string, given?: string): string {
  const file = path.join(dataDir, TOKEN_FILE);
  if (given !== undefined && !CLUSTER_TOKEN.test(given)) {
    throw new TxlineError('INVALID_ARGUMENT', 'the cluster token must be 16 to 1024 printable characters without spaces');
  }
  const st = lstatOrNull(file);
  if (st && !st.isFile()) throw new TxlineError('INVALID_ARGUMENT', `the cluster token file ${file} is not a regular file (a symlink?): remove it`);
  const existing = st ? readTokenFile(file) : null;
  const token = given ?? existing ?? randomBytes(32).toString('base64url');
  if (token !== existing) {
    const tmp = `${file}.${randomBytes(8).toString('hex')}.tmp`;
    try {
      fs.writeFileSync(tmp, `${token}\n`, { mode: 0o600, flag: 'wx' });
      fs.renameSync(tmp, file);
    } catch (e) {
      fs.rmSync(tmp, { force: true });
      throw new TxlineError('INVALID_ARGUMENT', `cannot write the cluster token file ${file}: ${describeError(e)}`, { cause: e });
    }
  }
  // also an existing file: the token must not be readable by others
  if ((fs.lstatSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  return token;
}

function lstatOrNull(file: string): fs.Stats | null {
  try {
    return fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TxlineError('INVALID_ARGUMENT', `cannot read the cluster token file ${file}: ${describeError(e)}`, { cause: e });
  }
}

// ---- which token goes to which address -------------------------------------------------------------------

/** How addresses are compared: as written, host in lower case. */
function addressKey(address: string): string {
  return address.trim().toLowerCase();
}

/** The token a process set, and the addresses (or the test of an address) it goes to. */
let processBinding: { token: string | null; covers: (key: string) => boolean } | null = null;
/** Addresses added later (trustPeers, trustGivenAddresses), with the token each gets. */
const added = new Map<string, string>();

/**
 * Sets the token this process sends (null: none) and where it goes: a list of addresses (a member: its peers;
 * `txline serve`: the cluster it started, members and control API), or a test of an address (tests only).
 */
export function setClusterToken(token: string | null, to: Iterable<string> | ((address: string) => boolean)): void {
  if (typeof to === 'function') {
    processBinding = { token, covers: to };
  } else {
    const keys = new Set([...to].map(addressKey));
    processBinding = { token, covers: (key) => keys.has(key) };
  }
  added.clear();
}

/** Back to the environment's token and cluster (TXLINE_CLUSTER_TOKEN, TXLINE_CLUSTER_ADDRESSES, cluster.json). */
export function resetClusterToken(): void {
  processBinding = null;
  added.clear();
}

/** The token to send to `address` (null: none): see the header. */
export function clusterTokenFor(address: string): string | null {
  const key = addressKey(address);
  if (processBinding) {
    if (processBinding.token && processBinding.covers(key)) return processBinding.token;
  } else {
    const t = environmentTokenFor(address, env());
    if (t) return t;
  }
  return added.get(key) ?? null;
}

/**
 * `peers`, as the member at `from` lists its cluster's members, get the token `from` gets: they are members of
 * the same cluster (a backup that resolves the cluster from one address reaches the others).
 */
export function trustPeers(from: string, peers: string[]): void {
  const token = clusterTokenFor(from);
  if (!token) return;
  for (const p of peers) if (clusterTokenFor(p) === null) added.set(addressKey(p), token);
}

/**
 * The CLI's `--from`, `--to`, `--server` addresses: they get TXLINE_CLUSTER_TOKEN when the user set it (the user
 * chose to send it there). Without it they get only the token of the cluster they belong to, if any.
 */
export function trustGivenAddresses(addresses: string[], e: TxlineEnv = env()): void {
  if (processBinding || !e.clusterToken) return;
  for (const a of addresses) if (clusterTokenFor(a) === null) added.set(addressKey(a), e.clusterToken);
}

/**
 * The token the environment `e` has for `address`: TXLINE_CLUSTER_TOKEN when the address is one of the configured
 * cluster's, the token file's when it is one of cluster.json's (TXLINE_CLUSTER_TOKEN instead when no
 * TXLINE_CLUSTER_ADDRESSES is set: it is that cluster's token then); null for any other address.
 */
export function environmentTokenFor(address: string, e: TxlineEnv = env()): string | null {
  const key = addressKey(address);
  const file = clusterFileAddresses(e.clusterFile);
  if (e.clusterToken) {
    const configured = e.clusterAddresses ? e.clusterAddresses.map(addressKey) : file.size > 0 ? [...file] : ['127.0.0.1:6362'];
    if (configured.includes(key)) return e.clusterToken;
  }
  if (!file.has(key)) return null;
  return e.clusterToken && !e.clusterAddresses ? e.clusterToken : cachedTokenFile(tokenFileFor(e.clusterFile));
}

/**
 * The token for a cluster registered in the catalog: its own (set in Settings), else the environment's when the
 * environment sends that one token to every address of it (the embedded cluster, TXLINE_CLUSTER_ADDRESSES'),
 * else none.
 */
export function catalogClusterToken(cluster: { addresses: string[]; token?: string | null }, e: TxlineEnv = env()): string | null {
  if (cluster.token) return cluster.token;
  const tokens = new Set(cluster.addresses.map((a) => environmentTokenFor(a, e)));
  const [only] = tokens;
  return tokens.size === 1 && only ? only : null;
}

/**
 * What `read` made of `file`, read again only when the file changed (its inode, size or mtime): `absent` when it
 * does not exist. One cache per reader.
 */
function statCached<T>(read: (file: string) => T, absent: T): (file: string) => T {
  let cache: { file: string; mtimeMs: number; size: number; ino: number; value: T } | null = null;
  return (file) => {
    const st = statOrNull(file);
    if (!st) return absent;
    const c = cache;
    if (c && c.file === file && c.mtimeMs === st.mtimeMs && c.size === st.size && c.ino === st.ino) return c.value;
    const value = read(file);
    cache = { file, mtimeMs: st.mtimeMs, size: st.size, ino: st.ino, value };
    return value;
  };
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new TxlineError('INVALID_ARGUMENT', `cannot read ${file}: ${describeError(e)}`, { cause: e });
  }
}

/** The members' and the control API's addresses in cluster.json, read again only when the file changed. */
const clusterFileAddresses = statCached((file: string): Set<string> => {
  const cluster = readClusterFile(file);
  const members = Array.isArray(cluster?.members) ? cluster.members.map((m) => m.address) : [];
  return new Set([...members, ...(cluster?.control ? [cluster.control] : [])].filter((a) => typeof a === 'string').map(addressKey));
}, new Set<string>());

/** The token file's token, read again only when the file changed (a new cluster in the folder). */
const cachedTokenFile = statCached(readTokenFile, null);
