/**
 * Source policy and backup planning on tables, without processes: which members a backup asks and in which
 * order, and whether it is a differential or a full (and why).
 */
import { describe, expect, it } from 'vitest';
import { planBackup, type PlanOptions } from './backup-plan';
import { globMatches, matchDatabases, orderSources, preferDiffSources } from './backup-policy';
import type { ChainNode } from './chain';
import type { MemberDatabase, Topology } from './source';

const STORE = 'store-a';

function member(id: string, role: MemberDatabase['role'], o: Partial<MemberDatabase> = {}): MemberDatabase {
  return {
    member: { id, address: `127.0.0.1:${7000 + Number(id.replace(/\D/g, '') || 0)}`, mode: role === 'secondary' ? 'secondary' : 'primary' },
    name: 'neo4j',
    databaseId: 'db-1',
    storeId: STORE,
    role,
    status: 'online',
    lastCommittedTxn: 100,
    lowestAvailableTxn: 1,
    replicationLag: 0,
    ...o,
  };
}

function full(file: string, tip: number, time: string, storeId = STORE): ChainNode {
  return {
    file,
    database: 'neo4j',
    databaseId: 'db-1',
    storeId,
    time,
    full: true,
    lowestTx: 1,
    highestTx: tip,
    parent: null,
    parentLastTxChecksum: null,
    tipTx: tip,
    lastTxChecksum: tip,
    firstCommitTime: null,
    lastCommitTime: null,
  };
}

function diff(file: string, parent: ChainNode, to: number, time: string): ChainNode {
  return {
    ...parent,
    file,
    time,
    full: false,
    lowestTx: parent.tipTx + 1,
    highestTx: to,
    parent: parent.file,
    parentLastTxChecksum: parent.lastTxChecksum,
    tipTx: to,
    lastTxChecksum: to,
  };
}

describe('matchDatabases', () => {
  const topology = { databases: ['neo4j', 'system', 'sales', 'sales2'].map((name) => member('m1', 'writer', { name })) };
  it.each([
    [['neo4j'], ['neo4j']],
    [['NEO4J'], ['neo4j']],
    [['*'], ['neo4j', 'sales', 'sales2', 'system']],
    [['s*'], ['sales', 'sales2', 'system']],
    [['sales?'], ['sales2']],
    [['absent'], ['absent']],
    [['n*', 'neo4j'], ['neo4j']],
  ])('%j -> %j', (patterns, expected) => {
    expect(matchDatabases(patterns, topology)).toEqual(expected);
  });

  it('treats regular-expression characters in a glob literally', () => {
    expect(globMatches('a.b*', 'a.bc')).toBe(true);
    expect(globMatches('a.b*', 'axbc')).toBe(false);
    expect(globMatches('[ab]', 'a')).toBe(false);
    expect(globMatches('[ab]', '[ab]')).toBe(true);
  });

  it.each([
    ['*', '', true],
    ['*', 'neo4j', true],
    ['n*', 'neo4j', true],
    ['*4j', 'neo4j', true],
    ['n?o4j', 'neo4j', true],
    ['n?o4j', 'no4j', false],
    ['ne*o*4*j', 'neo4j', true],
    ['*o*o*', 'foo', true],
    ['*o*o*o*', 'foo', false],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyyd', false],
    ['a*', 'b', false],
    ['?', '', false],
    ['**a**', 'bab', true],
    ['neo4j', 'neo4j2', false],
  ])('%s covers %j: %s', (glob, name, expected) => {
    expect(globMatches(glob, name)).toBe(expected);
  });

  it('matches a glob of many stars against a long name at once (a regular expression backtracks for minutes)', () => {
    const stars = `${'*a'.repeat(12)}*b`;
    expect(globMatches(stars, 'a'.repeat(60))).toBe(false);
    expect(globMatches(stars, `${'a'.repeat(60)}b`)).toBe(true);
    expect(matchDatabases([stars], { databases: [{ name: 'a'.repeat(60) }] as Topology['databases'] })).toEqual([]);
  });
});

describe('orderSources', () => {
  const writer = member('m1', 'writer');
  const follower = member('m2', 'follower', { replicationLag: -3 });
  const laggy = member('m3', 'follower', { replicationLag: -5000 });
  const secondary = member('m4', 'secondary', { replicationLag: -10 });
  const offline = member('m5', 'secondary', { status: 'offline' });
  const ids = (r: { ordered: MemberDatabase[] }) => r.ordered.map((d) => d.member.id);

  it.each([
    ['secondaries, then followers, then the writer', [writer, follower, secondary], 1000, ['m4', 'm2', 'm1']],
    ['least lag first within a role', [member('m2', 'follower', { replicationLag: -9 }), member('m3', 'follower', { replicationLag: -1 }), writer], 1000, ['m3', 'm2', 'm1']],
    ['passes over a member beyond --max-lag', [writer, laggy, follower], 1000, ['m2', 'm1']],
    ['the writer is never passed over for lag', [member('m1', 'writer', { replicationLag: -99999 })], 0, ['m1']],
    ['passes over offline members', [offline, writer], 1000, ['m1']],
  ])('%s', (_name, databases, maxLag, expected) => {
    expect(ids(orderSources('neo4j', { databases }, { explicitSources: false, maxLag }))).toEqual(expected);
  });

  it('keeps the order of --from, skipping only offline members', () => {
    const r = orderSources('neo4j', { databases: [writer, laggy, offline, secondary] }, { explicitSources: true, maxLag: 0 });
    expect(ids(r)).toEqual(['m1', 'm3', 'm4']);
    expect(r.notes.filter((n) => n.level === 'info').map((n) => n.message)).toEqual(['passing over m5 (127.0.0.1:7005) for neo4j: the database is offline there']);
  });

  it('says why it passed a member over, and the order it chose', () => {
    const r = orderSources('neo4j', { databases: [writer, laggy] }, { explicitSources: false, maxLag: 1000 });
    expect(r.notes.filter((n) => n.level === 'info').map((n) => n.message)).toEqual([
      'passing over m3 (follower) for neo4j: 5000 transactions behind the writer (--max-lag=1000)',
      'source order for neo4j: m1 (writer, lag 0)',
    ]);
    expect(r.notes.filter((n) => n.level === 'debug')).toHaveLength(2);
  });

  it('fails with DATABASE_NOT_FOUND when no reachable member hosts the database', () => {
    expect(() => orderSources('other', { databases: [writer] }, { explicitSources: false, maxLag: 0 })).toThrow(/no reachable server hosts database other/);
  });
});

describe('planBackup', () => {
  const f = full('f.backup', 50, '2026-01-01T00:00:00.000Z');
  const d = diff('d.backup', f, 80, '2026-01-01T01:00:00.000Z');
  const auto: PlanOptions = { type: 'auto', preferDiffAsParent: false };
  const summary = (p: ReturnType<typeof planBackup<ChainNode>>) => (p.type === 'diff' ? `diff on ${p.parent.file}` : `full${p.fallback ? ' (fallback)' : ''}: ${p.reason}`);

  it.each<[string, ChainNode[], Partial<MemberDatabase>, PlanOptions, string]>([
    ['first backup, auto: a full, not a fallback', [], {}, auto, 'full: there is no earlier backup of neo4j in the folder'],
    ['first backup, --type=diff: a fallback', [], {}, { type: 'diff', preferDiffAsParent: false }, 'full (fallback): there is no earlier backup of neo4j in the folder'],
    ['--type=full', [f, d], {}, { type: 'full', preferDiffAsParent: false }, 'full: a full backup was requested (--type=full)'],
    ['a differential on the latest backup', [f, d], {}, auto, 'diff on d.backup'],
    ['--prefer-diff-as-parent picks the latest differential over a newer full', [f, d, full('f2.backup', 90, '2026-01-01T02:00:00.000Z')], {}, { type: 'auto', preferDiffAsParent: true }, 'diff on d.backup'],
    ['the member is behind the parent', [f, d], { lastCommittedTxn: 70 }, auto, 'full (fallback): m1 is at transaction 70, behind the parent backup d.backup (transaction 80), so a differential cannot follow it'],
    ['the transactions after the parent were pruned', [f, d], { lowestAvailableTxn: 90 }, auto, 'full (fallback): transactions 81..89 after the parent d.backup were pruned from the transaction log of m1 (lowest available: 90)'],
    ['the very next transaction is still there', [f, d], { lowestAvailableTxn: 81 }, auto, 'diff on d.backup'],
    ['the store ID changed', [f, d], { storeId: 'store-b' }, auto, 'full (fallback): the store ID changed: the latest backup d.backup has store ID store-a, the source has store-b (the database was restored or recreated)'],
  ])('%s', (_name, existing, at, opts, expected) => {
    expect(summary(planBackup('neo4j', member('m1', 'writer', at), existing, opts))).toBe(expected);
  });
});

describe('preferDiffSources', () => {
  const f = full('f.backup', 50, '2026-01-01T00:00:00.000Z');
  const pruned = member('m4', 'secondary', { lowestAvailableTxn: 70 });
  const writer = member('m1', 'writer');

  it('puts a member that still holds the transactions after the parent first', () => {
    const r = preferDiffSources('neo4j', [pruned, writer], [f], { type: 'auto', preferDiffAsParent: false });
    expect(r.ordered.map((d) => d.member.id)).toEqual(['m1', 'm4']);
    expect(r.note?.message).toBe('preferring m1 (writer) for neo4j: it still holds the transactions after the latest backup, m4 does not');
  });

  it.each<[string, MemberDatabase[], PlanOptions]>([
    ['a full was asked for', [pruned, writer], { type: 'full', preferDiffAsParent: false }],
    ['the first member can serve the differential', [writer, pruned], { type: 'auto', preferDiffAsParent: false }],
    ['no member can serve it', [pruned, member('m5', 'secondary', { lowestAvailableTxn: 90 })], { type: 'auto', preferDiffAsParent: false }],
  ])('keeps the order when %s', (_name, ordered, opts) => {
    const r = preferDiffSources('neo4j', ordered, [f], opts);
    expect(r.ordered).toEqual(ordered);
    expect(r.note).toBeNull();
  });
});
