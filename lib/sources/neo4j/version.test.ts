/**
 * dbms.components() into version and edition, and each version's neo4j-admin options (the manual's labels).
 */
import { describe, expect, it } from 'vitest';
import { fixtureRows } from '../../../tests/fixtures/neo4j/load';
import { backupOptionsFor, compareVersions, inspectOptionsFor, parseComponents, parseVersion, restoreOptionsFor } from './version';

describe('dbms.components()', () => {
  it.each([
    ['components-5.26.json', { text: '5.26.0', line: '5.x', major: 5, minor: 26 }, 'enterprise', null],
    ['components-2025.06.json', { text: '2025.06.0', line: 'calendar', major: 2025, minor: 6 }, 'enterprise', ['5', '25']],
    ['components-2026.01-community.json', { text: '2026.01.2', line: 'calendar', major: 2026, minor: 1, patch: 2 }, 'community', ['5', '25']],
  ])('%s', (file, version, edition, cypher) => {
    const c = parseComponents(fixtureRows(file));
    expect(c.version).toMatchObject(version);
    expect(c.edition).toBe(edition);
    expect(c.cypherVersions).toEqual(cypher);
  });

  it('refuses an answer without a Neo4j Kernel row or version, naming what it got', () => {
    expect(() => parseComponents([{ name: 'Memgraph', versions: ['5.1.0'], edition: 'x' }])).toThrow(/no "Neo4j Kernel" row \(it lists "Memgraph"\)/);
    expect(() => parseComponents([{ name: 'Neo4j Kernel', versions: [], edition: 'enterprise' }])).toThrow(/no version/);
    expect(() => parseComponents([])).toThrow(/it lists nothing/);
  });
});

describe('versions', () => {
  it('orders 5.x before calendar versions, patch included', () => {
    const v = ['2026.01.0', '5.26.12', '2025.06.1', '5.9.0', '2025.06.0', '5.26.0'].map(parseVersion);
    expect([...v].sort(compareVersions).map((x) => x.text)).toEqual(['5.9.0', '5.26.0', '5.26.12', '2025.06.0', '2025.06.1', '2026.01.0']);
  });

  it('reads suffixes and two-part versions; refuses 4.x and nonsense', () => {
    expect(parseVersion('5.26.0-SNAPSHOT')).toMatchObject({ major: 5, minor: 26, patch: 0 });
    expect(parseVersion('2026.01')).toMatchObject({ major: 2026, minor: 1, patch: 0, line: 'calendar' });
    expect(() => parseVersion('4.4.30')).toThrow(/not supported/);
    expect(() => parseVersion('2025.13.0')).toThrow(/not a calendar version/);
    expect(() => parseVersion('latest')).toThrow(/not a Neo4j version/);
  });
});

describe('the options each neo4j-admin accepts', () => {
  const backup = (v: string) => backupOptionsFor(parseVersion(v));
  it('database backup: 5.26 LTS has no --prefer-diff-as-parent; 2025.06 has it; 2026.x has the 2025.09 and 2025.11 options too', () => {
    expect([...backup('5.26.0')].sort()).toEqual(
      ['additional-config', 'compress', 'expand-commands', 'from', 'include-metadata', 'inspect-path', 'keep-failed', 'pagecache', 'parallel-recovery', 'temp-path', 'to-path', 'type', 'verbose'].sort(),
    );
    expect(backup('5.23.0').has('temp-path')).toBe(false);
    expect(backup('2025.06.0').has('prefer-diff-as-parent')).toBe(true);
    expect(backup('2025.06.0').has('remote-address-resolution')).toBe(false);
    for (const o of ['prefer-diff-as-parent', 'remote-address-resolution', 'parallel-download', 'skip-recovery']) expect(backup('2026.01.0').has(o)).toBe(true);
  });

  it('backup inspect needs --show-metadata before 2025.07 and does not take it after; restore gains --source-database in 2025.02', () => {
    expect(inspectOptionsFor(parseVersion('5.26.0')).has('show-metadata')).toBe(true);
    expect(inspectOptionsFor(parseVersion('2025.06.0')).has('show-metadata')).toBe(true);
    expect(inspectOptionsFor(parseVersion('2025.07.0')).has('show-metadata')).toBe(false);
    expect(inspectOptionsFor(parseVersion('5.24.0')).size).toBe(0);
    expect(restoreOptionsFor(parseVersion('5.26.0')).has('source-database')).toBe(false);
    expect(restoreOptionsFor(parseVersion('2025.02.0')).has('source-database')).toBe(true);
  });
});
