/**
 * Which queries the embedded Bolt server runs: the documented admin queries and their common variants, with
 * the columns they yield; everything else is refused with a SyntaxError that names what is supported.
 */
import { describe, expect, it } from 'vitest';
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
      { kind: 'create-database', name: 'restored', ifNotExists: false, seedURI: 'file:///backups/neo4j-2026-01-01T00-00-00.backup', seedRestoreUntil: 42 },
    ],
    ['CREATE DATABASE r IF NOT EXISTS', { kind: 'create-database', name: 'r', ifNotExists: true, seedURI: null, seedRestoreUntil: null }],
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
    "CREATE DATABASE x OPTIONS {existingData: 'use'}",
    'SHOW DATABASE ../etc',
    '',
  ])('refuses %j with a SyntaxError', (query) => {
    expect(() => parseAdminQuery(query)).toThrow(expect.objectContaining({ code: 'Neo.ClientError.Statement.SyntaxError', message: expect.stringContaining('SHOW SERVERS') }));
  });
});
