/**
 * Progress of long engine work, and the log the engine writes to. `--progress=jsonl` prints one JSON object
 * per line on stdout (for the dashboard's job runner); phase changes are always printed, byte and
 * transaction counters at most every `intervalMs`.
 */
/**
 * One progress line. The four counters are always there: a number, or null only where it is not known yet
 * (the byte size of a differential's transactions before they are all in).
 */
export interface Progress {
  phase: string;
  database?: string;
  bytesDone: number | null;
  bytesTotal: number | null;
  txDone: number | null;
  txTotal: number | null;
  message?: string;
  [key: string]: unknown;
}

export type ProgressSink = (p: Progress) => void;

export interface EngineLog {
  /** detail for --verbose: each source considered, each range received, each artifact read */
  debug?(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLog: EngineLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function jsonlProgress(write: (line: string) => void, intervalMs = 200): ProgressSink {
  let lastPhase = '';
  let lastAt = 0;
  return (p) => {
    const now = Date.now();
    const phaseChange = p.phase !== lastPhase;
    if (!phaseChange && now - lastAt < intervalMs && p.phase !== 'done') return;
    lastPhase = p.phase;
    lastAt = now;
    write(JSON.stringify({ ts: new Date(now).toISOString(), ...p }));
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
