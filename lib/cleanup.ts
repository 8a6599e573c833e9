/**
 * Cleanup on interruption: engine commands register what must not outlive them (a temporary artifact, a
 * private work folder). On SIGINT, SIGTERM, or when the process that started us (the job runner) goes
 * away, the registered cleanups run synchronously and the process exits (130 / 143 / 129).
 * A `kill -9` cannot be caught: the next run removes what a killed one left. Temporary artifacts carry the
 * writer's process ID (see artifact-writer.ts), and so do private work folders (makeWorkDir), so a later run
 * can tell a dead process's leftovers from a running one's.
 */
import fs from 'node:fs';
import path from 'node:path';

const tasks = new Set<() => void>();
let installed = false;

export function onInterrupt(fn: () => void): () => void {
  tasks.add(fn);
  return () => tasks.delete(fn);
}

function runAndExit(code: number, why: string): void {
  process.stderr.write(`txline: interrupted (${why}); cleaning up\n`);
  for (const t of [...tasks].reverse()) {
    try {
      t();
    } catch (e) {
      process.stderr.write(`txline: cleanup failed: ${(e as Error).message}\n`);
    }
  }
  process.exit(code);
}

export function installInterruptHandlers(): void {
  if (installed) return;
  installed = true;
  process.once('SIGINT', () => runAndExit(130, 'SIGINT'));
  process.once('SIGTERM', () => runAndExit(143, 'SIGTERM'));
  if (process.send) {
    process.once('disconnect', () => runAndExit(129, 'the job runner went away'));
    // The channel only tells us the runner went away; it must not keep a finished command alive.
    process.channel?.unref();
  }
}

// ---- private work folders ------------------------------------------------------------------------------

export type WorkKind = 'restore' | 'aggregate' | 'check';

const WORK_DIR = /^txline-(restore|aggregate|check)-pid(\d+)-/;

/**
 * A private work folder `txline-<kind>-pid<pid>-<name>-XXXXXX` in `base` (named with our process ID, so the
 * run after a `kill -9` knows it is stale), removed on interruption and by remove().
 */
export function makeWorkDir(base: string, kind: WorkKind, name = ''): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(base, `txline-${kind}-pid${process.pid}-${name ? `${name}-` : ''}`));
  const unregister = onInterrupt(() => fs.rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    remove() {
      unregister();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Removes the work folders in `base` of engine processes that no longer run. Returns what it removed. */
export function cleanStaleWorkDirs(base: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(base);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return []; // the caller reports a missing folder
    throw e;
  }
  const done: string[] = [];
  for (const n of names) {
    const m = WORK_DIR.exec(n);
    if (!m || processAlive(Number(m[2]))) continue;
    const p = path.join(base, n);
    if (!fs.lstatSync(p).isDirectory()) continue;
    fs.rmSync(p, { recursive: true, force: true });
    done.push(`removed ${p}, left by an interrupted ${m[1]} (process ${m[2]})`);
  }
  return done;
}

/** Whether a process of that ID runs (one of another user counts as running). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
