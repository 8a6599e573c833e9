/**
 * CREATE DATABASE and DROP DATABASE over Bolt, done by the cluster's existing operations, never re-implemented:
 * - CREATE DATABASE x: the writer's POST /admin/databases (the other members copy it from the writer);
 * - CREATE DATABASE x OPTIONS {seedURI: 'file:///…', seedRestoreUntil: N | 'YYYY-MM-DD HH:MM:SS'} (literals or
 *   $parameters, read by queries.ts; the version's rules checked by member-backend.ts): a seeded
 *   restore, run as `txline database restore --from-path=<seed> [--restore-until=N] --to=<writer> x` in a child
 *   process (the restore is the engine's, which the cluster does not import: a process boundary keeps the
 *   layering). seedRestoreUntil is passed as given: like --restore-until, it excludes the transaction named;
 * - DROP DATABASE x: the writer's DELETE /admin/db/x (the other members drop it when they see it gone).
 * Only file: seed URIs are accepted (the artifact must be readable from this machine: the members share it). The
 * restore is bounded in time (`restoreTimeoutMs`); its failure is a FAILURE with the last lines it logged.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describeError, TxlineError } from '../../errors';
import { txlineBin } from '../../paths';
import { MemberClient } from '../client';
import type { Member } from '../member';
import { normalizeDatabaseName } from '../../graph/names';
import type { BoltAdmin } from './member-backend';
import { BoltFailure } from './server';

const ARGUMENT_ERROR = 'Neo.ClientError.Statement.ArgumentError';

function databaseName(raw: string): string {
  try {
    return normalizeDatabaseName(raw);
  } catch (e) {
    throw new BoltFailure(ARGUMENT_ERROR, describeError(e));
  }
}

/** The path of a `file:` seed URI; anything else is refused. */
export function seedPath(uri: string): string {
  let p: string;
  try {
    if (!/^file:/i.test(uri)) throw new Error('not a file: URI');
    p = fileURLToPath(uri);
  } catch {
    throw new BoltFailure(ARGUMENT_ERROR, `seedURI must be a file: URI of a backup artifact or folder readable by the members (e.g. file:///backups/neo4j), got '${uri.slice(0, 200)}'`);
  }
  if (p.includes(',')) throw new BoltFailure(ARGUMENT_ERROR, 'a seedURI path may not contain a comma');
  return p;
}

function seedPoint(until: number | string | null): string | null {
  if (until === null) return null;
  if (typeof until === 'number') return String(until);
  if (!/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$/.test(until)) {
    throw new BoltFailure(ARGUMENT_ERROR, `seedRestoreUntil must be a transaction ID or 'YYYY-MM-DD HH:MM:SS' (UTC), got '${until.slice(0, 100)}'`);
  }
  return until.replace('T', ' ');
}

export function memberAdmin(member: Member, opts: { restoreTimeoutMs?: number } = {}): BoltAdmin {
  const writer = () => new MemberClient(member.writerAddress);
  const exists = async (name: string) => (await writer().status(5000)).databases.some((d) => d.name === name);
  const wrap = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      if (e instanceof BoltFailure) throw e;
      if (e instanceof TxlineError && e.code === 'DATABASE_EXISTS') throw new BoltFailure('Neo.ClientError.Database.ExistingDatabaseFound', e.message);
      if (e instanceof TxlineError && e.code === 'DATABASE_NOT_FOUND') throw new BoltFailure('Neo.ClientError.Database.DatabaseNotFound', e.message);
      throw new BoltFailure('Neo.DatabaseError.General.UnknownError', `${what} failed: ${describeError(e)}`);
    }
  };
  return {
    async createDatabase(q) {
      const name = databaseName(q.name);
      const from = q.seedURI === null ? null : seedPath(q.seedURI);
      const until = seedPoint(q.seedRestoreUntil);
      if (from === null && until !== null) throw new BoltFailure(ARGUMENT_ERROR, 'seedRestoreUntil needs a seedURI');
      await wrap(`CREATE DATABASE ${name}`, async () => {
        if (await exists(name)) {
          if (q.ifNotExists) return;
          throw new BoltFailure('Neo.ClientError.Database.ExistingDatabaseFound', `Failed to create the specified database '${name}': Database already exists.`);
        }
        if (from === null) {
          await writer().createDatabase(name);
          return;
        }
        const args = ['database', 'restore', `--from-path=${from}`, ...(until !== null ? [`--restore-until=${until}`] : []), `--to=${member.writerAddress}`, name];
        member.log.info(`CREATE DATABASE ${name} seeded from ${from}${until !== null ? ` until ${until}` : ''}: txline ${args.join(' ')}`);
        await runTxline(args, opts.restoreTimeoutMs ?? 10 * 60_000);
      });
    },
    async dropDatabase(q) {
      const name = databaseName(q.name);
      if (name === 'system') throw new BoltFailure(ARGUMENT_ERROR, 'The system database cannot be dropped.');
      await wrap(`DROP DATABASE ${name}`, async () => {
        if (!(await exists(name))) {
          if (q.ifExists) return;
          throw new BoltFailure('Neo.ClientError.Database.DatabaseNotFound', `Failed to delete the specified database '${name}': Database does not exist.`);
        }
        await writer().dropDatabase(name);
      });
    },
  };
}

/** Runs the txline CLI; resolves on exit 0, else rejects with the last lines of its log. */
function runTxline(args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [txlineBin(), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr.on('data', (c: Buffer) => {
      tail = (tail + c.toString('utf8')).slice(-4000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new BoltFailure('Neo.DatabaseError.General.UnknownError', `the seeded restore did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new BoltFailure('Neo.DatabaseError.General.UnknownError', `cannot run the restore: ${describeError(e)}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve();
      const lines = tail.trim().split('\n').slice(-3).join(' | ');
      reject(new BoltFailure('Neo.DatabaseError.General.UnknownError', `the seeded restore failed (${signal ?? `exit ${code}`}): ${lines}`));
    });
  });
}
