/**
 * The cluster token: the shared secret that members and the supervisor's control API require on every route
 * but /metrics (`Authorization: Bearer <token>`, see http-guard.ts).
 *
 * Where it comes from, as the members' addresses do (discovery.ts): TXLINE_CLUSTER_TOKEN beside
 * TXLINE_CLUSTER_ADDRESSES, else the token file beside cluster.json (`<cluster data folder>/token`, mode 0600).
 * `txline cluster start` writes that file: TXLINE_CLUSTER_TOKEN when it is set, else the token already in the
 * file (a restart keeps it), else a new random one. So the file always holds the running cluster's token.
 *
 * Every request of client.ts carries the process's token (`clusterToken()`): the one set with
 * `setClusterToken` (a member, `txline serve`, tests), else the environment's, read afresh when the file changes.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CLUSTER_TOKEN, env } from '../env';
import { TxlineError, describeError } from '../errors';

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
 * token already there, else a new random one (256 bits).
 */
export function ensureTokenFile(dataDir: string, given?: string): string {
  const file = path.join(dataDir, TOKEN_FILE);
  if (given !== undefined && !CLUSTER_TOKEN.test(given)) {
    throw new TxlineError('INVALID_ARGUMENT', 'the cluster token must be 16 to 1024 printable characters without spaces');
  }
  const existing = readTokenFile(file);
  const token = given ?? existing ?? randomBytes(32).toString('base64url');
  if (token !== existing) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.rmSync(tmp, { force: true }); // the mode applies only to a new file
    fs.writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  // also an existing file: the token must not be readable by others
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  return token;
}

let processToken: string | null | undefined;
let fileCache: { file: string; mtimeMs: number; size: number; ino: number; token: string | null } | null = null;

/**
 * Sets the token this process sends (null: none); undefined goes back to the environment's
 * (TXLINE_CLUSTER_TOKEN, else the token file beside TXLINE_CLUSTER_FILE's cluster.json).
 */
export function setClusterToken(token: string | null | undefined): void {
  processToken = token;
}

/** The token this process sends to members; null when it has none. */
export function clusterToken(): string | null {
  if (processToken !== undefined) return processToken;
  const e = env();
  if (e.clusterToken) return e.clusterToken;
  return cachedTokenFile(tokenFileFor(e.clusterFile));
}

/** The token file's token, read again only when the file changed (a new cluster in the folder). */
function cachedTokenFile(file: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new TxlineError('INVALID_ARGUMENT', `cannot read the cluster token file ${file}: ${describeError(e)}`, { cause: e });
  }
  const c = fileCache;
  if (c && c.file === file && c.mtimeMs === st.mtimeMs && c.size === st.size && c.ino === st.ino) return c.token;
  const token = readTokenFile(file);
  fileCache = { file, mtimeMs: st.mtimeMs, size: st.size, ino: st.ino, token };
  return token;
}
