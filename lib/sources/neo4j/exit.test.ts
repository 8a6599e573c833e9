/**
 * neo4j-admin's exit codes (0, 1, 3, 64, 70) into Txline's error codes, and the rule that exit 0 alone is not
 * proof of a backup.
 */
import { describe, expect, it } from 'vitest';
import { fixtureText } from '../../../tests/fixtures/neo4j/load';
import { parseBackupLog, summarizeBackupLog } from './backup-log';
import { adminExitError, adminSpawnError, checkBackupOutcome, rejectedOptions, unknownOptions } from './exit';
import { parseInspectTabular } from './inspect';

const backup = 'database backup' as const;

describe('exit codes', () => {
  it('0 is no error', () => {
    expect(adminExitError({ command: backup, exitCode: 0, stderr: '' })).toBeNull();
  });

  it('64 names the option neo4j-admin rejected, from its stderr', () => {
    const e = adminExitError({ command: backup, exitCode: 64, stderr: fixtureText('exit64-unknown-option.stderr.txt') });
    expect(e?.code).toBe('NOT_SUPPORTED');
    expect(e?.message).toMatch(/^neo4j-admin database backup rejected --prefer-diff-as-parent \(exit 64/);
    expect(e?.details).toMatchObject({ options: ['--prefer-diff-as-parent'], exitCode: 64 });
    const v = adminExitError({ command: backup, exitCode: 64, stderr: fixtureText('exit64-invalid-value.stderr.txt') });
    expect(v?.message).toMatch(/rejected --type \(exit 64/);
    expect(rejectedOptions("Unknown options: '--a=1', '--b'")).toEqual(['--a', '--b']);
    expect(adminExitError({ command: backup, exitCode: 64, stderr: 'something else' })?.message).toMatch(/rejected its command line \(exit 64/);
    // only an option it does not know says the neo4j-admin is older; a refused value does not
    expect(unknownOptions(fixtureText('exit64-unknown-option.stderr.txt'))).toEqual(['--prefer-diff-as-parent']);
    expect(unknownOptions(fixtureText('exit64-invalid-value.stderr.txt'))).toEqual([]);
  });

  it('3 is a database that is not running, 70 an unhandled exception, 1 a failure (or an unreachable server)', () => {
    expect(adminExitError({ command: 'database restore', exitCode: 3, stderr: 'The database is in use' })?.code).toBe('DATABASE_OFFLINE');
    const x = adminExitError({ command: backup, exitCode: 70, stderr: 'java.lang.NullPointerException\n\tat a.b.C' });
    expect([x?.code, x?.message]).toEqual(['ADMIN_TOOL_FAILED', 'neo4j-admin database backup failed with an exception it did not handle (exit 70): java.lang.NullPointerException']);
    expect(adminExitError({ command: backup, exitCode: 1, stderr: '', stdout: 'ERROR [x] Backup of database \'neo4j\' failed. Reason: disk full' })?.message).toMatch(
      /failed \(exit 1\): ERROR \[x\] Backup of database 'neo4j' failed\. Reason: disk full$/,
    );
    expect(adminExitError({ command: backup, exitCode: 1, stderr: 'Servers were uncontactable: [a:6362]' })?.code).toBe('SOURCE_UNREACHABLE');
    expect(adminExitError({ command: 'database restore', exitCode: 1, stderr: "Database with name 'x' already exists" })?.code).toBe('DESTINATION_EXISTS');
    expect(adminExitError({ command: backup, exitCode: null, signal: 'SIGKILL', stderr: '' })?.message).toBe('neo4j-admin database backup was stopped by SIGKILL');
    expect(adminExitError({ command: backup, exitCode: 137, stderr: '' })?.message).toBe('neo4j-admin database backup exited with 137');
  });

  it('a neo4j-admin that cannot be started is SPAWN_FAILED, naming the path', () => {
    const e = adminSpawnError('/opt/neo4j/bin/neo4j-admin', Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' }));
    expect([e.code, e.message]).toEqual(['SPAWN_FAILED', 'neo4j-admin at /opt/neo4j/bin/neo4j-admin could not be started: not found']);
  });
});

describe('exit 0 is not proof', () => {
  const table = (files: string[]) =>
    parseInspectTabular(
      ['| FILE | DATABASE | DATABASE ID | TIME (UTC) | FULL | COMPRESSED | LOWEST TX | HIGHEST TX |', ...files.map((f, i) => `| file:///b/${f} | neo4j | id | 2026-12-06T08:00:0${i} | true | true | 1 | 5 |`)].join('\n'),
    );
  const log = summarizeBackupLog(parseBackupLog("2026-12-06 08:00:01.000+0000 INFO [m] Finished artifact creation 'neo4j-2026-12-06T08-00-01.backup' for database 'neo4j', took 5ms.\n2026-12-06 08:00:01.000+0000 INFO [m] Backup of database 'neo4j' completed, took 1s."));
  const ok = { command: backup, exitCode: 0, stderr: '' };

  it('takes the new artifact that the log names and inspect lists', () => {
    const [o] = checkBackupOutcome({ databases: ['neo4j'], exit: ok, log, before: ['neo4j-2026-12-06T08-00-00.backup'], after: ['neo4j-2026-12-06T08-00-00.backup', 'neo4j-2026-12-06T08-00-01.backup'], inspected: table(['neo4j-2026-12-06T08-00-00.backup', 'neo4j-2026-12-06T08-00-01.backup']) });
    expect([o.ok, o.artifact?.file, o.error]).toEqual([true, 'neo4j-2026-12-06T08-00-01.backup', null]);
  });

  it('takes no listed file outside the target, even of the new file\'s name', () => {
    const elsewhere = parseInspectTabular(
      '| FILE | DATABASE | DATABASE ID | TIME (UTC) | FULL | COMPRESSED | LOWEST TX | HIGHEST TX |\n| file:///elsewhere/neo4j-2026-12-06T08-00-01.backup | neo4j | id | 2026-12-06T08:00:01 | true | true | 1 | 5 |',
    );
    const common = { databases: ['neo4j'], exit: ok, log, before: [], after: ['neo4j-2026-12-06T08-00-01.backup'], inspected: elsewhere };
    expect(checkBackupOutcome({ ...common, toPath: '/b' })[0].ok).toBe(false);
    expect(checkBackupOutcome({ ...common, toPath: '/elsewhere/' })[0].ok).toBe(true);
  });

  it('exit 0 without a new artifact is a failure', () => {
    const [o] = checkBackupOutcome({ databases: ['neo4j'], exit: ok, log: [], before: ['neo4j-2026-12-06T08-00-00.backup'], after: ['neo4j-2026-12-06T08-00-00.backup'], inspected: table(['neo4j-2026-12-06T08-00-00.backup']) });
    expect([o.ok, o.error?.code, o.error?.message]).toEqual([false, 'ADMIN_TOOL_FAILED', 'neo4j-admin database backup exited with 0, but no new backup of neo4j appeared in the target']);
  });

  it('a new file that inspect does not list (partial) is never taken', () => {
    const [o] = checkBackupOutcome({ databases: ['neo4j'], exit: ok, log, before: [], after: ['neo4j-2026-12-06T08-00-01.backup'], inspected: [] });
    expect(o.ok).toBe(false);
    expect(o.error?.message).toMatch(/the new file neo4j-2026-12-06T08-00-01\.backup is not a backup that backup inspect lists/);
  });

  it('exit 1 fails the databases whose backup did not complete, with the log line', () => {
    const failed = summarizeBackupLog(parseBackupLog("2026-12-06 08:00:01.000+0000 ERROR [m] Backup of database 'neo4j' failed. Reason: stopped half-way"));
    const [o] = checkBackupOutcome({ databases: ['neo4j'], exit: { command: backup, exitCode: 1, stderr: '' }, log: failed, before: [], after: ['neo4j-2026-12-06T08-00-01.backup'], inspected: [] });
    expect([o.ok, o.error?.code]).toEqual([false, 'ADMIN_TOOL_FAILED']);
    expect(o.error?.message).toMatch(/neo4j: stopped half-way$/);
  });

  it('exit 64 fails every database with the option named', () => {
    const out = checkBackupOutcome({ databases: ['a', 'b'], exit: { command: backup, exitCode: 64, stderr: "Unknown option: '--prefer-diff-as-parent'" }, log: [], before: [], after: [], inspected: [] });
    expect(out.map((o) => [o.database, o.error?.code])).toEqual([
      ['a', 'NOT_SUPPORTED'],
      ['b', 'NOT_SUPPORTED'],
    ]);
  });
});
