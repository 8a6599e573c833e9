/**
 * The log of `neo4j-admin database backup` (its BackupOutputMonitor lines) as events: which server a database
 * is read from, each phase, why a differential fell back to a full, the artifact written, and the end. Pure.
 *
 * Defensive: a line is matched on the words the documented log uses and nothing else; a line not understood
 * is ignored (no event), so a new or reworded line can lose detail but never invent progress. Log lines of
 * level WARN or ERROR that match nothing are kept as `problem` events, for the job's output.
 */
import type { Progress } from '../../engine/progress';

export type BackupLogEvent =
  | { kind: 'start'; database: string; servers: string[] }
  | { kind: 'server'; database: string; address: string }
  | { kind: 'phase'; database: string; phase: 'diff' | 'full' | 'store-files' | 'transactions' | 'recovery' | 'artifact'; done: boolean; tookMs?: number }
  | { kind: 'transactions'; database: string; fromTx?: number; toTx?: number }
  | { kind: 'diff-failed'; database: string; reason: string }
  | { kind: 'fallback'; database: string }
  | { kind: 'downloaded'; database: string; type: 'full' | 'diff'; fromTx: number; toTx: number }
  | { kind: 'artifact'; database: string; file: string; tookMs?: number }
  | { kind: 'completed'; database: string; tookMs?: number }
  | { kind: 'failed'; database: string; reason: string }
  | { kind: 'command-completed' }
  | { kind: 'problem'; level: 'WARN' | 'ERROR'; message: string };

export interface LogLine {
  /** ISO time of the line; null for lines without a time stamp ("Backup command completed.") */
  time: string | null;
  level: string | null;
  logger: string | null;
  message: string;
}

const PREFIX = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?)([+-]\d{4}|Z)\s+([A-Z]+)\s+(?:\[([^\]]{0,200})\]\s+)?(.*)$/;

/** One line of the log split into its time, level, logger and message. */
export function splitLogLine(line: string): LogLine {
  const m = PREFIX.exec(line.trim());
  if (!m) return { time: null, level: null, logger: null, message: line.trim() };
  const offset = m[3] === 'Z' ? 'Z' : `${m[3].slice(0, 3)}:${m[3].slice(3)}`;
  const t = Date.parse(`${m[1]}T${m[2]}${offset}`);
  return { time: Number.isNaN(t) ? null : new Date(t).toISOString(), level: m[4], logger: m[5] ?? null, message: m[6] };
}

/** "1s 363ms", "105ms", "2m 3s", "1h 2m 3s 4ms" in milliseconds; undefined when not a duration. */
export function parseTook(text: string): number | undefined {
  const parts = text.trim().split(/\s+/);
  let ms = 0;
  for (const p of parts) {
    const m = /^(\d+)(ms|s|m|h|d)$/.exec(p);
    if (!m) return undefined;
    ms += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms'];
  }
  return parts.length ? ms : undefined;
}

const Q = "'([^']{1,200})'";
const TOOK = '(?:,? took ([0-9a-z ]{1,40}))?';

/** Message patterns of the documented log, each to its event. Order matters only where two could match. */
const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => BackupLogEvent | null]> = [
  [new RegExp(`^Starting backup of database ${Q} from servers: \\[(.*)\\]\\.?$`), (m) => ({ kind: 'start', database: m[1], servers: m[2].split(',').map((s) => s.trim()).filter(Boolean) })],
  [new RegExp(`^Using remote server (\\S+) for backup of database ${Q}\\.?$`), (m) => ({ kind: 'server', database: m[2], address: m[1] })],
  [new RegExp(`^Start differential backup of database ${Q}\\.?$`), (m) => ({ kind: 'phase', database: m[1], phase: 'diff', done: false })],
  [new RegExp(`^Start full backup of database ${Q}\\.?$`), (m) => ({ kind: 'phase', database: m[1], phase: 'full', done: false })],
  [new RegExp(`^Differential backup of database ${Q} failed\\. Reason: (.+)$`), (m) => ({ kind: 'diff-failed', database: m[1], reason: m[2].trim() })],
  [new RegExp(`^Falling back to full backup of database ${Q}\\.?$`), (m) => ({ kind: 'fallback', database: m[1] })],
  [new RegExp(`^Start receiving store files for database ${Q}\\.?$`), (m) => ({ kind: 'phase', database: m[1], phase: 'store-files', done: false })],
  [new RegExp(`^Finished receiving store files for database ${Q}${TOOK}\\.?$`), (m) => ({ kind: 'phase', database: m[1], phase: 'store-files', done: true, tookMs: took(m[2]) })],
  [
    new RegExp(`^Start receiving database ${Q} transactions from \\[(-?\\d+), (-?\\d+)\\]\\.?$`),
    (m) => ({ kind: 'transactions', database: m[1], fromTx: Number(m[2]), toTx: Number(m[3]) }),
  ],
  [new RegExp(`^Finished receiving transactions for database ${Q} at (-?\\d+)${TOOK}\\.?$`), (m) => ({ kind: 'phase', database: m[1], phase: 'transactions', done: true, tookMs: took(m[3]) })],
  [
    new RegExp(`^Finished (full|differential) backup of database ${Q}\\. Downloaded from tx (-?\\d+) to tx (-?\\d+)\\.?$`),
    (m) => ({ kind: 'downloaded', database: m[2], type: m[1] === 'full' ? 'full' : 'diff', fromTx: Number(m[3]), toTx: Number(m[4]) }),
  ],
  [new RegExp(`^Start recovering database ${Q}\\.?$`), (m) => ({ kind: 'phase', database: m[1], phase: 'recovery', done: false })],
  [new RegExp(`^Finished recovering database ${Q}${TOOK}\\.?$`), (m) => ({ kind: 'phase', database: m[1], phase: 'recovery', done: true, tookMs: took(m[2]) })],
  [new RegExp(`^Start creating artifact ${Q} for database ${Q}\\.?$`), (m) => ({ kind: 'phase', database: m[2], phase: 'artifact', done: false })],
  [new RegExp(`^Finished artifact creation ${Q} for database ${Q}${TOOK}\\.?$`), (m) => artifactEvent(m[2], m[1], took(m[3]))],
  [new RegExp(`^Backup of database ${Q} completed${TOOK}\\.?$`), (m) => ({ kind: 'completed', database: m[1], tookMs: took(m[2]) })],
  [new RegExp(`^Backup of database ${Q} failed(?:[.:] ?(?:Reason: )?(.*))?$`), (m) => ({ kind: 'failed', database: m[1], reason: (m[2] ?? '').trim() || 'no reason given' })],
  [/^Backup command completed\.?$/, () => ({ kind: 'command-completed' })],
];

function took(s: string | undefined): number | undefined {
  return s === undefined ? undefined : parseTook(s);
}

/** The artifact's file name only: a name with a path in it is not taken (it is not one Neo4j writes). */
function artifactEvent(database: string, file: string, tookMs: number | undefined): BackupLogEvent | null {
  if (file.includes('/') || file.includes('\\') || file === '.' || file === '..') return null;
  return { kind: 'artifact', database, file, tookMs };
}

/** The event of one log line, or null when the line says nothing this parser knows. */
export function parseBackupLogLine(line: string): BackupLogEvent | null {
  if (line.length > 8192) return null;
  const l = splitLogLine(line);
  for (const [re, make] of PATTERNS) {
    const m = re.exec(l.message);
    if (m) return make(m);
  }
  if (l.level === 'WARN' || l.level === 'ERROR') return { kind: 'problem', level: l.level, message: l.message };
  return null;
}

export function parseBackupLog(text: string): BackupLogEvent[] {
  return text.split(/\r?\n/).map(parseBackupLogLine).filter((e): e is BackupLogEvent => e !== null);
}

/** What the log says of each database: the server used, whether it fell back to a full and why, the artifact. */
export interface BackupLogSummary {
  database: string;
  servers: string[];
  server: string | null;
  type: 'full' | 'diff' | null;
  fallbackReason: string | null;
  artifact: string | null;
  fromTx: number | null;
  toTx: number | null;
  completed: boolean;
  failure: string | null;
}

export function summarizeBackupLog(events: readonly BackupLogEvent[]): BackupLogSummary[] {
  const by = new Map<string, BackupLogSummary>();
  const of = (database: string) => {
    let s = by.get(database);
    if (!s) {
      s = { database, servers: [], server: null, type: null, fallbackReason: null, artifact: null, fromTx: null, toTx: null, completed: false, failure: null };
      by.set(database, s);
    }
    return s;
  };
  const lastDiffFailure = new Map<string, string>();
  for (const e of events) {
    if (e.kind === 'problem' || e.kind === 'command-completed') continue;
    const s = of(e.database);
    switch (e.kind) {
      case 'start':
        s.servers = e.servers;
        break;
      case 'server':
        s.server = e.address;
        break;
      case 'phase':
        if (e.phase === 'diff' || e.phase === 'full') s.type = e.phase;
        break;
      case 'diff-failed':
        lastDiffFailure.set(e.database, e.reason);
        break;
      case 'fallback':
        s.fallbackReason = lastDiffFailure.get(e.database) ?? 'the log gives no reason';
        break;
      case 'downloaded':
        s.type = e.type;
        s.fromTx = e.fromTx;
        s.toTx = e.toTx;
        break;
      case 'artifact':
        s.artifact = e.file;
        break;
      case 'completed':
        s.completed = true;
        break;
      case 'failed':
        s.failure = e.reason;
        break;
    }
  }
  return [...by.values()];
}

/** A log event as a job's progress line (the engine's shape); null for events that are not progress. */
export function toProgress(e: BackupLogEvent): Progress | null {
  const base = { bytesDone: null, bytesTotal: null, txDone: null, txTotal: null };
  switch (e.kind) {
    case 'start':
      return { ...base, phase: 'start', database: e.database, message: `backing up ${e.database} from ${e.servers.join(', ')}` };
    case 'server':
      return { ...base, phase: 'source', database: e.database, message: `using ${e.address}` };
    case 'phase':
      return { ...base, phase: e.phase, database: e.database, message: `${e.done ? 'finished' : 'started'} ${e.phase}` };
    case 'diff-failed':
      return { ...base, phase: 'diff', database: e.database, message: `differential failed: ${e.reason}` };
    case 'fallback':
      return { ...base, phase: 'full', database: e.database, message: 'falling back to a full backup' };
    case 'downloaded':
      return { ...base, phase: 'downloaded', database: e.database, txDone: e.toTx, txTotal: e.toTx, message: `transactions up to ${e.toTx}` };
    case 'artifact':
      return { ...base, phase: 'artifact', database: e.database, message: e.file };
    case 'completed':
      return { ...base, phase: 'done', database: e.database };
    case 'failed':
      return { ...base, phase: 'failed', database: e.database, message: e.reason };
    default:
      return null;
  }
}
