/**
 * Which queries the embedded Bolt server runs: the documented admin queries and their common variants, with
 * the columns they yield; everything else is refused with a SyntaxError that names what is supported.
 */
import { describe, expect, it } from 'vitest';
import { Structure, type PackValue } from './packstream';
import { DATABASE_COLUMNS, DATABASE_DEFAULT_COLUMNS, SERVER_COLUMNS, SERVER_DEFAULT_COLUMNS, parseAdminQuery } from './queries';

describe('parseAdminQuery', () => {
  it.each([
    ['SHOW SERVERS', { kind: 'servers', columns: [...SERVER_DEFAULT_COLUMNS] }],
    ['show servers yield *;', { kind: 'servers', columns: [...SERVER_COLUMNS] }],
    ['  SHOW   SERVERS\n YIELD  * ', { kind: 'servers', columns: [...SERVER_COLUMNS] }],
    ['SHOW SERVERS YIELD name, address,health', { kind: 'servers', columns: ['name', 'address', 'health'] }],
    ['SHOW DATABASES', { kind: 'databases', name: null, columns: [...DATABASE_DEFAULT_COLUMNS] }],
    ['SHOW DATABASES YIELD *', { kind: 'databases', name: null, columns: [...DATABASE_COLUMNS] }],
    ['show database neo4j yield *', { kind: 'databases', name: 'neo4j', columns: [...DATABASE_COLUMNS] }],
    ['SHOW DATABASE `my-db.x` YIELD name, lastCommittedTxn, replicationLag', { kind: 'databases', name: 'my-db.x', columns: ['name', 'lastCommittedTxn', 'replicationLag'] }],
    ['CALL dbms.components()', { kind: 'components', columns: ['name', 'versions', 'edition'] }],
    ['call dbms.components() yield name, versions, edition return name, versions, edition', { kind: 'components', columns: ['name', 'versions', 'edition'] }],
    ['CALL dbms.components() YIELD versions, edition RETURN edition', { kind: 'components', columns: ['edition'] }],
    ['DROP DATABASE x IF EXISTS', { kind: 'drop-database', name: 'x', ifExists: true }],
    [
      "CREATE DATABASE restored OPTIONS {seedURI: 'file:///backups/neo4j-2026-01-01T00-00-00.backup', seedRestoreUntil: 42} WAIT",
      { kind: 'create-database', name: 'restored', ifNotExists: false, existingData: null, seedURI: 'file:///backups/neo4j-2026-01-01T00-00-00.backup', seedRestoreUntil: 42 },
    ],
    ['CREATE DATABASE r IF NOT EXISTS', { kind: 'create-database', name: 'r', ifNotExists: true, existingData: null, seedURI: null, seedRestoreUntil: null }],
    [
      "CREATE DATABASE r OPTIONS { existingData: 'use', seedURI: 'file:///b', seedRestoreUntil: datetime('2026-01-02T03:04:05+01:00') }",
      { kind: 'create-database', name: 'r', ifNotExists: false, existingData: 'use', seedURI: 'file:///b', seedRestoreUntil: '2026-01-02 02:04:05' },
    ],
    ["CREATE DATABASE r OPTIONS {existingData: 'use'}", { kind: 'create-database', name: 'r', ifNotExists: false, existingData: 'use', seedURI: null, seedRestoreUntil: null }],
  ])('%s', (query, expected) => {
    expect(parseAdminQuery(query)).toEqual(expected);
  });

  it.each([
    'MATCH (n) RETURN n',
    'SHOW DATABASES YIELD * WHERE name = "neo4j"',
    'SHOW DATABASES YIELD name WHERE name = "neo4j"',
    'SHOW DATABASES YIELD * RETURN name',
    'SHOW DATABASES YIELD * ORDER BY name',
    'SHOW SERVERS YIELD nope',
    'SHOW DATABASES; MATCH (n) DETACH DELETE n',
    'CALL dbms.components() YIELD name RETURN edition',
    'CALL dbms.components() YIELD name RETURN toUpper(name)',
    "CREATE DATABASE x OPTIONS {storeFormat: 'block'}",
    'CREATE DATABASE x OPTIONS {seedURI: $a + $b}',
    'SHOW DATABASE ../etc',
    '',
  ])('refuses %j with a SyntaxError', (query) => {
    expect(() => parseAdminQuery(query)).toThrow(expect.objectContaining({ code: 'Neo.ClientError.Statement.SyntaxError', message: expect.stringContaining('SHOW SERVERS') }));
  });
});

describe('parseAdminQuery with parameters (as drivers send them)', () => {
  const seed = { name: 'restored', uri: 'file:///backups/', tx: 43 };
  it('takes the name and every option from $parameters', () => {
    expect(parseAdminQuery("CREATE DATABASE $name OPTIONS {existingData: 'use', seedURI: $uri, seedRestoreUntil: $tx}", seed)).toEqual({
      kind: 'create-database',
      name: 'restored',
      ifNotExists: false,
      existingData: 'use',
      seedURI: 'file:///backups/',
      seedRestoreUntil: 43,
    });
    expect(parseAdminQuery('DROP DATABASE $name IF EXISTS', seed)).toEqual({ kind: 'drop-database', name: 'restored', ifExists: true });
    expect(parseAdminQuery('SHOW DATABASE $name YIELD name', seed)).toEqual({ kind: 'databases', name: 'restored', columns: ['name'] });
  });

  it('reads a DateTime parameter (Bolt 5 UTC, and the legacy local form) as its UTC second', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5) / 1000;
    expect(parseAdminQuery('CREATE DATABASE x OPTIONS {seedURI: $u, seedRestoreUntil: $t}', { u: 'file:///b', t: new Structure(0x49, [at, 0, 3600]) })).toMatchObject({ seedRestoreUntil: '2026-01-02 03:04:05' });
    expect(parseAdminQuery('CREATE DATABASE x OPTIONS {seedURI: $u, seedRestoreUntil: $t}', { u: 'file:///b', t: new Structure(0x46, [at + 3600, 0, 3600]) })).toMatchObject({ seedRestoreUntil: '2026-01-02 03:04:05' });
    expect(parseAdminQuery('CREATE DATABASE x OPTIONS {seedURI: $u, seedRestoreUntil: datetime($t)}', { u: 'file:///b', t: '2026-01-02T03:04:05Z' })).toMatchObject({ seedRestoreUntil: '2026-01-02 03:04:05' });
  });

  it.each<[string, Record<string, PackValue>, string]>([
    ['CREATE DATABASE $name', {}, 'Neo.ClientError.Statement.ParameterMissing'],
    ['CREATE DATABASE $name', { name: 3 }, 'Neo.ClientError.Statement.ArgumentError'],
    ['CREATE DATABASE x OPTIONS {seedURI: $u}', { u: ['file:///b'] }, 'Neo.ClientError.Statement.ArgumentError'],
    ['CREATE DATABASE x OPTIONS {seedURI: $u, seedRestoreUntil: $t}', { u: 'file:///b', t: 0 }, 'Neo.ClientError.Statement.ArgumentError'],
    ['CREATE DATABASE x OPTIONS {seedURI: $u, seedRestoreUntil: $t}', { u: 'file:///b', t: 2.5 }, 'Neo.ClientError.Statement.ArgumentError'],
    ['CREATE DATABASE x OPTIONS {seedURI: $u, seedRestoreUntil: $t}', { u: 'file:///b', t: 2n ** 60n }, 'Neo.ClientError.Statement.ArgumentError'],
    ['CREATE DATABASE x OPTIONS {seedURI: $u, seedRestoreUntil: $t}', { u: 'file:///b', t: new Structure(0x49, [1, 500, 0]) }, 'Neo.ClientError.Statement.ArgumentError'],
    ['CREATE DATABASE x OPTIONS {seedURI: $u, seedRestoreUntil: $t}', { u: 'file:///b', t: new Structure(0x69, [1, 0, 'Europe/Paris']) }, 'Neo.ClientError.Statement.ArgumentError'],
    ["CREATE DATABASE x OPTIONS {seedURI: $u, seedRestoreUntil: datetime('2026-01-02T03:04:05.5Z')}", { u: 'file:///b' }, 'Neo.ClientError.Statement.ArgumentError'],
    ["CREATE DATABASE x OPTIONS {seedURI: $u, seedRestoreUntil: datetime('2026-01-02 03:04:05')}", { u: 'file:///b' }, 'Neo.ClientError.Statement.ArgumentError'],
    ["CREATE DATABASE x OPTIONS {existingData: 'replace', seedURI: $u}", { u: 'file:///b' }, 'Neo.ClientError.Statement.ArgumentError'],
    ['CREATE DATABASE x OPTIONS {seedURI: $u, seedURI: $u}', { u: 'file:///b' }, 'Neo.ClientError.Statement.ArgumentError'],
  ])('refuses %s (case %#)', (query, params, code) => {
    expect(() => parseAdminQuery(query, params)).toThrow(expect.objectContaining({ code }));
  });
});
