/**
 * Reads that answer a request: the restore wizard's transaction search (`txline backup log`) and point preview
 * (`txline backup preview`). Each is a `txline` child process of a reading job kind, started with the job
 * protocol's argv (lib/jobs/protocol.ts) and read back with its schemas, as the job runner does, but bounded in
 * time and never recorded as a job: a search is an answer, not work to follow on the Jobs page.
 *
 * Invariants:
 * - At most READ_SLOTS reads run at once in this server (the machine's cores are the backups'); a read waits
 *   for a slot within its own time budget, then fails with TIMEOUT; with MAX_WAITING waiting already, at once.
 * - No read outlives its request: when its time is up or its caller aborts (the browser went away) the child
 *   gets SIGTERM (the CLI removes its work folder) and SIGKILL KILL_AFTER_MS later.
 * - The answer is the kind's result line; an error line becomes a TxlineError with its stable code; a child
 *   that ends without either is INTERNAL, naming the last line of its log. stdout is bounded (MAX_STDOUT).
 */
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { TxlineError, describeError, type ErrorCode } from '../errors';
import { CLI_ENV, CLI_NODE_ARGS } from '../paths';
import { checkJobSpec, jobArgv, parseJobLine, type JobInput, type JobResult } from './protocol';

export type ReadKind = 'log' | 'preview';

export const READ_SLOTS = 2;
/** reads waiting for a slot beyond these are refused at once (TIMEOUT) rather than queued */
export const MAX_WAITING = 8;
const KILL_AFTER_MS = 2_000;
const MAX_STDOUT = 8 * 1024 * 1024;
const MAX_LOG = 16 * 1024;

export interface ReadOptions {
  /** the `txline` entry point (bin/txline.mjs) */
  bin: string;
  /** the whole read, waiting for a slot included */
  timeoutMs: number;
  /** what the caller is waiting for, for the TIMEOUT message ("the search") */
  what: string;
  signal?: AbortSignal;
}

let running = 0;
const waiting: Array<() => void> = [];

function release(): void {
  running--;
  waiting.shift()?.();
}

/** Waits for a slot until `deadline`; resolves false when the time ran out (or the caller aborted) first. */
function acquire(deadline: number, signal?: AbortSignal): Promise<boolean> {
  if (running < READ_SLOTS) {
    running++;
    return Promise.resolve(true);
  }
  return new Promise((resolve) => {
    const grant = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', giveUp);
      running++;
      resolve(true);
    };
    const giveUp = () => {
      clearTimeout(timer);
      const i = waiting.indexOf(grant);
      if (i >= 0) waiting.splice(i, 1);
      resolve(false);
    };
    const timer = setTimeout(giveUp, Math.max(0, deadline - Date.now()));
    signal?.addEventListener('abort', giveUp, { once: true });
    waiting.push(grant);
  });
}

/** Runs one read and answers its typed result, or throws a TxlineError with the child's (or the bound's) code. */
export async function runRead<K extends ReadKind>(kind: K, input: JobInput<K>, opts: ReadOptions): Promise<JobResult<K>> {
  const spec = checkJobSpec({ kind, input });
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
  if (opts.signal?.aborted) throw new TxlineError('TIMEOUT', `${opts.what} was abandoned by its caller`);
  if (running >= READ_SLOTS && waiting.length >= MAX_WAITING) {
    throw new TxlineError('TIMEOUT', `${opts.what} was not started: ${READ_SLOTS} reads are running and ${waiting.length} waiting on this server; try again in a moment`);
  }
  if (!(await acquire(deadline, opts.signal))) {
    if (opts.signal?.aborted) throw new TxlineError('TIMEOUT', `${opts.what} was abandoned by its caller before it started`);
    throw new TxlineError('TIMEOUT', `${opts.what} waited ${seconds(Date.now() - started)} for another read of this server to finish; try again in a moment`);
  }
  try {
    return await new Promise<JobResult<K>>((resolve, reject) => {
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn(process.execPath, [...CLI_NODE_ARGS, opts.bin, ...jobArgv(spec), '--progress=jsonl'], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, ...CLI_ENV, NODE_OPTIONS: '' },
        });
      } catch (e) {
        reject(new TxlineError('SPAWN_FAILED', `could not start ${opts.what}: ${describeError(e)}`, { cause: e }));
        return;
      }
      let result: JobResult<K> | null = null;
      let error: { code: ErrorCode; message: string } | null = null;
      let stopped: string | null = null;
      let outBytes = 0;
      let log = '';
      let killTimer: NodeJS.Timeout | undefined;
      const stop = (why: string) => {
        if (stopped !== null) return;
        stopped = why;
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
        killTimer.unref();
      };
      const timer = setTimeout(() => stop(`${opts.what} did not finish within ${seconds(opts.timeoutMs)} and was stopped`), Math.max(0, deadline - Date.now()));
      const onAbort = () => stop(`${opts.what} was abandoned by its caller`);
      opts.signal?.addEventListener('abort', onAbort, { once: true });

      child.stdout?.on('data', (chunk: Buffer) => {
        outBytes += chunk.length;
        if (outBytes > MAX_STDOUT) stop(`${opts.what} answered more than ${MAX_STDOUT / 1024 / 1024} MiB and was stopped`);
      });
      readline.createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        const l = parseJobLine(kind, line);
        if (l.type === 'result') result = l.result as JobResult<K>;
        else if (l.type === 'error') error = { code: l.error.code, message: l.error.message };
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        log = (log + chunk.toString('utf8')).slice(-MAX_LOG);
      });
      child.on('error', (e) => {
        error ??= { code: 'SPAWN_FAILED', message: `could not start ${opts.what}: ${describeError(e)}` };
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        clearTimeout(killTimer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (stopped !== null) reject(new TxlineError('TIMEOUT', stopped));
        else if (error) reject(new TxlineError(error.code, error.message));
        else if (code === 0 && result) resolve(result);
        else {
          const last = log.trim().split('\n').filter(Boolean).pop();
          reject(new TxlineError('INTERNAL', `${opts.what} ended (${signal ?? `exit code ${code}`}) without an answer${last ? `: ${last}` : ''}`));
        }
      });
    });
  } finally {
    release();
  }
}

/** Reads running now, for tests (every read gives its slot back, however it ends). */
export function readsRunning(): number {
  return running;
}

/** Reads waiting for a slot now, for tests. */
export function readsWaiting(): number {
  return waiting.length;
}
