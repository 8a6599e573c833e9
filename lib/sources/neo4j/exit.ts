/**
 * How a neo4j-admin run ended, as a TxlineError (or null: it succeeded). Pure: exit code and output in,
 * error out. The codes are the manual's: 0 success, 1 failure (or success with problems, for a backup),
 * 3 the database is not running, 64 a wrong option or parameter, 70 an exception not handled otherwise.
 *
 * Exit 0 of a backup is not proof by itself: `checkBackupOutcome` also asks for a new artifact in the target
 * that `backup inspect` lists.
 */
import path from 'node:path';
import { TxlineError } from '../../errors';
import type { BackupLogSummary } from './backup-log';
import type { Neo4jInspectRow } from './inspect';

export type AdminCommand = 'database backup' | 'database restore' | 'backup inspect';

export interface AdminExit {
  command: AdminCommand;
  /** null when the process was killed by a signal */
  exitCode: number | null;
  signal?: string | null;
  stderr: string;
  /** the log (stdout) of the run, for a reason when stderr has none */
  stdout?: string;
}

/** The options a picocli usage error names: "Unknown option: '--x'", "Invalid value for option '--type': ...". */
/** The options picocli says it does not know ("Unknown option"): a neo4j-admin older than the options given. */
export function unknownOptions(stderr: string): string[] {
  const found = new Set<string>();
  for (const m of stderr.matchAll(/Unknown options?: ((?:'[^'\n]{1,200}'(?:, )?)+)/g)) {
    for (const o of m[1].matchAll(/'([^']+)'/g)) found.add(o[1].replace(/=.*$/, ''));
  }
  return [...found];
}

export function rejectedOptions(stderr: string): string[] {
  const found = new Set<string>(unknownOptions(stderr));
  for (const m of stderr.matchAll(/(?:Invalid value for|Missing required) option '(--[^'=\s]{1,100})/g)) found.add(m[1]);
  for (const m of stderr.matchAll(/option '(--[^'=\s]{1,100})' \([^)]*\) should be specified without/g)) found.add(m[1]);
  return [...found];
}

/** The first lines of `text` that say something, bounded (for a message). */
function gist(text: string, max = 3): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^(Usage:|USAGE|\[|at\s)/.test(l));
  const picked = lines.filter((l) => /\b(ERROR|Exception|error|failed|Failed|Unknown|Invalid|Missing|Unmatched)\b/.test(l)).slice(0, max);
  const out = (picked.length ? picked : lines.slice(0, max)).join(' / ');
  return out.length > 400 ? `${out.slice(0, 397)}...` : out;
}

/** The error of a finished neo4j-admin run; null for exit 0. */
export function adminExitError(x: AdminExit): TxlineError | null {
  const what = `neo4j-admin ${x.command}`;
  const said = gist(x.stderr) || gist(x.stdout ?? '');
  const details = { exitCode: x.exitCode, command: x.command };
  if (x.exitCode === 0) return null;
  if (x.exitCode === null) {
    return new TxlineError('ADMIN_TOOL_FAILED', `${what} was stopped by ${x.signal ?? 'a signal'}${said ? `: ${said}` : ''}`, { details });
  }
  switch (x.exitCode) {
    case 64: {
      const options = rejectedOptions(x.stderr);
      const named = options.length ? `rejected ${options.join(', ')}` : 'rejected its command line';
      return new TxlineError('NOT_SUPPORTED', `${what} ${named} (exit 64: wrong options or parameters for this neo4j-admin)${said ? `: ${said}` : ''}`, {
        details: { ...details, options },
      });
    }
    case 3:
      return new TxlineError('DATABASE_OFFLINE', `${what} failed because the database is not running (exit 3)${said ? `: ${said}` : ''}`, { details });
    case 70:
      return new TxlineError('ADMIN_TOOL_FAILED', `${what} failed with an exception it did not handle (exit 70)${said ? `: ${said}` : ''}`, { details });
    case 1: {
      const all = `${x.stderr}\n${x.stdout ?? ''}`;
      if (/uncontactable|could not be reached|unable to connect|connection refused|no route to host|unreachable/i.test(all)) {
        return new TxlineError('SOURCE_UNREACHABLE', `${what}: a server could not be reached (exit 1)${said ? `: ${said}` : ''}`, { details });
      }
      if (x.command === 'database restore' && /already exists/i.test(all)) {
        return new TxlineError('DESTINATION_EXISTS', `${what}: the database exists (exit 1)${said ? `: ${said}` : ''}`, { details });
      }
      return new TxlineError('ADMIN_TOOL_FAILED', `${what} failed (exit 1)${said ? `: ${said}` : ''}`, { details });
    }
    default:
      return new TxlineError('ADMIN_TOOL_FAILED', `${what} exited with ${x.exitCode}${said ? `: ${said}` : ''}`, { details });
  }
}

/** neo4j-admin could not be started at all (not found, not executable). */
export function adminSpawnError(executable: string, err: NodeJS.ErrnoException): TxlineError {
  const why = err.code === 'ENOENT' ? 'not found' : err.code === 'EACCES' ? 'not executable' : err.message;
  return new TxlineError('SPAWN_FAILED', `neo4j-admin at ${executable} could not be started: ${why}`, { cause: err });
}

export interface BackupOutcome {
  database: string;
  ok: boolean;
  /** the new artifact, as backup inspect lists it */
  artifact: Neo4jInspectRow | null;
  fallbackReason: string | null;
  error: TxlineError | null;
}

/**
 * Per database, whether a backup run really produced its artifact: the run ended well (exit 0, or exit 1 for
 * databases whose own backup completed), a file appeared in the target that was not there before, and
 * `backup inspect` lists it as a backup of that database. A file that appeared but that inspect does not list
 * (a partial file) is never taken.
 */
export function checkBackupOutcome(input: {
  databases: string[];
  exit: AdminExit;
  log: BackupLogSummary[];
  /** file names in the target before and after the run */
  before: readonly string[];
  after: readonly string[];
  /** `backup inspect` of the target after the run */
  inspected: readonly Neo4jInspectRow[];
  /** the target folder (a local one): a listed file elsewhere, even of the same name, is not the new artifact */
  toPath?: string;
}): BackupOutcome[] {
  const runError = adminExitError(input.exit);
  const before = new Set(input.before);
  const appeared = new Set(input.after.filter((f) => !before.has(f)));
  const inTarget = (r: Neo4jInspectRow) => input.toPath === undefined || r.path === null || path.resolve(path.dirname(r.path)) === path.resolve(input.toPath);
  return input.databases.map((database) => {
    const log = input.log.find((l) => l.database === database);
    const fallbackReason = log?.fallbackReason ?? null;
    if (runError && input.exit.exitCode !== 1) return { database, ok: false, artifact: null, fallbackReason, error: runError };
    const fresh = input.inspected.filter((r) => r.database === database && appeared.has(r.file) && inTarget(r));
    const named = log?.artifact ? fresh.find((r) => r.file === log.artifact) : undefined;
    const artifact = named ?? (fresh.length === 1 ? fresh[0] : null);
    if (runError && !(log?.completed && artifact)) {
      return { database, ok: false, artifact: null, fallbackReason, error: log?.failure ? new TxlineError(runError.code, `${runError.message}; ${database}: ${log.failure}`, { details: runError.details }) : runError };
    }
    if (!artifact) {
      const stray = [...appeared].filter((f) => f.startsWith(`${database}-`) && !fresh.some((r) => r.file === f));
      const why =
        fresh.length > 1
          ? `${fresh.length} new backups of ${database} appeared and the log names none of them`
          : stray.length
            ? `the new file ${stray.join(', ')} is not a backup that backup inspect lists (partial?)`
            : `no new backup of ${database} appeared in the target`;
      return {
        database,
        ok: false,
        artifact: null,
        fallbackReason,
        error: new TxlineError('ADMIN_TOOL_FAILED', `neo4j-admin database backup exited with ${input.exit.exitCode}, but ${why}`, { details: { exitCode: input.exit.exitCode } }),
      };
    }
    return { database, ok: true, artifact, fallbackReason, error: null };
  });
}
