/**
 * The job runner: backups, restores, aggregations and verifications run as `txline` child processes with
 * `--progress=jsonl`, never inside a web request.
 *
 * - One running job per database of a cluster (and per database of a backup folder, which the engine locks):
 *   a second start is refused with the running job's number. The same name on another cluster is free.
 * - Progress lines update the job row (at most a few times a second); the log is the child's stderr.
 * - Cancel sends SIGTERM (the CLI removes its temporary files and exits), then SIGKILL after a grace period.
 * - The child exits when this process goes away (its IPC channel closes); jobs still marked running when a
 *   server starts are marked interrupted (see markInterrupted).
 * - What passes to and from the child is the job protocol (lib/jobs/protocol.ts): the argv is built from the
 *   job's typed input, every stdout line is read with its schemas, and the result is stored only when it is the
 *   kind's result; a failed job stores its error's stable code (`error_code`).
 * - A job on a cluster gets that cluster's addresses and token (TXLINE_CLUSTER_ADDRESSES, TXLINE_CLUSTER_TOKEN),
 *   '' when it has none: never the server's own token for another cluster's members.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { describeError, type ErrorCode } from '../errors';
import type { Catalog } from '../db';
import { activeJobFor, createJob, finishJob, getJob, updateJob } from '../db/queries/jobs';
import type { JobProgress, JobRow } from '../db/schema';
import { CLI_ENV, CLI_NODE_ARGS } from '../paths';
import { jobArgv, parseJobLine, resultErrorCode, type JobResult, type JobSpec } from './protocol';

const MAX_LOG = 256 * 1024;
const PROGRESS_EVERY_MS = 250;
const KILL_AFTER_MS = 10_000;

/** A job to start: its kind and typed input (the child's argv is built from them), and where it works. */
export type StartJob = JobSpec & {
  database: string;
  clusterId: number | null;
  folderId: number | null;
  /** what the user asked for (the dashboard's form), kept with the job */
  params: Record<string, unknown>;
  /** the cluster the job works on: its member addresses and its token (null: none) */
  cluster?: { addresses: string[]; token: string | null };
  env?: Record<string, string>;
  createdBy: string | null;
};

export type StartResult = { ok: true; jobId: number } | { ok: false; code: 'JOB_RUNNING' | 'SPAWN_FAILED' | 'INVALID_ARGUMENT'; error: string; jobId?: number };

interface Running {
  child: ChildProcess;
  log: string;
  progress: JobProgress | null;
  result: JobResult | null;
  error: string | null;
  errorCode: ErrorCode | null;
  lastWrite: number;
  killTimer?: NodeJS.Timeout;
  done: Promise<JobRow>;
}

function clusterVars(cluster: StartJob['cluster']): Record<string, string> {
  if (!cluster) return {};
  return { TXLINE_CLUSTER_ADDRESSES: cluster.addresses.join(','), TXLINE_CLUSTER_TOKEN: cluster.token ?? '' };
}

export class JobRunner {
  private running = new Map<number, Running>();
  /** jobs whose process is gone but whose onFinished has not finished yet */
  private finishing = new Map<number, Promise<JobRow>>();

  constructor(
    private readonly db: Catalog,
    /** onFinished: what follows a job (indexing its folder, say); wait() resolves once it is done */
    private readonly opts: { bin: string; onFinished?: (job: JobRow) => void | Promise<void> },
  ) {}

  /** The `txline` entry point its jobs run (reads that answer a request run it too: ./read-job.ts). */
  get bin(): string {
    return this.opts.bin;
  }

  start(j: StartJob): StartResult {
    const active = activeJobFor(this.db, { database: j.database, clusterId: j.clusterId, folderId: j.folderId });
    if (active) {
      const where = j.clusterId !== null && active.clusterId === j.clusterId ? 'on this cluster' : 'in this backup folder';
      return {
        ok: false,
        code: 'JOB_RUNNING',
        jobId: active.id,
        error: `A ${active.kind} of ${j.database} is already running ${where} (job #${active.id}); wait for it to finish or cancel it.`,
      };
    }
    let args: string[];
    try {
      args = jobArgv(j);
    } catch (e) {
      return { ok: false, code: 'INVALID_ARGUMENT', error: `Cannot start the ${j.kind}: ${describeError(e)}` };
    }
    const job = createJob(this.db, { kind: j.kind, database: j.database, clusterId: j.clusterId, folderId: j.folderId, params: j.params, args, createdBy: j.createdBy });
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...CLI_NODE_ARGS, this.opts.bin, ...args, '--progress=jsonl'], {
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: { ...process.env, ...CLI_ENV, ...clusterVars(j.cluster), ...j.env, NODE_OPTIONS: '' },
      });
    } catch (e) {
      finishJob(this.db, job, { status: 'failed', exitCode: null, log: '', error: `could not start the job: ${describeError(e)}`, errorCode: 'SPAWN_FAILED' });
      return { ok: false, code: 'SPAWN_FAILED', error: `Could not start the job: ${describeError(e)}` };
    }
    let resolveDone!: (row: JobRow) => void;
    const r: Running = { child, log: '', progress: null, result: null, error: null, errorCode: null, lastWrite: 0, done: new Promise((res) => (resolveDone = res)) };
    this.running.set(job.id, r);
    updateJob(this.db, job, { pid: child.pid ?? null });

    readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => this.onLine(job.id, j.kind, r, line));
    child.stderr?.on('data', (chunk: Buffer) => {
      r.log = appendLog(r.log, chunk.toString('utf8'));
    });
    child.on('error', (e) => {
      r.error = `the job process failed: ${describeError(e)}`;
      r.errorCode = 'SPAWN_FAILED';
    });
    child.on('close', (code, signal) => {
      clearTimeout(r.killTimer);
      this.running.delete(job.id);
      const cur = getJob(this.db, job);
      const cancelRequested = cur?.cancelRequested ?? false;
      // A job that finished (exit code 0) before the cancel reached it did all its work: say so, not "cancelled".
      const status = code === 0 ? 'succeeded' : cancelRequested ? 'cancelled' : 'failed';
      const error =
        status === 'failed'
          ? (r.error ?? lastLogLine(r.log) ?? `exited with ${signal ?? `code ${code}`}`)
          : status === 'cancelled'
            ? 'cancelled by request'
            : cancelRequested
              ? 'finished before the cancel reached it'
              : null;
      // why it failed: the error line's code, else what the result says, else a usage error (2) or the unexpected
      const errorCode =
        status === 'failed' ? (r.errorCode ?? (r.result ? resultErrorCode(j.kind, r.result) : null) ?? (code === 2 ? 'USAGE' : 'INTERNAL')) : null;
      finishJob(this.db, job, { status, exitCode: code, log: r.log, result: r.result, error, errorCode, progress: r.progress });
      const row = getJob(this.db, job) as JobRow;
      let after: void | Promise<void>;
      try {
        after = this.opts.onFinished?.(row);
      } catch (e) {
        resolveDone(row);
        throw e;
      }
      this.finishing.set(job.id, r.done);
      void Promise.resolve(after).finally(() => {
        this.finishing.delete(job.id);
        resolveDone(row);
      });
    });
    return { ok: true, jobId: job.id };
  }

  private onLine(id: number, kind: StartJob['kind'], r: Running, line: string): void {
    const l = parseJobLine(kind, line);
    if (l.type === 'text') {
      r.log = appendLog(r.log, `${line}\n`);
      return;
    }
    if (l.type === 'invalid') {
      // a line the protocol does not know: kept in the log, never stored as progress or result
      r.log = appendLog(r.log, `[job protocol] a line did not match (${l.problem}): ${line}\n`);
      return;
    }
    if (l.type === 'result') {
      r.result = l.result;
      return;
    }
    if (l.type === 'error') {
      r.error = l.error.message;
      r.errorCode = l.error.code;
      return;
    }
    const { ts, ...rest } = l.progress;
    r.progress = { ...(rest as Omit<JobProgress, 'at'>), phase: rest.phase, at: Date.parse(ts) || Date.now() };
    const now = Date.now();
    if (now - r.lastWrite >= PROGRESS_EVERY_MS || rest.phase === 'done') {
      r.lastWrite = now;
      updateJob(this.db, { id }, { progress: r.progress, log: r.log });
    }
  }

  /** Asks a running job to stop. */
  cancel(id: number): { ok: true } | { ok: false; code: 'NOT_FOUND' | 'JOB_NOT_RUNNING'; error: string } {
    const r = this.running.get(id);
    const job = getJob(this.db, { id });
    if (!job) return { ok: false, code: 'NOT_FOUND', error: `There is no job #${id}.` };
    if (!r || job.status !== 'running') return { ok: false, code: 'JOB_NOT_RUNNING', error: `Job #${id} is not running (${job.status}).` };
    updateJob(this.db, { id }, { cancelRequested: true });
    r.child.kill('SIGTERM');
    r.killTimer = setTimeout(() => r.child.kill('SIGKILL'), KILL_AFTER_MS);
    return { ok: true };
  }

  /**
   * Whether everything that follows the job is done: its process has ended and what follows it (indexing its
   * folder) too. A page that refreshes when a job ends waits for this, or it would read the folder's old state.
   */
  settled(id: number): boolean {
    return !this.running.has(id) && !this.finishing.has(id);
  }

  /** Resolves when the job has finished (for tests and callers that must wait). */
  wait(id: number): Promise<JobRow | undefined> {
    return this.running.get(id)?.done ?? this.finishing.get(id) ?? Promise.resolve(getJob(this.db, { id }));
  }

  get activeCount(): number {
    return this.running.size;
  }

  /** Stops every running job (server shutdown). */
  stopAll(): void {
    for (const [id] of this.running) this.cancel(id);
  }
}

function appendLog(log: string, text: string): string {
  const next = log + text;
  if (next.length <= MAX_LOG) return next;
  // Keep the head (what started) and the tail (how it ended).
  return `${next.slice(0, MAX_LOG / 4)}\n[... log shortened ...]\n${next.slice(next.length - (MAX_LOG * 3) / 4)}`;
}

function lastLogLine(log: string): string | null {
  const lines = log.trim().split('\n').filter(Boolean);
  return lines.length ? lines[lines.length - 1].replace(/^\[[^\]]*\] [A-Z]+ \([^)]*\): /, '') : null;
}
