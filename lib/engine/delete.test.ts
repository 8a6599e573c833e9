/**
 * Deleting, as pure logic over plain metadata: the dependents of an artifact (DESIGN.md's chain table, with
 * and without --prefer-diff-as-parent), and the order a delete takes: children before parents, newest first,
 * even when the backup times disagree with the parent links (a clock set back).
 */
import { describe, expect, it } from 'vitest';
import type { ChainNode } from './chain';
import { deletionOrder, dependentsOf } from './delete';

const at = (hhmm: string) => `2026-03-01T${hhmm}:00.000Z`;

function node(file: string, time: string, parent: string | null, tip: number, database = 'neo4j'): ChainNode {
  return {
    file,
    database,
    databaseId: '11111111-1111-4111-8111-111111111111',
    storeId: '22222222-2222-4222-8222-222222222222',
    time: at(time),
    full: parent === null,
    lowestTx: parent === null ? 1 : tip,
    highestTx: tip,
    parent,
    parentLastTxChecksum: null,
    tipTx: tip,
    lastTxChecksum: tip,
    firstCommitTime: null,
    lastCommitTime: null,
  };
}

/** DESIGN.md's table: backup6's parent is backup5, or backup3 with --prefer-diff-as-parent. */
function table(preferDiff: boolean): ChainNode[] {
  return [
    node('backup1', '10:30', null, 10),
    node('backup2', '11:30', 'backup1', 20),
    node('backup3', '12:30', 'backup2', 30),
    node('backup4', '13:30', 'backup3', 30),
    node('backup5', '14:30', null, 40),
    node('backup6', '15:30', preferDiff ? 'backup3' : 'backup5', 50),
  ];
}

const files = (list: ChainNode[]) => list.map((a) => a.file);
const byFile = (all: ChainNode[], f: string) => all.find((a) => a.file === f) as ChainNode;

describe('dependentsOf', () => {
  const cases: Array<[boolean, string, string[]]> = [
    [false, 'backup1', ['backup2', 'backup3', 'backup4']],
    [false, 'backup3', ['backup4']],
    [false, 'backup5', ['backup6']],
    [false, 'backup6', []],
    [true, 'backup1', ['backup2', 'backup3', 'backup4', 'backup6']],
    [true, 'backup3', ['backup4', 'backup6']],
    [true, 'backup5', []],
  ];
  it.each(cases)('preferDiff=%s: %s', (preferDiff, target, expected) => {
    const all = table(preferDiff);
    expect(files(dependentsOf(byFile(all, target), all))).toEqual(expected);
  });

  it('only the same database; a loop of parent links ends', () => {
    const all = [...table(false), node('other1', '16:30', 'backup1', 20, 'other')];
    expect(files(dependentsOf(byFile(all, 'backup1'), all))).toEqual(['backup2', 'backup3', 'backup4']);
    const loop = [node('x', '10:00', 'y', 5), node('y', '11:00', 'x', 6)];
    expect(files(dependentsOf(loop[0], loop))).toEqual(['y']);
  });
});

describe('deletionOrder', () => {
  it('newest first when the times follow the parent links', () => {
    const all = table(true);
    expect(files(deletionOrder(all))).toEqual(['backup6', 'backup5', 'backup4', 'backup3', 'backup2', 'backup1']);
  });

  it('children before their parents even when a child carries an older time (a clock set back)', () => {
    const all = [node('full', '12:00', null, 10), node('d1', '11:00', 'full', 20), node('d2', '13:00', 'd1', 30), node('side', '09:00', null, 5)];
    expect(files(deletionOrder(all))).toEqual(['d2', 'd1', 'full', 'side']);
  });
});
