/**
 * `<db>-latest` as pure logic: which names stand for a database, and which artifact is the newest restorable
 * one (intact chain, holds something), on DESIGN.md's table with and without broken links.
 */
import { describe, expect, it } from 'vitest';
import type { ChainNode } from './chain';
import { latestDatabase, newestRestorable } from './latest';

const at = (hhmm: string) => `2026-03-01T${hhmm}:00.000Z`;

function node(file: string, time: string, parent: string | null, low: number, high: number, tip: number, database = 'neo4j'): ChainNode {
  return {
    file,
    database,
    databaseId: '11111111-1111-4111-8111-111111111111',
    storeId: '22222222-2222-4222-8222-222222222222',
    time: at(time),
    full: parent === null,
    lowestTx: low,
    highestTx: high,
    parent,
    parentLastTxChecksum: parent === null ? null : 1000 + low - 1,
    tipTx: tip,
    lastTxChecksum: 1000 + tip,
    firstCommitTime: null,
    lastCommitTime: null,
  };
}

const table = (): ChainNode[] => [
  node('backup1', '10:30', null, 1, 10, 10),
  node('backup2', '11:30', 'backup1', 11, 20, 20),
  node('backup3', '12:30', 'backup2', 21, 30, 30),
  node('backup4', '13:30', 'backup3', 0, 0, 30),
  node('backup5', '14:30', null, 1, 40, 40),
  node('backup6', '15:30', 'backup5', 41, 50, 50),
  node('backup7', '16:30', 'backup6', 0, 0, 50),
];

describe('<db>-latest', () => {
  it('names a database only when the rest is a valid database name in lower case', () => {
    expect(latestDatabase('neo4j-latest')).toBe('neo4j');
    expect(latestDatabase('a.b-c-latest')).toBe('a.b-c');
    expect(latestDatabase('Neo4j-latest')).toBeNull();
    expect(latestDatabase('-latest')).toBeNull();
    expect(latestDatabase('neo4j-latest.backup')).toBeNull();
    expect(latestDatabase('neo4j')).toBeNull();
  });

  it('is the newest artifact that holds something and whose chain is intact', () => {
    const cases: Array<{ name: string; drop: string[]; want: string | RegExp }> = [
      { name: 'the newest differential (an empty one after it holds nothing)', drop: [], want: 'backup6' },
      { name: 'a broken newest chain is passed over', drop: ['backup5'], want: 'backup3' },
      { name: 'a full alone', drop: ['backup6', 'backup7'], want: 'backup5' },
      { name: 'nothing intact', drop: ['backup1', 'backup5'], want: /^no backup of neo4j is restorable \(the backup chain of neo4j is broken/ },
    ];
    for (const c of cases) {
      const r = newestRestorable(table().filter((a) => !c.drop.includes(a.file)), 'neo4j');
      if (typeof c.want === 'string') expect(r.ok && r.artifact.file, c.name).toBe(c.want);
      else expect(!r.ok && r.code === 'CHAIN_BROKEN' && r.problem, c.name).toMatch(c.want);
    }
    const other = newestRestorable(table(), 'other');
    expect(other).toEqual({ ok: false, code: 'PATH_NOT_FOUND', problem: 'there are no backups of other' });
  });
});
