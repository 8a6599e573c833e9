/**
 * Ports: member N serves HTTP on base + 10·(N−1) and Bolt on boltBase + 10·(N−1), boltBase being base + 1 unless
 * told (so each member's two ports sit in its own block of ten); base 0 picks free ports for both.
 *
 * The embedded cluster's supervisor: starts one OS process per member, stops, kills and restarts them, and
 * (optionally) serves a small control API on loopback so the dashboard can stop or start a member. Members and
 * the control API require the cluster token (token.ts) and refuse foreign Host and Origin (http-guard.ts).
 *
 * Layout of the data folder:
 *   <dataDir>/cluster.json         members, their addresses and the control address (rewritten on change)
 *   <dataDir>/token                the cluster token (mode 0600; kept across restarts)
 *   <dataDir>/bolt-password        the password of the members' Bolt user neo4j (mode 0600; see bolt/password.ts)
 *   <dataDir>/cluster.lock         the supervisor's pid while it runs (see pid-lock.ts)
 *   <dataDir>/member-N/member.json a member's configuration
 *   <dataDir>/member-N/member.lock the member's pid while it runs
 *   <dataDir>/member-N/member.log  a member's log
 *   <dataDir>/member-N/databases/  its databases (store + transaction log each)
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { once } from 'node:events';
import { HTTP_STATUS, TxlineError, describeError } from '../errors';
import { txlineBin } from '../paths';
import { formatAddress, isLoopbackHost } from '../net/address';
import { guardRequest, requireJsonBody } from './http-guard';
import type { MemberConfig, PeerConfig } from './member';
import { acquirePidLock, describeOwner, liveOwner, processAlive, type PidLock } from './pid-lock';
import { normalizeDatabaseName } from '../graph/names';
import { parseRetention, parseSize } from './retention';
import { ensureTokenFile } from './token';
import { BOLT_NEO4J_VERSION_VAR, boltNeo4jVersion } from './bolt/member-backend';
import { BOLT_PASSWORD_FILE, BOLT_PASSWORD_VAR, boltPasswordVar, checkBoltPassword, ensureBoltPasswordFile } from './bolt/password';

export interface ClusterOptions {
  dataDir: string;
  members?: number;
  secondaries?: number;
  basePort?: number;
  host?: string;
  databases?: string[];
  lagMs?: Record<string, number>;
  txLogRetention?: string;
  txLogRotationSize?: string;
  /** 'console': member logs go to this process's stderr too; 'file': only to member.log */
  output?: 'console' | 'file';
  controlPort?: number | null;
  /** the cluster token (TXLINE_CLUSTER_TOKEN); unset: the one in <dataDir>/token, else a new one */
  token?: string;
  /** Bolt port of member 1 (member N: + 10·(N−1)); default basePort + 1; with basePort 0, free ports */
  boltBasePort?: number;
  /** the Bolt password (TXLINE_BOLT_PASSWORD); unset: the one in <dataDir>/bolt-password, else a new one */
  boltPassword?: string;
  /** the Neo4j version the members report over Bolt (TXLINE_BOLT_NEO4J_VERSION); unset: that variable, else the default */
  boltNeo4jVersion?: string;
}

export type MemberState = 'starting' | 'running' | 'stopping' | 'stopped' | 'crashed';

export interface MemberInfo extends PeerConfig {
  pid: number | null;
  state: MemberState;
  dataDir: string;
}

export interface ClusterFile {
  writer: string;
  control: string | null;
  members: MemberInfo[];
  startedAt: string;
}

interface Managed {
  config: MemberConfig;
  configFile: string;
  proc: ChildProcess | null;
  state: MemberState;
}

export class ClusterSupervisor {
  private managed = new Map<string, Managed>();
  private control: http.Server | null = null;
  private controlAddress: string | null = null;
  private closing = false;
  private lock: PidLock | null = null;
  /** the loopback address every member listens on (checked by start) */
  private host = '127.0.0.1';
  private clusterToken: string | null = null;
  private boltPassword: string | null = null;
  readonly startedAt = new Date().toISOString();

  constructor(readonly opts: ClusterOptions) {}

  get dataDir(): string {
    return this.opts.dataDir;
  }

  /** The file that holds the members' Bolt password (user neo4j). */
  get boltPasswordFile(): string {
    return path.join(this.opts.dataDir, BOLT_PASSWORD_FILE);
  }

  /** The token members and the control API require (known once start has claimed the data folder). */
  get token(): string {
    if (this.clusterToken === null) throw new TxlineError('INTERNAL', 'the cluster token is known once the cluster has started');
    return this.clusterToken;
  }

  /** Validates options, writes member configurations, starts every member and waits until all serve. */
  async start(): Promise<void> {
    const o = this.opts;
    const count = o.members ?? 3;
    const secondaries = o.secondaries ?? (count >= 3 ? 1 : 0);
    if (!Number.isInteger(count) || count < 1 || count > 9) throw new TxlineError('INVALID_ARGUMENT', '--members must be between 1 and 9');
    if (!Number.isInteger(secondaries) || secondaries < 0 || secondaries >= count) {
      throw new TxlineError('INVALID_ARGUMENT', '--secondaries must be at least 0 and leave at least one primary');
    }
    const retention = o.txLogRetention ?? '2 days';
    const rotation = o.txLogRotationSize ?? '1M';
    parseRetention(retention);
    parseSize(rotation);
    const host = (o.host ?? '127.0.0.1').trim().replace(/^\[(.*)\]$/, '$1');
    if (!isLoopbackHost(host)) {
      // the members' API and the control API (admin routes, behind one shared token) are for this machine only
      throw new TxlineError('INVALID_ARGUMENT', `--host must be a loopback address (127.0.0.1, another 127.x.x.x, ::1 or localhost), got "${o.host}": members serve admin routes for this machine only`);
    }
    this.host = host;
    const base = o.basePort ?? 6362;
    if (!Number.isInteger(base) || base < 0 || base > 65535) throw new TxlineError('INVALID_ARGUMENT', `--base-port must be a port number (0-65535), got ${base}`);
    if (base !== 0 && base + 10 * (count - 1) > 65535) {
      throw new TxlineError(
        'INVALID_ARGUMENT',
        `--base-port ${base} puts member-${count} on port ${base + 10 * (count - 1)}, above 65535; with ${count} members the base port can be at most ${65535 - 10 * (count - 1) - (o.boltBasePort === undefined ? 1 : 0)} (or 0 for free ports)`,
      );
    }
    const boltBase = base === 0 ? 0 : (o.boltBasePort ?? base + 1);
    if (!Number.isInteger(boltBase) || boltBase < 0 || boltBase > 65535) throw new TxlineError('INVALID_ARGUMENT', `the Bolt base port must be a port number (0-65535), got ${boltBase}`);
    if (boltBase !== 0 && boltBase + 10 * (count - 1) > 65535) {
      throw new TxlineError(
        'INVALID_ARGUMENT',
        o.boltBasePort === undefined
          ? `--base-port ${base} puts member-${count}'s Bolt port (its HTTP port + 1) on ${boltBase + 10 * (count - 1)}, above 65535; with ${count} members the base port can be at most ${65534 - 10 * (count - 1)} (or 0 for free ports)`
          : `the Bolt base port ${boltBase} puts member-${count}'s Bolt port on ${boltBase + 10 * (count - 1)}, above 65535`,
      );
    }
    if (base !== 0 && boltBase !== 0 && (boltBase - base) % 10 === 0 && Math.abs(boltBase - base) < 10 * count) {
      throw new TxlineError('INVALID_ARGUMENT', `the Bolt base port ${boltBase} makes a member's Bolt port another member's HTTP port (base ${base})`);
    }
    const ids = Array.from({ length: count }, (_, i) => `member-${i + 1}`);
    for (const id of Object.keys(o.lagMs ?? {})) {
      if (!ids.includes(id)) throw new TxlineError('INVALID_ARGUMENT', `--lag-ms names ${id}, but the cluster has ${ids.join(', ')}`);
      if (id === ids[0]) {
        throw new TxlineError(
          'INVALID_ARGUMENT',
          `--lag-ms names ${id}, the writer: it applies nothing from another member, so there is no apply to delay${count > 1 ? `; give the lag to ${ids.slice(1).join(', ')}` : ''}`,
        );
      }
    }
    const databases = [...new Set(['system', ...(o.databases ?? ['neo4j']).map(normalizeDatabaseName)])];
    const boltPassword = o.boltPassword ?? boltPasswordVar();
    if (boltPassword !== undefined) checkBoltPassword(boltPassword);
    // Nothing in the data folder is touched until it is known to be free.
    this.claimDataDir(ids);
    try {
      await this.startAll(ids, { host, base, boltBase, count, secondaries, databases, retention, rotation, boltPassword });
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  private async startAll(
    ids: string[],
    c: { host: string; base: number; boltBase: number; count: number; secondaries: number; databases: string[]; retention: string; rotation: string; boltPassword?: string },
  ): Promise<void> {
    const o = this.opts;
    const { host, base, boltBase, count, secondaries, databases, retention, rotation } = c;
    this.clusterToken = ensureTokenFile(o.dataDir, o.token);
    this.boltPassword = ensureBoltPasswordFile(o.dataDir, c.boltPassword);
    const free = await freePorts(host, (base === 0 ? count : 0) + (boltBase === 0 ? count : 0));
    const ports = base === 0 ? free.splice(0, count) : ids.map((_, i) => base + 10 * i);
    const boltPorts = boltBase === 0 ? free.splice(0, count) : ids.map((_, i) => boltBase + 10 * i);
    const peers: PeerConfig[] = ids.map((id, i) => ({
      id,
      address: formatAddress(host, ports[i]),
      mode: i < count - secondaries ? 'primary' : 'secondary',
      boltAddress: formatAddress(host, boltPorts[i]),
    }));
    for (const [i, peer] of peers.entries()) {
      const dir = path.join(o.dataDir, peer.id);
      fs.mkdirSync(dir, { recursive: true });
      const config: MemberConfig = {
        id: peer.id,
        host,
        port: ports[i],
        boltPort: boltPorts[i],
        mode: peer.mode,
        dataDir: dir,
        peers,
        writer: ids[0],
        databases,
        lagMs: o.lagMs?.[peer.id] ?? 0,
        txLogRetention: retention,
        txLogRotationSize: rotation,
      };
      const configFile = path.join(dir, 'member.json');
      fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
      this.managed.set(peer.id, { config, configFile, proc: null, state: 'stopped' });
    }
    if (o.controlPort !== undefined && o.controlPort !== null) await this.serveControl(o.controlPort);
    // The writer first: the others copy their stores from it.
    await this.startMember(ids[0]);
    await Promise.all(ids.slice(1).map((id) => this.startMember(id)));
  }

  /**
   * Takes `<dataDir>/cluster.lock`, then makes sure no member of an earlier cluster still runs in the folder
   * (cluster.json names live member pids, or a member's lock is held): two clusters in one folder would
   * overwrite each other's configuration and transaction logs. Throws DATA_DIR_IN_USE, having changed nothing.
   */
  private claimDataDir(ids: string[]): void {
    const dir = this.opts.dataDir;
    const inUse = `the data folder ${dir} is in use by another cluster; stop it first, or choose another --data-dir`;
    const lock = acquirePidLock(path.join(dir, 'cluster.lock'), { what: `the cluster supervisor of ${dir}` }, inUse);
    try {
      const live = new Map<number, string>();
      let previous: Partial<ClusterFile> | null = null;
      try {
        previous = JSON.parse(fs.readFileSync(path.join(dir, 'cluster.json'), 'utf8')) as Partial<ClusterFile>;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && !(e instanceof SyntaxError)) throw e;
      }
      for (const m of Array.isArray(previous?.members) ? previous.members : []) {
        const configFile = typeof m?.dataDir === 'string' ? path.join(m.dataDir, 'member.json') : undefined;
        if (processAlive(m?.pid, configFile)) live.set(m.pid, `${m.id} (process ${m.pid})`);
      }
      const memberDirs = new Set([...ids, ...fs.readdirSync(dir).filter((n) => /^member-\d+$/.test(n))]);
      for (const id of memberDirs) {
        const owner = liveOwner(path.join(dir, id, 'member.lock'));
        if (owner && !live.has(owner.pid)) live.set(owner.pid, `${id} (${describeOwner(owner)})`);
      }
      if (live.size > 0) {
        throw new TxlineError('DATA_DIR_IN_USE', `${inUse}: still running there: ${[...live.values()].join(', ')}`, { details: { dataDir: dir } });
      }
    } catch (e) {
      lock.release();
      throw e;
    }
    this.lock = lock;
  }

  get writerId(): string {
    return 'member-1';
  }

  info(): ClusterFile {
    return {
      writer: this.writerId,
      control: this.controlAddress,
      startedAt: this.startedAt,
      members: [...this.managed.values()].map((m) => ({
        id: m.config.id,
        address: formatAddress(m.config.host, m.config.port),
        mode: m.config.mode,
        ...(m.config.boltPort !== undefined ? { boltAddress: formatAddress(m.config.host, m.config.boltPort) } : {}),
        pid: m.proc?.pid ?? null,
        state: m.state,
        dataDir: m.config.dataDir,
      })),
    };
  }

  member(id: string): MemberInfo {
    const m = this.info().members.find((x) => x.id === id);
    if (!m) throw new TxlineError('NOT_FOUND', `no member "${id}" in this cluster`);
    return m;
  }

  addresses(): string[] {
    return this.info().members.map((m) => m.address);
  }

  private get(id: string): Managed {
    const m = this.managed.get(id);
    if (!m) throw new TxlineError('NOT_FOUND', `no member "${id}" in this cluster (members: ${[...this.managed.keys()].join(', ')})`);
    return m;
  }

  async startMember(id: string, timeoutMs = 30_000): Promise<void> {
    const m = this.get(id);
    if (m.state === 'running' || m.state === 'starting') return;
    m.state = 'starting';
    const logFile = fs.openSync(path.join(m.config.dataDir, 'member.log'), 'a');
    const proc = fork(txlineBin(), ['member', '--config', m.configFile], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      execArgv: [],
      env: {
        ...process.env,
        TXLINE_MEMBER_ID: id,
        TXLINE_CLUSTER_TOKEN: this.token,
        [BOLT_PASSWORD_VAR]: this.boltPassword ?? '',
        ...(this.opts.boltNeo4jVersion ? { [BOLT_NEO4J_VERSION_VAR]: boltNeo4jVersion({ [BOLT_NEO4J_VERSION_VAR]: this.opts.boltNeo4jVersion }) } : {}),
      },
    });
    m.proc = proc;
    const toConsole = this.opts.output === 'console';
    for (const stream of [proc.stdout, proc.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        fs.writeSync(logFile, chunk);
        if (toConsole) process.stderr.write(chunk);
      });
    }
    // 'close' comes after the last output: only then may the log file be closed ('exit' can come first).
    proc.on('close', () => fs.closeSync(logFile));
    proc.on('exit', (code, signal) => {
      const wasStopping = m.state === 'stopping';
      m.state = wasStopping || this.closing ? 'stopped' : 'crashed';
      if (m.proc === proc) m.proc = null;
      if (!wasStopping && !this.closing) {
        process.stderr.write(`${id} exited (${signal ?? `code ${code}`})\n`);
      }
      this.writeInfo();
    });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new TxlineError('INTERNAL', `${id} did not start within ${timeoutMs} ms; see ${path.join(m.config.dataDir, 'member.log')}`)), timeoutMs);
      proc.on('message', (msg: { type?: string }) => {
        if (msg?.type === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new TxlineError('INTERNAL', `${id} exited during start-up (${signal ?? `code ${code}`}); see ${path.join(m.config.dataDir, 'member.log')}`));
      });
    });
    try {
      await ready;
    } catch (e) {
      if (proc.exitCode === null) proc.kill('SIGKILL');
      throw e;
    }
    m.state = 'running';
    this.writeInfo();
  }

  /** Stops a member gracefully (SIGTERM), or abruptly with `SIGKILL`. Resolves when the process is gone. */
  async stopMember(id: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const m = this.get(id);
    const proc = m.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) {
      m.state = 'stopped';
      return;
    }
    m.state = 'stopping';
    const exited = once(proc, 'exit');
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  killMember(id: string): Promise<void> {
    return this.stopMember(id, 'SIGKILL');
  }

  async restartMember(id: string): Promise<void> {
    await this.stopMember(id);
    await this.startMember(id);
  }

  /** Stops every member and the control API, and releases the data folder. Safe to call more than once. */
  async stop(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.managed.keys()].map((id) => this.stopMember(id).catch(() => undefined)));
    const control = this.control;
    this.control = null;
    if (control) {
      control.closeAllConnections();
      await new Promise<void>((r) => control.close(() => r()));
    }
    this.writeInfo();
    this.lock?.release();
    this.lock = null;
  }

  private writeInfo(): void {
    // Only the supervisor holding the folder writes its cluster.json (never one that was refused).
    if (!this.lock || !fs.existsSync(this.opts.dataDir)) return;
    const file = path.join(this.opts.dataDir, 'cluster.json');
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.info(), null, 2));
    fs.renameSync(tmp, file);
  }

  /**
   * `GET /members`, `POST /members/{id}/stop|start|kill` on loopback, with the members' rules: the cluster
   * token, no foreign Host or Origin, no body but JSON (http-guard.ts).
   */
  private async serveControl(port: number): Promise<void> {
    const host = this.host;
    this.control = http.createServer((req, res) => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(body));
      };
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://control');
      } catch (e) {
        // an absolute-form target that is no URL (http://x:99999/members) is the client's mistake
        return send(400, { code: 'BAD_REQUEST', message: `invalid request target "${String(req.url).slice(0, 200)}": ${describeError(e)}` });
      }
      try {
        guardRequest(req, { token: this.token, host, port: (this.control?.address() as net.AddressInfo).port });
        requireJsonBody(req, false);
      } catch (e) {
        const err = e instanceof TxlineError ? e : new TxlineError('INTERNAL', describeError(e), { cause: e });
        const status = HTTP_STATUS[err.code] ?? 500;
        return send(status, err.toJSON(), status === 401 ? { 'www-authenticate': 'Bearer realm="txline"' } : {});
      }
      const m = /^\/members\/([a-z0-9-]+)\/(stop|start|kill)$/.exec(url.pathname);
      if (req.method === 'GET' && url.pathname === '/members') return send(200, this.info());
      if (req.method === 'POST' && m) {
        const [, id, action] = m;
        const run = action === 'start' ? this.startMember(id) : action === 'kill' ? this.killMember(id) : this.stopMember(id);
        run.then(
          () => send(200, this.member(id)),
          (e) => send((e instanceof TxlineError && HTTP_STATUS[e.code]) || 500, { code: e?.code ?? 'INTERNAL', message: describeError(e) }),
        );
        return;
      }
      send(404, { code: 'NOT_FOUND', message: `no such endpoint: ${req.method} ${url.pathname}` });
    });
    await new Promise<void>((resolve, reject) => {
      this.control?.once('error', reject);
      this.control?.listen(port, host, () => resolve());
    });
    const addr = this.control.address() as net.AddressInfo;
    this.controlAddress = formatAddress(host, addr.port);
  }
}

/** Asks the OS for `n` distinct free ports. */
export async function freePorts(host: string, n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = net.createServer();
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(0, host, () => resolve());
      });
      servers.push(s);
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

/** Parses `member-2=200,member-3=1500`. */
export function parseLagSpec(spec: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (!spec.trim()) return out;
  for (const part of spec.split(',')) {
    const m = /^\s*(member-\d+)\s*=\s*(\d+)\s*(ms)?\s*$/.exec(part);
    if (!m) throw new TxlineError('INVALID_ARGUMENT', `Invalid --lag-ms entry "${part}": expected member-N=MILLISECONDS, e.g. member-2=200.`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}
