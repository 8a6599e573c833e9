/**
 * Cleanup on interruption: engine commands register what must not outlive them (a temporary artifact, a
 * private work folder). On SIGINT, SIGTERM, or when the process that started us (the job runner) goes
 * away, the registered cleanups run synchronously and the process exits (130 / 143 / 129).
 * A `kill -9` cannot be caught: the next run removes what a killed one left (see artifact.ts).
 */
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
