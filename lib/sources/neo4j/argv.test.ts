/**
 * The argv Txline gives neo4j-admin (per version, `--name=value`, only what the version accepts, no secret,
 * no value that turns into an option) and the seeding Cypher (values as parameters only).
 */
import { DateTime, isInt } from 'neo4j-driver';
import { describe, expect, it } from 'vitest';
import { assertArgvFree, backupArgv, inspectArgv, restoreArgv, restoreUntilTime, seedDatabaseStatement, untilAfterTx } from './argv';
import { parseVersion } from './version';

const v526 = parseVersion('5.26.0');
const v2506 = parseVersion('2025.06.0');
const v2601 = parseVersion('2026.01.0');

describe('backup argv', () => {
  it('has the documented shape, every value as --name=value', () => {
    expect(
      backupArgv({ version: v2506, from: ['10.0.0.1:6362', 'db2.internal:6362'], toPath: '/mnt/backups', type: 'DIFF', compress: false, keepFailed: true, tempPath: '/tmp/nb', preferDiffAsParent: true, verbose: true, databases: ['neo4j', 'n*'] }),
    ).toEqual([
      'database',
      'backup',
      '--from=10.0.0.1:6362,db2.internal:6362',
      '--to-path=/mnt/backups',
      '--type=DIFF',
      '--compress=false',
      '--keep-failed=true',
      '--temp-path=/tmp/nb',
      '--prefer-diff-as-parent',
      '--verbose',
      'neo4j',
      'n*',
    ]);
  });

  it('asks 5.26 for nothing it lacks: --prefer-diff-as-parent is refused, not dropped; false flags are left out', () => {
    expect(() => backupArgv({ version: v526, from: [], toPath: '/b', preferDiffAsParent: true, databases: ['neo4j'] })).toThrow(
      /Neo4j 5\.26\.0 cannot be asked for --prefer-diff-as-parent: --prefer-diff-as-parent was introduced in Neo4j 2025\.04/,
    );
    expect(backupArgv({ version: v526, from: [], toPath: '/b', preferDiffAsParent: false, type: 'AUTO', databases: ['neo4j'] })).toEqual(['database', 'backup', '--to-path=/b', '--type=AUTO', 'neo4j']);
    expect(() => backupArgv({ version: parseVersion('5.20.0'), from: [], toPath: '/b', tempPath: '/t', databases: ['neo4j'] })).toThrow(/--temp-path was introduced in Neo4j 5\.24/);
    expect(backupArgv({ version: v2601, from: ['a:6362'], toPath: '/b', preferDiffAsParent: true, databases: ['neo4j'] })).toContain('--prefer-diff-as-parent');
  });

  it.each([
    ['a database named like an option', { databases: ['--to-path=/etc'] }, /Invalid database name/],
    ['a glob that starts with a dash', { databases: ['-*'] }, /Invalid database pattern/],
    ['an address with a comma', { from: ['a:1,b:2'] }, /Invalid address/],
    ['an address without a port', { from: ['db.internal'] }, /Invalid address/],
    ['a relative target', { toPath: 'backups' }, /must be an absolute path/],
    ['a target with a line break', { toPath: '/b\n--type=FULL' }, /cannot be passed to neo4j-admin/],
    ['no database', { databases: [] }, /at least one database/],
  ])('refuses %s', (_what, change, message) => {
    expect(() => backupArgv({ version: v2601, from: ['a:6362'], toPath: '/b', databases: ['neo4j'], ...change })).toThrow(message);
  });
});

describe('inspect argv', () => {
  it('adds --show-metadata before 2025.07 only, and always asks for TABULAR', () => {
    expect(inspectArgv({ version: v526, path: '/b', empty: true })).toEqual(['backup', 'inspect', '/b', '--format=TABULAR', '--show-metadata', '--empty']);
    expect(inspectArgv({ version: v2601, path: '/b', database: 'Neo4j', latestChain: true })).toEqual(['backup', 'inspect', '/b', '--format=TABULAR', '--database=neo4j', '--latest-chain']);
    expect(() => inspectArgv({ version: parseVersion('5.24.0'), path: '/b' })).toThrow(/new in Neo4j 5\.25/);
    expect(() => inspectArgv({ version: v2601, path: '-rf' })).toThrow(/absolute path/);
  });
});

describe('restore argv', () => {
  it('takes an exclusive transaction, or a UTC time in whole seconds, as one argument', () => {
    expect(restoreArgv({ version: v2601, fromPaths: ['/b/neo4j-2026-12-06T08-00-00.backup', '/b/neo4j-2026-12-06T09-00-00.backup'], until: untilAfterTx(41), overwriteDestination: true, database: 'restored' })).toEqual([
      'database',
      'restore',
      '--from-path=/b/neo4j-2026-12-06T08-00-00.backup,/b/neo4j-2026-12-06T09-00-00.backup',
      '--restore-until=42',
      '--overwrite-destination=true',
      'restored',
    ]);
    const at = Date.UTC(2021, 8, 11, 10, 15, 30);
    expect(restoreArgv({ version: v526, fromPaths: ['/b'], until: { kind: 'time', before: at }, database: 'neo4j' })).toContain('--restore-until=2021-09-11 10:15:30');
    expect(() => restoreUntilTime(at + 500)).toThrow(/whole seconds/);
    expect(restoreArgv({ version: v526, fromPaths: ['/b'], until: { kind: 'latest' }, database: 'neo4j' })).toEqual(['database', 'restore', '--from-path=/b', 'neo4j']);
  });

  it('passes --source-database only from 2025.02, and refuses a path with a comma', () => {
    expect(restoreArgv({ version: v2506, fromPaths: ['/b'], sourceDatabase: 'neo4j', database: 'copy' })).toContain('--source-database=neo4j');
    expect(() => restoreArgv({ version: v526, fromPaths: ['/b'], sourceDatabase: 'neo4j', database: 'copy' })).toThrow(/introduced in Neo4j 2025\.02/);
    expect(() => restoreArgv({ version: v526, fromPaths: ['/b,/c'], database: 'copy' })).toThrow(/comma/);
    expect(() => untilAfterTx(0)).toThrow(/1 or more/);
  });
});

describe('seeding a database on a cluster', () => {
  it('passes name, URI and point as parameters, never in the text', () => {
    const s = seedDatabaseStatement({ version: v2601, database: 'Restored', seed: "/shared/it's/neo4j-2026-12-06T08-00-00.backup", until: untilAfterTx(99) });
    expect(s.query).toBe("CREATE DATABASE $name OPTIONS {existingData: 'use', seedURI: $seedURI, seedRestoreUntil: $seedRestoreUntil}");
    expect(s.params.name).toBe('restored');
    expect(s.params.seedURI).toBe("file:///shared/it's/neo4j-2026-12-06T08-00-00.backup");
    expect(isInt(s.params.seedRestoreUntil as never) && String(s.params.seedRestoreUntil)).toBe('100');
    const t = seedDatabaseStatement({ version: v2601, database: 'x', seed: 's3://bucket/dir/', until: { kind: 'time', before: Date.UTC(2026, 11, 6, 8, 0, 0) } });
    expect(t.params.seedURI).toBe('s3://bucket/dir/');
    expect(t.params.seedRestoreUntil).toBeInstanceOf(DateTime);
    expect(String(t.params.seedRestoreUntil)).toBe('2026-12-06T08:00:00Z');
    expect(seedDatabaseStatement({ version: v526, database: 'x', seed: '/shared/a.backup' }).query).toBe("CREATE DATABASE $name OPTIONS {existingData: 'use', seedURI: $seedURI}");
  });

  it('refuses a point on 5.26 (seedRestoreUntil is 2025.01) and a bad name', () => {
    expect(() => seedDatabaseStatement({ version: v526, database: 'x', seed: '/s', until: untilAfterTx(5) })).toThrow(/new in Neo4j 2025\.01/);
    expect(() => seedDatabaseStatement({ version: v2601, database: 'x} OPTIONS {', seed: '/s' })).toThrow(/Invalid database name/);
  });
});

describe('secrets', () => {
  it('no builder takes a password; assertArgvFree refuses an argv that holds one', () => {
    const argv = backupArgv({ version: v2601, from: ['a:6362'], toPath: '/b', databases: ['neo4j'] });
    expect(() => assertArgvFree(argv, ['s3cret-pw', null, ''])).not.toThrow();
    expect(() => assertArgvFree([...argv, '--x=s3cret-pw'], ['s3cret-pw'])).toThrow(/contains the cluster's password/);
    expect(() => assertArgvFree([...argv, '--x=a-s3cret-pw-b'], ['s3cret-pw'])).toThrow(/contains the cluster's password/);
    // shorter than Neo4j's minimum password length, it is part of ordinary arguments (a database's name)
    for (const short of ['neo4j', 'backup', 'AUTO', 'true', 'b']) expect(() => assertArgvFree(argv, [short]), short).not.toThrow();
  });
});
